//! Classful addressing (RFC 791, historical since CIDR, RFC 4632): the class of an IPv4
//! address by its leading bits, the class's range, and the classful network/host split.
//! Pure: no I/O.

use std::net::Ipv4Addr;

use serde::Serialize;

/// An IPv4 address class, named by the leading bits of the first octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Class {
    A,
    B,
    C,
    D,
    E,
}

impl Class {
    /// Every class, in order.
    pub const ALL: [Class; 5] = [Class::A, Class::B, Class::C, Class::D, Class::E];

    /// The class of an address: leading bits 0, 10, 110, 1110, 1111.
    pub fn of(addr: Ipv4Addr) -> Class {
        match addr.octets()[0].leading_ones() {
            0 => Class::A,
            1 => Class::B,
            2 => Class::C,
            3 => Class::D,
            _ => Class::E,
        }
    }

    /// The letter, `"B"`.
    pub fn letter(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::C => "C",
            Class::D => "D",
            Class::E => "E",
        }
    }

    /// The leading bits that make the class, `"10"` for B.
    pub fn leading_bits(self) -> &'static str {
        match self {
            Class::A => "0",
            Class::B => "10",
            Class::C => "110",
            Class::D => "1110",
            Class::E => "1111",
        }
    }

    /// First and last address of the class.
    pub fn range(self) -> (Ipv4Addr, Ipv4Addr) {
        let (first, last) = self.first_octets();
        (
            Ipv4Addr::new(first, 0, 0, 0),
            Ipv4Addr::new(last, 255, 255, 255),
        )
    }

    /// First and last value of the first octet: 128-191 for B.
    pub fn first_octets(self) -> (u8, u8) {
        match self {
            Class::A => (0, 127),
            Class::B => (128, 191),
            Class::C => (192, 223),
            Class::D => (224, 239),
            Class::E => (240, 255),
        }
    }

    /// The classful default prefix length: 8, 16, 24; none for D and E.
    pub fn default_prefix(self) -> Option<u8> {
        match self {
            Class::A => Some(8),
            Class::B => Some(16),
            Class::C => Some(24),
            Class::D | Class::E => None,
        }
    }

    /// How many networks the class holds. For A, the 126 usable ones: 0 and 127 are reserved.
    pub fn networks(self) -> Option<u64> {
        match self {
            Class::A => Some((1 << 7) - 2),
            Class::B => Some(1 << 14),
            Class::C => Some(1 << 21),
            Class::D | Class::E => None,
        }
    }

    /// Usable hosts in one network of the class: all host bits zero and all one are taken.
    pub fn hosts_per_network(self) -> Option<u64> {
        self.default_prefix().map(|p| (1u64 << (32 - p)) - 2)
    }

    /// What the class is for.
    pub fn purpose(self) -> &'static str {
        match self {
            Class::A => "unicast: very large networks",
            Class::B => "unicast: medium networks",
            Class::C => "unicast: small networks",
            Class::D => "multicast groups (RFC 5771)",
            Class::E => "reserved, experimental (RFC 1112)",
        }
    }
}

/// The classful view of one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classful {
    pub class: Class,
    /// Default mask for A-C; none for D and E.
    pub mask: Option<Ipv4Addr>,
    /// The address with the host bits cleared, by the classful mask.
    pub network: Option<Ipv4Addr>,
    /// The host bits alone, `0.0.1.5` of `172.20.1.5`.
    pub host_part: Option<Ipv4Addr>,
    /// Why the address does not behave as its class suggests (0/8, 127/8, D, E), or why
    /// lessons skip its network (the first and last networks of B and C).
    pub note: Option<&'static str>,
}

/// Why lessons list class B from 128.1.0.1 and class C from 192.0.1.1: the first network of
/// classes B and C, and the last, were reserved from the early assignments on (RFC 790, 1981,
/// beside RFC 791, lists 128.0 and 191.255 as reserved; RFC 3330, 2002, calls all four
/// "initially and ... still reserved by the IANA"); RFC 5735 (2010), which replaced RFC 3330,
/// lists none of them but 192.0.0.0/24, by then the IETF's own block.
pub const LESSONS_FIRST_HOSTS: &str = "Lessons list class B from 128.1.0.1 and class C from 192.0.1.1: the first networks, 128.0.0.0/16 and\n192.0.0.0/24, were reserved from the early assignments on, as were the last, 191.255.0.0/16 and\n223.255.255.0/24 (RFC 790, 1981, lists the class B pair; RFC 3330, 2002, still all four). Since RFC 5735\n(2010) only 192.0.0.0/24 of them is special: the IETF's block for protocol assignments. A network's\nfirst and last address name the network and its broadcast, not hosts: hence x.x.x.1 to x.x.x.254.";

/// The sentence for an address in the first or last network of class B or C (see
/// `LESSONS_FIRST_HOSTS`).
fn once_reserved(addr: Ipv4Addr) -> Option<&'static str> {
    match addr.octets() {
        [128, 0, _, _] => Some(
            "128.0.0.0/16, the first class B network, was reserved in the early assignments (RFC 790, 1981): that is why lessons list class B from 128.1.0.1; RFC 3330 (2002) still listed it as reserved, RFC 5735 (2010) and today's registry (RFC 6890) do not",
        ),
        [191, 255, _, _] => Some(
            "191.255.0.0/16, the last class B network, was reserved in the early assignments (RFC 790, 1981) and still in RFC 3330 (2002); RFC 5735 (2010) and today's registry (RFC 6890) no longer list it",
        ),
        [192, 0, 0, _] => Some(
            "192.0.0.0/24, the first class C network, was reserved from the early assignments on (RFC 3330, 2002, still listed it): that is why lessons list class C from 192.0.1.1; today it is the IETF's block for protocol assignments (RFC 6890)",
        ),
        [223, 255, 255, _] => Some(
            "223.255.255.0/24, the last class C network, was reserved from the early assignments on and still in RFC 3330 (2002); RFC 5735 (2010) and today's registry (RFC 6890) no longer list it",
        ),
        _ => None,
    }
}

/// Which end of its network an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// All host bits zero: the address names the network.
    Network,
    /// All host bits one: the network's broadcast address.
    Broadcast,
}

/// An address that is no host of its classful network: its network or broadcast address.
/// Under CIDR the prefix decides, and this says which prefixes give the same answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassfulEnd {
    pub end: End,
    /// The classful network and its prefix: 10.0.0.0/8.
    pub network: Ipv4Addr,
    pub prefix: u8,
    /// The shortest prefix under which the address is still that end of its network (its
    /// host bits all zero, or all one); from there to /30 it is no host. A shorter prefix
    /// makes it a host; /31 (RFC 3021) and /32 make it usable.
    pub from_prefix: u8,
}

/// The network or broadcast address of a classful A, B or C network (not 0/8 or 127/8,
/// which are no usable networks): 10.0.0.0, 126.255.255.255. None for a host address.
pub fn classful_end(addr: Ipv4Addr) -> Option<ClassfulEnd> {
    let class = Class::of(addr);
    let prefix = class.default_prefix()?;
    if matches!(addr.octets()[0], 0 | 127) {
        return None;
    }
    let bits = u32::from(addr);
    let host_bits = 32 - u32::from(prefix);
    let host = bits & !(u32::MAX << host_bits);
    let (end, run) = if host == 0 {
        (End::Network, bits.trailing_zeros())
    } else if host == !(u32::MAX << host_bits) {
        (End::Broadcast, bits.trailing_ones())
    } else {
        return None;
    };
    Some(ClassfulEnd {
        end,
        network: Ipv4Addr::from(bits & (u32::MAX << host_bits)),
        prefix,
        // A run of `run` equal low bits: host bits of every prefix from 32 - run on.
        from_prefix: (32 - run) as u8,
    })
}

/// Splits an address the classful way.
pub fn classful(addr: Ipv4Addr) -> Classful {
    let class = Class::of(addr);
    let bits = u32::from(addr);
    let (mask, network, host_part) = match class.default_prefix() {
        Some(prefix) => {
            let mask = u32::MAX << (32 - prefix);
            (
                Some(Ipv4Addr::from(mask)),
                Some(Ipv4Addr::from(bits & mask)),
                Some(Ipv4Addr::from(bits & !mask)),
            )
        }
        None => (None, None, None),
    };
    let note = match (class, addr.octets()[0]) {
        (Class::A, 0) => Some(
            "class A by its bits, but 0.0.0.0/8 means \"this network\" and is no usable class A network (usable: 1-126)",
        ),
        (Class::A, 127) => Some(
            "class A by its bits, but 127.0.0.0/8 is loopback and no usable class A network (usable: 1-126)",
        ),
        (Class::B | Class::C, _) if once_reserved(addr).is_some() => once_reserved(addr),
        (Class::D, _) => Some("class D is multicast: a group address, with no network/host split"),
        (Class::E, _) => {
            Some("class E is reserved for future use (experimental): not assigned to hosts")
        }
        _ => None,
    };
    Classful {
        class,
        mask,
        network,
        host_part,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_boundaries_follow_the_leading_bits() {
        let cases = [
            (0, Class::A),
            (127, Class::A),
            (128, Class::B),
            (191, Class::B),
            (192, Class::C),
            (223, Class::C),
            (224, Class::D),
            (239, Class::D),
            (240, Class::E),
            (255, Class::E),
        ];
        for (octet, class) in cases {
            let addr = Ipv4Addr::new(octet, 1, 2, 3);
            assert_eq!(Class::of(addr), class, "first octet {octet}");
            let (first, last) = class.range();
            assert!(
                first <= addr && addr <= last,
                "{addr} inside {first}-{last}"
            );
        }
    }

    #[test]
    fn classful_split_of_the_lab_example() {
        let c = classful(Ipv4Addr::new(172, 20, 1, 5));
        assert_eq!(c.class, Class::B);
        assert_eq!(c.mask, Some(Ipv4Addr::new(255, 255, 0, 0)));
        assert_eq!(c.network, Some(Ipv4Addr::new(172, 20, 0, 0)));
        assert_eq!(c.host_part, Some(Ipv4Addr::new(0, 0, 1, 5)));
        assert_eq!(c.note, None);
    }

    #[test]
    fn classful_split_per_class() {
        let cases = [
            (
                "10.1.2.3",
                Some("255.0.0.0"),
                Some("10.0.0.0"),
                Some("0.1.2.3"),
            ),
            (
                "192.168.1.77",
                Some("255.255.255.0"),
                Some("192.168.1.0"),
                Some("0.0.0.77"),
            ),
            ("224.0.0.1", None, None, None),
            ("250.1.1.1", None, None, None),
        ];
        for (input, mask, network, host) in cases {
            let c = classful(input.parse().unwrap_or(Ipv4Addr::UNSPECIFIED));
            let s = |a: Option<Ipv4Addr>| a.map(|a| a.to_string());
            assert_eq!(s(c.mask).as_deref(), mask, "{input} mask");
            assert_eq!(s(c.network).as_deref(), network, "{input} network");
            assert_eq!(s(c.host_part).as_deref(), host, "{input} host part");
        }
    }

    #[test]
    fn zero_and_loopback_are_class_a_but_not_usable() {
        for addr in [Ipv4Addr::new(0, 1, 2, 3), Ipv4Addr::new(127, 0, 0, 1)] {
            let c = classful(addr);
            assert_eq!(c.class, Class::A, "{addr}");
            assert!(c.note.is_some_and(|n| n.contains("1-126")), "{addr}");
        }
        assert_eq!(classful(Ipv4Addr::new(1, 0, 0, 1)).note, None);
        assert_eq!(classful(Ipv4Addr::new(126, 0, 0, 1)).note, None);
    }

    #[test]
    fn classful_table_numbers() {
        assert_eq!(Class::A.networks(), Some(126));
        assert_eq!(Class::A.hosts_per_network(), Some(16_777_214));
        assert_eq!(Class::B.networks(), Some(16_384));
        assert_eq!(Class::B.hosts_per_network(), Some(65_534));
        assert_eq!(Class::C.networks(), Some(2_097_152));
        assert_eq!(Class::C.hosts_per_network(), Some(254));
        assert_eq!(Class::D.networks(), None);
        assert_eq!(Class::E.hosts_per_network(), None);
    }

    #[test]
    fn the_first_and_last_networks_of_b_and_c_say_why_lessons_skip_them() {
        // input, a word the note must hold
        let cases = [
            ("128.0.0.1", "lessons list class B from 128.1.0.1"),
            ("191.255.0.1", "the last class B network"),
            ("192.0.0.1", "lessons list class C from 192.0.1.1"),
            ("223.255.255.1", "the last class C network"),
        ];
        for (input, words) in cases {
            let c = classful(input.parse().unwrap_or(Ipv4Addr::UNSPECIFIED));
            assert!(
                c.note.is_some_and(|n| n.contains(words)),
                "{input}: {:?}",
                c.note
            );
        }
        for input in ["128.1.0.1", "191.254.255.254", "192.0.1.1", "223.255.254.1"] {
            let c = classful(input.parse().unwrap_or(Ipv4Addr::UNSPECIFIED));
            assert_eq!(c.note, None, "{input}");
        }
    }

    #[test]
    fn network_and_broadcast_addresses_of_classful_networks() {
        // input, end, classful network, prefix, from which prefix it stays that end
        let cases = [
            ("10.0.0.0", End::Network, "10.0.0.0", 8, 7),
            ("126.255.255.255", End::Broadcast, "126.0.0.0", 8, 8),
            ("172.16.0.0", End::Network, "172.16.0.0", 16, 12),
            ("172.16.255.255", End::Broadcast, "172.16.0.0", 16, 16),
            ("192.168.1.0", End::Network, "192.168.1.0", 24, 24),
            ("192.168.1.255", End::Broadcast, "192.168.1.0", 24, 23),
            ("128.0.0.0", End::Network, "128.0.0.0", 16, 1),
            ("191.255.255.255", End::Broadcast, "191.255.0.0", 16, 2),
        ];
        for (input, end, network, prefix, from_prefix) in cases {
            let got = classful_end(input.parse().unwrap_or(Ipv4Addr::UNSPECIFIED));
            assert_eq!(
                got,
                Some(ClassfulEnd {
                    end,
                    network: network.parse().unwrap_or(Ipv4Addr::UNSPECIFIED),
                    prefix,
                    from_prefix,
                }),
                "{input}"
            );
        }
        // Hosts, and the classes or networks with no usable split.
        for input in [
            "10.0.0.1",
            "192.168.1.254",
            "0.0.0.0",
            "127.0.0.0",
            "127.255.255.255",
            "224.0.0.0",
            "255.255.255.255",
        ] {
            let got = classful_end(input.parse().unwrap_or(Ipv4Addr::UNSPECIFIED));
            assert_eq!(got, None, "{input}");
        }
    }
}
