//! ICMP sockets for echo requests (ping, and the ICMP probes of trace and check): a raw socket
//! where permitted, else the unprivileged datagram kind that net.ipv4.ping_group_range allows.
//! What arrives comes with the TTL (IPv4) or hop limit (IPv6) it arrived with, read as
//! ancillary data (IP_RECVTTL, IPV6_RECVHOPLIMIT), and on a datagram socket the ICMP errors
//! the kernel queues for our requests (IP_RECVERR, IPV6_RECVERR) come as errors. Building and
//! reading the messages is packet::icmp's job.

use std::io;
use std::net::{IpAddr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use crate::packet::icmp::IcmpError;

/// Which socket kind to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Raw if permitted (TTL, duplicates, every ICMP message), else the datagram kind.
    Auto,
    /// Raw only (root or CAP_NET_RAW).
    Raw,
    /// The unprivileged datagram kind only.
    Dgram,
}

/// An open ICMP or ICMPv6 socket, driven through tokio's UdpSocket (whose send_to and
/// recv_from work on any datagram-shaped socket).
pub struct IcmpSocket {
    socket: UdpSocket,
    raw: bool,
    v6: bool,
}

/// What one receive brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// An ICMP message, starting at its type byte (a raw socket's IPv4 header removed).
    Message {
        from: IpAddr,
        /// The TTL or hop limit it arrived with, where the socket tells it.
        ttl: Option<u8>,
        icmp: Vec<u8>,
    },
    /// An ICMP error the kernel queued for one of our requests (datagram sockets).
    Error {
        /// The router or host that sent the error.
        from: Option<IpAddr>,
        /// Where the request it is about was going.
        to: IpAddr,
        error: IcmpError,
        /// Our request as it was sent, from its type byte.
        request: Vec<u8>,
    },
}

impl IcmpSocket {
    /// Opens a socket of one family. `Auto` prefers raw and falls back to the datagram kind.
    pub fn open(v6: bool, kind: Kind, ttl: Option<u32>) -> io::Result<IcmpSocket> {
        let (domain, protocol) = if v6 {
            (Domain::IPV6, Protocol::ICMPV6)
        } else {
            (Domain::IPV4, Protocol::ICMPV4)
        };
        let open = |t| Socket::new(domain, t, Some(protocol));
        let (socket, raw) = match kind {
            Kind::Raw => (open(Type::RAW)?, true),
            Kind::Dgram => (open(Type::DGRAM)?, false),
            Kind::Auto => match open(Type::RAW) {
                Ok(s) => (s, true),
                Err(_) => (open(Type::DGRAM)?, false),
            },
        };
        if let Some(ttl) = ttl {
            if v6 {
                socket.set_unicast_hops_v6(ttl)?;
            } else {
                socket.set_ttl_v4(ttl)?;
            }
        }
        platform::enable_ancillary(&socket, v6, raw)?;
        socket.set_nonblocking(true)?;
        let socket = UdpSocket::from_std(std::net::UdpSocket::from(socket))?;
        Ok(IcmpSocket { socket, raw, v6 })
    }

    /// Sets the TTL (IPv4) or hop limit (IPv6) of what is sent from now on.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        let socket = socket2::SockRef::from(&self.socket);
        if self.v6 {
            socket.set_unicast_hops_v6(ttl)
        } else {
            socket.set_ttl_v4(ttl)
        }
    }

    /// Whether this is a raw socket (it sees every ICMP message of its family).
    pub fn is_raw(&self) -> bool {
        self.raw
    }

    /// Sends one ICMP message (built by packet::icmp) to `to`.
    pub async fn send(&self, to: IpAddr, message: &[u8]) -> io::Result<()> {
        self.socket.send_to(message, SocketAddr::new(to, 0)).await?;
        Ok(())
    }

    /// Waits for the next message or queued error. `Ok(None)` for something that is neither
    /// (a local error on the queue, a packet too short to read).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Arrival>> {
        platform::recv(&self.socket, buf, self.v6, self.raw).await
    }
}

/// One echo request to `to`, and the time its reply took; `Ok(None)` when no reply came
/// within `wait`. For the yes-or-no questions of check (ping keeps its own schedule).
pub async fn echo_once(
    to: IpAddr,
    wait: std::time::Duration,
) -> io::Result<Option<std::time::Duration>> {
    use crate::packet::icmp::{self, Message};
    let v6 = to.is_ipv6();
    let socket = IcmpSocket::open(v6, Kind::Auto, None)?;
    let ident = (std::process::id() as u16) ^ 0x6368;
    let began = std::time::Instant::now();
    socket
        .send(to, &icmp::echo_request(v6, ident, 1, b"netkit check"))
        .await?;
    let mut buf = vec![0u8; 4096];
    let reply = async {
        loop {
            let Some(Arrival::Message {
                from,
                icmp: message,
                ..
            }) = socket.recv(&mut buf).await?
            else {
                continue;
            };
            // A datagram socket's ident is the kernel's choice; it only sees its own replies.
            let ours = |id: u16| id == ident || !socket.is_raw();
            if let Some(Message::EchoReply {
                ident: id, seq: 1, ..
            }) = icmp::parse(v6, &message)
                && from == to
                && ours(id)
            {
                return io::Result::Ok(began.elapsed());
            }
        }
    };
    match tokio::time::timeout(wait, reply).await {
        Ok(took) => took.map(Some),
        Err(_) => Ok(None),
    }
}

/// A message as received: a raw IPv4 socket hands over the IP header, and the TTL is read
/// from it; other sockets give the TTL (if any) beside the message.
fn arrived(from: IpAddr, ttl: Option<u8>, data: &[u8], raw: bool, v6: bool) -> Option<Arrival> {
    let (ttl, icmp) = if raw && !v6 {
        let (_, ttl, icmp) = crate::packet::strip_ipv4(data)?;
        (Some(ttl), icmp)
    } else {
        (ttl, data)
    };
    Some(Arrival::Message {
        from,
        ttl,
        icmp: icmp.to_vec(),
    })
}

// Linux
#[cfg(target_os = "linux")]
mod platform {
    use std::io::{self, IoSliceMut};
    use std::os::fd::AsRawFd;

    use nix::libc;
    use nix::sys::socket::{
        ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg, setsockopt, sockopt,
    };
    use socket2::Socket;
    use tokio::io::Interest;
    use tokio::net::UdpSocket;

    use super::{Arrival, arrived};

    /// Asks for the TTL or hop limit of each arrival, and (datagram sockets, which see no
    /// ICMP errors otherwise) for the errors about our requests on the error queue.
    pub fn enable_ancillary(socket: &Socket, v6: bool, raw: bool) -> io::Result<()> {
        if v6 {
            setsockopt(socket, sockopt::Ipv6RecvHopLimit, &true)?;
        } else if !raw {
            setsockopt(socket, sockopt::Ipv4RecvTtl, &true)?;
        }
        if !raw {
            crate::net::errqueue::enable(socket, v6)?;
        }
        Ok(())
    }

    pub async fn recv(
        socket: &UdpSocket,
        buf: &mut [u8],
        v6: bool,
        raw: bool,
    ) -> io::Result<Option<Arrival>> {
        let fd = socket.as_raw_fd();
        if raw {
            return socket
                .async_io(Interest::READABLE, || message(fd, buf, v6, raw))
                .await;
        }
        tokio::select! {
            got = socket.async_io(Interest::READABLE, || message(fd, buf, v6, raw)) => got,
            got = socket.async_io(Interest::ERROR, || queued_error(fd, v6)) => got,
        }
    }

    /// One message from the receive queue, with its TTL or hop limit.
    fn message(fd: i32, buf: &mut [u8], v6: bool, raw: bool) -> io::Result<Option<Arrival>> {
        let mut iov = [IoSliceMut::new(buf)];
        let mut space = nix::cmsg_space!(libc::c_int);
        let msg = recvmsg::<SockaddrStorage>(fd, &mut iov, Some(&mut space), MsgFlags::empty())?;
        let from = msg.address.as_ref().and_then(crate::net::ip_of);
        let mut ttl = None;
        for cmsg in msg.cmsgs()? {
            match cmsg {
                ControlMessageOwned::Ipv4Ttl(t) | ControlMessageOwned::Ipv6HopLimit(t) => {
                    ttl = u8::try_from(t).ok();
                }
                _ => {}
            }
        }
        let size = msg.bytes;
        Ok(from.and_then(|from| arrived(from, ttl, &buf[..size], raw, v6)))
    }

    /// One ICMP error from the socket's error queue: the request it is about, and who sent it.
    fn queued_error(fd: i32, v6: bool) -> io::Result<Option<Arrival>> {
        Ok(crate::net::errqueue::read(fd, v6)?.map(|q| Arrival::Error {
            from: q.from,
            to: q.to,
            error: q.error,
            request: q.original,
        }))
    }
}

// Elsewhere: no ancillary data; a raw IPv4 socket still shows the TTL in its header.
#[cfg(not(target_os = "linux"))]
mod platform {
    use std::io;

    use socket2::Socket;
    use tokio::net::UdpSocket;

    use super::{Arrival, arrived};

    pub fn enable_ancillary(_: &Socket, _: bool, _: bool) -> io::Result<()> {
        Ok(())
    }

    pub async fn recv(
        socket: &UdpSocket,
        buf: &mut [u8],
        v6: bool,
        raw: bool,
    ) -> io::Result<Option<Arrival>> {
        let (size, from) = socket.recv_from(buf).await?;
        Ok(arrived(from.ip(), None, &buf[..size], raw, v6))
    }
}
