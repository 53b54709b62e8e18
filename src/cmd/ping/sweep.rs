//! `netkit ping` of a block, a range or many addresses, as fping -g: every address once (at
//! most COUNT times until it answers), all at once on net::discover's engine, bounded in
//! flight, the table (or with --alive only the addresses that answered) at the end (issue 24).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::addr::HostState;
use crate::addr::host::ScanTarget;
use crate::cli::PingArgs;
use crate::error::{Error, Outcome};
use crate::net::discover::{Discover, discover_pinging};
use crate::net::resolve::{Family, resolve_all_scoped};
use crate::net::stamp::Stamp;
use crate::output::Output;
use crate::output::ping::{SweepReport, SweepRow};

/// More addresses than this, given one by one, are swept rather than pinged in turn.
pub const FEW: usize = 4;

/// How long each address is waited for when -W is not given.
const WAIT: Duration = Duration::from_secs(1);

/// Whether these arguments ask for a sweep: --alive, a block or a range, or more than a few
/// hosts.
pub fn wanted(args: &PingArgs) -> bool {
    args.alive
        || args.hosts.len() > FEW
        || args.hosts.iter().any(|t| !matches!(t, ScanTarget::Host(_)))
}

pub fn run(args: &PingArgs, out: &mut Output) -> Result<Outcome, Error> {
    if let Some(port) = args.tcp {
        return Err(Error::BadValue {
            option: "--tcp",
            value: port.to_string(),
            reason: format!(
                "a sweep (a block, a range, --alive or more than {FEW} hosts) asks ports 80 \
                 and 443 itself where it needs to; for one port of many hosts use \
                 `netkit scan -p {port}`"
            ),
        });
    }
    let wait = args.timeout.unwrap_or(WAIT);
    let how = Discover {
        wait,
        ..Discover::default()
    };
    let rounds = args.count.unwrap_or(1);
    let given: Vec<&str> = args.hosts.iter().map(ScanTarget::given).collect();
    let given = given.join(" ");
    let runtime = crate::net::runtime(1)?;
    runtime.block_on(async {
        let mut stop = crate::net::stop::stop();
        // -w: the sweep ends then as by Ctrl-C, but as an end asked for (not exit 130).
        let ran_out = Arc::new(AtomicBool::new(false));
        if let Some(deadline) = args.deadline {
            let (ctrl_c, flag) = (stop, Arc::clone(&ran_out));
            stop = Box::pin(async move {
                tokio::select! {
                    () = ctrl_c => {}
                    () = tokio::time::sleep(deadline) => flag.store(true, Ordering::Relaxed),
                }
            });
        }
        let addresses = tokio::select! {
            a = addresses(args) => a?,
            _ = &mut stop => return Ok(Outcome::Interrupted),
        };
        // --alive prints the addresses and nothing else, as fping -a.
        if !args.alive {
            out.sweep_start(&given, addresses.len(), wait)?;
        }
        let began = Stamp::now();
        let mut progress = out.progress(addresses.len() as u64, "addresses");
        let mut found: HashMap<IpAddr, (HostState, Option<Duration>)> = HashMap::new();
        let mut stopped = false;
        for round in 0..rounds {
            // Later rounds ask again only what has not answered yet.
            let asking: Vec<IpAddr> = if round == 0 {
                addresses.clone()
            } else {
                let mut left: Vec<IpAddr> = addresses
                    .iter()
                    .filter(|a| !found.get(a).is_some_and(|(s, _)| s.is_up()))
                    .copied()
                    .collect();
                left.dedup();
                left
            };
            if asking.is_empty() {
                break;
            }
            let done = discover_pinging(&asking, &how, &mut stop, |addr, state, rtt| {
                if round == 0 {
                    progress.advance(1);
                }
                found.insert(addr, (state, rtt));
            })
            .await?;
            if !done {
                stopped = true;
                break;
            }
        }
        progress.finish();
        let mut rows = Vec::with_capacity(found.len());
        let mut not_probed = 0;
        for addr in &addresses {
            match found.get(addr) {
                Some((state, rtt)) => rows.push(SweepRow::new(*addr, state.clone(), *rtt, wait)),
                None => not_probed += 1,
            }
        }
        let report = SweepReport {
            targets: given,
            rows,
            not_probed,
            elapsed_ms: began.elapsed().as_millis() as u64,
            wait_ms: wait.as_millis() as u64,
            stopped,
        };
        out.sweep(&report, args.alive, args.quiet)?;
        // fping's exit codes: 0 when every address answered, 1 when some did not.
        Ok(if stopped && !ran_out.load(Ordering::Relaxed) {
            Outcome::Interrupted
        } else if report.up() == addresses.len() {
            Outcome::Success
        } else {
            Outcome::Negative
        })
    })
}

/// Every address of every target, in the order given: a block's and a range's (lazily,
/// each at most a /16), a name's first.
async fn addresses(args: &PingArgs) -> Result<Vec<IpAddr>, Error> {
    let family = Family::from_flags(args.ipv4, args.ipv6);
    let mut all = Vec::new();
    for target in &args.hosts {
        match (target, target.addresses()) {
            (_, Some(each)) => all.extend(each),
            (ScanTarget::Host(host), None) => {
                let every = resolve_all_scoped(host, family).await?;
                all.extend(every.first().map(|a| a.ip()));
            }
            _ => {}
        }
    }
    Ok(all)
}
