//! `netkit ping`: ICMP echo (or timed TCP connects with --tcp) to one or more hosts at once,
//! on net::probe's schedule (start + n·interval, count, deadline, linger, Ctrl-C), with
//! iputils' output and statistics. `icmp.rs` and `tcp.rs` are the two probers; `hosts.rs` the
//! book and the lines of every host, the same for both.

mod hosts;
mod icmp;
mod sweep;
mod tcp;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::addr::host::ScanTarget;
use crate::cli::PingArgs;
use crate::error::{Error, Outcome, interval_refusal};
use crate::net::connect;
use crate::net::probe::{self, Schedule};
use crate::net::resolve::{Family, resolve_all_scoped};
use crate::output::Output;
use crate::output::ping::{PingView, Tried};
use hosts::Pinging;

/// One host being pinged.
struct Target {
    /// What the user typed.
    given: String,
    addr: IpAddr,
    /// Where probes go: `addr`, port 0, with the scope of a %zone (a link-local address is
    /// sent to on its interface).
    to: SocketAddr,
    /// The name, when one was given and resolved.
    name: Option<String>,
    /// The name's other addresses of the family, in the resolver's order (named, as nmap
    /// names them, not pinged).
    others: Vec<IpAddr>,
    /// --tcp: the addresses whose connect did not answer as `addr`'s did.
    tried: Vec<Tried>,
}

pub fn run(args: &PingArgs, out: &mut Output) -> Result<Outcome, Error> {
    if sweep::wanted(args) {
        return sweep::run(args, out);
    }
    if let Some(refused) = interval_refusal(args.interval, crate::net::privileged()) {
        return Err(Error::Permission(refused));
    }
    let runtime = crate::net::runtime(1)?;
    runtime.block_on(async {
        let mut stop = crate::net::stop::stop();
        let targets = tokio::select! {
            targets = targets(args) => targets?,
            _ = &mut stop => return Ok(Outcome::Interrupted),
        };
        let schedule = Schedule {
            interval: args.interval,
            count: args.count,
            deadline: args.deadline,
        };
        // -O is iputils' option for echo requests; --tcp never had it (each connect ends by
        // its own timeout).
        let outstanding = args.report_outstanding && args.tcp.is_none();
        let pinging = Pinging::new(&targets, out, view(args), outstanding);
        let report = match args.tcp {
            Some(port) => {
                let mut prober = tcp::TcpProber::new(pinging, port, args.timeout)?;
                let elapsed = probe::run(&schedule, &mut prober, &mut stop).await?;
                prober.report(elapsed)
            }
            None => {
                let mut prober = icmp::IcmpProber::open(pinging, args)?;
                let elapsed = probe::run(&schedule, &mut prober, &mut stop).await?;
                prober.report(elapsed)
            }
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

/// Every host resolved, in the order given. A name's first address is pinged, as iputils
/// pings it, and the others are named; with --tcp, the one a client would connect to: each
/// address is tried in turn as Python's `create_connection` tries them, the first to accept is
/// pinged (else the first that refused: the host is up, the port closed; else the first).
async fn targets(args: &PingArgs) -> Result<Vec<Target>, Error> {
    let family = Family::from_flags(args.ipv4, args.ipv6);
    let mut targets = Vec::with_capacity(args.hosts.len());
    for target in &args.hosts {
        // A block or a range is swept (sweep::wanted), never pinged in turn.
        let ScanTarget::Host(host) = target else {
            continue;
        };
        let every = resolve_all_scoped(host, family).await?;
        let (chosen, tried) = match args.tcp {
            Some(port) if every.len() > 1 => choose(&every, port, tcp::limit(args.timeout)).await,
            _ => (0, Vec::new()),
        };
        let to = every[chosen];
        targets.push(Target {
            given: host.given().to_string(),
            addr: to.ip(),
            to,
            name: host.addr().is_none().then(|| host.given().to_string()),
            others: every
                .iter()
                .filter(|a| **a != to)
                .map(SocketAddr::ip)
                .collect(),
            tried,
        });
    }
    Ok(targets)
}

/// Which of a name's addresses `ping --tcp PORT` pings (an index into `every`), and the
/// connects to the others that were tried on the way.
async fn choose(every: &[SocketAddr], port: u16, wait: Duration) -> (usize, Vec<Tried>) {
    let at: Vec<SocketAddr> = every
        .iter()
        .map(|a| {
            let mut a = *a;
            a.set_port(port);
            a
        })
        .collect();
    let attempts = connect::in_turn(&at, wait).await;
    let chosen = connect::answering(&attempts).unwrap_or(0);
    let tried = attempts
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != chosen)
        .map(|(_, a)| Tried {
            address: a.to.ip(),
            answer: a.answer.token(),
            words: format!("TCP port {port}: {}", a.answer.words(wait)),
        })
        .collect();
    (chosen, tried)
}

/// The printing options.
fn view(args: &PingArgs) -> PingView {
    PingView {
        quiet: args.quiet,
        timestamps: args.timestamps,
        several: args.hosts.len() > 1,
    }
}

/// The sequence number of round `round` (0-based): 1, 2, ... 65535, then 0, 1, ... as
/// iputils wraps its 16-bit icmp_seq.
fn sequence(round: u64) -> u16 {
    (round.wrapping_add(1) % 65_536) as u16
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
}
