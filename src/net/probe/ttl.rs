//! One trace probe with a given TTL, unprivileged: a UDP datagram (tracepath's method) or a
//! TCP SYN by a nonblocking connect, each on a socket of its own with IP_RECVERR, so the ICMP
//! error a router sends back (time exceeded) lands on that socket's error queue with the
//! router's address. The destination answers with a port unreachable (UDP), or a SYN/ACK or a
//! reset (TCP).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Type};
use tokio::io::Interest;
use tokio::net::UdpSocket;
use tokio::time::timeout;

use crate::net::connect::Answer;
use crate::net::errqueue;
use crate::net::stamp::{self, Read, Stamp};
use crate::packet::icmp::IcmpError;

/// What came back for one probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Who answered: a router on the way, or the destination.
    pub from: IpAddr,
    pub rtt: Duration,
    /// When the kernel received the answer, where it stamped it (not a TCP handshake's, which
    /// is timed by the kernel's RTT estimate).
    pub at: Option<Stamp>,
    /// The ICMP error, when one came (time exceeded, unreachable); None when the destination
    /// answered by itself (a UDP reply, a SYN/ACK, a reset).
    pub error: Option<IcmpError>,
}

impl Hit {
    /// The hit an ICMP error on the queue makes: from the router or host that sent it.
    fn queued(q: errqueue::Queued, began: Stamp) -> Hit {
        Hit {
            from: q.from.unwrap_or(q.to),
            rtt: q.time.saturating_duration_since(began),
            at: Some(q.time),
            error: Some(q.error),
        }
    }

    /// The destination answered by itself (a UDP reply, a SYN/ACK, a reset) after `rtt`,
    /// received at `at` where the kernel stamped it.
    fn destination(dest: SocketAddr, rtt: Duration, at: Option<Stamp>) -> Hit {
        Hit {
            from: dest.ip(),
            rtt,
            at,
            error: None,
        }
    }
}

/// Sets the TTL or hop limit of a socket.
fn set_ttl(socket: &SockRef, v6: bool, ttl: u32) -> io::Result<()> {
    if v6 {
        socket.set_unicast_hops_v6(ttl)
    } else {
        socket.set_ttl_v4(ttl)
    }
}

/// What a UDP probe carries.
const PROBE: &[u8] = b"netkit trace probe";

/// A UDP socket connected to `dest` with its error queue on (and the TTL, when given).
/// Opened nonblocking, and bound by the connect (to a port of the kernel's choice, as a bind
/// to port 0 would): two calls fewer per probe.
fn connected_udp(dest: SocketAddr, ttl: Option<u32>) -> io::Result<std::net::UdpSocket> {
    let v6 = dest.is_ipv6();
    let socket = crate::net::nonblocking_socket(
        Domain::for_address(dest),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    if let Some(ttl) = ttl {
        set_ttl(&SockRef::from(&socket), v6, ttl)?;
    }
    errqueue::enable(&socket, v6)?;
    socket.connect(&dest.into())?;
    Ok(std::net::UdpSocket::from(socket))
}

/// A UDP probe: `None` when nothing came back within `wait`.
pub async fn udp(dest: SocketAddr, ttl: u32, wait: Duration) -> io::Result<Option<Hit>> {
    let v6 = dest.is_ipv6();
    let socket = connected_udp(dest, Some(ttl))?;
    // Sent before the runtime knows the socket: a fresh tokio socket would first wait for the
    // event loop to say it is writable, and that wait would count in the time.
    let began = Stamp::now();
    let sent = socket.send(PROBE);
    if sent.is_ok()
        && let Some(hit) = already_queued(socket.as_raw_fd(), v6, began)?
    {
        return Ok(Some(hit));
    }
    let socket = UdpSocket::from_std(socket)?;
    let began = match sent {
        Ok(_) => began,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            let began = Stamp::now();
            socket.send(PROBE).await?;
            began
        }
        Err(e) => return Err(e),
    };
    let fd = socket.as_raw_fd();
    let mut buf = [0u8; 512];
    let answer = async {
        loop {
            tokio::select! {
                queued = socket.async_io(Interest::ERROR, || errqueue::read(fd, v6)) => {
                    if let Some(q) = queued? {
                        return io::Result::Ok(Hit::queued(q, began));
                    }
                }
                got = socket.async_io(Interest::READABLE, || stamp::recv(fd, &mut buf, Read::default())) => {
                    if let Ok(got) = got {
                        return Ok(Hit::destination(
                            dest,
                            got.time.saturating_duration_since(began),
                            Some(got.time),
                        ));
                    }
                    // The error (refused, unreachable) is also on the queue, with who sent
                    // it; read it now, as its readiness may be spent.
                    if let Ok(Some(q)) = errqueue::read(fd, v6) {
                        return Ok(Hit::queued(q, began));
                    }
                }
            }
        }
    };
    match timeout(wait, answer).await {
        Ok(hit) => hit.map(Some),
        Err(_) => Ok(None),
    }
}

/// The ICMP error already on the socket's queue, if one is. A near router's or host's answer
/// is often queued before the send returns (the kernel forwards the probe and answers it
/// within the send): taken at once, it spares the event loop a socket and a timer.
fn already_queued(fd: i32, v6: bool, began: Stamp) -> io::Result<Option<Hit>> {
    match errqueue::read(fd, v6) {
        Ok(queued) => Ok(queued.map(|q| Hit::queued(q, began))),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err(e),
    }
}

/// A TCP probe: a SYN by a nonblocking connect; `None` when nothing came back within `wait`.
pub async fn tcp(dest: SocketAddr, ttl: u32, wait: Duration) -> io::Result<Option<Hit>> {
    let v6 = dest.is_ipv6();
    let socket = crate::net::nonblocking_socket(
        Domain::for_address(dest),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    set_ttl(&SockRef::from(&socket), v6, ttl)?;
    errqueue::enable(&socket, v6)?;
    let began = Stamp::now();
    match socket.connect(&dest.into()) {
        Ok(()) => return Ok(Some(Hit::destination(dest, began.elapsed(), None))),
        Err(e) if crate::net::errno::is_in_progress(&e) => {}
        Err(e) => return Err(e),
    }
    let socket = tokio::net::TcpStream::from_std(std::net::TcpStream::from(socket))?;
    let answer = async {
        let result = connected(&socket).await?;
        let answer = Answer::of(result);
        if answer.host_is_up() {
            // A handshake's RTT is the kernel's; a reset's is the connect's own.
            let rtt = match answer {
                Answer::Open => crate::net::connect::handshake_rtt(&socket),
                _ => None,
            };
            let rtt = rtt.unwrap_or_else(|| began.elapsed());
            return io::Result::Ok(Some(Hit::destination(dest, rtt, None)));
        }
        // The ICMP error that ended the connect, with the router that sent it.
        Ok(errqueue::read(socket.as_raw_fd(), v6)
            .ok()
            .flatten()
            .map(|q| Hit::queued(q, began)))
    };
    match timeout(wait, answer).await {
        Ok(hit) => hit,
        Err(_) => Ok(None),
    }
}

/// Waits for a nonblocking connect to end: `Ok(Ok(()))` connected, `Ok(Err(e))` the error
/// that ended it.
async fn connected(socket: &tokio::net::TcpStream) -> io::Result<io::Result<()>> {
    loop {
        socket.ready(Interest::WRITABLE | Interest::ERROR).await?;
        match socket.take_error()? {
            Some(e) => return Ok(Err(e)),
            None if socket.peer_addr().is_ok() => return Ok(Ok(())),
            None => {
                // Woken without news: forget this readiness and wait for the next.
                let _ = socket.try_io(Interest::WRITABLE, || {
                    Err::<(), _>(io::ErrorKind::WouldBlock.into())
                });
            }
        }
    }
}

/// A probe of a flow: `PROBE`, the TTL it went out with and its tag (the round), which the
/// error queue gives back with the answer (every probe of the flow has the same addresses and
/// ports).
fn flow_payload(ttl: u32, tag: u16) -> [u8; PROBE.len() + 3] {
    let mut payload = [0u8; PROBE.len() + 3];
    payload[..PROBE.len()].copy_from_slice(PROBE);
    payload[PROBE.len()] = ttl.min(255) as u8;
    payload[PROBE.len() + 1..].copy_from_slice(&tag.to_be_bytes());
    payload
}

/// The TTL and tag a returned probe went out with, if it is one of a flow's.
fn flow_probe(original: &[u8]) -> Option<(u32, u16)> {
    let (text, rest) = original.split_at_checked(PROBE.len())?;
    match (text == PROBE, rest) {
        (true, [ttl, a, b, ..]) => Some((u32::from(*ttl), u16::from_be_bytes([*a, *b]))),
        _ => None,
    }
}

/// Whether a send failed only with the news of an earlier probe's answer: with IP_RECVERR the
/// kernel also sets the socket's pending error for every ICMP error it queues (time exceeded
/// as EHOSTUNREACH, a port unreachable as ECONNREFUSED), and the next send returns it once.
fn pending_news(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::ConnectionRefused || crate::net::errno::unreachable(e).is_some()
}

/// What came back on a flow's socket.
#[derive(Debug, Clone, Copy)]
pub enum FlowAnswer {
    /// An ICMP error about the probe of `ttl` tagged `tag`.
    Error {
        ttl: u32,
        tag: u16,
        from: IpAddr,
        error: IcmpError,
        time: Stamp,
    },
    /// A datagram from a service on the port (only a probe that reached it can cause one).
    Reply { time: Stamp },
}

/// One UDP socket whose probes all have the same addresses and ports (one flow, as Paris
/// traceroute keeps it, so a load-balanced path does not show hops of two routes as one);
/// each probe's TTL and tag come back with its answer.
pub struct FlowSocket {
    socket: UdpSocket,
    dest: SocketAddr,
    v6: bool,
}

impl FlowSocket {
    /// A socket connected to `dest`, its error queue on.
    pub fn open(dest: SocketAddr) -> io::Result<FlowSocket> {
        let v6 = dest.is_ipv6();
        let socket = UdpSocket::from_std(connected_udp(dest, None)?)?;
        Ok(FlowSocket { socket, dest, v6 })
    }

    /// Sends the probe of `ttl` tagged `tag`, past the pending errors of earlier probes'
    /// answers (a few at most: a local failure such as no route comes back every time).
    pub async fn send(&self, ttl: u32, tag: u16) -> io::Result<Stamp> {
        set_ttl(&SockRef::from(&self.socket), self.v6, ttl)?;
        let payload = flow_payload(ttl, tag);
        let mut tries = 0;
        loop {
            let began = Stamp::now();
            match self.socket.try_send(&payload) {
                Ok(_) => return Ok(began),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.socket.writable().await?,
                Err(e) if pending_news(&e) && tries < 16 => tries += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next answer to one of this socket's probes (cancel-safe); `None` for something
    /// that is not one.
    pub async fn next(&self) -> io::Result<Option<FlowAnswer>> {
        let (fd, v6) = (self.socket.as_raw_fd(), self.v6);
        let mut buf = [0u8; 512];
        let queued = tokio::select! {
            queued = self.socket.async_io(Interest::ERROR, || errqueue::read(fd, v6)) => queued?,
            got = self.socket.async_io(Interest::READABLE, || stamp::recv(fd, &mut buf, Read::default())) => match got {
                Ok(got) => return Ok(Some(FlowAnswer::Reply { time: got.time })),
                // The error is also on the queue, with who sent it.
                Err(_) => match errqueue::read(fd, v6) {
                    Ok(q) => q,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => None,
                    Err(e) => return Err(e),
                },
            },
        };
        let Some(q) = queued.filter(|q| q.to == self.dest.ip()) else {
            return Ok(None);
        };
        Ok(flow_probe(&q.original).map(|(ttl, tag)| FlowAnswer::Error {
            ttl,
            tag,
            from: q.from.unwrap_or(q.to),
            error: q.error,
            time: q.time,
        }))
    }
}

/// One round of UDP probes, TTL 1 to `ttls`, on one flow (a socket of its own). Each answer
/// goes to `answered` as it comes; after `wait`, the unanswered ones as `None`.
pub async fn udp_flow(
    dest: SocketAddr,
    ttls: u32,
    wait: Duration,
    mut answered: impl FnMut(u32, Option<Hit>),
) -> io::Result<()> {
    let socket = FlowSocket::open(dest)?;
    // When each TTL's probe went out; None once answered.
    let mut out: Vec<Option<Stamp>> = vec![None; ttls as usize];
    for ttl in 1..=ttls {
        out[ttl as usize - 1] = Some(socket.send(ttl, 0).await?);
    }
    let deadline = tokio::time::Instant::now() + wait;
    while out.iter().any(Option::is_some) {
        let Ok(got) = tokio::time::timeout_at(deadline, socket.next()).await else {
            break;
        };
        let (ttl, from, error, time) = match got? {
            Some(FlowAnswer::Error {
                ttl,
                from,
                error,
                time,
                ..
            }) => (ttl, from, Some(error), time),
            Some(FlowAnswer::Reply { time }) => {
                // Only a probe that reached it can cause a reply: the lowest TTL still out.
                let lowest = out
                    .iter()
                    .position(Option::is_some)
                    .map_or(0, |i| i as u32 + 1);
                (lowest, dest.ip(), None, time)
            }
            None => continue,
        };
        let slot = (ttl as usize).checked_sub(1).and_then(|i| out.get_mut(i));
        if let Some(began) = slot.and_then(Option::take) {
            let rtt = time.saturating_duration_since(began);
            let at = Some(time);
            answered(
                ttl,
                Some(Hit {
                    from,
                    rtt,
                    at,
                    error,
                }),
            );
        }
    }
    for (i, began) in out.iter().enumerate() {
        if began.is_some() {
            answered(i as u32 + 1, None);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_probe_carries_its_ttl_and_tag_back() {
        for (ttl, tag) in [(1, 0), (7, 1), (30, 65_535), (255, 300)] {
            assert_eq!(
                flow_probe(&flow_payload(ttl, tag)),
                Some((ttl, tag)),
                "{ttl}"
            );
        }
        assert_eq!(flow_probe(PROBE), None, "a probe without its TTL");
        assert_eq!(flow_probe(b"something else entirely"), None);
    }
}
