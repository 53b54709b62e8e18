//! The half-open SYN scan: a SYN per port from a raw socket, built with pnet_packet; a SYN/ACK
//! is open (and answered with a RST, so no connection is left half-made), a RST is closed,
//! silence twice is filtered. A few raw sockets carry every probe (a pair per lane, one lane
//! per core for IPv4), so the file-descriptor limit plays no part. The raw sockets are driven
//! through tokio's UdpSocket, whose recv_from and send_to work on any datagram-shaped socket.
//!
//! The source port is reserved by a bound TCP socket that never listens, so no connection of
//! this machine can use it while the scan runs, and the kernel itself resets the SYN/ACKs too.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pnet_packet::tcp::{self, MutableTcpPacket, TcpFlags, TcpPacket};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::task::JoinSet;

use super::{Found, Settings, SharedPace, Target, Verdict, deal, gather, lane_count};
use crate::error::{Error, Privilege};
use crate::net::errno;
use crate::net::stamp::{self, Stamp};
use crate::packet::icmp::{self, IcmpError, Message, Reason};
use crate::packet::strip_ipv4;
use crate::ports::PortState;

/// Most SYNs sent but not yet answered or timed out.
const WINDOW: usize = 4096;
/// Most SYNs sent before the replies are read again (so an RTT is not a queueing time).
const BATCH: usize = 8;
/// Rounds of BATCH a lane sends without waiting before it yields to the runtime.
const YIELD_EVERY: usize = 16;
/// The receive buffer asked for: replies to a window of SYNs must not overflow it.
const RECV_BUFFER: usize = 8 << 20;

/// One family's raw sockets: TCP (SYNs out, SYN/ACKs and RSTs in) and ICMP (unreachables in).
struct Family {
    tcp: Arc<UdpSocket>,
    icmp: Arc<UdpSocket>,
}

/// The raw sockets the targets need, opened before anything is sent: for IPv4 a pair per
/// lane, for IPv6 one (its replies cannot be sorted to lanes by the kernel here).
pub(super) struct RawSockets {
    v4: Vec<Family>,
    v6: Vec<Family>,
}

impl RawSockets {
    /// Opens raw sockets for the families among the targets; without root or CAP_NET_RAW
    /// this is where the scan stops, with the fix.
    pub(super) fn open(targets: &[Target], lanes: usize) -> Result<RawSockets, Error> {
        let wants = |v6: bool| {
            targets
                .iter()
                .any(|t| t.hosts().next().is_some_and(|h| h.is_ipv6() == v6))
        };
        let v4_lanes = if crate::net::sorts_raw_ipv4_tcp() {
            lanes.max(1)
        } else {
            1
        };
        let open = |v6: bool, count: usize| -> Result<Vec<Family>, Error> {
            if wants(v6) {
                (0..count).map(|_| Family::open(v6)).collect()
            } else {
                Ok(Vec::new())
            }
        };
        Ok(RawSockets {
            v4: open(false, v4_lanes)?,
            v6: open(true, 1)?,
        })
    }
}

impl Family {
    fn open(v6: bool) -> Result<Family, Error> {
        let (domain, icmp) = if v6 {
            (Domain::IPV6, Protocol::ICMPV6)
        } else {
            (Domain::IPV4, Protocol::ICMPV4)
        };
        let raw = |protocol| -> Result<Arc<UdpSocket>, Error> {
            let socket = Socket::new(domain, Type::RAW, Some(protocol)).map_err(|e| {
                if e.kind() == io::ErrorKind::PermissionDenied {
                    Error::Permission(Privilege::RawSyn)
                } else {
                    Error::Kernel {
                        what: "open a raw socket",
                        source: e,
                    }
                }
            })?;
            socket.set_nonblocking(true).map_err(kernel)?;
            // Each reply's time is the kernel's receive stamp.
            stamp::enable(&socket).map_err(kernel)?;
            crate::net::grow_receive_buffer(&socket, RECV_BUFFER);
            UdpSocket::from_std(std::net::UdpSocket::from(socket))
                .map(Arc::new)
                .map_err(kernel)
        };
        Ok(Family {
            tcp: raw(Protocol::TCP)?,
            icmp: raw(icmp)?,
        })
    }
}

fn kernel(source: io::Error) -> Error {
    Error::Kernel {
        what: "set up a raw socket",
        source,
    }
}

/// What a packet said about one of our probes.
#[derive(Debug, PartialEq, Eq)]
struct Reply {
    port: u16,
    state: PortState,
    reason: &'static str,
    /// The sequence number to reset with, for a SYN/ACK.
    reset_seq: Option<u32>,
}

/// Each port's probe has its own sequence number, so a reply proves which probe it answers.
fn isn(base: u32, port: u16) -> u32 {
    base.wrapping_add(u32::from(port).wrapping_mul(0x9e37_79b1))
}

impl RawSockets {
    /// The lanes' sockets for `addr`'s family (none if the targets did not need them).
    fn families(&self, addr: IpAddr) -> &[Family] {
        match addr {
            IpAddr::V4(_) => &self.v4,
            IpAddr::V6(_) => &self.v6,
        }
    }
}

pub(super) async fn scan(
    raw: &RawSockets,
    addr: IpAddr,
    ports: &[u16],
    settings: &Settings,
    pace: SharedPace,
    found: &mut Found<'_>,
) -> Result<(), Error> {
    let families = raw.families(addr);
    if families.is_empty() {
        return Ok(());
    }
    // On a nearby target the kernel answers each SYN inside the sendto() that sent it,
    // holding the raw socket's lock, so the sending is the work and one socket is one core.
    // Each lane has raw sockets and a source port of its own, and its socket queues only the
    // replies to its port (a filter in the kernel); the ports are dealt to the lanes. One
    // lane where the filter cannot be set (IPv6, other systems), or for a few ports.
    let lanes = lane_count(ports.len(), families.len(), settings.concurrency);
    let window = (settings.concurrency.clamp(1, WINDOW) / lanes).max(1);
    let (to_scan, mut answers) = tokio::sync::mpsc::unbounded_channel();
    // Dropped (aborted) with this future (the stop).
    let mut sending = JoinSet::new();
    let mut holders = Vec::with_capacity(lanes);
    for (lane, family) in families.iter().take(lanes).enumerate() {
        // Held until the scan ends: the source port stays ours.
        let (probe, holder) = Probe::reserve(addr)?;
        holders.push(holder);
        if addr.is_ipv4() && crate::net::sorts_raw_ipv4_tcp() {
            crate::net::raw_ipv4_tcp_only_to(&*family.tcp, probe.sport).map_err(kernel)?;
        }
        let lane = Lane {
            window: Window::new(&deal(ports, lane, lanes), window),
            probe,
            tcp: Arc::clone(&family.tcp),
            icmp: Arc::clone(&family.icmp),
            pace: Arc::clone(&pace),
        };
        sending.spawn(lane.run(to_scan.clone()));
    }
    drop(to_scan);
    gather(&mut answers, &mut |port, verdict| {
        found.record(port, verdict)
    })
    .await;
    while let Some(lane) = sending.join_next().await {
        if let Ok(Err(e)) = lane {
            return Err(e);
        }
    }
    Ok(())
}

/// One lane of a SYN scan: its ports' window, its raw sockets, its source port.
struct Lane {
    window: Window,
    probe: Probe,
    tcp: Arc<UdpSocket>,
    icmp: Arc<UdpSocket>,
    pace: SharedPace,
}

impl Lane {
    /// Sends, resends and settles the lane's ports; hands the verdicts on in batches.
    async fn run(
        mut self,
        answers: tokio::sync::mpsc::UnboundedSender<Vec<(u16, Verdict)>>,
    ) -> Result<(), Error> {
        let mut buf = vec![0u8; 65_536];
        let mut replies = Vec::new();
        let mut settled = Vec::new();
        let mut rounds = 0usize;
        loop {
            let stalled = self.window.send_batch(&self.probe, &self.tcp)?;
            // What the kernel answered while the batch went out, read without waiting.
            read_now(&self.tcp, &mut buf, |data, from, at| {
                replies.extend(self.probe.read_tcp(data, from).map(|r| (r, at)));
            });
            self.settle(&mut replies, &mut settled);
            if !settled.is_empty() && answers.send(std::mem::take(&mut settled)).is_err() {
                return Ok(());
            }
            if self.window.is_done() {
                break;
            }
            let next = self.window.next_timeout(self.pace.wait());
            if self.window.can_send() && !stalled {
                // More to send; now and then after the worker has looked at its sockets and
                // timers (and at the stop).
                rounds += 1;
                if rounds.is_multiple_of(YIELD_EVERY) {
                    tokio::task::yield_now().await;
                }
                continue;
            }
            tokio::select! {
                ready = self.tcp.readable() => {
                    ready.map_err(kernel)?;
                    drain(&self.tcp, &mut buf, |data, from, at| {
                        replies.extend(self.probe.read_tcp(data, from).map(|r| (r, at)));
                    });
                }
                ready = self.icmp.readable() => {
                    ready.map_err(kernel)?;
                    drain(&self.icmp, &mut buf, |data, _, at| {
                        replies.extend(self.probe.read_icmp(data).map(|r| (r, at)));
                    });
                }
                _ = tokio::time::sleep_until(next.unwrap_or_else(Instant::now).into()), if next.is_some() => {
                    self.window.expire(Instant::now(), self.pace.wait(), &mut settled);
                }
                _ = tokio::time::sleep(Duration::from_millis(2)), if stalled => {}
            }
            self.settle(&mut replies, &mut settled);
            if !settled.is_empty() && answers.send(std::mem::take(&mut settled)).is_err() {
                return Ok(());
            }
        }
        Ok(())
    }

    /// The replies' verdicts; an open port's half-open connection reset.
    fn settle(&mut self, replies: &mut Vec<(Reply, Stamp)>, settled: &mut Vec<(u16, Verdict)>) {
        for (reply, at) in replies.drain(..) {
            let Some(sent_at) = self.window.answered(reply.port) else {
                continue;
            };
            // From the send to the kernel's receive stamp of the reply.
            let rtt = at.saturating_duration_since(sent_at);
            self.pace.saw(rtt);
            if let Some(seq) = reply.reset_seq {
                // Best effort: the kernel resets it too, as nothing listens on our port.
                let _ = self.probe.send(&self.tcp, reply.port, TcpFlags::RST, seq);
            }
            let rtt = (reply.state == PortState::Open).then_some(rtt);
            settled.push((reply.port, Verdict::new(reply.state, reply.reason, rtt)));
        }
    }
}

/// The SYNs of one target's scan: those waiting to be sent, those out, and those out in the
/// order sent (the front is the next to time out).
struct Window {
    size: usize,
    /// (port, attempt) not sent yet, or to be sent again.
    queue: VecDeque<(u16, u8)>,
    /// Probes out: port -> (sent at, on the kernel stamps' clock; attempt).
    out: HashMap<u16, (Stamp, u8)>,
    /// Every probe in the order sent. The wait is the pace's now, not the one when it was
    /// sent: it shrinks as the first answers come in.
    sent: VecDeque<(Instant, u16, u8)>,
}

impl Window {
    fn new(ports: &[u16], size: usize) -> Window {
        Window {
            size,
            queue: ports.iter().map(|&p| (p, 0)).collect(),
            out: HashMap::with_capacity(size),
            sent: VecDeque::with_capacity(size),
        }
    }

    fn can_send(&self) -> bool {
        self.out.len() < self.size && !self.queue.is_empty()
    }

    fn is_done(&self) -> bool {
        self.out.is_empty() && self.queue.is_empty()
    }

    /// Sends up to BATCH SYNs while the window has room; true when the socket is full for now.
    fn send_batch(&mut self, probe: &Probe, socket: &UdpSocket) -> Result<bool, Error> {
        for _ in 0..BATCH {
            if self.out.len() >= self.size {
                break;
            }
            let Some((port, attempt)) = self.queue.pop_front() else {
                break;
            };
            // Timed before it is sent: the reply may be read on the other thread before
            // sendto() returns here. The send's time is on the clock of the kernel's stamps.
            let now = Instant::now();
            let sent = Stamp::now();
            match probe.send(socket, port, TcpFlags::SYN, isn(probe.base, port)) {
                Ok(()) => {
                    self.out.insert(port, (sent, attempt));
                    self.sent.push_back((now, port, attempt));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock || errno::is_busy(&e) => {
                    self.queue.push_front((port, attempt));
                    return Ok(true);
                }
                Err(e) => {
                    return Err(Error::Connect {
                        what: format!("{} with a raw SYN", probe.target),
                        source: e,
                    });
                }
            }
        }
        Ok(false)
    }

    /// Whether the probe sent at the front of `sent` is still out (not answered, not resent).
    fn still_out(&self, port: u16, attempt: u8) -> bool {
        self.out.get(&port).is_some_and(|&(_, a)| a == attempt)
    }

    /// When the oldest probe still out times out, with the wait as it is now.
    fn next_timeout(&mut self, wait: Duration) -> Option<Instant> {
        while let Some(&(_, port, attempt)) = self.sent.front() {
            if self.still_out(port, attempt) {
                break;
            }
            self.sent.pop_front();
        }
        self.sent.front().map(|&(at, _, _)| at + wait)
    }

    /// Probes past their wait: sent once more, and filtered when silent twice.
    fn expire(&mut self, now: Instant, wait: Duration, settled: &mut Vec<(u16, Verdict)>) {
        while let Some(&(at, port, attempt)) = self.sent.front() {
            if at + wait > now {
                break;
            }
            self.sent.pop_front();
            if self.still_out(port, attempt) {
                self.out.remove(&port);
                if attempt == 0 {
                    self.queue.push_back((port, 1));
                } else {
                    settled.push((port, Verdict::new(PortState::Filtered, "no-response", None)));
                }
            }
        }
    }

    /// A reply for `port`: when its probe was sent, if it was still out.
    fn answered(&mut self, port: u16) -> Option<Stamp> {
        self.out.remove(&port).map(|(at, _)| at)
    }
}

/// Reads every packet waiting on a raw socket without asking the event loop: this lane's
/// answers arrive while it sends (the kernel answers inside sendto()).
fn read_now(socket: &UdpSocket, buf: &mut [u8], each: impl FnMut(&[u8], IpAddr, Stamp)) {
    let fd = std::os::fd::AsRawFd::as_raw_fd(socket);
    read_each(buf, each, |buf| {
        stamp::recv(fd, buf, stamp::Read::default())
    });
}

/// Reads every packet waiting on a raw socket the event loop said is readable (its
/// readiness cleared once it would block).
fn drain(socket: &UdpSocket, buf: &mut [u8], each: impl FnMut(&[u8], IpAddr, Stamp)) {
    let fd = std::os::fd::AsRawFd::as_raw_fd(socket);
    read_each(buf, each, |buf| {
        socket.try_io(tokio::io::Interest::READABLE, || {
            stamp::recv(fd, buf, stamp::Read::default())
        })
    });
}

/// Each packet `recv` reads (until it would block, or fails), with its sender and the
/// kernel's receive stamp.
fn read_each(
    buf: &mut [u8],
    mut each: impl FnMut(&[u8], IpAddr, Stamp),
    mut recv: impl FnMut(&mut [u8]) -> io::Result<stamp::Received>,
) {
    while let Ok(got) = recv(buf) {
        if let Some(from) = got.address {
            each(&buf[..got.bytes.min(buf.len())], from.ip(), got.time);
        }
    }
}

/// The fixed parts of every probe to one target.
struct Probe {
    source: IpAddr,
    target: IpAddr,
    sport: u16,
    base: u32,
}

impl Probe {
    /// The probe's fixed parts for `target`, and the bound, never-listening TCP socket that
    /// reserves its source port (kept until the scan ends).
    fn reserve(target: IpAddr) -> Result<(Probe, Socket), Error> {
        let source = crate::net::source_for(target).map_err(|e| Error::Connect {
            what: target.to_string(),
            source: e,
        })?;
        let holder = Socket::new(
            Domain::for_address(SocketAddr::new(target, 0)),
            Type::STREAM,
            None,
        )
        .map_err(kernel)?;
        holder
            .bind(&SocketAddr::new(source, 0).into())
            .map_err(kernel)?;
        let sport = holder
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .map(|a| a.port())
            .ok_or_else(|| kernel(io::Error::other("no local port")))?;
        // Sequence numbers that differ from run to run, so a late reply to an earlier scan
        // is not taken for an answer.
        let base = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() ^ std::process::id().rotate_left(16))
            .unwrap_or(0x6e6b_0001);
        let probe = Probe {
            source,
            target,
            sport,
            base,
        };
        Ok((probe, holder))
    }

    /// Sends one bare TCP segment (a SYN, or the RST that ends an open answer).
    fn send(&self, socket: &UdpSocket, port: u16, flags: u8, seq: u32) -> io::Result<()> {
        let segment = self.segment(port, flags, seq)?;
        socket
            .try_send_to(&segment, SocketAddr::new(self.target, 0))
            .map(|_| ())
    }

    /// A 20-byte TCP header with its checksum over the pseudo-header.
    fn segment(&self, port: u16, flags: u8, seq: u32) -> io::Result<[u8; 20]> {
        let mut bytes = [0u8; 20];
        let mut tcp = MutableTcpPacket::new(&mut bytes)
            .ok_or_else(|| io::Error::other("TCP buffer too small"))?;
        tcp.set_source(self.sport);
        tcp.set_destination(port);
        tcp.set_sequence(seq);
        tcp.set_data_offset(5);
        tcp.set_flags(flags);
        tcp.set_window(if flags == TcpFlags::SYN { 1024 } else { 0 });
        let checksum = match (self.source, self.target) {
            (IpAddr::V4(s), IpAddr::V4(d)) => tcp::ipv4_checksum(&tcp.to_immutable(), &s, &d),
            (IpAddr::V6(s), IpAddr::V6(d)) => tcp::ipv6_checksum(&tcp.to_immutable(), &s, &d),
            _ => return Err(io::Error::other("source and target differ in family")),
        };
        tcp.set_checksum(checksum);
        Ok(bytes)
    }

    /// A TCP packet from the raw socket (IPv4 comes with its IP header, IPv6 without).
    fn read_tcp(&self, data: &[u8], from: IpAddr) -> Option<Reply> {
        let (segment, from) = match self.target {
            IpAddr::V4(_) => {
                let (source, _, segment) = strip_ipv4(data)?;
                (segment, IpAddr::V4(source))
            }
            IpAddr::V6(_) => (data, from),
        };
        if from != self.target {
            return None;
        }
        let tcp = TcpPacket::new(segment)?;
        if tcp.get_destination() != self.sport {
            return None;
        }
        let port = tcp.get_source();
        let flags = tcp.get_flags();
        let acked = tcp.get_acknowledgement() == isn(self.base, port).wrapping_add(1);
        if flags & TcpFlags::RST != 0 {
            // A reset answers our SYN if it acknowledges it (RFC 9293 §3.10.7.3).
            return (flags & TcpFlags::ACK == 0 || acked).then_some(Reply {
                port,
                state: PortState::Closed,
                reason: "reset",
                reset_seq: None,
            });
        }
        let synack = TcpFlags::SYN | TcpFlags::ACK;
        (flags & synack == synack && acked).then(|| Reply {
            port,
            state: PortState::Open,
            reason: "syn-ack",
            reset_seq: Some(tcp.get_acknowledgement()),
        })
    }

    /// An ICMP destination unreachable that quotes one of our SYNs: port unreachable is
    /// closed (the connect scan sees the same message as a refusal), the rest filtered.
    fn read_icmp(&self, data: &[u8]) -> Option<Reply> {
        let v6 = self.target.is_ipv6();
        // The raw ICMPv4 socket hands over the IP header too; ICMPv6 starts at its type.
        let message = if v6 { data } else { strip_ipv4(data)?.2 };
        let Message::Error {
            error: IcmpError::Unreachable(unreachable),
            quoted,
        } = icmp::parse(v6, message)?
        else {
            return None;
        };
        let (sport, port, seq) = quoted.tcp()?;
        if quoted.destination != self.target || sport != self.sport || seq != isn(self.base, port) {
            return None;
        }
        let reason = unreachable.reason();
        let state = if reason == Reason::PortUnreach {
            PortState::Closed
        } else {
            PortState::Filtered
        };
        Some(Reply {
            port,
            state,
            reason: reason.word(),
            reset_seq: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn probe() -> Probe {
        Probe {
            source: IpAddr::V4(Ipv4Addr::new(10, 200, 9, 1)),
            target: IpAddr::V4(Ipv4Addr::new(10, 200, 9, 2)),
            sport: 40_000,
            base: 7,
        }
    }

    /// An IPv4 packet from the target carrying `segment`.
    fn from_target(segment: &[u8]) -> Vec<u8> {
        let mut packet = vec![
            0x45, 0, 0, 0, 0, 0, 0, 0, 64, 6, 0, 0, 10, 200, 9, 2, 10, 200, 9, 1,
        ];
        packet.extend_from_slice(segment);
        packet
    }

    #[test]
    fn a_syn_has_the_fields_and_a_valid_checksum() {
        let p = probe();
        let bytes = p.segment(80, TcpFlags::SYN, isn(7, 80)).unwrap_or([0; 20]);
        let tcp = TcpPacket::new(&bytes).unwrap_or_else(|| panic!("parse"));
        assert_eq!(tcp.get_source(), 40_000);
        assert_eq!(tcp.get_destination(), 80);
        assert_eq!(tcp.get_flags(), TcpFlags::SYN);
        assert_eq!(tcp.get_data_offset(), 5);
        let (s, d) = (Ipv4Addr::new(10, 200, 9, 1), Ipv4Addr::new(10, 200, 9, 2));
        assert_eq!(tcp::ipv4_checksum(&tcp, &s, &d), tcp.get_checksum());
    }

    #[test]
    fn syn_ack_is_open_reset_is_closed_strays_are_ignored() {
        let p = probe();
        // The target's answer: source 80, to our port, acknowledging our ISN + 1.
        let answer = |flags: u8, ack: u32, to: u16| {
            let target = Probe {
                source: p.target,
                target: p.source,
                sport: 80,
                base: 0,
            };
            let mut seg = target.segment(to, flags, 1234).unwrap_or([0; 20]);
            seg[8..12].copy_from_slice(&ack.to_be_bytes());
            from_target(&seg)
        };
        let ack = isn(7, 80).wrapping_add(1);
        let open = p.read_tcp(
            &answer(TcpFlags::SYN | TcpFlags::ACK, ack, 40_000),
            p.target,
        );
        assert_eq!(
            open,
            Some(Reply {
                port: 80,
                state: PortState::Open,
                reason: "syn-ack",
                reset_seq: Some(ack)
            })
        );
        let closed = p.read_tcp(
            &answer(TcpFlags::RST | TcpFlags::ACK, ack, 40_000),
            p.target,
        );
        assert_eq!(closed.map(|r| r.state), Some(PortState::Closed));
        assert_eq!(
            p.read_tcp(
                &answer(TcpFlags::SYN | TcpFlags::ACK, ack + 5, 40_000),
                p.target
            ),
            None,
            "acknowledges something else"
        );
        assert_eq!(
            p.read_tcp(
                &answer(TcpFlags::SYN | TcpFlags::ACK, ack, 40_001),
                p.target
            ),
            None,
            "to another port of ours"
        );
    }

    #[test]
    fn icmp_port_unreachable_is_closed_others_filtered() {
        let p = probe();
        // An ICMP error from the target quoting our SYN to `port` (IPv4 header, then ICMP).
        let error = |code: u8, port: u16, seq: u32| {
            let mut syn = p
                .segment(port, TcpFlags::SYN, seq)
                .unwrap_or([0; 20])
                .to_vec();
            syn.truncate(8);
            let mut icmp = vec![3, code, 0, 0, 0, 0, 0, 0];
            icmp.extend([
                0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 200, 9, 1, 10, 200, 9, 2,
            ]);
            icmp.extend(syn);
            let mut packet = vec![
                0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0, 10, 200, 9, 2, 10, 200, 9, 1,
            ];
            packet.extend(icmp);
            packet
        };
        let seq = isn(7, 80);
        let read = |code| {
            p.read_icmp(&error(code, 80, seq))
                .map(|r| (r.state, r.reason))
        };
        assert_eq!(read(3), Some((PortState::Closed, "port-unreach")));
        assert_eq!(read(13), Some((PortState::Filtered, "admin-prohibited")));
        assert_eq!(read(1), Some((PortState::Filtered, "host-unreach")));
        assert_eq!(read(10), Some((PortState::Filtered, "host-prohibited")));
        assert_eq!(
            p.read_icmp(&error(3, 80, seq + 1)),
            None,
            "quotes a segment that is not our probe"
        );
    }
}
