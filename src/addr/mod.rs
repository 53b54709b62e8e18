//! What an address IS: its class, its registry entries, its flags and forms, and subnet math.
//! Pure knowledge: no I/O, no printing; `Facts::of` is the one entry point for an address.

pub mod class;
mod count;
mod forms;
pub mod host;
pub mod lab;
pub mod parse;
pub mod plan;
pub mod reach;
pub mod special;
pub mod subnet;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Serialize, Serializer};

use class::Class;
pub use count::Count;
pub use forms::{Binary, Hex};
pub use reach::{Down, HostState, Up};
use special::{Block, Purpose};

/// An integer that JSON carries as a number for IPv4 and as a decimal string for IPv6,
/// whose values pass 2^64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integer {
    Number(u64),
    Text(String),
}

impl std::fmt::Display for Integer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Integer::Number(n) => write!(f, "{n}"),
            Integer::Text(s) => f.write_str(s),
        }
    }
}

impl Serialize for Integer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Integer::Number(n) => s.serialize_u64(*n),
            Integer::Text(t) => s.serialize_str(t),
        }
    }
}

/// The one-word answer to "what is this address?", most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Unspecified,
    Loopback,
    LimitedBroadcast,
    Multicast,
    Private,
    LinkLocal,
    Shared,
    Documentation,
    Benchmarking,
    Reserved,
    /// In a special-purpose block that none of the kinds above names.
    Special,
    /// Ordinary unicast in no special block: globally routable.
    Public,
}

impl Kind {
    /// The words people use for it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Unspecified => "unspecified",
            Kind::Loopback => "loopback",
            Kind::LimitedBroadcast => "limited broadcast",
            Kind::Multicast => "multicast",
            Kind::Private => "private",
            Kind::LinkLocal => "link-local",
            Kind::Shared => "shared (CGNAT)",
            Kind::Documentation => "documentation",
            Kind::Benchmarking => "benchmarking",
            Kind::Reserved => "reserved",
            Kind::Special => "special-purpose",
            Kind::Public => "public",
        }
    }
}

/// First and last address of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub first: Ipv4Addr,
    pub last: Ipv4Addr,
}

/// Everything netkit knows about one address. A fact that does not apply is `None` (JSON
/// null), never left out.
#[derive(Debug, Serialize)]
pub struct Facts {
    pub address: IpAddr,
    pub version: u8,
    pub kind: Kind,
    pub class: Option<Class>,
    pub class_bits: Option<&'static str>,
    pub class_range: Option<Span>,
    pub classful_mask: Option<Ipv4Addr>,
    pub classful_network: Option<Ipv4Addr>,
    pub host_part: Option<Ipv4Addr>,
    /// Why the class misleads here (0/8, 127/8, D, E).
    pub class_note: Option<&'static str>,
    /// Dotted binary for IPv4; colon-separated 16-bit groups for IPv6.
    pub binary: Binary,
    pub hex: Hex,
    pub decimal: Integer,
    /// RFC 1918 for IPv4; unique-local fc00::/7 for IPv6.
    pub private: bool,
    pub loopback: bool,
    pub link_local: bool,
    pub multicast: bool,
    /// 255.255.255.255; null for IPv6, which has no broadcast.
    pub limited_broadcast: Option<bool>,
    pub unspecified: bool,
    /// 100.64.0.0/10 (RFC 6598); null for IPv6.
    pub shared: Option<bool>,
    pub documentation: bool,
    pub benchmarking: bool,
    /// 240.0.0.0-255.255.255.254; null for IPv6.
    pub reserved: Option<bool>,
    /// "Globally reachable" of the most specific registry entry holding the address; true in
    /// none; null where the registry says N/A and for multicast (see `scope`).
    pub global: Option<bool>,
    /// Every registry block holding the address, most specific first.
    pub ranges: Vec<&'static Block>,
    /// IPv6 with every group written out in four digits.
    pub expanded: Option<String>,
    /// IPv6 scope: from the scope nibble for multicast; host, link-local, site-local or global
    /// for unicast.
    pub scope: Option<&'static str>,
    /// The IPv4 address inside an IPv4-mapped, NAT64, 6to4 or Teredo address.
    pub embedded_ipv4: Option<Box<Embedded>>,
}

/// An IPv4 address carried inside an IPv6 address, itself classified.
#[derive(Debug, Serialize)]
pub struct Embedded {
    /// How it is carried: "ipv4-mapped", "nat64", "6to4" or "teredo" (the client address).
    pub via: &'static str,
    #[serde(flatten)]
    pub facts: Facts,
    /// Teredo only: the Teredo server's address.
    pub teredo_server: Option<Box<Facts>>,
    /// Teredo only: the client's external UDP port, de-obfuscated.
    pub teredo_port: Option<u16>,
}

impl Facts {
    /// Classifies one address.
    pub fn of(addr: IpAddr) -> Facts {
        match addr {
            IpAddr::V4(v4) => Facts::of_v4(v4),
            IpAddr::V6(v6) => Facts::of_v6(v6),
        }
    }

    /// The most specific registry block, for a one-line description.
    pub fn most_specific(&self) -> Option<&'static Block> {
        self.ranges.first().copied()
    }

    fn of_v4(v4: Ipv4Addr) -> Facts {
        let ranges = special::blocks_of(IpAddr::V4(v4));
        let c = class::classful(v4);
        let bits = u32::from(v4);
        let is = |purpose| in_block(&ranges, purpose);
        let flags = Flags {
            private: is(Purpose::Private),
            loopback: is(Purpose::Loopback),
            link_local: is(Purpose::LinkLocal),
            multicast: c.class == Class::D,
            limited_broadcast: bits == u32::MAX,
            unspecified: bits == 0,
            shared: is(Purpose::Shared),
            documentation: is(Purpose::Documentation),
            benchmarking: is(Purpose::Benchmarking),
            reserved: c.class == Class::E && bits != u32::MAX,
        };
        let (first, last) = c.class.range();
        Facts {
            address: IpAddr::V4(v4),
            version: 4,
            kind: flags.kind(&ranges),
            class: Some(c.class),
            class_bits: Some(c.class.leading_bits()),
            class_range: Some(Span { first, last }),
            classful_mask: c.mask,
            classful_network: c.network,
            host_part: c.host_part,
            class_note: c.note,
            binary: Binary(IpAddr::V4(v4)),
            hex: Hex(IpAddr::V4(v4)),
            decimal: Integer::Number(u64::from(bits)),
            private: flags.private,
            loopback: flags.loopback,
            link_local: flags.link_local,
            multicast: flags.multicast,
            limited_broadcast: Some(flags.limited_broadcast),
            unspecified: flags.unspecified,
            shared: Some(flags.shared),
            documentation: flags.documentation,
            benchmarking: flags.benchmarking,
            reserved: Some(flags.reserved),
            global: global(&ranges, flags.multicast),
            ranges,
            expanded: None,
            scope: None,
            embedded_ipv4: None,
        }
    }

    fn of_v6(v6: Ipv6Addr) -> Facts {
        let ranges = special::blocks_of(IpAddr::V6(v6));
        let bits = u128::from(v6);
        let is = |purpose| in_block(&ranges, purpose);
        let flags = Flags {
            private: is(Purpose::Private),
            loopback: is(Purpose::Loopback),
            link_local: is(Purpose::LinkLocal),
            multicast: v6.is_multicast(),
            limited_broadcast: false,
            unspecified: bits == 0,
            shared: false,
            documentation: is(Purpose::Documentation),
            benchmarking: is(Purpose::Benchmarking),
            reserved: false,
        };
        Facts {
            address: IpAddr::V6(v6),
            version: 6,
            kind: flags.kind(&ranges),
            class: None,
            class_bits: None,
            class_range: None,
            classful_mask: None,
            classful_network: None,
            host_part: None,
            class_note: None,
            binary: Binary(IpAddr::V6(v6)),
            hex: Hex(IpAddr::V6(v6)),
            decimal: Integer::Text(bits.to_string()),
            private: flags.private,
            loopback: flags.loopback,
            link_local: flags.link_local,
            multicast: flags.multicast,
            limited_broadcast: None,
            unspecified: flags.unspecified,
            shared: None,
            documentation: flags.documentation,
            benchmarking: flags.benchmarking,
            reserved: None,
            global: global(&ranges, flags.multicast),
            ranges,
            expanded: Some(expanded(v6)),
            scope: ipv6_scope(v6),
            embedded_ipv4: embedded(v6).map(Box::new),
        }
    }
}

/// The boolean flags, gathered before they decide the kind.
struct Flags {
    private: bool,
    loopback: bool,
    link_local: bool,
    multicast: bool,
    limited_broadcast: bool,
    unspecified: bool,
    shared: bool,
    documentation: bool,
    benchmarking: bool,
    reserved: bool,
}

impl Flags {
    fn kind(&self, ranges: &[&Block]) -> Kind {
        let order = [
            (self.unspecified, Kind::Unspecified),
            (self.loopback, Kind::Loopback),
            (self.limited_broadcast, Kind::LimitedBroadcast),
            (self.multicast, Kind::Multicast),
            (self.private, Kind::Private),
            (self.link_local, Kind::LinkLocal),
            (self.shared, Kind::Shared),
            (self.documentation, Kind::Documentation),
            (self.benchmarking, Kind::Benchmarking),
            (self.reserved, Kind::Reserved),
            (!ranges.is_empty(), Kind::Special),
        ];
        order
            .into_iter()
            .find_map(|(set, kind)| set.then_some(kind))
            .unwrap_or(Kind::Public)
    }
}

/// Whether one of the blocks holding an address has this purpose.
fn in_block(ranges: &[&Block], purpose: Purpose) -> bool {
    ranges.iter().any(|r| r.purpose == Some(purpose))
}

/// The registry's "globally reachable" for the most specific special-purpose entry.
fn global(ranges: &[&Block], multicast: bool) -> Option<bool> {
    if multicast {
        return None;
    }
    match ranges.iter().find(|r| r.is_special_purpose()) {
        Some(r) => r.globally_reachable,
        // Outside the special-purpose registry; fec0::/10 is deprecated, so unknown.
        None if ranges.is_empty() => Some(true),
        None => None,
    }
}

/// `2001:0db8:0000:0000:0000:0000:0000:0001`.
pub fn expanded(v6: Ipv6Addr) -> String {
    let groups: Vec<String> = v6.segments().iter().map(|g| format!("{g:04x}")).collect();
    groups.join(":")
}

/// The scope of an IPv6 address (RFC 4291, RFC 7346 for multicast).
pub fn ipv6_scope(v6: Ipv6Addr) -> Option<&'static str> {
    let first = v6.segments()[0];
    if first >> 8 == 0xff {
        return Some(match first & 0xf {
            0x1 => "interface-local",
            0x2 => "link-local",
            0x3 => "realm-local",
            0x4 => "admin-local",
            0x5 => "site-local",
            0x8 => "organization-local",
            0xe => "global",
            0x0 | 0xf => "reserved",
            _ => "unassigned",
        });
    }
    match u128::from(v6) {
        0 => None,
        1 => Some("host"),
        _ if v6.is_unicast_link_local() => Some("link-local"),
        _ if first & 0xffc0 == 0xfec0 => Some("site-local"),
        _ => Some("global"),
    }
}

/// The IPv4 address carried inside an IPv6 address, if any.
fn embedded(v6: Ipv6Addr) -> Option<Embedded> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    let plain = |via, addr| Embedded {
        via,
        facts: Facts::of_v4(addr),
        teredo_server: None,
        teredo_port: None,
    };
    if let Some(mapped) = v6.to_ipv4_mapped() {
        return Some(plain("ipv4-mapped", mapped));
    }
    match s {
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(plain("nat64", v4(hi, lo))),
        [0x2002, hi, lo, ..] => Some(plain("6to4", v4(hi, lo))),
        // RFC 4380 §4: server in bits 32-63; port and client stored inverted.
        [0x2001, 0, shi, slo, _flags, port, chi, clo] => Some(Embedded {
            via: "teredo",
            facts: Facts::of_v4(v4(!chi, !clo)),
            teredo_server: Some(Box::new(Facts::of_v4(v4(shi, slo)))),
            teredo_port: Some(!port),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(input: &str) -> Facts {
        Facts::of(input.parse().unwrap_or_else(|e| panic!("{input}: {e}")))
    }

    #[test]
    fn the_lab_example() {
        let f = facts("172.20.1.5");
        assert_eq!(f.class, Some(Class::B));
        assert_eq!(f.class_bits, Some("10"));
        assert_eq!(f.classful_network, Some(Ipv4Addr::new(172, 20, 0, 0)));
        assert_eq!(f.host_part, Some(Ipv4Addr::new(0, 0, 1, 5)));
        assert_eq!(f.binary.to_string(), "10101100.00010100.00000001.00000101");
        assert_eq!(f.hex.to_string(), "0xac140105");
        assert_eq!(f.decimal, Integer::Number(2_886_992_133));
        assert!(f.private);
        assert_eq!(f.global, Some(false));
        assert_eq!(f.kind, Kind::Private);
        assert_eq!(f.ranges.len(), 1);
        assert_eq!(f.ranges[0].block.to_string(), "172.16.0.0/12");
    }

    #[test]
    fn kinds_and_flags() {
        // input, kind, global
        let cases = [
            ("0.0.0.0", Kind::Unspecified, Some(false)),
            ("0.1.2.3", Kind::Special, Some(false)),
            ("127.0.0.1", Kind::Loopback, Some(false)),
            ("10.0.0.1", Kind::Private, Some(false)),
            ("172.15.255.255", Kind::Public, Some(true)),
            ("172.16.0.0", Kind::Private, Some(false)),
            ("172.31.255.255", Kind::Private, Some(false)),
            ("172.32.0.0", Kind::Public, Some(true)),
            ("192.168.255.255", Kind::Private, Some(false)),
            ("100.64.0.0", Kind::Shared, Some(false)),
            ("100.127.255.255", Kind::Shared, Some(false)),
            ("100.128.0.0", Kind::Public, Some(true)),
            ("169.254.1.1", Kind::LinkLocal, Some(false)),
            ("192.0.0.9", Kind::Special, Some(true)),
            ("192.0.0.11", Kind::Special, Some(false)),
            ("192.0.2.1", Kind::Documentation, Some(false)),
            ("198.18.0.1", Kind::Benchmarking, Some(false)),
            ("198.19.255.255", Kind::Benchmarking, Some(false)),
            ("198.20.0.0", Kind::Public, Some(true)),
            ("192.88.99.1", Kind::Special, None),
            ("192.88.99.2", Kind::Special, Some(false)),
            ("224.0.0.1", Kind::Multicast, None),
            ("239.255.255.255", Kind::Multicast, None),
            ("240.0.0.1", Kind::Reserved, Some(false)),
            ("255.255.255.254", Kind::Reserved, Some(false)),
            ("255.255.255.255", Kind::LimitedBroadcast, Some(false)),
            ("8.8.8.8", Kind::Public, Some(true)),
            ("::", Kind::Unspecified, Some(false)),
            ("::1", Kind::Loopback, Some(false)),
            ("fd00::1", Kind::Private, Some(false)),
            ("fe80::1", Kind::LinkLocal, Some(false)),
            ("2001:db8::1", Kind::Documentation, Some(false)),
            ("3fff::1", Kind::Documentation, Some(false)),
            ("2001:2::1", Kind::Benchmarking, Some(false)),
            ("2001::1", Kind::Special, None),
            ("2002:c000:221::1", Kind::Special, None),
            ("2001:1::1", Kind::Special, Some(true)),
            ("ff02::1", Kind::Multicast, None),
            ("fec0::1", Kind::Special, None),
            ("2606:4700::1111", Kind::Public, Some(true)),
        ];
        for (input, kind, global) in cases {
            let f = facts(input);
            assert_eq!(f.kind, kind, "{input} kind");
            assert_eq!(f.global, global, "{input} global");
        }
    }

    #[test]
    fn ipv6_only_facts_are_null_for_ipv4_and_back() {
        let v4 = facts("10.0.0.1");
        assert!(v4.expanded.is_none() && v4.scope.is_none() && v4.embedded_ipv4.is_none());
        let v6 = facts("fd00::1");
        assert!(v6.class.is_none() && v6.reserved.is_none() && v6.shared.is_none());
        assert!(v6.limited_broadcast.is_none());
        assert_eq!(
            v6.expanded.as_deref(),
            Some("fd00:0000:0000:0000:0000:0000:0000:0001")
        );
    }

    #[test]
    fn ipv6_binary_form() {
        let f = facts("8001::1");
        let binary = f.binary.to_string();
        let groups: Vec<&str> = binary.split(':').collect();
        assert_eq!(groups.len(), 8);
        assert_eq!(groups[0], "1000000000000001");
        assert_eq!(groups[7], "0000000000000001");
        assert!(groups[1..7].iter().all(|g| *g == "0000000000000000"));
    }

    #[test]
    fn multicast_scopes() {
        let cases = [
            ("ff01::1", "interface-local"),
            ("ff02::1", "link-local"),
            ("ff03::1", "realm-local"),
            ("ff04::1", "admin-local"),
            ("ff05::2", "site-local"),
            ("ff08::1", "organization-local"),
            ("ff0e::1", "global"),
            ("ff1e::1", "global"),
            ("fe80::1", "link-local"),
            ("::1", "host"),
            ("2001:db8::1", "global"),
        ];
        for (input, scope) in cases {
            assert_eq!(facts(input).scope, Some(scope), "{input}");
        }
    }

    #[test]
    fn embedded_ipv4_is_found_and_classified() {
        let cases = [
            (
                "::ffff:192.168.1.1",
                "ipv4-mapped",
                "192.168.1.1",
                Kind::Private,
            ),
            ("64:ff9b::8.8.8.8", "nat64", "8.8.8.8", Kind::Public),
            (
                "2002:c000:221::1",
                "6to4",
                "192.0.2.33",
                Kind::Documentation,
            ),
            // RFC 4380 §4 example: server 65.54.227.120, client 192.0.2.45, port 40000.
            (
                "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                "teredo",
                "192.0.2.45",
                Kind::Documentation,
            ),
        ];
        for (input, via, addr, kind) in cases {
            let f = facts(input);
            let e = f
                .embedded_ipv4
                .unwrap_or_else(|| panic!("{input}: no embedded IPv4"));
            assert_eq!(e.via, via, "{input}");
            assert_eq!(e.facts.address.to_string(), addr, "{input}");
            assert_eq!(e.facts.kind, kind, "{input}");
        }
        let teredo = facts("2001:0:4136:e378:8000:63bf:3fff:fdd2");
        let e = teredo.embedded_ipv4.unwrap_or_else(|| panic!("teredo"));
        assert_eq!(e.teredo_port, Some(40000));
        let server = e.teredo_server.map(|s| s.address.to_string());
        assert_eq!(server.as_deref(), Some("65.54.227.120"));
        assert!(facts("2001:db8::1").embedded_ipv4.is_none());
    }
}
