//! Linux: the kernel's own view of links, addresses and default routes, read over rtnetlink
//! with the same dump requests iproute2 sends, so netkit and `ip` agree by construction.

use std::io;
use std::net::{IpAddr, Ipv4Addr};

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage, AddressScope};
use netlink_packet_route::link::{LinkAttribute, LinkInfo, LinkMessage};
use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteMessage, RouteType};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

use super::{RawAddress, RawLink, RawRoute, Resolution, Snapshot, Stats};

/// Main routing table (RT_TABLE_MAIN).
const MAIN_TABLE: u32 = 254;
/// The local routing table (RT_TABLE_LOCAL): this machine's own and broadcast addresses.
const LOCAL_TABLE: u32 = 255;
/// Room for one batch of a dump; the kernel sends at most 32 KiB at a time.
const RECV_BUFFER: usize = 64 * 1024;

/// Links, addresses and default routes, each from one dump.
pub fn snapshot() -> io::Result<Snapshot> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut links = Vec::new();
    dump(
        &socket,
        1,
        RouteNetlinkMessage::GetLink(LinkMessage::default()),
        |m| {
            if let RouteNetlinkMessage::NewLink(link) = m {
                links.push(raw_link(link));
            }
        },
    )?;
    let mut addresses = Vec::new();
    dump(
        &socket,
        2,
        RouteNetlinkMessage::GetAddress(AddressMessage::default()),
        |m| {
            if let RouteNetlinkMessage::NewAddress(a) = m
                && let Some(a) = raw_address(a)
            {
                addresses.push(a);
            }
        },
    )?;
    let mut routes = Vec::new();
    for family in [AddressFamily::Inet, AddressFamily::Inet6] {
        let mut request = RouteMessage::default();
        request.header.address_family = family;
        dump(&socket, 3, RouteNetlinkMessage::GetRoute(request), |m| {
            if let RouteNetlinkMessage::NewRoute(r) = m
                && let Some(r) = default_route(r)
            {
                routes.push(r);
            }
        })?;
    }
    Ok(Snapshot {
        links,
        addresses,
        routes,
    })
}

/// Sends one dump request and hands every message of the answer to `each`.
fn dump(
    socket: &Socket,
    sequence: u32,
    request: RouteNetlinkMessage,
    mut each: impl FnMut(RouteNetlinkMessage),
) -> io::Result<()> {
    let mut packet = NetlinkMessage::new(NetlinkHeader::default(), NetlinkPayload::from(request));
    packet.header.flags = NLM_F_DUMP | NLM_F_REQUEST;
    packet.header.sequence_number = sequence;
    packet.finalize();
    let mut out = vec![0; packet.buffer_len()];
    packet.serialize(&mut out);
    socket.send(&out, 0)?;

    let mut buf: Vec<u8> = Vec::with_capacity(RECV_BUFFER);
    loop {
        buf.clear();
        let size = socket.recv(&mut buf, 0)?;
        let mut offset = 0;
        while offset < size {
            let message: NetlinkMessage<RouteNetlinkMessage> =
                NetlinkMessage::deserialize(&buf[offset..size])
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            let length = message.header.length as usize;
            match message.payload {
                NetlinkPayload::Done(_) => return Ok(()),
                NetlinkPayload::Error(e) if e.code.is_some() => return Err(e.to_io()),
                NetlinkPayload::InnerMessage(m) => each(m),
                _ => {}
            }
            if length == 0 {
                break;
            }
            offset += length;
        }
    }
}

fn raw_link(link: LinkMessage) -> RawLink {
    let mut raw = RawLink {
        index: link.header.index,
        name: String::new(),
        flags: Some(link.header.flags.bits()),
        mtu: None,
        mac: None,
        kind: None,
        stats: None,
    };
    for attribute in link.attributes {
        match attribute {
            LinkAttribute::IfName(name) => raw.name = name,
            LinkAttribute::Mtu(mtu) => raw.mtu = Some(mtu),
            LinkAttribute::Address(bytes) => raw.mac = Some(bytes),
            LinkAttribute::Stats64(s) => {
                raw.stats = Some(Stats {
                    rx_bytes: s.rx_bytes,
                    rx_packets: s.rx_packets,
                    rx_errors: s.rx_errors,
                    rx_dropped: s.rx_dropped,
                    tx_bytes: s.tx_bytes,
                    tx_packets: s.tx_packets,
                    tx_errors: s.tx_errors,
                    tx_dropped: s.tx_dropped,
                });
            }
            LinkAttribute::LinkInfo(infos) => {
                for info in infos {
                    if let LinkInfo::Kind(kind) = info {
                        raw.kind = Some(kind.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    if raw.kind.is_none() {
        raw.kind = Some(kind_without_link_info(
            &raw,
            u16::from(link.header.link_layer_type),
        ));
    }
    raw
}

/// The kind of a link the kernel gave no IFLA_INFO_KIND for: physical devices and loopback.
fn kind_without_link_info(link: &RawLink, link_type: u16) -> String {
    // ARPHRD_* values, linux/if_arp.h.
    const ARPHRD_ETHER: u16 = 1;
    const ARPHRD_LOOPBACK: u16 = 772;
    const ARPHRD_NONE: u16 = 0xfffe;
    let sysfs = std::path::Path::new("/sys/class/net").join(&link.name);
    match link_type {
        ARPHRD_LOOPBACK => "loopback".to_string(),
        ARPHRD_ETHER if sysfs.join("wireless").exists() || sysfs.join("phy80211").exists() => {
            "wireless".to_string()
        }
        ARPHRD_ETHER => "ethernet".to_string(),
        ARPHRD_NONE => "none".to_string(),
        other => format!("arphrd-{other}"),
    }
}

fn raw_address(message: AddressMessage) -> Option<RawAddress> {
    let mut local = None;
    let mut address = None;
    let mut broadcast = None;
    // The header holds the low 8 flag bits; IFA_FLAGS, when present, all 32.
    let mut flags = u32::from(message.header.flags.bits());
    for attribute in message.attributes {
        match attribute {
            AddressAttribute::Local(ip) => local = Some(ip),
            AddressAttribute::Address(ip) => address = Some(ip),
            AddressAttribute::Broadcast(b) => broadcast = Some(b),
            AddressAttribute::Flags(f) => flags = f.bits(),
            _ => {}
        }
    }
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point
    // links and the same address elsewhere (rtnetlink(7)).
    let addr: IpAddr = local.or(address)?;
    Some(RawAddress {
        index: message.header.index,
        addr,
        prefix: message.header.prefix_len,
        broadcast,
        scope: Some(match message.header.scope {
            AddressScope::Universe => "global",
            AddressScope::Site => "site",
            AddressScope::Link => "link",
            AddressScope::Host => "host",
            AddressScope::Nowhere => "nowhere",
            _ => "other",
        }),
        flags,
    })
}

fn default_route(route: RouteMessage) -> Option<RawRoute> {
    if route.header.destination_prefix_length != 0 || route.header.kind != RouteType::Unicast {
        return None;
    }
    let mut table = u32::from(route.header.table);
    let mut gateway = None;
    let mut interface = None;
    for attribute in route.attributes {
        match attribute {
            RouteAttribute::Table(t) => table = t,
            RouteAttribute::Gateway(RouteAddress::Inet(a)) => gateway = Some(IpAddr::V4(a)),
            RouteAttribute::Gateway(RouteAddress::Inet6(a)) => gateway = Some(IpAddr::V6(a)),
            RouteAttribute::Oif(index) => interface = Some(index),
            _ => {}
        }
    }
    if table != MAIN_TABLE {
        return None;
    }
    let family = match route.header.address_family {
        AddressFamily::Inet6 => 6,
        _ => 4,
    };
    Some(RawRoute {
        family,
        gateway,
        interface,
    })
}

/// The destinations of the broadcast routes of the local table (what `ip route show table
/// local type broadcast` lists): the addresses the kernel treats as a broadcast.
pub fn broadcast_addresses() -> io::Result<Vec<Ipv4Addr>> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut request = RouteMessage::default();
    request.header.address_family = AddressFamily::Inet;
    let mut found = Vec::new();
    // Without strict checking the kernel dumps every table of the family; the table is
    // picked here.
    dump(&socket, 5, RouteNetlinkMessage::GetRoute(request), |m| {
        if let RouteNetlinkMessage::NewRoute(r) = m
            && let Some(address) = broadcast_route(r)
            && !found.contains(&address)
        {
            found.push(address);
        }
    })?;
    Ok(found)
}

/// The destination of a broadcast route of the local table.
fn broadcast_route(route: RouteMessage) -> Option<Ipv4Addr> {
    if route.header.kind != RouteType::Broadcast {
        return None;
    }
    let mut table = u32::from(route.header.table);
    let mut destination = None;
    for attribute in route.attributes {
        match attribute {
            RouteAttribute::Table(t) => table = t,
            RouteAttribute::Destination(RouteAddress::Inet(a)) => destination = Some(a),
            _ => {}
        }
    }
    (table == LOCAL_TABLE).then_some(destination).flatten()
}

/// Whether the kernel's neighbour table (ARP, or IPv6 neighbour discovery) holds a recently
/// confirmed entry for `addr`: the host answered at the link layer. A stale entry (the host
/// may have gone since) does not count. `None` when the table cannot be read.
pub fn neighbour_known(addr: IpAddr) -> Option<bool> {
    let mut confirmed = false;
    neighbours(addr.is_ipv6(), |a, state| {
        if a == addr && state == Resolution::Reachable {
            confirmed = true;
        }
    })
    .ok()?;
    Some(confirmed)
}

/// Every entry of the kernel's neighbour table of one family (what `ip neigh` lists, readable
/// without privilege), handed to `each` with how far its resolution is.
pub fn neighbours(v6: bool, mut each: impl FnMut(IpAddr, Resolution)) -> io::Result<()> {
    use netlink_packet_route::neighbour::{
        NeighbourAddress, NeighbourAttribute, NeighbourMessage, NeighbourState,
    };
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut request = NeighbourMessage::default();
    request.header.family = if v6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    dump(
        &socket,
        4,
        RouteNetlinkMessage::GetNeighbour(request),
        |m| {
            let RouteNetlinkMessage::NewNeighbour(n) = m else {
                return;
            };
            let addr = n.attributes.iter().find_map(|a| match a {
                NeighbourAttribute::Destination(NeighbourAddress::Inet(v4)) => {
                    Some(IpAddr::V4(*v4))
                }
                NeighbourAttribute::Destination(NeighbourAddress::Inet6(v6)) => {
                    Some(IpAddr::V6(*v6))
                }
                _ => None,
            });
            let resolution = match n.header.state {
                NeighbourState::Reachable | NeighbourState::Permanent | NeighbourState::Noarp => {
                    Resolution::Reachable
                }
                NeighbourState::Failed => Resolution::Failed,
                NeighbourState::Incomplete | NeighbourState::None => Resolution::Incomplete,
                NeighbourState::Stale | NeighbourState::Delay | NeighbourState::Probe => {
                    Resolution::Unconfirmed
                }
                NeighbourState::Other(_) => Resolution::Incomplete,
                _ => Resolution::Incomplete,
            };
            if let Some(addr) = addr {
                each(addr, resolution);
            }
        },
    )
}
