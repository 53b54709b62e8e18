//! ICMP sockets for echo requests (ping, and the ICMP probes of trace and check): a raw socket
//! where permitted, else the unprivileged datagram kind that net.ipv4.ping_group_range allows.
//! What arrives comes with the TTL (IPv4) or hop limit (IPv6) it arrived with, read as
//! ancillary data (IP_RECVTTL, IPV6_RECVHOPLIMIT), and on a datagram socket the ICMP errors
//! the kernel queues for our requests (IP_RECVERR, IPV6_RECVERR) come as errors. Building and
//! reading the messages is packet::icmp's job.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use super::stamp::Stamp;
use crate::error::{Error, Privilege};
use crate::packet::icmp::{self, IcmpError, Message};

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

/// An open ICMP or ICMPv6 socket for echo requests, driven through tokio's UdpSocket (whose
/// send_to and recv_from work on any datagram-shaped socket).
pub struct EchoSocket {
    socket: UdpSocket,
    raw: bool,
    v6: bool,
}

/// What came back for one of our echo requests: its reply, or an ICMP error about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    pub seq: u16,
    /// The identifier the request carried; `None` on a datagram socket, whose identifier is
    /// the kernel's choice (and which is given only its own replies), so it matches any.
    pub ident: Option<u16>,
    /// Who answered: the host itself, or the router or host that sent the error.
    pub from: IpAddr,
    /// Where the request was going (for a reply, the host that answered).
    pub to: IpAddr,
    /// The TTL or hop limit it arrived with, where the socket tells it.
    pub ttl: Option<u8>,
    /// The ICMP error, when one came instead of a reply.
    pub error: Option<IcmpError>,
    /// When the answer arrived: the kernel's stamp (net::stamp).
    pub time: Stamp,
    /// The ICMP message's length (header and data), as ping reports "64 bytes".
    pub bytes: usize,
    /// The echoed data (empty for an error).
    pub payload: Vec<u8>,
}

impl Echo {
    /// Whether this answers a request to `to` that carried `ident`.
    pub fn answers(&self, to: IpAddr, ident: u16) -> bool {
        self.to == to && self.ident.is_none_or(|id| id == ident)
    }
}

/// What one receive brought, before it is read as an echo.
enum Arrival {
    /// An ICMP message, starting at its type byte (a raw socket's IPv4 header removed).
    Message {
        from: IpAddr,
        ttl: Option<u8>,
        icmp: Vec<u8>,
        time: Stamp,
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
        time: Stamp,
    },
}

impl EchoSocket {
    /// Opens a socket of one family. `Auto` prefers raw and falls back to the datagram kind.
    /// A refusal is the privilege error with its hint (sudo, setcap, ping_group_range).
    pub fn open(v6: bool, kind: Kind, ttl: Option<u32>) -> Result<EchoSocket, Error> {
        Self::open_io(v6, kind, ttl).map_err(|e| match e.kind() {
            io::ErrorKind::PermissionDenied if kind == Kind::Dgram && super::privileged() => {
                Error::Permission(Privilege::DgramIcmp { v6 })
            }
            io::ErrorKind::PermissionDenied => Error::Permission(Privilege::IcmpSocket { v6 }),
            _ => Error::Kernel {
                what: "open an ICMP socket",
                source: e,
            },
        })
    }

    fn open_io(v6: bool, kind: Kind, ttl: Option<u32>) -> io::Result<EchoSocket> {
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
        platform::enable_ancillary(&socket, v6, raw)?;
        socket.set_nonblocking(true)?;
        let socket = UdpSocket::from_std(std::net::UdpSocket::from(socket))?;
        let socket = EchoSocket { socket, raw, v6 };
        if let Some(ttl) = ttl {
            socket.set_ttl(ttl)?;
        }
        Ok(socket)
    }

    /// Sets the TTL (IPv4) or hop limit (IPv6) of what is sent from now on.
    fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        let socket = socket2::SockRef::from(&self.socket);
        if self.v6 {
            socket.set_unicast_hops_v6(ttl)
        } else {
            socket.set_ttl_v4(ttl)
        }
    }

    /// Sends one echo request to `to` (its port unused; the scope of a link-local address
    /// names the interface); `ttl`, when given, goes with it and what follows. Returns when it
    /// went: read on the stamps' clock just before the send, once the request is built (as
    /// iputils stamps its requests).
    pub async fn send(
        &self,
        to: SocketAddr,
        ident: u16,
        seq: u16,
        ttl: Option<u32>,
        payload: &[u8],
    ) -> io::Result<Stamp> {
        if let Some(ttl) = ttl {
            self.set_ttl(ttl)?;
        }
        let message = icmp::echo_request(self.v6, ident, seq, payload);
        // Writable unless the send buffer is full: sent now, without a trip through the runtime.
        // A datagram socket reports an ICMP error about an earlier request (a router's time
        // exceeded) on its next send, once; the error itself stays queued for `recv`, so the
        // request is sent again.
        let retries = if self.raw { 0 } else { 1 };
        for tried in 0..=retries {
            let at = Stamp::now();
            match self.socket.try_send_to(&message, to) {
                Ok(_) => return Ok(at),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if tried == retries => return Err(e),
                Err(_) => {}
            }
        }
        self.socket.writable().await?;
        let at = Stamp::now();
        self.socket.send_to(&message, to).await?;
        Ok(at)
    }

    /// Waits for the next answer to an echo request: a reply or an ICMP error about one.
    /// `Ok(None)` for anything else (another ICMP message, a local error, a short packet).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Echo>> {
        let arrival = platform::recv(&self.socket, buf, self.v6, self.raw).await?;
        Ok(arrival.and_then(|a| read_echo(a, self.v6, self.raw)))
    }
}

/// What an arrival says about our echo requests. A raw socket sees everyone's, so the
/// identifier is kept to be matched; a datagram socket's is the kernel's.
fn read_echo(arrival: Arrival, v6: bool, raw: bool) -> Option<Echo> {
    // (identifier, sequence, who answered, where the request went, TTL, error, size, data)
    let (id, seq, from, to, ttl, error, bytes, payload, time) = match arrival {
        Arrival::Message {
            from,
            ttl,
            icmp,
            time,
        } => match icmp::parse(v6, &icmp)? {
            Message::EchoReply {
                ident,
                seq,
                payload,
            } => {
                let payload = payload.to_vec();
                (ident, seq, from, from, ttl, None, icmp.len(), payload, time)
            }
            Message::Error { error, quoted } => {
                let (id, seq) = quoted.echo_request()?;
                let to = quoted.destination;
                (
                    id,
                    seq,
                    from,
                    to,
                    ttl,
                    Some(error),
                    icmp.len(),
                    Vec::new(),
                    time,
                )
            }
        },
        Arrival::Error {
            from,
            to,
            error,
            request,
            time,
        } => {
            let (id, seq) = icmp::read_echo_request(v6, &request)?;
            let from = from.unwrap_or(to);
            (id, seq, from, to, None, Some(error), 0, Vec::new(), time)
        }
    };
    let ident = raw.then_some(id);
    Some(Echo {
        seq,
        ident,
        from,
        to,
        ttl,
        error,
        time,
        bytes,
        payload,
    })
}

/// One echo request to `to`, and the time its reply took; `Ok(None)` when no reply came
/// within `wait`. For the yes-or-no questions of check (ping keeps its own schedule).
pub async fn echo_once(to: IpAddr, wait: Duration) -> Result<Option<Duration>, Error> {
    let socket = EchoSocket::open(to.is_ipv6(), Kind::Auto, None)?;
    let ident = (std::process::id() as u16) ^ 0x6368;
    let failed = |source| Error::Connect {
        what: format!("{to} with an echo request"),
        source,
    };
    let began = socket
        .send(SocketAddr::new(to, 0), ident, 1, None, b"netkit check")
        .await
        .map_err(failed)?;
    let mut buf = vec![0u8; 4096];
    let reply = async {
        loop {
            match socket.recv(&mut buf).await.map_err(failed)? {
                Some(echo) if echo.error.is_none() && echo.seq == 1 && echo.answers(to, ident) => {
                    return Ok(echo.time.saturating_duration_since(began));
                }
                _ => continue,
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
fn arrived(
    (from, ttl, time): (IpAddr, Option<u8>, Stamp),
    data: &[u8],
    raw: bool,
    v6: bool,
) -> Option<Arrival> {
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
        time,
    })
}

// Linux
#[cfg(target_os = "linux")]
mod platform {
    use std::io;
    use std::os::fd::AsRawFd;

    use nix::sys::socket::{setsockopt, sockopt};
    use socket2::Socket;
    use tokio::io::Interest;
    use tokio::net::UdpSocket;

    use super::{Arrival, arrived};
    use crate::net::stamp::{self, Read};

    /// Asks for the kernel's stamp and the TTL or hop limit of each arrival, and (datagram
    /// sockets, which see no ICMP errors otherwise) for the errors about our requests on the
    /// error queue.
    pub fn enable_ancillary(socket: &Socket, v6: bool, raw: bool) -> io::Result<()> {
        stamp::enable(socket)?;
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

    /// One message from the receive queue, with its stamp and TTL or hop limit. On a datagram
    /// socket an ICMP error about an earlier request also fails the next plain read once
    /// (ECONNREFUSED, EHOSTUNREACH, ...), before its queue is read: that error is read from the
    /// queue then, not taken for a failure of the socket.
    fn message(fd: i32, buf: &mut [u8], v6: bool, raw: bool) -> io::Result<Option<Arrival>> {
        let got = match stamp::recv(fd, buf, Read::default()) {
            Ok(got) => got,
            Err(e)
                if raw
                    || matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) =>
            {
                return Err(e);
            }
            Err(_) => return queued_error(fd, v6),
        };
        let size = got.bytes.min(buf.len());
        let from = got.address.map(|a| a.ip());
        Ok(from.and_then(|from| arrived((from, got.ttl, got.time), &buf[..size], raw, v6)))
    }

    /// One ICMP error from the socket's error queue: the request it is about, and who sent it.
    fn queued_error(fd: i32, v6: bool) -> io::Result<Option<Arrival>> {
        Ok(crate::net::errqueue::read(fd, v6)?.map(|q| Arrival::Error {
            from: q.from,
            to: q.to,
            error: q.error,
            request: q.original,
            time: q.time,
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
        let time = crate::net::stamp::Stamp::now();
        Ok(arrived((from.ip(), None, time), &buf[..size], raw, v6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(icmp: &[u8], from: [u8; 4], ttl: Option<u8>) -> Arrival {
        Arrival::Message {
            from: from.into(),
            ttl,
            icmp: icmp.to_vec(),
            time: Stamp::now(),
        }
    }

    #[test]
    fn a_reply_keeps_its_ttl_and_size() {
        let icmp = [0, 0, 0, 0, 0x12, 0x34, 0, 7, 1, 2, 3, 4];
        let echo = read_echo(message(&icmp, [10, 0, 0, 1], Some(63)), false, true);
        let echo = echo.unwrap_or_else(|| panic!("no echo in {icmp:?}"));
        assert_eq!(
            (echo.ident, echo.seq, echo.ttl, echo.bytes),
            (Some(0x1234), 7, Some(63), 12)
        );
        assert_eq!(echo.payload, [1, 2, 3, 4]);
        assert!(echo.answers([10, 0, 0, 1].into(), 0x1234));
        assert!(
            !echo.answers([10, 0, 0, 1].into(), 0x4321),
            "another's identifier"
        );
        let dgram = read_echo(message(&icmp, [10, 0, 0, 1], None), false, false);
        assert!(dgram.is_some_and(|e| e.answers([10, 0, 0, 1].into(), 0x4321)));
    }

    #[test]
    fn an_error_names_the_request_and_where_it_went() {
        // Time exceeded from a router, quoting our echo request to 10.200.9.9.
        let mut icmp = vec![11, 0, 0, 0, 0, 0, 0, 0];
        icmp.extend([
            0x45, 0, 0, 28, 0, 0, 0, 0, 1, 1, 0, 0, 10, 200, 1, 1, 10, 200, 9, 9,
        ]);
        icmp.extend([8, 0, 0, 0, 0x42, 0x42, 0, 3]);
        let echo = read_echo(message(&icmp, [10, 200, 2, 1], None), false, true);
        let echo = echo.unwrap_or_else(|| panic!("no echo in {icmp:?}"));
        assert_eq!((echo.seq, echo.from), (3, [10, 200, 2, 1].into()));
        assert!(echo.answers([10, 200, 9, 9].into(), 0x4242));
        assert_eq!(
            echo.error.map(IcmpError::text),
            Some("Time to live exceeded")
        );
        let queued = Arrival::Error {
            from: None,
            to: [10, 200, 9, 9].into(),
            error: IcmpError::TimeExceeded { v6: false },
            request: icmp::echo_request(false, 1, 4, b"x"),
            time: Stamp::now(),
        };
        let echo = read_echo(queued, false, false);
        assert!(echo.is_some_and(|e| e.seq == 4 && e.from == e.to && e.ident.is_none()));
    }

    #[test]
    fn an_error_about_something_else_is_not_ours() {
        // Port unreachable quoting a UDP datagram, not an echo request.
        let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
        icmp.extend([
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 200, 1, 1, 10, 200, 9, 9,
        ]);
        icmp.extend([0x9c, 0x40, 0, 53, 0, 8, 0, 0]);
        let arrival = message(&icmp, [10, 200, 1, 1], None);
        assert!(read_echo(arrival, false, true).is_none());
    }
}
