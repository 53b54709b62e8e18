//! The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890, RFC 8190) as data,
//! plus the multicast blocks that give multicast addresses their names. A new registry entry
//! is one row here. Pure: no I/O.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Serialize;

/// When the rows below were taken from the registries: the newest entry is RFC 9780's
/// 100:0:0:1::/64 (2025).
pub const SNAPSHOT: &str = "2025-05";

/// Which registry a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Registry {
    /// IANA IPv4 Special-Purpose Address Registry.
    Ipv4Special,
    /// IANA IPv6 Special-Purpose Address Registry.
    Ipv6Special,
    /// IANA IPv4 Multicast Address Space Registry.
    Ipv4Multicast,
    /// IANA IPv6 Multicast Address Space Registry.
    Ipv6Multicast,
    /// IANA IPv6 Address Space Registry (for the deprecated site-local block).
    Ipv6AddressSpace,
}

/// One registry row. The five boolean columns are the special-purpose registries' own;
/// `None` where the registry says N/A, where the block is deprecated, and for multicast rows
/// (the multicast registries have no such columns: a group's reach is its scope).
#[derive(Debug, Serialize)]
pub struct Block {
    pub name: &'static str,
    pub block: IpNet,
    pub rfc: &'static str,
    pub source: Option<bool>,
    pub destination: Option<bool>,
    pub forwardable: Option<bool>,
    pub globally_reachable: Option<bool>,
    pub reserved_by_protocol: Option<bool>,
    pub registry: Registry,
    /// Why columns are null, or what else a reader must know (deprecation, footnotes).
    pub note: Option<&'static str>,
    /// One plain sentence for the teaching view.
    #[serde(skip)]
    pub explain: &'static str,
    /// What the block makes an address, for the flags that follow from the registry.
    #[serde(skip)]
    pub purpose: Option<Purpose>,
}

/// What being in a block makes an address: the flags `Facts` derives from the table, so a
/// new block of a kind is one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// RFC 1918 space (IPv4) and unique-local addresses (IPv6).
    Private,
    /// Carrier-grade NAT space between an ISP and its customers (RFC 6598).
    Shared,
    Loopback,
    LinkLocal,
    Documentation,
    Benchmarking,
}

impl Block {
    /// The same row, marked with what it makes an address.
    const fn purpose(self, purpose: Purpose) -> Block {
        Block {
            purpose: Some(purpose),
            ..self
        }
    }

    /// Whether the block is one of the special-purpose registries' (not a multicast name).
    pub fn is_special_purpose(&self) -> bool {
        matches!(self.registry, Registry::Ipv4Special | Registry::Ipv6Special)
    }
}

type Columns = [Option<bool>; 5];
const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const NA: Columns = [None; 5];
const NA_NOTE: Option<&str> = Some("the registry gives N/A for these columns");
const MULTICAST_NOTE: Option<&str> = Some(
    "multicast registry: no source/destination/forwardable/reachable columns; reach is the group's scope",
);

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> IpNet {
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len))
}

const fn v6(s: [u16; 8], len: u8) -> IpNet {
    let addr = Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
    IpNet::V6(Ipv6Net::new_assert(addr, len))
}

const fn row(
    registry: Registry,
    block: IpNet,
    name: &'static str,
    rfc: &'static str,
    cols: Columns,
    note: Option<&'static str>,
    explain: &'static str,
) -> Block {
    let [
        source,
        destination,
        forwardable,
        globally_reachable,
        reserved_by_protocol,
    ] = cols;
    Block {
        name,
        block,
        rfc,
        source,
        destination,
        forwardable,
        globally_reachable,
        reserved_by_protocol,
        registry,
        note,
        explain,
        purpose: None,
    }
}

use Registry::{
    Ipv4Multicast as M4, Ipv4Special as S4, Ipv6AddressSpace as AS6, Ipv6Multicast as M6,
    Ipv6Special as S6,
};

/// The IANA IPv4 Special-Purpose Address Registry, in registry order.
/// Columns: source, destination, forwardable, globally reachable, reserved-by-protocol.
#[rustfmt::skip]
pub static IPV4_SPECIAL: [Block; 26] = [
    row(S4, v4(0, 0, 0, 0, 8), "\"This network\"", "RFC 791 §3.2", [T, F, F, F, T], None,
        "0.0.0.0/8 means \"this network\": valid only as a source while a host learns its address, never as a destination."),
    row(S4, v4(0, 0, 0, 0, 32), "\"This host on this network\"", "RFC 1122 §3.2.1.3", [T, F, F, F, T], None,
        "0.0.0.0 is \"this host\": a source address before configuration (DHCP), and \"any address\" when a server binds."),
    row(S4, v4(10, 0, 0, 0, 8), "Private-Use", "RFC 1918", [T, T, T, F, F], None,
        "10.0.0.0/8 is private (RFC 1918): free for any internal network, not routed on the internet, so it reaches the internet only through NAT.").purpose(Purpose::Private),
    row(S4, v4(100, 64, 0, 0, 10), "Shared Address Space", "RFC 6598", [T, T, T, F, F], None,
        "100.64.0.0/10 is shared address space for carrier-grade NAT: between an ISP and its customers' routers, not the public internet.").purpose(Purpose::Shared),
    row(S4, v4(127, 0, 0, 0, 8), "Loopback", "RFC 1122 §3.2.1.3", [F, F, F, F, T], Some("several protocols have been granted exceptions (RFC 4379, RFC 5884)"),
        "127.0.0.0/8 is loopback: packets never leave the machine; 127.0.0.1 tests this host's own network stack.").purpose(Purpose::Loopback),
    row(S4, v4(169, 254, 0, 0, 16), "Link Local", "RFC 3927", [T, T, F, F, T], None,
        "169.254.0.0/16 is link-local: a host picks one itself when no DHCP server answers; routers never forward it off the link.").purpose(Purpose::LinkLocal),
    row(S4, v4(172, 16, 0, 0, 12), "Private-Use", "RFC 1918", [T, T, T, F, F], None,
        "172.16.0.0/12 (172.16.0.0-172.31.255.255) is private (RFC 1918): free for internal networks, not routed on the internet, reached from outside only through NAT.").purpose(Purpose::Private),
    row(S4, v4(192, 0, 0, 0, 24), "IETF Protocol Assignments", "RFC 6890 §2.1", [F, F, F, F, F], Some("not usable unless by virtue of a more specific reservation"),
        "192.0.0.0/24 is kept by the IETF for protocol assignments; its addresses are usable only where a more specific entry says so."),
    row(S4, v4(192, 0, 0, 0, 29), "IPv4 Service Continuity Prefix", "RFC 7335", [T, T, T, F, F], None,
        "192.0.0.0/29 addresses the IPv4 side of a DS-Lite or 464XLAT tunnel inside an IPv6-only network."),
    row(S4, v4(192, 0, 0, 8, 32), "IPv4 dummy address", "RFC 7600", [T, F, F, F, F], None,
        "192.0.0.8 is the IPv4 dummy address: a source for ICMP messages from a node that has no IPv4 address of its own."),
    row(S4, v4(192, 0, 0, 9, 32), "Port Control Protocol Anycast", "RFC 7723", [T, T, T, T, F], None,
        "192.0.0.9 is the Port Control Protocol anycast address, reachable globally although its /24 is not."),
    row(S4, v4(192, 0, 0, 10, 32), "Traversal Using Relays around NAT Anycast", "RFC 8155", [T, T, T, T, F], None,
        "192.0.0.10 is the TURN anycast address for finding a NAT-traversal relay, reachable globally."),
    row(S4, v4(192, 0, 0, 170, 32), "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", [F, F, F, F, T], None,
        "192.0.0.170 is looked up (ipv4only.arpa) to discover a NAT64 prefix; it is never sent to."),
    row(S4, v4(192, 0, 0, 171, 32), "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", [F, F, F, F, T], None,
        "192.0.0.171 is looked up (ipv4only.arpa) to discover a NAT64 prefix; it is never sent to."),
    row(S4, v4(192, 0, 2, 0, 24), "Documentation (TEST-NET-1)", "RFC 5737", [F, F, F, F, F], None,
        "192.0.2.0/24 (TEST-NET-1) is for examples in documentation; it is never used on a real network.").purpose(Purpose::Documentation),
    row(S4, v4(192, 31, 196, 0, 24), "AS112-v4", "RFC 7535", [T, T, T, T, F], None,
        "192.31.196.0/24 serves the AS112 sink for reverse-DNS queries about private addresses."),
    row(S4, v4(192, 52, 193, 0, 24), "AMT", "RFC 7450", [T, T, T, T, F], None,
        "192.52.193.0/24 is for Automatic Multicast Tunneling relays (AMT)."),
    row(S4, v4(192, 88, 99, 0, 24), "Deprecated (6to4 Relay Anycast)", "RFC 7526", NA, Some("deprecated (terminated 2015-03): the registry gives N/A for these columns"),
        "192.88.99.0/24 was the 6to4 relay anycast prefix; RFC 7526 deprecated it."),
    row(S4, v4(192, 88, 99, 2, 32), "6a44-relay anycast address", "RFC 6751", [T, T, T, F, F], None,
        "192.88.99.2 is the anycast address of 6a44 relays (IPv6 access over IPv4 NAT)."),
    row(S4, v4(192, 168, 0, 0, 16), "Private-Use", "RFC 1918", [T, T, T, F, F], None,
        "192.168.0.0/16 is private (RFC 1918): the usual home and lab network, not routed on the internet, reached from outside only through NAT.").purpose(Purpose::Private),
    row(S4, v4(192, 175, 48, 0, 24), "Direct Delegation AS112 Service", "RFC 7534", [T, T, T, T, F], None,
        "192.175.48.0/24 serves the AS112 sink by direct DNS delegation."),
    row(S4, v4(198, 18, 0, 0, 15), "Benchmarking", "RFC 2544", [T, T, T, F, F], None,
        "198.18.0.0/15 is for benchmarking network devices in a lab, never on a production network.").purpose(Purpose::Benchmarking),
    row(S4, v4(198, 51, 100, 0, 24), "Documentation (TEST-NET-2)", "RFC 5737", [F, F, F, F, F], None,
        "198.51.100.0/24 (TEST-NET-2) is for examples in documentation; it is never used on a real network.").purpose(Purpose::Documentation),
    row(S4, v4(203, 0, 113, 0, 24), "Documentation (TEST-NET-3)", "RFC 5737", [F, F, F, F, F], None,
        "203.0.113.0/24 (TEST-NET-3) is for examples in documentation; it is never used on a real network.").purpose(Purpose::Documentation),
    row(S4, v4(240, 0, 0, 0, 4), "Reserved", "RFC 1112 §4", [F, F, F, F, T], None,
        "240.0.0.0/4 (class E) is reserved for future use; hosts and routers do not accept it."),
    row(S4, v4(255, 255, 255, 255, 32), "Limited Broadcast", "RFC 8190, RFC 919 §7", [F, T, F, F, T], None,
        "255.255.255.255 is the limited broadcast: every host on this link receives it, and no router forwards it."),
];

/// The IPv4 multicast blocks that name a multicast address (IANA IPv4 Multicast Address
/// Space Registry).
#[rustfmt::skip]
pub static IPV4_MULTICAST: [Block; 7] = [
    row(M4, v4(224, 0, 0, 0, 4), "Multicast", "RFC 5771", NA, MULTICAST_NOTE,
        "224.0.0.0/4 (class D) is multicast: one packet to a group, delivered to every member that joined it."),
    row(M4, v4(224, 0, 0, 0, 24), "Local Network Control Block", "RFC 5771", NA, MULTICAST_NOTE,
        "224.0.0.0/24 is for control protocols on the local link (224.0.0.1 all hosts, OSPF, mDNS 224.0.0.251); routers never forward it."),
    row(M4, v4(224, 0, 1, 0, 24), "Internetwork Control Block", "RFC 5771", NA, MULTICAST_NOTE,
        "224.0.1.0/24 is for control traffic that routers may forward, such as NTP (224.0.1.1)."),
    row(M4, v4(232, 0, 0, 0, 8), "Source-Specific Multicast Block", "RFC 4607", NA, MULTICAST_NOTE,
        "232.0.0.0/8 is source-specific multicast: receivers join a group from one named source."),
    row(M4, v4(233, 0, 0, 0, 8), "GLOP Block", "RFC 3180", NA, MULTICAST_NOTE,
        "233.0.0.0/8 (GLOP) gives each 16-bit AS number its own 256 multicast groups."),
    row(M4, v4(234, 0, 0, 0, 8), "Unicast-Prefix-based IPv4 Multicast Addresses", "RFC 6034", NA, MULTICAST_NOTE,
        "234.0.0.0/8 gives each holder of an IPv4 unicast prefix multicast groups derived from it."),
    row(M4, v4(239, 0, 0, 0, 8), "Administratively Scoped Block", "RFC 2365", NA, MULTICAST_NOTE,
        "239.0.0.0/8 is administratively scoped multicast: the private range of multicast, kept inside one organisation."),
];

/// The IANA IPv6 Special-Purpose Address Registry, in registry order.
#[rustfmt::skip]
pub static IPV6_SPECIAL: [Block; 25] = [
    row(S6, v6([0, 0, 0, 0, 0, 0, 0, 1], 128), "Loopback Address", "RFC 4291", [F, F, F, F, T], None,
        "::1 is the IPv6 loopback address: packets never leave the machine.").purpose(Purpose::Loopback),
    row(S6, v6([0; 8], 128), "Unspecified Address", "RFC 4291", [T, F, F, F, T], None,
        ":: is the unspecified address: a source before a host has an address, and \"any address\" when a server binds."),
    row(S6, v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96), "IPv4-mapped Address", "RFC 4291", [F, F, F, F, T], None,
        "::ffff:0:0/96 carries an IPv4 address inside an IPv6 socket API; it never appears on the wire."),
    row(S6, v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96), "IPv4-IPv6 Translat.", "RFC 6052", [T, T, T, T, F], None,
        "64:ff9b::/96 is the well-known NAT64 prefix: an IPv6-only host reaches the IPv4 address in the last 32 bits through a translator."),
    row(S6, v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48), "IPv4-IPv6 Translat.", "RFC 8215", [T, T, T, F, F], None,
        "64:ff9b:1::/48 is for NAT64 translation inside one network (local use)."),
    row(S6, v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), "Discard-Only Address Block", "RFC 6666", [T, T, T, F, F], None,
        "100::/64 is discard-only: routers send traffic for it to a black hole (remotely triggered filtering)."),
    row(S6, v6([0x100, 0, 0, 1, 0, 0, 0, 0], 64), "Dummy IPv6 Prefix", "RFC 9780", [T, F, F, F, F], None,
        "100:0:0:1::/64 is the dummy IPv6 prefix: a source for ICMPv6 messages from a node without a usable IPv6 address."),
    row(S6, v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), "IETF Protocol Assignments", "RFC 2928", [F, F, F, F, F], Some("not usable unless by virtue of a more specific reservation"),
        "2001::/23 is kept by the IETF for protocol assignments; its addresses are usable only where a more specific entry says so."),
    row(S6, v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32), "TEREDO", "RFC 4380, RFC 8190", [T, T, T, None, F], NA_NOTE,
        "2001::/32 is Teredo: IPv6 tunnelled over UDP/IPv4 through NAT; the server and the (obfuscated) client IPv4 address are inside."),
    row(S6, v6([0x2001, 1, 0, 0, 0, 0, 0, 1], 128), "Port Control Protocol Anycast", "RFC 7723", [T, T, T, T, F], None,
        "2001:1::1 is the Port Control Protocol anycast address."),
    row(S6, v6([0x2001, 1, 0, 0, 0, 0, 0, 2], 128), "Traversal Using Relays around NAT Anycast", "RFC 8155", [T, T, T, T, F], None,
        "2001:1::2 is the TURN anycast address for finding a NAT-traversal relay."),
    row(S6, v6([0x2001, 1, 0, 0, 0, 0, 0, 3], 128), "DNS-SD Service Registration Protocol Anycast Address", "RFC 9665", [T, T, T, T, F], None,
        "2001:1::3 is the anycast address of DNS-SD Service Registration Protocol servers."),
    row(S6, v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48), "Benchmarking", "RFC 5180", [T, T, T, F, F], None,
        "2001:2::/48 is for benchmarking network devices in a lab, never on a production network.").purpose(Purpose::Benchmarking),
    row(S6, v6([0x2001, 3, 0, 0, 0, 0, 0, 0], 32), "AMT", "RFC 7450", [T, T, T, T, F], None,
        "2001:3::/32 is for Automatic Multicast Tunneling relays (AMT)."),
    row(S6, v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48), "AS112-v6", "RFC 7535", [T, T, T, T, F], None,
        "2001:4:112::/48 serves the AS112 sink for reverse-DNS queries about private addresses."),
    row(S6, v6([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28), "Deprecated (previously ORCHID)", "RFC 4843", NA, Some("deprecated (terminated 2014-03): the registry gives N/A for these columns"),
        "2001:10::/28 was the first ORCHID prefix for cryptographic hash identifiers; it is deprecated."),
    row(S6, v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28), "ORCHIDv2", "RFC 7343", [T, T, T, T, F], None,
        "2001:20::/28 (ORCHIDv2) holds identifiers made from cryptographic hashes, used by overlay protocols."),
    row(S6, v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28), "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", [T, T, T, T, F], None,
        "2001:30::/28 holds the entity tags that identify drones in the Remote ID protocol."),
    row(S6, v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), "Documentation", "RFC 3849", [F, F, F, F, F], None,
        "2001:db8::/32 is for examples in documentation; it is never used on a real network.").purpose(Purpose::Documentation),
    row(S6, v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16), "6to4", "RFC 3056", [T, T, T, None, F], NA_NOTE,
        "2002::/16 is 6to4: the site's public IPv4 address is written into bits 16-47 of the prefix."),
    row(S6, v6([0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0], 48), "Direct Delegation AS112 Service", "RFC 7534", [T, T, T, T, F], None,
        "2620:4f:8000::/48 serves the AS112 sink by direct DNS delegation."),
    row(S6, v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), "Documentation", "RFC 9637", [F, F, F, F, F], None,
        "3fff::/20 is for examples in documentation that need more room than 2001:db8::/32; never used on a real network.").purpose(Purpose::Documentation),
    row(S6, v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16), "Segment Routing (SRv6) SIDs", "RFC 9602", [T, T, T, F, F], None,
        "5f00::/16 holds segment identifiers for IPv6 segment routing (SRv6) inside one operator's domain."),
    row(S6, v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), "Unique-Local", "RFC 4193, RFC 8190", [T, T, T, F, F], None,
        "fc00::/7 is unique-local (ULA), IPv6's private range: routed inside a site, never on the internet.").purpose(Purpose::Private),
    row(S6, v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), "Link-Local Unicast", "RFC 4291", [T, T, F, F, T], None,
        "fe80::/10 is link-local: every IPv6 interface has one; it works on its own link only and needs a %zone to say which.").purpose(Purpose::LinkLocal),
];

/// IPv6 blocks outside the special-purpose registry that still name an address.
#[rustfmt::skip]
pub static IPV6_OTHER: [Block; 2] = [
    row(M6, v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), "Multicast", "RFC 4291", NA, MULTICAST_NOTE,
        "ff00::/8 is IPv6 multicast: one packet to every member of a group, within the scope in the second byte."),
    row(AS6, v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), "Site-Local (deprecated)", "RFC 3879", NA, Some("deprecated by RFC 3879: not in the special-purpose registry; columns do not apply"),
        "fec0::/10 was site-local unicast; RFC 3879 deprecated it in favour of unique-local fc00::/7."),
];

/// Every block that holds `addr`, most specific (longest prefix) first.
pub fn blocks_of(addr: IpAddr) -> Vec<&'static Block> {
    let mut found: Vec<&'static Block> = match addr {
        // Only the rows that can hold an address with this first octet: a few at most.
        IpAddr::V4(v4) => by_first_octet()[usize::from(v4.octets()[0])]
            .iter()
            .copied()
            .filter(|b| holds(b.block, addr))
            .collect(),
        IpAddr::V6(_) => IPV6_SPECIAL
            .iter()
            .chain(&IPV6_OTHER)
            .filter(|b| holds(b.block, addr))
            .collect(),
    };
    if found.len() > 1 {
        // Stable: equal prefixes keep registry order.
        found.sort_by_key(|b| std::cmp::Reverse(b.block.prefix_len()));
    }
    found
}

/// The IPv4 rows, in registry order, under each first octet they can hold (classify looks
/// up every streamed address; this spares it the rows that cannot match).
fn by_first_octet() -> &'static [Vec<&'static Block>; 256] {
    static INDEX: std::sync::OnceLock<[Vec<&'static Block>; 256]> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        std::array::from_fn(|octet| {
            let start = IpAddr::V4(Ipv4Addr::new(octet as u8, 0, 0, 0));
            IPV4_SPECIAL
                .iter()
                .chain(&IPV4_MULTICAST)
                .filter(|b| match b.block {
                    // A row of /8 or wider holds all of octet.0.0.0/8 or none of it; a
                    // narrower one lies within the /8 of its own first octet.
                    IpNet::V4(n) if n.prefix_len() <= 8 => holds(b.block, start),
                    IpNet::V4(n) => usize::from(n.addr().octets()[0]) == octet,
                    IpNet::V6(_) => false,
                })
                .collect()
        })
    })
}

/// Whether `net` holds `addr`, by masking integers (this runs for every block of every
/// streamed address).
fn holds(net: IpNet, addr: IpAddr) -> bool {
    match (net, addr) {
        (IpNet::V4(n), IpAddr::V4(a)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(n.prefix_len()))
                .unwrap_or(0);
            (u32::from(a) ^ u32::from(n.addr())) & mask == 0
        }
        (IpNet::V6(n), IpAddr::V6(a)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(n.prefix_len()))
                .unwrap_or(0);
            (u128::from(a) ^ u128::from(n.addr())) & mask == 0
        }
        _ => false,
    }
}

/// Every row, for printing the registries.
pub fn all_blocks() -> impl Iterator<Item = &'static Block> {
    IPV4_SPECIAL
        .iter()
        .chain(&IPV4_MULTICAST)
        .chain(&IPV6_SPECIAL)
        .chain(&IPV6_OTHER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(addr: &str) -> Vec<String> {
        let addr: IpAddr = addr.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        blocks_of(addr)
            .iter()
            .map(|b| b.block.to_string())
            .collect()
    }

    /// First address, last address, and one outside each end of every block.
    #[test]
    fn every_block_holds_its_first_and_last_address_and_nothing_beside() {
        for b in all_blocks() {
            let (first, last) = (b.block.network(), b.block.broadcast());
            for inside in [first, last] {
                assert!(
                    blocks_of(inside).iter().any(|x| std::ptr::eq(*x, b)),
                    "{inside} should be in {}",
                    b.block
                );
            }
            let before = step(first, -1);
            let after = step(last, 1);
            for outside in [before, after].into_iter().flatten() {
                assert!(
                    !blocks_of(outside).iter().any(|x| std::ptr::eq(*x, b)),
                    "{outside} should not be in {}",
                    b.block
                );
            }
        }
    }

    fn step(addr: IpAddr, by: i8) -> Option<IpAddr> {
        match addr {
            IpAddr::V4(a) => {
                let n = u32::from(a);
                let n = if by < 0 {
                    n.checked_sub(1)
                } else {
                    n.checked_add(1)
                };
                n.map(|n| IpAddr::V4(n.into()))
            }
            IpAddr::V6(a) => {
                let n = u128::from(a);
                let n = if by < 0 {
                    n.checked_sub(1)
                } else {
                    n.checked_add(1)
                };
                n.map(|n| IpAddr::V6(n.into()))
            }
        }
    }

    #[test]
    fn blocks_are_listed_most_specific_first() {
        assert_eq!(names("192.0.0.9"), ["192.0.0.9/32", "192.0.0.0/24"]);
        assert_eq!(names("192.0.0.1"), ["192.0.0.0/29", "192.0.0.0/24"]);
        assert_eq!(names("0.0.0.0"), ["0.0.0.0/32", "0.0.0.0/8"]);
        assert_eq!(names("192.88.99.2"), ["192.88.99.2/32", "192.88.99.0/24"]);
        assert_eq!(names("224.0.0.251"), ["224.0.0.0/24", "224.0.0.0/4"]);
        assert_eq!(names("2001:1::3"), ["2001:1::3/128", "2001::/23"]);
        assert_eq!(names("2001:0:1::1"), ["2001::/32", "2001::/23"]);
        assert_eq!(names("2001:db8::1"), ["2001:db8::/32"]);
        assert!(names("8.8.8.8").is_empty());
        assert!(names("2606:4700::1111").is_empty());
    }

    #[test]
    fn blocks_are_canonical_networks() {
        for b in all_blocks() {
            assert_eq!(b.block, b.block.trunc(), "{} has host bits set", b.block);
        }
    }

    #[test]
    fn deprecated_and_na_rows_have_null_columns_and_say_why() {
        for b in all_blocks() {
            let cols = [
                b.source,
                b.destination,
                b.forwardable,
                b.globally_reachable,
                b.reserved_by_protocol,
            ];
            if cols.contains(&None) {
                assert!(b.note.is_some(), "{} has null columns but no note", b.block);
            }
        }
        let relay = names("192.88.99.1");
        assert_eq!(relay, ["192.88.99.0/24"]);
    }

    #[test]
    fn the_first_octet_index_finds_what_a_scan_of_every_row_finds() {
        let scan = |addr: IpAddr| -> Vec<&'static Block> {
            let mut found: Vec<&'static Block> = IPV4_SPECIAL
                .iter()
                .chain(&IPV4_MULTICAST)
                .filter(|b| holds(b.block, addr))
                .collect();
            found.sort_by_key(|b| std::cmp::Reverse(b.block.prefix_len()));
            found
        };
        for first in 0..=255u8 {
            for rest in [
                [0, 0, 0],
                [0, 0, 1],
                [0, 0, 8],
                [0, 0, 170],
                [0, 0, 255],
                [0, 2, 1],
                [31, 196, 1],
                [51, 100, 7],
                [88, 99, 1],
                [168, 1, 1],
                [254, 1, 1],
                [255, 255, 255],
                [18, 0, 1],
                [64, 0, 1],
            ] {
                let addr = IpAddr::V4(Ipv4Addr::new(first, rest[0], rest[1], rest[2]));
                let names = |v: Vec<&Block>| v.iter().map(|b| b.block).collect::<Vec<_>>();
                assert_eq!(names(blocks_of(addr)), names(scan(addr)), "{addr}");
            }
        }
    }
}
