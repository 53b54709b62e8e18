//! The UDP scan: a datagram per port on a connected socket, so that the kernel hands the
//! target's ICMP port unreachable back as ECONNREFUSED (no privilege needed).
//!
//! The hard part is the target's ICMP rate limit. Linux sends one port unreachable per second
//! to a source after a burst of six (net.ipv4.icmp_ratelimit); a closed port whose ICMP message
//! was suppressed looks exactly like a filtered one. So the silent ports are probed again, in
//! rounds: the first retry is spread over more than a second (long enough for the limit to
//! let at least one message through), and each later round is paced at the rate the ICMP
//! messages came back in the round before. The scan ends when a round turns up nothing new:
//! what is still silent then is open|filtered. Against a rate-limited host that takes about a
//! second per closed port, as it does for nmap; there is no honest shortcut.

use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use tokio::io::Interest;
use tokio::net::UdpSocket;

use super::{
    FIRST_BACKOFF, Found, Settings, SharedPace, Started, Verdict, back_off, sweep, within,
};
use crate::error::Error;
use crate::net::errno::{self, is_busy};
use crate::net::stamp::{self, Read, Stamp};
use crate::ports::PortState;

/// The first retry round lasts at least this long: Linux's default ICMP rate-limit period
/// (1 s), with a margin.
const REFILL: Duration = Duration::from_millis(1200);
/// The slowest pace of a paced round: one probe per this.
const SLOWEST_GAP: Duration = Duration::from_secs(2);

/// How one probe ended.
enum Answer {
    Reply(Duration),
    Refused,
    Unreachable(&'static str),
    Silent,
}

impl Answer {
    /// What the port is, by its answer; `None` for silence (the port is probed again).
    fn verdict(self) -> Option<Verdict> {
        Some(match self {
            Answer::Silent => return None,
            Answer::Reply(rtt) => Verdict::new(PortState::Open, "udp-response", Some(rtt)),
            Answer::Refused => Verdict::new(PortState::Closed, "port-unreach", None),
            Answer::Unreachable(why) => Verdict::new(PortState::Filtered, why, None),
        })
    }
}

pub(super) async fn scan(
    addr: SocketAddr,
    ports: &[u16],
    settings: &Settings,
    pace: SharedPace,
    found: &mut Found<'_>,
) -> Result<(), Error> {
    let mut pending = ports.to_vec();
    let mut gap = None;
    let mut round = 0;
    loop {
        let began = Instant::now();
        let mut silent = Vec::new();
        let (mut answered, mut icmp) = (0usize, 0usize);
        sweep(
            addr,
            pending,
            settings,
            gap,
            |at, pace| Started::Waiting(udp_probe(at, pace)),
            &pace,
            |port, answer| match answer.verdict() {
                None => silent.push(port),
                Some(verdict) => {
                    answered += 1;
                    // Anything but a reply came as an ICMP error.
                    icmp += usize::from(verdict.state != PortState::Open);
                    found.record(port, verdict);
                }
            },
        )
        .await;
        let took = began.elapsed();
        // The first retry always runs (datagrams get lost); later ones only while the one
        // before still turned up answers.
        if silent.is_empty() || (round > 0 && answered == 0) {
            pending = silent;
            break;
        }
        gap = next_gap(round, icmp, took, silent.len(), gap);
        silent.sort_unstable();
        pending = silent;
        round += 1;
    }
    for port in pending {
        found.record(
            port,
            Verdict::new(PortState::OpenFiltered, "no-response", None),
        );
    }
    Ok(())
}

/// The pace of the next round. The first retry is spread over REFILL (its last probe leaves
/// REFILL after it starts), whatever the first round heard: a target whose ICMP budget was
/// already spent (by an earlier scan) sends nothing at first, and looks like one that drops
/// everything. After a retry round that still found closed ports, probe no faster than their
/// ICMP messages came.
fn next_gap(
    round: u32,
    icmp: usize,
    took: Duration,
    remaining: usize,
    before: Option<Duration>,
) -> Option<Duration> {
    let gap = if round == 0 {
        REFILL / remaining.max(1) as u32
    } else if icmp > 0 {
        took / icmp as u32
    } else {
        return before;
    };
    Some(gap.clamp(Duration::from_micros(50), SLOWEST_GAP))
}

/// One probe on its own connected socket.
async fn udp_probe(at: SocketAddr, pace: SharedPace) -> Answer {
    let mut backoff = FIRST_BACKOFF;
    // A socket whose ephemeral port is the target port would hear its own datagram: keep it
    // aside while another is bound, so the kernel hands out a different port.
    let mut aside = None;
    loop {
        let socket = match bound_to(at).await {
            Ok(s) => s,
            Err(e) if is_busy(&e) => {
                tokio::time::sleep(backoff).await;
                backoff = back_off(backoff);
                continue;
            }
            Err(e) => return Answer::Unreachable(errno::reason_word(&e)),
        };
        if socket.local_addr().is_ok_and(|own| own == at) {
            aside = Some(socket);
            continue;
        }
        drop(aside);
        let began = Instant::now();
        let sent = Stamp::now();
        if let Err(e) = send_now(&socket, payload(at.port())).await {
            return Answer::Unreachable(errno::reason_word(&e));
        }
        let mut reply = [0u8; 2048];
        let fd = socket.as_raw_fd();
        let heard = socket.async_io(Interest::READABLE | Interest::ERROR, || {
            stamp::recv(fd, &mut reply, Read::default())
        });
        let Some(heard) = within(&pace, began, heard).await else {
            return Answer::Silent;
        };
        // A reply and an ICMP error alike tell how far away the target is; a reply's time is
        // the kernel's stamp of it.
        let rtt = match &heard {
            Ok(got) => got.time.saturating_duration_since(sent),
            Err(_) => began.elapsed(),
        };
        pace.saw(rtt);
        return match heard {
            Ok(_) => Answer::Reply(rtt),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => Answer::Refused,
            Err(e) => Answer::Unreachable(errno::reason_word(&e)),
        };
    }
}

/// A UDP socket on an ephemeral port, connected to `at`, its arrivals stamped.
async fn bound_to(at: SocketAddr) -> io::Result<UdpSocket> {
    let socket = UdpSocket::bind(crate::net::any_of_family(at.ip())).await?;
    socket.connect(at).await?;
    stamp::enable(&socket)?;
    Ok(socket)
}

/// Sends at once where the socket takes it (a fresh socket would first wait for the event
/// loop to call it writable, and that wait would count in the time).
async fn send_now(socket: &UdpSocket, bytes: &[u8]) -> io::Result<()> {
    match socket.try_send(bytes) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => socket.send(bytes).await.map(drop),
        done => done.map(drop),
    }
}

/// What to send: a well-formed request where a common service would ignore anything else,
/// else an empty datagram.
fn payload(port: u16) -> &'static [u8] {
    match port {
        53 | 5353 => DNS_QUERY,
        123 => NTP_REQUEST,
        161 => SNMP_GET,
        _ => &[],
    }
}

/// DNS: a standard query (id 0x6e6b, recursion desired) for the root's NS records.
const DNS_QUERY: &[u8] = &[
    0x6e, 0x6b, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // header
    0x00, // the root name
    0x00, 0x02, 0x00, 0x01, // type NS, class IN
];

/// NTP: a version 4 client request (LI 3 = unsynchronized, mode 3 = client), 48 bytes.
const NTP_REQUEST: &[u8] = &[
    0xe3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// SNMP v1: get-request, community "public", for sysDescr.0 (1.3.6.1.2.1.1.1.0).
const SNMP_GET: &[u8] = &[
    0x30, 0x26, // message
    0x02, 0x01, 0x00, // version 1
    0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c', // community
    0xa0, 0x19, // get-request
    0x02, 0x01, 0x01, // request id
    0x02, 0x01, 0x00, // error status
    0x02, 0x01, 0x00, // error index
    0x30, 0x0e, 0x30, 0x0c, // variable bindings, one binding
    0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, // the OID
    0x05, 0x00, // null value
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_requests_are_well_formed() {
        assert_eq!(NTP_REQUEST.len(), 48);
        // BER lengths: the whole message, and the PDU inside it.
        assert_eq!(usize::from(SNMP_GET[1]), SNMP_GET.len() - 2);
        assert_eq!(usize::from(SNMP_GET[14]), SNMP_GET.len() - 15);
        // One question, then the root name, type NS, class IN.
        assert_eq!(&DNS_QUERY[4..6], &[0, 1]);
        assert_eq!(DNS_QUERY.len(), 12 + 1 + 4);
        assert!(payload(9).is_empty());
    }

    #[test]
    fn retries_are_paced_so_suppressed_icmp_can_come() {
        let ms = Duration::from_millis;
        assert_eq!(
            next_gap(0, 6, ms(100), 12, None),
            Some(ms(100)),
            "the first retry spread over REFILL"
        );
        assert_eq!(
            next_gap(0, 0, ms(100), 4, None),
            Some(ms(300)),
            "also when nothing answered at first"
        );
        assert_eq!(
            next_gap(1, 3, Duration::from_secs(3), 100, Some(ms(10))),
            Some(Duration::from_secs(1)),
            "then as fast as the ICMP messages came"
        );
        assert_eq!(
            next_gap(2, 0, ms(500), 5, Some(ms(700))),
            Some(ms(700)),
            "a round of late replies only keeps the pace"
        );
        assert_eq!(
            next_gap(1, 1, Duration::from_secs(10), 5, None),
            Some(SLOWEST_GAP)
        );
    }
}
