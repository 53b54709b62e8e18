//! Binding a server's port on every address asked for (TCP, UDP or both on one number), and
//! the addresses other machines can reach it at.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use socket2::{Domain, Socket, Type};
use tokio::net::{TcpListener, UdpSocket};

use crate::error::Error;
use crate::net::errno;
use crate::output::server::Reach;
use crate::ports::Protocol;

/// How many times port 0 is tried when the OS's pick is taken on another address.
const PORT_TRIES: usize = 16;

/// Where a server listens: plain values a command builds from its arguments.
#[derive(Debug, Clone)]
pub struct Place {
    /// 0: the OS picks it (for the first socket; the rest follow).
    pub port: u16,
    /// The addresses to bind; none: every IPv4 and IPv6 address.
    pub addresses: Vec<IpAddr>,
    pub tcp: bool,
    pub udp: bool,
    /// The TCP accept queue, listen(N).
    pub backlog: u32,
}

impl Place {
    /// `protocols`: (TCP, UDP).
    pub fn new(
        port: Option<u16>,
        addresses: &[IpAddr],
        (tcp, udp): (bool, bool),
        backlog: u32,
    ) -> Place {
        Place {
            port: port.unwrap_or(0),
            addresses: addresses.to_vec(),
            tcp,
            udp,
            backlog,
        }
    }
}

/// The sockets a server serves on.
pub struct Bound {
    pub tcp: Vec<TcpListener>,
    pub udp: Vec<UdpSocket>,
    /// On every address (no --bind): then the reach-me-at lines name this machine's.
    pub everywhere: bool,
}

/// Binds what `at` asks for: every (address, protocol) on one port number, the given
/// addresses or every IPv4 and IPv6 address when none are given. Port 0: the OS picks it for
/// the first socket and the rest follow; if that number is taken for another, pick again
/// (bounded).
pub fn bind(at: &Place) -> Result<Bound, Error> {
    let everywhere = at.addresses.is_empty();
    let addresses: Vec<IpAddr> = if everywhere {
        vec![
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ]
    } else {
        at.addresses.clone()
    };
    let mut last_error = None;
    for _attempt in 0..PORT_TRIES {
        match bind_once(&addresses, at, everywhere) {
            Ok(bound) => return Ok(bound),
            // The OS's choice for the first socket was taken for another: try a new one.
            Err(e)
                if at.port == 0
                    && matches!(e, Error::Bind { ref source, .. } if source.kind() == io::ErrorKind::AddrInUse) =>
            {
                last_error = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or(Error::NoFreePort { tries: PORT_TRIES }))
}

fn bind_once(addresses: &[IpAddr], at: &Place, everywhere: bool) -> Result<Bound, Error> {
    let mut port = at.port;
    let mut bound = Bound {
        tcp: Vec::new(),
        udp: Vec::new(),
        everywhere,
    };
    for &ip in addresses {
        for (on, proto) in [(at.tcp, Protocol::Tcp), (at.udp, Protocol::Udp)] {
            if !on {
                continue;
            }
            let here = SocketAddr::new(ip, port);
            match open(here, proto, at.backlog) {
                Ok(Opened::Tcp(l)) => {
                    port = l.local_addr().map(|a| a.port()).unwrap_or(port);
                    bound.tcp.push(l);
                }
                Ok(Opened::Udp(u)) => {
                    port = u.local_addr().map(|a| a.port()).unwrap_or(port);
                    bound.udp.push(u);
                }
                // Listening everywhere on a machine without IPv6: IPv4 alone will do.
                Err(e) if everywhere && ip.is_ipv6() && errno::is_family_missing(&e) => {}
                Err(source) => {
                    return Err(crate::net::owners::bind_error(proto, here, source));
                }
            }
        }
    }
    Ok(bound)
}

enum Opened {
    Tcp(TcpListener),
    Udp(UdpSocket),
}

/// One socket: SO_REUSEADDR on TCP only, IPV6_V6ONLY set explicitly (the IPv4 socket covers
/// IPv4), the accept queue asked for (--backlog), large UDP buffers.
fn open(at: SocketAddr, proto: Protocol, backlog: u32) -> io::Result<Opened> {
    let domain = Domain::for_address(at);
    let kind = if proto == Protocol::Tcp {
        Type::STREAM
    } else {
        Type::DGRAM
    };
    let socket = Socket::new(domain, kind, None)?;
    // TCP: a restart need not wait out TIME_WAIT. Never on UDP, where Linux would let a
    // second endpoint share the port and take some of the datagrams.
    if proto == Protocol::Tcp {
        socket.set_reuse_address(true)?;
    }
    if at.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    if proto == Protocol::Udp {
        // Room for bursts of 64 KiB datagrams; the kernel caps it at net.core.*mem_max.
        let _ = socket.set_recv_buffer_size(4 << 20);
        let _ = socket.set_send_buffer_size(4 << 20);
    }
    socket.bind(&at.into())?;
    Ok(match proto {
        Protocol::Tcp => {
            socket.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
            Opened::Tcp(TcpListener::from_std(socket.into())?)
        }
        Protocol::Udp => Opened::Udp(UdpSocket::from_std(socket.into())?),
    })
}

/// Where other machines can reach the server: for a wildcard bind, this machine's addresses
/// other than loopback (a link-local one with its interface), on the port and protocols bound.
pub fn reach(bound: &Bound) -> Vec<Reach> {
    if !bound.everywhere {
        return Vec::new();
    }
    let port = bound
        .tcp
        .first()
        .and_then(|l| l.local_addr().ok())
        .or_else(|| bound.udp.first().and_then(|u| u.local_addr().ok()))
        .map_or(0, |a| a.port());
    let protocols: Vec<Protocol> = [
        (!bound.tcp.is_empty(), Protocol::Tcp),
        (!bound.udp.is_empty(), Protocol::Udp),
    ]
    .into_iter()
    .filter_map(|(on, p)| on.then_some(p))
    .collect();
    let Ok(addresses) = crate::net::interfaces::local_addresses() else {
        return Vec::new();
    };
    addresses
        .into_iter()
        .filter(|(_, ip)| !ip.is_loopback())
        .map(|(name, address)| Reach {
            address,
            interface: match address {
                IpAddr::V6(v6) if v6.is_unicast_link_local() => Some(name),
                _ => None,
            },
            port,
            protocols: protocols.clone(),
        })
        .collect()
}
