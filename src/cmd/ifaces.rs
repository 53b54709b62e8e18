//! `netkit ifaces`: the machine's interfaces as ifconfig shows them, every address classified
//! with addr/, and the default routes. The shared leaf net::interfaces gathers the raw facts;
//! this file filters them and shapes the report.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use crate::addr::Facts;
use crate::cli::IfacesArgs;
use crate::error::{Error, Outcome};
use crate::net::interfaces::{
    self, IFF_LOOPBACK, IFF_RUNNING, IFF_UP, RawAddress, RawLink, Snapshot,
};
use crate::output::Output;
use crate::output::ifaces::{
    Counters, DefaultRoute, IfacesReport, Interface, Ipv4Entry, Ipv6Entry,
};

/// The platform's counters as the report carries them.
fn counters(s: &interfaces::Stats) -> Counters {
    Counters {
        rx_bytes: s.rx_bytes,
        rx_packets: s.rx_packets,
        rx_errors: s.rx_errors,
        rx_dropped: s.rx_dropped,
        tx_bytes: s.tx_bytes,
        tx_packets: s.tx_packets,
        tx_errors: s.tx_errors,
        tx_dropped: s.tx_dropped,
    }
}

/// Interface flags (IFF_*, linux/if.h; the low 16 bits are BSD's too), in bit order as
/// ifconfig lists them.
pub const LINK_FLAGS: [(u32, &str); 19] = [
    (0x1, "UP"),
    (0x2, "BROADCAST"),
    (0x4, "DEBUG"),
    (0x8, "LOOPBACK"),
    (0x10, "POINTOPOINT"),
    (0x20, "NOTRAILERS"),
    (0x40, "RUNNING"),
    (0x80, "NOARP"),
    (0x100, "PROMISC"),
    (0x200, "ALLMULTI"),
    (0x400, "MASTER"),
    (0x800, "SLAVE"),
    (0x1000, "MULTICAST"),
    (0x2000, "PORTSEL"),
    (0x4000, "AUTOMEDIA"),
    (0x8000, "DYNAMIC"),
    (0x1_0000, "LOWER_UP"),
    (0x2_0000, "DORMANT"),
    (0x4_0000, "ECHO"),
];

/// Address flags (IFA_F_*, linux/if_addr.h), as `ip addr` names them. Bit 0x01 is
/// "secondary" on IPv4 and "temporary" on IPv6.
const ADDRESS_FLAGS: [(u32, &str); 11] = [
    (0x02, "nodad"),
    (0x04, "optimistic"),
    (0x08, "dadfailed"),
    (0x10, "homeaddress"),
    (0x20, "deprecated"),
    (0x40, "tentative"),
    (0x80, "permanent"),
    (0x100, "mngtmpaddr"),
    (0x200, "noprefixroute"),
    (0x400, "autojoin"),
    (0x800, "stable-privacy"),
];

/// The names of the set bits.
pub fn link_flag_names(flags: u32) -> Vec<&'static str> {
    LINK_FLAGS
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| *name)
        .collect()
}

fn address_flag_names(flags: u32, v6: bool) -> Vec<&'static str> {
    let first = match (flags & 0x01 != 0, v6) {
        (false, _) => None,
        (true, false) => Some("secondary"),
        (true, true) => Some("temporary"),
    };
    first
        .into_iter()
        .chain(
            ADDRESS_FLAGS
                .iter()
                .filter(|(bit, _)| flags & bit != 0)
                .map(|(_, n)| *n),
        )
        .collect()
}

/// `aa:bb:cc:dd:ee:ff`, or none for links without a hardware address (loopback's is zeros).
fn mac_text(bytes: &[u8]) -> Option<String> {
    if bytes.len() != 6 || bytes.iter().all(|b| *b == 0) {
        return None;
    }
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Some(parts.join(":"))
}

pub fn run(args: &IfacesArgs, out: &mut Output) -> Result<Outcome, Error> {
    let snapshot = interfaces::snapshot().map_err(|source| Error::Kernel {
        what: "read the interface list",
        source,
    })?;
    if let Some(missing) = args
        .names
        .iter()
        .find(|n| !snapshot.links.iter().any(|l| &l.name == *n))
    {
        return Err(interfaces::no_interface(missing));
    }
    let report = report(&snapshot, args);
    out.ifaces(&report, args.long)?;
    Ok(Outcome::Success)
}

/// Shapes the snapshot into the report the user asked for.
fn report(snapshot: &Snapshot, args: &IfacesArgs) -> IfacesReport {
    let (want_v4, want_v6) = match (args.ipv4, args.ipv6) {
        (true, false) => (true, false),
        (false, true) => (false, true),
        _ => (true, true),
    };
    let mut by_link: HashMap<u32, Vec<&RawAddress>> = HashMap::new();
    for a in &snapshot.addresses {
        by_link.entry(a.index).or_default().push(a);
    }
    let interfaces = snapshot
        .links
        .iter()
        .filter_map(|link| {
            let addresses = by_link.get(&link.index).map_or(&[][..], Vec::as_slice);
            interface(link, addresses, args, (want_v4, want_v6))
        })
        .collect();
    IfacesReport {
        interfaces,
        default_routes: default_routes(snapshot, want_v4, want_v6),
    }
}

/// One link with its addresses of the families wanted; None for a link the filters leave out.
fn interface(
    link: &RawLink,
    addresses: &[&RawAddress],
    args: &IfacesArgs,
    (want_v4, want_v6): (bool, bool),
) -> Option<Interface> {
    let named = args.names.contains(&link.name);
    let up = link.flags.is_none_or(|f| f & IFF_UP != 0);
    if !(named || (args.names.is_empty() && (args.all || up))) {
        return None;
    }
    let mut ipv4 = Vec::new();
    let mut ipv6 = Vec::new();
    for a in addresses {
        match a.addr {
            IpAddr::V4(v4) if want_v4 => ipv4.push(ipv4_entry(v4, a)),
            IpAddr::V6(_) if want_v6 => ipv6.push(ipv6_entry(a, &link.name)),
            _ => {}
        }
    }
    // As `ip -4 addr` does: a family filter shows only links with such an address.
    let family_only = want_v4 != want_v6;
    if family_only && !named && ipv4.is_empty() && ipv6.is_empty() {
        return None;
    }
    Some(Interface {
        name: link.name.clone(),
        index: link.index,
        flags: link.flags.map(link_flag_names).unwrap_or_default(),
        flags_value: link.flags,
        up: link.flags.map(|f| f & IFF_UP != 0),
        running: link.flags.map(|f| f & IFF_RUNNING != 0),
        loopback: link.flags.map(|f| f & IFF_LOOPBACK != 0),
        mtu: link.mtu,
        mac: link.mac.as_deref().and_then(mac_text),
        kind: link.kind.clone(),
        ipv4,
        ipv6,
        stats: link.stats.as_ref().map(counters),
    })
}

/// The default routes of the families wanted, each with its interface's name.
fn default_routes(snapshot: &Snapshot, want_v4: bool, want_v6: bool) -> Vec<DefaultRoute> {
    let names: HashMap<u32, &str> = snapshot
        .links
        .iter()
        .map(|l| (l.index, l.name.as_str()))
        .collect();
    snapshot
        .routes
        .iter()
        .filter(|r| (r.family == 4 && want_v4) || (r.family == 6 && want_v6))
        .map(|r| DefaultRoute {
            family: if r.family == 4 { "ipv4" } else { "ipv6" },
            gateway: r.gateway,
            interface: r
                .interface
                .and_then(|i| names.get(&i))
                .map(|n| n.to_string()),
        })
        .collect()
}

fn ipv4_entry(v4: Ipv4Addr, a: &RawAddress) -> Ipv4Entry {
    let facts = Facts::of(IpAddr::V4(v4));
    let mask = u32::MAX.checked_shl(32 - u32::from(a.prefix)).unwrap_or(0);
    Ipv4Entry {
        address: v4,
        prefix: a.prefix,
        netmask: Ipv4Addr::from(mask),
        broadcast: a.broadcast,
        flags: address_flag_names(a.flags, false),
        kind: facts.kind,
        class: facts.class,
        private: facts.private,
        loopback: facts.loopback,
        link_local: facts.link_local,
        global: facts.global,
        ranges: facts.ranges,
    }
}

fn ipv6_entry(a: &RawAddress, link: &str) -> Ipv6Entry {
    let facts = Facts::of(a.addr);
    Ipv6Entry {
        address: a.addr,
        prefix: a.prefix,
        scope: a.scope.or(facts.scope),
        zone: facts.link_local.then(|| link.to_string()),
        flags: address_flag_names(a.flags, true),
        kind: facts.kind,
        private: facts.private,
        loopback: facts.loopback,
        link_local: facts.link_local,
        global: facts.global,
        ranges: facts.ranges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_flags_are_named_in_bit_order() {
        assert_eq!(
            link_flag_names(0x1043),
            ["UP", "BROADCAST", "RUNNING", "MULTICAST"]
        );
        assert_eq!(
            link_flag_names(0x10049),
            ["UP", "LOOPBACK", "RUNNING", "LOWER_UP"]
        );
        assert_eq!(
            link_flag_names(0x1090),
            ["POINTOPOINT", "NOARP", "MULTICAST"]
        );
        assert!(link_flag_names(0).is_empty());
    }

    #[test]
    fn address_flag_bit_one_depends_on_the_family() {
        assert_eq!(address_flag_names(0x81, false), ["secondary", "permanent"]);
        assert_eq!(address_flag_names(0x81, true), ["temporary", "permanent"]);
        assert_eq!(
            address_flag_names(0x242, true),
            ["nodad", "tentative", "noprefixroute"]
        );
    }

    #[test]
    fn macs_are_colon_hex_and_absent_for_zeros() {
        assert_eq!(
            mac_text(&[2, 0, 0, 0xab, 0, 1]).as_deref(),
            Some("02:00:00:ab:00:01")
        );
        assert_eq!(mac_text(&[0; 6]), None);
        assert_eq!(mac_text(&[10, 0, 0, 1]), None);
    }
}
