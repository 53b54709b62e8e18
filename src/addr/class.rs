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
    /// Why the address does not behave as its class suggests (0/8, 127/8, D, E).
    pub note: Option<&'static str>,
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
}
