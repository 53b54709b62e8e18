//! This machine's interfaces as the platform reports them: links, addresses and default
//! routes, raw and unclassified. `netkit ifaces` shapes them into its report; echo's "reach
//! me at" lines and check's own-address and gateway steps read the same snapshot. Beside it,
//! the IPv4 broadcast addresses as the kernel knows them (send and listen).

// Linux
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as platform;
// Elsewhere
#[cfg(not(target_os = "linux"))]
mod other;
#[cfg(not(target_os = "linux"))]
use other as platform;

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

/// What the platform reports, before filtering and classification.
pub struct Snapshot {
    pub links: Vec<RawLink>,
    pub addresses: Vec<RawAddress>,
    pub routes: Vec<RawRoute>,
}

/// One link as the kernel describes it. `None` where the platform does not say.
pub struct RawLink {
    pub index: u32,
    pub name: String,
    /// IFF_* bits; `None` where the platform gives no flags.
    pub flags: Option<u32>,
    pub mtu: Option<u32>,
    /// The link-layer address bytes.
    pub mac: Option<Vec<u8>>,
    /// loopback, ethernet, wireless, veth, bridge, tun, ...
    pub kind: Option<String>,
    pub stats: Option<Stats>,
}

/// One address on a link.
pub struct RawAddress {
    pub index: u32,
    pub addr: IpAddr,
    pub prefix: u8,
    pub broadcast: Option<Ipv4Addr>,
    /// host, link, site, global.
    pub scope: Option<&'static str>,
    /// IFA_F_* bits.
    pub flags: u32,
}

/// A default route of the main table.
pub struct RawRoute {
    pub family: u8,
    pub gateway: Option<IpAddr>,
    pub interface: Option<u32>,
}

/// Traffic counters since the interface appeared.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub rx_bytes: u64,
    pub rx_packets: u64,
    pub rx_errors: u64,
    pub rx_dropped: u64,
    pub tx_bytes: u64,
    pub tx_packets: u64,
    pub tx_errors: u64,
    pub tx_dropped: u64,
}

/// IFF_UP, IFF_LOOPBACK and IFF_RUNNING (linux/if.h; BSD's too).
pub const IFF_UP: u32 = 0x1;
pub const IFF_LOOPBACK: u32 = 0x8;
pub const IFF_RUNNING: u32 = 0x40;

/// Links, addresses and default routes, as the platform reports them now.
pub fn snapshot() -> io::Result<Snapshot> {
    platform::snapshot()
}

/// The error for an interface name this machine does not have, listing the names it has.
pub fn no_interface(name: &str) -> crate::error::Error {
    let have = snapshot()
        .map(|s| {
            s.links
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    crate::error::Error::NoInterface {
        name: name.to_string(),
        have,
    }
}

/// The IPv4 addresses this machine treats as a network's broadcast address (255.255.255.255,
/// which the kernel handles before any table, is not among them).
///
/// Linux: the broadcast routes of the kernel's local routing table (`ip route show table
/// local type broadcast`), not the addresses' broadcast attribute. That table is what the
/// kernel itself consults: a route lookup that ends on a broadcast route marks the datagram
/// a broadcast, so a send to it without SO_BROADCAST fails with EACCES and a datagram that
/// arrives for it is taken as a broadcast. The kernel adds such a route for each address's
/// subnet (a prefix up to /30) whether or not the address was given a `brd` attribute (`ip
/// addr add 10.99.0.1/24 dev X` has none, and neither has lo's 127.0.0.1/8), and for an
/// explicit `brd` too; deriving the address from the prefix would miss a route added by
/// hand and claim one the kernel may not have. Elsewhere: each address's broadcast
/// attribute, or its subnet's last address for a prefix up to /30.
pub fn broadcast_addresses() -> io::Result<Vec<Ipv4Addr>> {
    platform::broadcast_addresses()
}

/// Whether the host at `addr` answered ARP or neighbour discovery lately (a confirmed
/// neighbour entry); None where that is not known (other platforms).
pub fn neighbour_known(addr: IpAddr) -> Option<bool> {
    platform::neighbour_known(addr)
}

/// How far the kernel's resolution of a neighbour is (its NUD state, folded to what
/// discovery acts on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// REACHABLE (or a permanent entry, or a link without ARP): the host answered.
    Reachable,
    /// FAILED: the kernel's ARP or neighbour solicitations went unanswered (about 3 s).
    Failed,
    /// INCOMPLETE (or no state yet): solicitations sent, no answer so far.
    Incomplete,
    /// STALE, DELAY or PROBE: once answered, not confirmed lately; the kernel is checking.
    Unconfirmed,
}

/// Every entry of the kernel's neighbour table of one family, with its resolution;
/// Unsupported where the table cannot be read (other platforms).
pub fn neighbours(v6: bool, each: impl FnMut(IpAddr, Resolution)) -> io::Result<()> {
    platform::neighbours(v6, each)
}

/// The addresses of the interfaces that are up, each with its interface's name.
pub fn local_addresses() -> io::Result<Vec<(String, IpAddr)>> {
    let snapshot = snapshot()?;
    let names: HashMap<u32, &str> = snapshot
        .links
        .iter()
        .filter(|l| l.flags.is_none_or(|f| f & IFF_UP != 0))
        .map(|l| (l.index, l.name.as_str()))
        .collect();
    Ok(snapshot
        .addresses
        .iter()
        .filter_map(|a| names.get(&a.index).map(|n| (n.to_string(), a.addr)))
        .collect())
}
