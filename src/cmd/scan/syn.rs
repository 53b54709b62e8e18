//! The half-open SYN scan: a SYN per port from a raw socket, built with pnet_packet; a SYN/ACK
//! is open (and answered with a RST, so no connection is left half-made), a RST is closed,
//! silence twice is filtered. One raw socket carries every probe, so the file-descriptor
//! limit plays no part. The raw sockets are driven through tokio's UdpSocket, whose
//! recv_from and send_to work on any datagram-shaped socket (as surge-ping does for ICMP).
//!
//! The source port is reserved by a bound TCP socket that never listens, so no connection of
//! this machine can use it while the scan runs, and the kernel itself resets the SYN/ACKs too.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use pnet_packet::ipv4::Ipv4Packet;
use pnet_packet::tcp::{self, MutableTcpPacket, TcpFlags, TcpPacket};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use super::{Found, Pace, Settings, Target, Verdict, source_for};
use crate::error::Error;
use crate::output::scan::State;

/// Most SYNs sent but not yet answered or timed out.
const WINDOW: usize = 4096;
/// Most SYNs sent before the replies are read again (so an RTT is not a queueing time).
const BATCH: usize = 128;
/// The receive buffer asked for: replies to a window of SYNs must not overflow it.
const RECV_BUFFER: usize = 8 << 20;

/// One family's raw sockets: TCP (SYNs out, SYN/ACKs and RSTs in) and ICMP (unreachables in).
struct Family {
    tcp: UdpSocket,
    icmp: UdpSocket,
}

/// The raw sockets the targets need, opened before anything is sent.
pub(super) struct RawSockets {
    v4: Option<Family>,
    v6: Option<Family>,
}

impl RawSockets {
    /// Opens raw sockets for the families among the targets; without root or CAP_NET_RAW
    /// this is where the scan stops, with the fix.
    pub(super) fn open(targets: &[Target]) -> Result<RawSockets, Error> {
        let wants = |v6: bool| {
            targets
                .iter()
                .any(|t| t.hosts().next().is_some_and(|h| h.is_ipv6() == v6))
        };
        Ok(RawSockets {
            v4: if wants(false) {
                Some(Family::open(false)?)
            } else {
                None
            },
            v6: if wants(true) {
                Some(Family::open(true)?)
            } else {
                None
            },
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
        let raw = |protocol| -> Result<UdpSocket, Error> {
            let socket = Socket::new(domain, Type::RAW, Some(protocol)).map_err(|e| {
                if e.kind() == io::ErrorKind::PermissionDenied {
                    Error::Permission(syn_permission_hint())
                } else {
                    Error::Kernel {
                        what: "open a raw socket",
                        source: e,
                    }
                }
            })?;
            socket.set_nonblocking(true).map_err(kernel)?;
            grow_receive_buffer(&socket);
            UdpSocket::from_std(std::net::UdpSocket::from(socket)).map_err(kernel)
        };
        Ok(Family {
            tcp: raw(Protocol::TCP)?,
            icmp: raw(icmp)?,
        })
    }
}

/// Root may go past net.core.rmem_max (Linux); anyone else gets what the system allows.
fn grow_receive_buffer(socket: &Socket) {
    #[cfg(target_os = "linux")]
    if nix::sys::socket::setsockopt(socket, nix::sys::socket::sockopt::RcvBufForce, &RECV_BUFFER)
        .is_ok()
    {
        return;
    }
    let _ = socket.set_recv_buffer_size(RECV_BUFFER);
}

fn kernel(source: io::Error) -> Error {
    Error::Kernel {
        what: "set up a raw socket",
        source,
    }
}

/// What to do when raw sockets are refused.
pub(super) fn syn_permission_hint() -> String {
    "cannot open a raw socket for --syn: permission denied (a SYN scan needs root or \
     CAP_NET_RAW: run it with sudo, or `setcap cap_net_raw+ep $(command -v netkit)`; or leave \
     out --syn for a connect scan, which needs no privilege)"
        .to_string()
}

/// What a packet said about one of our probes.
#[derive(Debug, PartialEq, Eq)]
struct Reply {
    port: u16,
    state: State,
    reason: &'static str,
    /// The sequence number to reset with, for a SYN/ACK.
    reset_seq: Option<u32>,
}

/// Each port's probe has its own sequence number, so a reply proves which probe it answers.
fn isn(base: u32, port: u16) -> u32 {
    base.wrapping_add(u32::from(port).wrapping_mul(0x9e37_79b1))
}

pub(super) async fn scan(
    raw: &RawSockets,
    addr: IpAddr,
    ports: &[u16],
    settings: &Settings,
    found: &mut Found<'_>,
) -> Result<(), Error> {
    let family = match addr {
        IpAddr::V4(_) => raw.v4.as_ref(),
        IpAddr::V6(_) => raw.v6.as_ref(),
    };
    let Some(family) = family else {
        return Ok(());
    };
    let source = source_for(addr).map_err(|e| Error::Connect {
        what: addr.to_string(),
        source: e,
    })?;
    let domain = if addr.is_ipv6() {
        Domain::IPV6
    } else {
        Domain::IPV4
    };
    // Reserve the source port: bound, never listening.
    let holder = Socket::new(domain, Type::STREAM, None).map_err(kernel)?;
    holder
        .bind(&SocketAddr::new(source, 0).into())
        .map_err(kernel)?;
    let sport = holder
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .map(|a| a.port())
        .ok_or_else(|| kernel(io::Error::other("no local port")))?;
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ std::process::id().rotate_left(16))
        .unwrap_or(0x6e6b_0001);
    let probe = Probe {
        source,
        target: addr,
        sport,
        base,
    };

    let window = settings.concurrency.clamp(1, WINDOW);
    let pace = Pace::new(settings.max_wait);
    let mut queue: VecDeque<(u16, u8)> = ports.iter().map(|&p| (p, 0)).collect();
    // Probes out: port -> (sent at, attempt).
    let mut out: HashMap<u16, (Instant, u8)> = HashMap::with_capacity(window);
    // Every probe in the order sent, so the front is the first to time out. The wait is the
    // pace's now, not the one when it was sent: it shrinks as the first answers come in.
    let mut sent: VecDeque<(Instant, u16, u8)> = VecDeque::with_capacity(window);
    let mut buf = vec![0u8; 65_536];
    let mut stalled = false;
    loop {
        // Send while the window has room.
        let mut batch = 0;
        while out.len() < window && !stalled && batch < BATCH {
            batch += 1;
            let Some((port, attempt)) = queue.pop_front() else {
                break;
            };
            match probe.send(&family.tcp, port, TcpFlags::SYN, isn(base, port)) {
                Ok(()) => {
                    let now = Instant::now();
                    out.insert(port, (now, attempt));
                    sent.push_back((now, port, attempt));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock || super::is_busy(&e) => {
                    queue.push_front((port, attempt));
                    stalled = true;
                }
                Err(e) => {
                    return Err(Error::Connect {
                        what: format!("{addr} with a raw SYN"),
                        source: e,
                    });
                }
            }
        }
        if out.is_empty() && queue.is_empty() {
            break;
        }
        // Answered probes at the front need no timer.
        while sent
            .front()
            .is_some_and(|&(_, port, attempt)| out.get(&port).is_none_or(|&(_, a)| a != attempt))
        {
            sent.pop_front();
        }
        let next = sent.front().map(|&(at, _, _)| at + pace.wait());
        let mut replies = Vec::new();
        let more = out.len() < window && !queue.is_empty() && !stalled;
        tokio::select! {
            // Replies first: they free the window and their RTTs set the wait.
            biased;
            ready = family.tcp.readable() => {
                ready.map_err(kernel)?;
                drain(&family.tcp, &mut buf, |data, from| {
                    if let Some(r) = probe.read_tcp(data, from) {
                        replies.push(r);
                    }
                });
            }
            ready = family.icmp.readable() => {
                ready.map_err(kernel)?;
                drain(&family.icmp, &mut buf, |data, _| {
                    if let Some(r) = probe.read_icmp(data) {
                        replies.push(r);
                    }
                });
            }
            _ = tokio::time::sleep_until(next.unwrap_or_else(Instant::now).into()), if next.is_some() => {
                let now = Instant::now();
                let wait = pace.wait();
                while let Some(&(at, port, attempt)) = sent.front() {
                    if at + wait > now {
                        break;
                    }
                    sent.pop_front();
                    if out.get(&port).is_some_and(|&(_, a)| a == attempt) {
                        out.remove(&port);
                        if attempt == 0 {
                            queue.push_back((port, 1));
                        } else {
                            found.record(port, Verdict::new(State::Filtered, "no-response", None));
                        }
                    }
                }
            }
            _ = tokio::time::sleep(Duration::from_millis(2)), if stalled => {}
            _ = std::future::ready(()), if more => {}
        }
        stalled = false;
        for reply in replies {
            let Some((sent_at, _)) = out.remove(&reply.port) else {
                continue;
            };
            let rtt = sent_at.elapsed();
            pace.saw(rtt);
            if let Some(seq) = reply.reset_seq {
                // Best effort: the kernel resets it too, as nothing listens on our port.
                let _ = probe.send(&family.tcp, reply.port, TcpFlags::RST, seq);
            }
            let rtt = (reply.state == State::Open).then_some(rtt);
            found.record(reply.port, Verdict::new(reply.state, reply.reason, rtt));
        }
    }
    drop(holder);
    Ok(())
}

/// Reads every packet waiting on a raw socket (until it would block, or fails).
fn drain(socket: &UdpSocket, buf: &mut [u8], mut each: impl FnMut(&[u8], IpAddr)) {
    while let Ok((size, from)) = socket.try_recv_from(buf) {
        each(&buf[..size], from.ip());
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
                let ip = Ipv4Packet::new(data)?;
                let header = usize::from(ip.get_header_length()) * 4;
                (data.get(header..)?, IpAddr::V4(ip.get_source()))
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
                state: State::Closed,
                reason: "reset",
                reset_seq: None,
            });
        }
        let synack = TcpFlags::SYN | TcpFlags::ACK;
        (flags & synack == synack && acked).then(|| Reply {
            port,
            state: State::Open,
            reason: "syn-ack",
            reset_seq: Some(tcp.get_acknowledgement()),
        })
    }

    /// An ICMP destination unreachable that quotes one of our SYNs.
    fn read_icmp(&self, data: &[u8]) -> Option<Reply> {
        let (kind, code, quoted_tcp, quoted_to) = match self.target {
            IpAddr::V4(_) => {
                let ip = Ipv4Packet::new(data)?;
                let icmp = data.get(usize::from(ip.get_header_length()) * 4..)?;
                // ICMP header (8), the IPv4 header we sent, the first 8 bytes of our SYN.
                let quoted = Ipv4Packet::new(icmp.get(8..)?)?;
                if quoted.get_next_level_protocol().0 != 6 {
                    return None;
                }
                let at = 8 + usize::from(quoted.get_header_length()) * 4;
                (
                    icmp[0],
                    icmp[1],
                    icmp.get(at..at + 8)?,
                    IpAddr::V4(quoted.get_destination()),
                )
            }
            IpAddr::V6(_) => {
                // ICMPv6 header (8), our 40-byte IPv6 header, then our SYN.
                let quoted = data.get(8..48)?;
                if quoted[6] != 6 {
                    return None;
                }
                let mut to = [0u8; 16];
                to.copy_from_slice(&quoted[24..40]);
                (
                    data[0],
                    data[1],
                    data.get(48..56)?,
                    IpAddr::V6(Ipv6Addr::from(to)),
                )
            }
        };
        if quoted_to != self.target {
            return None;
        }
        let sport = u16::from_be_bytes([quoted_tcp[0], quoted_tcp[1]]);
        let port = u16::from_be_bytes([quoted_tcp[2], quoted_tcp[3]]);
        let seq = u32::from_be_bytes([quoted_tcp[4], quoted_tcp[5], quoted_tcp[6], quoted_tcp[7]]);
        if sport != self.sport || seq != isn(self.base, port) {
            return None;
        }
        let (state, reason) = unreachable(self.target.is_ipv6(), kind, code)?;
        Some(Reply {
            port,
            state,
            reason,
            reset_seq: None,
        })
    }
}

/// An ICMP or ICMPv6 destination unreachable, as a port state: port unreachable is closed
/// (the connect scan sees the same message as a refusal), the rest filtered.
fn unreachable(v6: bool, kind: u8, code: u8) -> Option<(State, &'static str)> {
    let filtered = |why| Some((State::Filtered, why));
    match (v6, kind, code) {
        (false, 3, 3) | (true, 1, 4) => Some((State::Closed, "port-unreach")),
        (false, 3, 0 | 6) | (true, 1, 0) => filtered("net-unreach"),
        (false, 3, 1 | 7) | (true, 1, 3) => filtered("host-unreach"),
        (false, 3, 2) => filtered("proto-unreach"),
        (false, 3, 9 | 10 | 13) | (true, 1, 1) => filtered("admin-prohibited"),
        (false, 3, _) | (true, 1, _) => filtered("unreach"),
        _ => None,
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
                state: State::Open,
                reason: "syn-ack",
                reset_seq: Some(ack)
            })
        );
        let closed = p.read_tcp(
            &answer(TcpFlags::RST | TcpFlags::ACK, ack, 40_000),
            p.target,
        );
        assert_eq!(closed.map(|r| r.state), Some(State::Closed));
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
        assert_eq!(
            unreachable(false, 3, 3),
            Some((State::Closed, "port-unreach"))
        );
        assert_eq!(
            unreachable(true, 1, 4),
            Some((State::Closed, "port-unreach"))
        );
        assert_eq!(
            unreachable(false, 3, 13),
            Some((State::Filtered, "admin-prohibited"))
        );
        assert_eq!(
            unreachable(false, 3, 1),
            Some((State::Filtered, "host-unreach"))
        );
        assert_eq!(unreachable(false, 11, 0), None, "time exceeded: not ours");
    }
}
