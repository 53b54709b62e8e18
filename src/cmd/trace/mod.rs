//! `netkit trace`: the path to a host, hop by hop. Probes for many TTLs are out at once (up
//! to WINDOW probes, as traceroute's -N), so a path of ten hops takes about one --wait, not
//! ten; the lines still come in hop order. UDP and TCP probes need no privilege
//! (net::probe::ttl); ICMP ones use the echo socket (net::icmp, `icmp.rs`). `path.rs` turns
//! answers into hops, `names.rs` prints them with their names; `rounds.rs` is --rounds, every
//! hop probed once a round and the report with its verdict.

mod icmp;
mod names;
mod path;
mod rounds;

use std::net::SocketAddr;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::cli::TraceArgs;
use crate::error::{Error, Outcome, interval_refusal};
use crate::net::probe::ttl;
use crate::net::resolve::{Family, resolve_all_scoped};
use crate::output::Output;
use crate::output::trace::TraceReport;
use path::{Path, Updates};

/// Most probes out at once (traceroute's -N is 16); a hop's probes always go out together.
const WINDOW: usize = 16;

/// How the probes go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Udp(u16),
    Tcp(u16),
    Icmp,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Udp(_) => "udp",
            Method::Tcp(_) => "tcp",
            Method::Icmp => "icmp",
        }
    }
}

pub fn run(args: &TraceArgs, out: &mut Output) -> Result<Outcome, Error> {
    if args.rounds.is_some()
        && let Some(refused) = interval_refusal(args.interval, crate::net::privileged())
    {
        return Err(Error::Permission(refused));
    }
    let runtime = crate::net::runtime(1)?;
    runtime.block_on(trace(args, out))
}

async fn trace(args: &TraceArgs, out: &mut Output) -> Result<Outcome, Error> {
    let mut stop = crate::net::stop::stop();
    let family = Family::from_flags(args.ipv4, args.ipv6);
    // With the scope of a %zone: a link-local address is sent to on its interface. A name's
    // first address is traced, as traceroute traces it; the others are named.
    let every = tokio::select! {
        every = resolve_all_scoped(&args.host, family) => every?,
        _ = &mut stop => return Ok(Outcome::Interrupted),
    };
    let to = every[0];
    let addr = to.ip();
    let method = match (args.tcp, args.icmp) {
        (Some(port), _) => Method::Tcp(port),
        (None, true) => Method::Icmp,
        (None, false) => Method::Udp(args.port),
    };
    if args.rounds.is_some() {
        let target = args.host.given().to_string();
        return rounds::measure(args, to, method, target, out, &mut stop).await;
    }
    let start = TraceReport {
        target: args.host.given().to_string(),
        address: addr,
        other_addresses: every[1..].iter().map(SocketAddr::ip).collect(),
        protocol: method.name(),
        max_hops: args.max_hops,
        hops: Vec::new(),
        reached: false,
    };
    out.trace_start(&start)?;
    let (updates, arrivals) = mpsc::unbounded_channel();
    // Ctrl-C ends the probes; the hops already complete are still printed.
    let probes = async move {
        let probing = async {
            match method {
                Method::Icmp => icmp::probes(to, args, updates).await,
                Method::Udp(_) | Method::Tcp(_) => socket_probes(to, method, args, updates).await,
            }
        };
        tokio::select! {
            probed = probing => probed.map(|()| false),
            _ = &mut stop => Ok(true),
        }
    };
    let (probed, shown) = tokio::join!(probes, names::show(args.numeric, arrivals, out));
    let interrupted = probed?;
    let hops = shown?;
    let reached = hops
        .last()
        .is_some_and(|h| h.probes.iter().any(|p| p.address == Some(addr)));
    out.trace_end(&TraceReport {
        hops,
        reached,
        ..start
    })?;
    Ok(match (interrupted, reached) {
        (true, _) => Outcome::Interrupted,
        (false, true) => Outcome::Success,
        (false, false) => Outcome::Negative,
    })
}

/// Whether another hop's probes may go out with `out` probes still waiting.
fn room(out: usize, queries: u32) -> bool {
    out == 0 || out + queries as usize <= WINDOW
}

/// UDP or TCP probes, each on a socket of its own, many TTLs at once.
async fn socket_probes(
    to: SocketAddr,
    method: Method,
    args: &TraceArgs,
    updates: Updates,
) -> Result<(), Error> {
    let mut path = Path::new(to.ip(), args, updates);
    // `to` with a port, its scope kept.
    let at = move |port| {
        let mut at = to;
        at.set_port(port);
        at
    };
    let mut running = JoinSet::new();
    let mut next_ttl = 1u32;
    loop {
        while next_ttl <= args.max_hops && room(running.len(), args.queries) {
            for q in 0..args.queries {
                let (wait, ttl, index) = (args.wait, next_ttl, (next_ttl - 1) * args.queries + q);
                running.spawn(async move {
                    let hit = match method {
                        Method::Udp(port) => {
                            let port = port.wrapping_add(index as u16);
                            ttl::udp(at(port), ttl, wait).await
                        }
                        Method::Tcp(port) => ttl::tcp(at(port), ttl, wait).await,
                        Method::Icmp => Ok(None),
                    };
                    (ttl, q, hit)
                });
            }
            next_ttl += 1;
        }
        let Some(joined) = running.join_next().await else {
            path.finish();
            break;
        };
        let Ok((ttl, q, hit)) = joined else { continue };
        let hit = hit.map_err(|source| Error::Connect {
            what: format!("{} with a TTL-{ttl} probe", to.ip()),
            source,
        })?;
        path.answer((ttl, q), hit);
        if path.done() {
            break;
        }
    }
    Ok(())
}
