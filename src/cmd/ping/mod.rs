//! `netkit ping`: ICMP echo (or timed TCP connects with --tcp) to one or more hosts at once,
//! on net::probe's schedule (start + n·interval, count, deadline, linger, Ctrl-C), with
//! iputils' output and statistics. `icmp.rs` and `tcp.rs` are the two probers; `hosts.rs` the
//! book and the lines of every host, the same for both.

mod hosts;
mod icmp;
mod tcp;

use std::net::{IpAddr, SocketAddr};

use crate::cli::PingArgs;
use crate::error::{Error, Outcome, interval_refusal};
use crate::net::probe::{self, Schedule};
use crate::net::resolve::{Family, resolve_scoped};
use crate::output::Output;
use crate::output::ping::PingView;
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
}

pub fn run(args: &PingArgs, out: &mut Output) -> Result<Outcome, Error> {
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

/// Every host resolved, in the order given.
async fn targets(args: &PingArgs) -> Result<Vec<Target>, Error> {
    let family = Family::from_flags(args.ipv4, args.ipv6);
    let mut targets = Vec::with_capacity(args.hosts.len());
    for host in &args.hosts {
        let to = resolve_scoped(host, family).await?;
        targets.push(Target {
            given: host.given().to_string(),
            addr: to.ip(),
            to,
            name: host.addr().is_none().then(|| host.given().to_string()),
        });
    }
    Ok(targets)
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
