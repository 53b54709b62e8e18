//! `netkit ping`: ICMP echo (or timed TCP connects with --tcp) to one or more hosts at once,
//! on a fixed schedule from the start time, with iputils' output and statistics.

mod icmp;
mod tcp;

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use tokio::time::{Instant as TokioInstant, sleep_until};

use crate::cli::PingArgs;
use crate::error::{Error, Outcome, Privilege, interval_refusal, io_reason};
use crate::net::resolve::{Family, resolve};
use crate::output::Output;
use crate::output::ping::{ErrorRecord, HostReport, PingEvent, PingReport, PingView, ReplyRecord};
use crate::stats;
use icmp::{Arrival, IcmpSocket};

/// How long to wait for replies after the last probe when none has come yet (iputils' MAXWAIT).
const DEFAULT_LINGER: Duration = Duration::from_secs(10);

/// One host being pinged.
struct Target {
    /// What the user typed.
    given: String,
    addr: IpAddr,
    /// The name, when one was given and resolved.
    name: Option<String>,
}

/// What is known about one host's probes so far.
struct Tracker {
    ident: u16,
    /// Raw sockets see every ICMP message of the host: match our identifier. A datagram
    /// socket's replies are its own already (the kernel sets and checks the identifier).
    match_ident: bool,
    sent: HashMap<u16, Instant>,
    answered: HashSet<u16>,
    /// Probes that got a reply or an ICMP error: no more to wait for (iputils stops on
    /// received + errors).
    settled: HashSet<u16>,
    transmitted: u64,
    duplicates: u64,
    rtts: Vec<f64>,
    replies: Vec<ReplyRecord>,
    errors: Vec<ErrorRecord>,
}

impl Tracker {
    fn new(ident: u16, match_ident: bool) -> Tracker {
        Tracker {
            ident,
            match_ident,
            sent: HashMap::new(),
            answered: HashSet::new(),
            settled: HashSet::new(),
            transmitted: 0,
            duplicates: 0,
            rtts: Vec::new(),
            replies: Vec::new(),
            errors: Vec::new(),
        }
    }
}

pub fn run(args: &PingArgs, out: &mut Output) -> Result<Outcome, Error> {
    if let Some(refused) = interval_refusal(args.interval, crate::net::privileged()) {
        return Err(Error::Permission(refused));
    }
    let runtime = crate::net::runtime(1)?;
    runtime.block_on(async {
        let family = Family::from_flags(args.ipv4, args.ipv6);
        let mut targets = Vec::with_capacity(args.hosts.len());
        for host in &args.hosts {
            targets.push(Target {
                given: host.given().to_string(),
                addr: resolve(host, family).await?,
                name: host.addr().is_none().then(|| host.given().to_string()),
            });
        }
        let report = match args.tcp {
            Some(port) => tcp::ping(&targets, port, args, out).await?,
            None => ping_icmp(&targets, args, out).await?,
        };
        out.ping_summary(&report)?;
        let all_answered = report.hosts.iter().all(|h| h.received > 0);
        Ok(if all_answered {
            Outcome::Success
        } else {
            Outcome::Negative
        })
    })
}

/// The printing options.
fn view(args: &PingArgs) -> PingView {
    PingView {
        quiet: args.quiet,
        timestamps: args.timestamps,
        several: args.hosts.len() > 1,
    }
}

/// The header lines, once the sockets are open (an error must come without them, as in
/// iputils): the data size, or none for TCP connects.
fn headers(targets: &[Target], args: &PingArgs, out: &mut Output) -> Result<(), Error> {
    let size = args.tcp.is_none().then_some(usize::from(args.size));
    for t in targets {
        out.ping_event(
            view(args),
            &PingEvent::Start {
                target: &t.given,
                addr: t.addr,
                size,
            },
        )?;
    }
    Ok(())
}

/// The data each probe carries: bytes 0, 1, 2, ... so a reply can be checked byte for byte.
fn payload(size: usize) -> Vec<u8> {
    (0..size).map(|i| i as u8).collect()
}

async fn ping_icmp(
    targets: &[Target],
    args: &PingArgs,
    out: &mut Output,
) -> Result<PingReport, Error> {
    let open = |v6: bool| -> Result<Option<IcmpSocket>, Error> {
        if !targets.iter().any(|t| t.addr.is_ipv6() == v6) {
            return Ok(None);
        }
        IcmpSocket::open(v6, args.socket, args.ttl)
            .map(Some)
            .map_err(|e| match e.kind() {
                io::ErrorKind::PermissionDenied => Error::Permission(Privilege::IcmpSocket { v6 }),
                _ => Error::Kernel {
                    what: "open an ICMP socket",
                    source: e,
                },
            })
    };
    let (v4, v6) = (open(false)?, open(true)?);
    let view = view(args);
    headers(targets, args, out)?;
    let data = payload(usize::from(args.size));
    let mut trackers: Vec<Tracker> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let socket = if t.addr.is_ipv6() { &v6 } else { &v4 };
            let raw = socket.as_ref().is_some_and(|s| s.raw);
            Tracker::new((std::process::id() as u16) ^ (i as u16).rotate_left(8), raw)
        })
        .collect();

    let start = Instant::now();
    let deadline = args.deadline.map(|d| TokioInstant::from_std(start + d));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut buf4 = vec![0u8; 65_536];
    let mut buf6 = vec![0u8; 65_536];
    let mut probes: u64 = 0;
    let mut last_send = start;
    loop {
        let sending = args.count.is_none_or(|c| probes < c);
        let next_send = TokioInstant::from_std(start + args.interval.mul_f64(probes as f64));
        let all_answered = trackers
            .iter()
            .all(|t| t.settled.len() as u64 >= t.transmitted);
        if !sending && all_answered {
            break;
        }
        let linger = linger(&trackers, args.timeout);
        let stop_waiting = TokioInstant::from_std(last_send + linger);
        tokio::select! {
            _ = sleep_until(next_send), if sending => {
                let seq = sequence(probes);
                if args.report_outstanding {
                    for (t, tr) in targets.iter().zip(&trackers) {
                        let previous = seq.wrapping_sub(1);
                        if probes > 0 && !tr.answered.contains(&previous) {
                            out.ping_event(view, &PingEvent::NoAnswerYet { target: &t.given, seq: previous })?;
                        }
                    }
                }
                for (t, tr) in targets.iter().zip(trackers.iter_mut()) {
                    let socket = if t.addr.is_ipv6() { &v6 } else { &v4 };
                    if let Some(socket) = socket {
                        tr.sent.insert(seq, Instant::now());
                        tr.answered.remove(&seq);
                        tr.settled.remove(&seq);
                        tr.transmitted += 1;
                        if let Err(e) = socket.send(t.addr, tr.ident, seq, &data).await {
                            let message = io_reason(&e);
                            out.ping_event(view, &PingEvent::SendError { target: &t.given, seq, message: &message })?;
                            tr.settled.insert(seq);
                            tr.errors.push(ErrorRecord { seq, from: None, message });
                        }
                    }
                }
                last_send = Instant::now();
                probes += 1;
            }
            got = recv(&v4, &mut buf4) => handle(got, targets, &mut trackers, &data, out, view)?,
            got = recv(&v6, &mut buf6) => handle(got, targets, &mut trackers, &data, out, view)?,
            _ = sleep_until(stop_waiting), if !sending => break,
            _ = sleep_until(deadline.unwrap_or(next_send)), if deadline.is_some() => break,
            _ = &mut ctrl_c => break,
        }
    }
    // As iputils counts it: from the start to the last probe sent.
    Ok(report(targets, trackers, last_send - start))
}

/// How long to wait after the last probe: twice the slowest reply once there were replies
/// (iputils' rule), else -W (10 s by default).
fn linger(trackers: &[Tracker], timeout: Option<Duration>) -> Duration {
    let slowest = trackers
        .iter()
        .flat_map(|t| t.rtts.iter().copied())
        .fold(0.0f64, f64::max);
    match timeout {
        Some(w) => w,
        None if slowest > 0.0 => Duration::from_secs_f64((2.0 * slowest / 1000.0).max(0.01)),
        None => DEFAULT_LINGER,
    }
}

async fn recv(socket: &Option<IcmpSocket>, buf: &mut [u8]) -> io::Result<Option<Arrival>> {
    match socket {
        Some(s) => s.recv(buf).await,
        None => std::future::pending().await,
    }
}

fn handle(
    got: io::Result<Option<Arrival>>,
    targets: &[Target],
    trackers: &mut [Tracker],
    data: &[u8],
    out: &mut Output,
    view: PingView,
) -> Result<(), Error> {
    let now = Instant::now();
    // A failed receive (an ICMP error queued on the socket) is not fatal: keep listening.
    let Ok(Some(arrival)) = got else {
        return Ok(());
    };
    match arrival {
        Arrival::Reply {
            from,
            ident,
            seq,
            ttl,
            bytes,
            payload,
        } => {
            let Some(i) = targets
                .iter()
                .zip(trackers.iter())
                .position(|(t, tr)| t.addr == from && (!tr.match_ident || tr.ident == ident))
            else {
                return Ok(());
            };
            let tr = &mut trackers[i];
            let Some(sent) = tr.sent.get(&seq) else {
                return Ok(());
            };
            let rtt_ms = (now - *sent).as_secs_f64() * 1000.0;
            let duplicate = !tr.answered.insert(seq);
            tr.settled.insert(seq);
            let intact = payload == data;
            if duplicate {
                tr.duplicates += 1;
            } else {
                tr.rtts.push(rtt_ms);
            }
            let record = ReplyRecord {
                seq,
                ttl,
                bytes,
                rtt_ms,
                duplicate,
                intact,
            };
            out.ping_event(
                view,
                &PingEvent::Reply {
                    name: targets[i].name.as_deref(),
                    from,
                    reply: &record,
                },
            )?;
            tr.replies.push(record);
        }
        Arrival::Error {
            from,
            to,
            ident,
            seq,
            message,
        } => {
            // A datagram socket's errors are its own, and the kernel chose the identifier.
            let Some(i) = targets.iter().zip(trackers.iter()).position(|(t, tr)| {
                t.addr == to && (!tr.match_ident || tr.ident == ident) && tr.sent.contains_key(&seq)
            }) else {
                return Ok(());
            };
            out.ping_event(
                view,
                &PingEvent::IcmpError {
                    target: &targets[i].given,
                    from,
                    seq,
                    message,
                },
            )?;
            trackers[i].settled.insert(seq);
            trackers[i].errors.push(ErrorRecord {
                seq,
                from: Some(from),
                message: message.to_string(),
            });
        }
    }
    Ok(())
}

fn report(targets: &[Target], trackers: Vec<Tracker>, elapsed: Duration) -> PingReport {
    let hosts = targets
        .iter()
        .zip(trackers)
        .map(|(t, tr)| {
            let received = tr.rtts.len() as u64;
            HostReport {
                target: t.given.clone(),
                address: t.addr,
                transmitted: tr.transmitted,
                received,
                duplicates: tr.duplicates,
                loss_percent: stats::loss_percent(tr.transmitted, received),
                time_ms: elapsed.as_millis() as u64,
                rtt_ms: stats::summarize(&tr.rtts),
                rtt_samples: tr.rtts,
                replies: tr.replies,
                errors: tr.errors,
            }
        })
        .collect();
    PingReport { hosts }
}

/// The sequence number of probe `probes` (0-based): 1, 2, ... 65535, then 0, 1, ... as
/// iputils wraps its 16-bit icmp_seq.
fn sequence(probes: u64) -> u16 {
    (probes.wrapping_add(1) % 65_536) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_wrap_as_iputils_does() {
        assert_eq!(sequence(0), 1);
        assert_eq!(sequence(65_534), 65_535);
        assert_eq!(sequence(65_535), 0);
        assert_eq!(sequence(65_536), 1);
        assert_eq!(sequence(u64::MAX), 0);
    }

    #[test]
    fn linger_follows_iputils() {
        let mut t = Tracker::new(1, true);
        assert_eq!(linger(std::slice::from_ref(&t), None), DEFAULT_LINGER);
        t.rtts.push(20.0);
        assert_eq!(
            linger(std::slice::from_ref(&t), None),
            Duration::from_millis(40)
        );
        assert_eq!(
            linger(&[t], Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn payload_counts_up() {
        assert_eq!(payload(4), [0, 1, 2, 3]);
        assert_eq!(payload(300)[256], 0);
    }
}
