//! What a hop's address is, as trace tells it: its kind and class as one value, and whether
//! it lies inside a lab (a network that is not the internet's). Pure: no I/O.

use std::net::IpAddr;

use super::class::Class;
use super::{Facts, Kind};

/// An address's kind and (IPv4) class: "private, class A" once worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classified {
    pub kind: Kind,
    /// None for IPv6, which has no classes.
    pub class: Option<Class>,
}

impl Classified {
    /// The kind and class of one address.
    pub fn of(addr: IpAddr) -> Classified {
        let facts = Facts::of(addr);
        Classified {
            kind: facts.kind,
            class: facts.class,
        }
    }
}

/// Whether an address belongs to a network that is not the internet's: private, CGN shared
/// space, link-local, loopback.
pub fn inside_a_lab(addr: IpAddr) -> bool {
    matches!(
        Facts::of(addr).kind,
        Kind::Private | Kind::Shared | Kind::LinkLocal | Kind::Loopback
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labs_are_the_networks_that_are_not_the_internets() {
        // (address, inside a lab, kind, class)
        let cases: [(&str, bool, Kind, Option<Class>); 6] = [
            ("10.200.1.1", true, Kind::Private, Some(Class::A)),
            ("100.64.0.1", true, Kind::Shared, Some(Class::A)),
            ("169.254.1.1", true, Kind::LinkLocal, Some(Class::B)),
            ("127.0.0.1", true, Kind::Loopback, Some(Class::A)),
            ("11.200.42.2", false, Kind::Public, Some(Class::A)),
            ("fd00::1", true, Kind::Private, None),
        ];
        for (text, lab, kind, class) in cases {
            let addr: IpAddr = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(inside_a_lab(addr), lab, "{text}");
            assert_eq!(Classified::of(addr), Classified { kind, class }, "{text}");
        }
    }
}
