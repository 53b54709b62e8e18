//! netkit's own IPv6 neighbour discovery on a directly connected link, the IPv6 side of its ARP
//! ping (issue 24): neighbour solicitations to each target's solicited-node multicast group
//! from an ICMPv6 raw socket (root or CAP_NET_RAW), every neighbour advertisement's target read
//! on a task of its own. No link-layer address is built here: the kernel frames a multicast
//! datagram itself and computes the ICMPv6 checksum of a raw ICMPv6 socket.

use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::os::fd::AsRawFd;
use std::sync::Arc;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::Interest;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::arp::{Interface, Reply};
use super::stamp::{self, Read};

/// ICMPv6 types (RFC 4861).
const SOLICITATION: u8 = 135;
const ADVERTISEMENT: u8 = 136;

/// The hop limit every neighbour-discovery message carries, and a receiver checks: 255 proves
/// it was not forwarded by a router (RFC 4861, 7.1.2).
const HOP_LIMIT: u8 = 255;

/// A solicitation's length: the 8-byte header, the target, a source link-layer address option.
pub const SOLICITATION_LEN: usize = 32;

/// One interface's ICMPv6 raw socket: sends solicitations; its task hands every
/// advertisement's target to the channel given at `open`, and ends when the link is dropped.
pub struct Link {
    socket: Arc<UdpSocket>,
    mac: [u8; 6],
    task: AbortHandle,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Link {
    /// Opens the raw socket on `interface` (fails without root or CAP_NET_RAW), bound to its
    /// own IPv6 address, and starts reading advertisements into `replies`. Within a runtime.
    pub fn open(interface: &Interface, replies: mpsc::Sender<Reply>) -> io::Result<Link> {
        let IpAddr::V6(own) = interface.ip else {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        };
        let socket = Socket::new(Domain::IPV6, Type::RAW, Some(Protocol::ICMPV6))?;
        socket.set_multicast_if_v6(interface.index)?;
        socket.set_multicast_hops_v6(u32::from(HOP_LIMIT))?;
        socket.set_unicast_hops_v6(u32::from(HOP_LIMIT))?;
        // Our own solicitations are not to be read back.
        socket.set_multicast_loop_v6(false)?;
        // Unix: each arrival's hop limit, which must be 255.
        #[cfg(unix)]
        nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::Ipv6RecvHopLimit, &true)?;
        // Elsewhere: the hop limit cannot be checked, so nothing is asked.
        #[cfg(not(unix))]
        return Err(io::Error::from(io::ErrorKind::Unsupported));
        socket.bind(&SocketAddr::V6(SocketAddrV6::new(own, 0, 0, 0)).into())?;
        socket.set_nonblocking(true)?;
        let socket = Arc::new(UdpSocket::from_std(std::net::UdpSocket::from(socket))?);
        let reader = Arc::clone(&socket);
        let task = tokio::spawn(async move {
            let fd = reader.as_raw_fd();
            let mut buf = [0u8; 1280];
            loop {
                let got = reader
                    .async_io(Interest::READABLE, || {
                        stamp::recv(fd, &mut buf, Read::default())
                    })
                    .await;
                let Ok(got) = got else {
                    // A socket that fails its reads is given up: the addresses asked end
                    // with their wait.
                    return;
                };
                if got.ttl != Some(HOP_LIMIT) {
                    continue;
                }
                let Some(target) = advertised(&buf[..got.bytes.min(buf.len())]) else {
                    continue;
                };
                let reply = Reply {
                    from: IpAddr::V6(target),
                };
                // Bounded: the task waits while discovery catches up.
                if replies.send(reply).await.is_err() {
                    return;
                }
            }
        })
        .abort_handle();
        Ok(Link {
            socket,
            mac: interface.mac,
            task,
        })
    }

    /// Sends one neighbour solicitation for `target` to its solicited-node group.
    pub fn ask(&mut self, target: Ipv6Addr) -> io::Result<()> {
        let message = solicitation(target, self.mac);
        let to = SocketAddr::V6(SocketAddrV6::new(solicited_node(target), 0, 0, 0));
        self.socket.try_send_to(&message, to).map(|_| ())
    }
}

/// The solicited-node multicast address of `target` (ff02::1:ffXX:XXXX, its last 24 bits): the
/// group a host joins for each of its addresses, so a solicitation reaches only it.
pub fn solicited_node(target: Ipv6Addr) -> Ipv6Addr {
    let o = target.octets();
    Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    )
}

/// A neighbour solicitation for `target` carrying our link-layer address (so the target can
/// answer without resolving us first). The checksum stays 0: the kernel fills it in.
pub fn solicitation(target: Ipv6Addr, mac: [u8; 6]) -> [u8; SOLICITATION_LEN] {
    let mut m = [0u8; SOLICITATION_LEN];
    m[0] = SOLICITATION;
    // m[1] code 0, m[2..4] checksum, m[4..8] reserved.
    m[8..24].copy_from_slice(&target.octets());
    // Option 1, source link-layer address, 1 unit of 8 bytes.
    m[24] = 1;
    m[25] = 1;
    m[26..32].copy_from_slice(&mac);
    m
}

/// The target of a neighbour advertisement (the address it speaks for), as a raw ICMPv6 socket
/// hands it over (from the ICMPv6 header on); None for any other message.
pub fn advertised(message: &[u8]) -> Option<Ipv6Addr> {
    if message.len() < 24 || message[0] != ADVERTISEMENT || message[1] != 0 {
        return None;
    }
    let target: [u8; 16] = message[8..24].try_into().ok()?;
    Some(Ipv6Addr::from(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> Ipv6Addr {
        s.parse().unwrap_or(Ipv6Addr::UNSPECIFIED)
    }

    #[test]
    fn the_solicited_node_group_keeps_the_last_24_bits() {
        let cases = [
            ("fd00:209:2::10", "ff02::1:ff00:10"),
            ("2001:db8::aabb:ccdd", "ff02::1:ffbb:ccdd"),
            ("fe80::1", "ff02::1:ff00:1"),
        ];
        for (target, group) in cases {
            assert_eq!(solicited_node(v6(target)), v6(group), "{target}");
        }
    }

    #[test]
    fn a_solicitation_names_its_target_and_our_link_address() {
        let m = solicitation(v6("fd00::1:2"), [2, 0, 0, 0, 0, 9]);
        let mut want = [0u8; SOLICITATION_LEN];
        want[0] = 135;
        want[8..24].copy_from_slice(&v6("fd00::1:2").octets());
        want[24..32].copy_from_slice(&[1, 1, 2, 0, 0, 0, 0, 9]);
        assert_eq!(m, want);
        // A solicitation, ours or anyone's, is no advertisement.
        assert_eq!(advertised(&m), None);
    }

    #[test]
    fn an_advertisement_gives_its_target_and_nothing_else_does() {
        let mut m = [0u8; 32];
        m[0] = 136;
        m[4] = 0x60; // solicited, override
        m[8..24].copy_from_slice(&v6("fd00::20").octets());
        assert_eq!(advertised(&m), Some(v6("fd00::20")));
        assert_eq!(advertised(&m[..24]), Some(v6("fd00::20")));
        assert_eq!(advertised(&m[..23]), None);
        let mut echo = m;
        echo[0] = 129;
        assert_eq!(advertised(&echo), None);
        let mut coded = m;
        coded[1] = 1;
        assert_eq!(advertised(&coded), None);
    }
}
