//! Outside Linux: what the if-addrs crate gives (names, indices, addresses, netmasks,
//! broadcast). Flags, MTU, MAC, kind, counters and routes are not read here: they stay null.
//! Not tested on these platforms yet.

use std::io;
use std::net::{IpAddr, Ipv4Addr};

use super::{RawAddress, RawLink, Snapshot};

pub fn snapshot() -> io::Result<Snapshot> {
    let mut links: Vec<RawLink> = Vec::new();
    let mut addresses = Vec::new();
    for (position, iface) in if_addrs::get_if_addrs()?.into_iter().enumerate() {
        let index = iface.index.unwrap_or(position as u32 + 1);
        if !links.iter().any(|l| l.name == iface.name) {
            links.push(RawLink {
                index,
                name: iface.name.clone(),
                flags: None,
                mtu: None,
                mac: None,
                kind: None,
                stats: None,
            });
        }
        let (addr, prefix, broadcast) = match &iface.addr {
            if_addrs::IfAddr::V4(a) => (IpAddr::V4(a.ip), a.prefixlen, a.broadcast),
            if_addrs::IfAddr::V6(a) => (IpAddr::V6(a.ip), a.prefixlen, None),
        };
        addresses.push(RawAddress {
            index,
            addr,
            prefix,
            broadcast,
            scope: None,
            flags: 0,
        });
    }
    Ok(Snapshot {
        links,
        addresses,
        routes: Vec::new(),
    })
}

/// Each IPv4 address's broadcast attribute, or (where it has none) its subnet's last address
/// for a prefix up to /30 (a /31 or /32 has no broadcast address, RFC 3021).
pub fn broadcast_addresses() -> io::Result<Vec<Ipv4Addr>> {
    let mut found = Vec::new();
    for iface in if_addrs::get_if_addrs()? {
        let if_addrs::IfAddr::V4(a) = &iface.addr else {
            continue;
        };
        let derived = (a.prefixlen <= 30)
            .then(|| Ipv4Addr::from(u32::from(a.ip) | (u32::MAX >> a.prefixlen)));
        if let Some(b) = a.broadcast.or(derived)
            && !found.contains(&b)
        {
            found.push(b);
        }
    }
    Ok(found)
}

/// The neighbour table is not read on this platform.
pub fn neighbour_known(_: std::net::IpAddr) -> Option<bool> {
    None
}

/// The neighbour table is not read here.
pub fn neighbours(_: bool, _: impl FnMut(std::net::IpAddr, super::Resolution)) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}
