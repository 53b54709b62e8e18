//! `netkit trace`: the path to a host, hop by hop. Probes for many TTLs are out at once (up
//! to WINDOW probes, as traceroute's -N), so a path of ten hops takes about one --wait, not
//! ten; the lines still come in hop order. UDP and TCP probes need no
//! privilege (net::probe); ICMP ones use ping's socket (net::icmp).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::cli::TraceArgs;
use crate::error::{Error, Outcome, Privilege};
use crate::net::icmp::{Arrival, IcmpSocket, Kind};
use crate::net::probe::{self, Hit};
use crate::net::resolve::{Family, resolve};
use crate::output::Output;
use crate::output::trace::{Hop, Probe, TraceReport, inside_a_lab, what_it_is};
use crate::packet::icmp::{self, IcmpError, Message, Reason};

/// Most probes out at once (traceroute's -N is 16); a hop's probes always go out together.
const WINDOW: usize = 16;
/// How long a reverse lookup may take, per hop.
const NAME_WAIT: Duration = Duration::from_millis(1500);

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
    let runtime = crate::net::runtime(1)?;
    runtime.block_on(trace(args, out))
}

async fn trace(args: &TraceArgs, out: &mut Output) -> Result<Outcome, Error> {
    let addr = resolve(&args.host, Family::from_flags(args.ipv4, args.ipv6)).await?;
    let method = match (args.tcp, args.icmp) {
        (Some(port), _) => Method::Tcp(port),
        (None, true) => Method::Icmp,
        (None, false) => Method::Udp(args.port),
    };
    let start = TraceReport {
        target: args.host.given().to_string(),
        address: addr,
        protocol: method.name(),
        max_hops: args.max_hops,
        hops: Vec::new(),
        reached: false,
    };
    out.trace_start(&start)?;
    let (updates, arrivals) = mpsc::unbounded_channel();
    let probes = async move {
        match method {
            Method::Icmp => icmp_probes(addr, args, updates).await,
            Method::Udp(_) | Method::Tcp(_) => socket_probes(addr, method, args, updates).await,
        }
    };
    let (probed, shown) = tokio::join!(probes, show(args, arrivals, out));
    probed?;
    let hops = shown?;
    let reached = hops
        .last()
        .is_some_and(|h| h.probes.iter().any(|p| p.address == Some(addr)));
    out.trace_end(&TraceReport {
        hops,
        reached,
        ..start
    })?;
    Ok(if reached {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// The answers so far: (ttl, probe) -> what came back (None: nothing in time).
type Hits = BTreeMap<(u32, u32), Option<Hit>>;
/// Each hop as soon as it is complete, from the probes to the printer.
type Updates = mpsc::UnboundedSender<Hop>;

/// A hit that ends the path: the destination answered, or an unreachable (no point going on).
fn ends_the_path(addr: IpAddr, hit: &Hit) -> bool {
    hit.from == addr || matches!(hit.error, Some(IcmpError::Unreachable(_)))
}

/// Whether another hop's probes may go out with `out` probes still waiting.
fn room(out: usize, queries: u32) -> bool {
    out == 0 || out + queries as usize <= WINDOW
}

/// UDP or TCP probes, each on a socket of its own, many TTLs at once.
async fn socket_probes(
    addr: IpAddr,
    method: Method,
    args: &TraceArgs,
    updates: Updates,
) -> Result<(), Error> {
    let mut path = Path::new(addr, args, updates);
    let mut running = JoinSet::new();
    let mut next_ttl = 1u32;
    loop {
        while next_ttl <= args.max_hops && room(running.len(), args.queries) {
            for q in 0..args.queries {
                let wait = args.wait;
                let (ttl, index) = (next_ttl, (next_ttl - 1) * args.queries + q);
                running.spawn(async move {
                    let hit = match method {
                        Method::Udp(port) => {
                            let port = port.wrapping_add(index as u16);
                            probe::udp(SocketAddr::new(addr, port), ttl, wait).await
                        }
                        Method::Tcp(port) => {
                            probe::tcp(SocketAddr::new(addr, port), ttl, wait).await
                        }
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
            what: format!("{addr} with a TTL-{ttl} probe"),
            source,
        })?;
        path.answer((ttl, q), hit);
        if path.done() {
            break;
        }
    }
    Ok(())
}

/// ICMP echo probes on one socket: its TTL set before each send; answers matched by sequence
/// number (the echo reply's, or the one quoted in a time exceeded).
async fn icmp_probes(addr: IpAddr, args: &TraceArgs, updates: Updates) -> Result<(), Error> {
    let mut path = Path::new(addr, args, updates);
    let v6 = addr.is_ipv6();
    let socket = IcmpSocket::open(v6, Kind::Auto, None).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => Error::Permission(Privilege::IcmpSocket { v6 }),
        _ => Error::Kernel {
            what: "open an ICMP socket",
            source: e,
        },
    })?;
    let fail = |source| Error::Connect {
        what: format!("{addr} with ICMP probes"),
        source,
    };
    let ident = (std::process::id() as u16) ^ 0x7472;
    let mut sent: BTreeMap<u16, (u32, u32, Instant)> = BTreeMap::new();
    let mut buf = vec![0u8; 65_536];
    let data = [0u8; 32];
    let mut next_ttl = 1u32;
    let mut last_send = Instant::now();
    loop {
        let mut out = sent.values().filter(|(t, q, _)| !path.has(*t, *q)).count();
        while next_ttl <= args.max_hops && room(out, args.queries) {
            socket.set_ttl(next_ttl).map_err(fail)?;
            for q in 0..args.queries {
                let seq = ((next_ttl - 1) * args.queries + q) as u16;
                let packet = icmp::echo_request(v6, ident, seq, &data);
                socket.send(addr, &packet).await.map_err(fail)?;
                last_send = Instant::now();
                sent.insert(seq, (next_ttl, q, last_send));
                out += 1;
            }
            next_ttl += 1;
        }
        // Probes past their wait count as unanswered.
        let now = Instant::now();
        for &(ttl, q, at) in sent.values() {
            if now.duration_since(at) >= args.wait {
                path.answer((ttl, q), None);
            }
        }
        if path.done() {
            break;
        }
        let oldest = sent
            .values()
            .filter(|(t, q, _)| !path.has(*t, *q))
            .map(|(_, _, at)| *at)
            .min()
            .unwrap_or(last_send);
        let until = oldest + args.wait;
        let got =
            tokio::time::timeout(until.saturating_duration_since(now), socket.recv(&mut buf)).await;
        let Ok(got) = got else { continue };
        let Some(arrival) = got.ok().flatten() else {
            continue;
        };
        let answer = match arrival {
            Arrival::Message { from, icmp, .. } => match icmp::parse(v6, &icmp) {
                Some(Message::EchoReply { ident: id, seq, .. })
                    if from == addr && (id == ident || !socket.is_raw()) =>
                {
                    Some((seq, from, None))
                }
                Some(Message::Error { error, quoted }) if quoted.destination == addr => quoted
                    .echo_request()
                    .filter(|&(id, _)| id == ident || !socket.is_raw())
                    .map(|(_, seq)| (seq, from, Some(error))),
                _ => None,
            },
            Arrival::Error {
                from,
                to,
                error,
                request,
            } if to == addr => request.get(6..8).map(|b| {
                (
                    u16::from_be_bytes([b[0], b[1]]),
                    from.unwrap_or(to),
                    Some(error),
                )
            }),
            Arrival::Error { .. } => None,
        };
        if let Some((seq, from, error)) = answer
            && let Some(&(ttl, q, at)) = sent.get(&seq)
            && !path.has(ttl, q)
        {
            let rtt = at.elapsed();
            path.answer((ttl, q), Some(Hit { from, rtt, error }));
            if path.done() {
                break;
            }
        }
    }
    Ok(())
}

/// traceroute's mark for an unreachable: !H, !N, !P, !X.
fn mark(addr: IpAddr, hit: &Hit) -> Option<&'static str> {
    let Some(IcmpError::Unreachable(u)) = hit.error else {
        return None;
    };
    Some(match u.reason() {
        // The destination's own port unreachable is the answer a UDP trace waits for.
        Reason::PortUnreach if hit.from == addr => return None,
        Reason::PortUnreach => "!",
        Reason::HostUnreach => "!H",
        Reason::NetUnreach => "!N",
        Reason::ProtoUnreach => "!P",
        Reason::AdminProhibited | Reason::NetProhibited | Reason::HostProhibited => "!X",
        Reason::DestUnreach => "!",
    })
}

/// Prints the hops in order as they complete (each once its names are looked up, at most
/// NAME_WAIT), while the probes are still out; returns them all when the probes are done.
async fn show(
    args: &TraceArgs,
    mut arrivals: mpsc::UnboundedReceiver<Hop>,
    out: &mut Output,
) -> Result<Vec<Hop>, Error> {
    let mut hops: Vec<Hop> = Vec::new();
    let mut lookups = JoinSet::new();
    let mut asked: HashSet<IpAddr> = HashSet::new();
    let mut pending: HashSet<IpAddr> = HashSet::new();
    let mut names: HashMap<IpAddr, String> = HashMap::new();
    let mut shown = 0;
    let mut open = true;
    while open || !lookups.is_empty() {
        tokio::select! {
            arrival = arrivals.recv(), if open => match arrival {
                Some(hop) => hops.push(hop),
                None => open = false,
            },
            Some(joined) = lookups.join_next(), if !lookups.is_empty() => {
                if let Ok((a, name)) = joined {
                    pending.remove(&a);
                    if let Some(name) = name {
                        names.insert(a, name);
                    }
                }
            }
        }
        if !args.numeric {
            for hop in &hops[shown..] {
                for a in hop.probes.iter().filter_map(|p| p.address) {
                    if asked.insert(a) {
                        pending.insert(a);
                        lookups.spawn(reverse_lookup(a));
                    }
                }
            }
        }
        while let Some(hop) = hops.get_mut(shown) {
            let waiting = hop
                .probes
                .iter()
                .filter_map(|p| p.address)
                .any(|a| pending.contains(&a));
            if waiting {
                break;
            }
            name_hop(hop, &names);
            out.trace_hop(hop)?;
            shown += 1;
        }
    }
    // Only a failed lookup task leaves a hop unshown here.
    for hop in hops.iter_mut().skip(shown) {
        name_hop(hop, &names);
        out.trace_hop(hop)?;
    }
    Ok(hops)
}

/// The answers so far, turned into hops in order as each completes; every finished hop goes
/// to the printer.
struct Path<'a> {
    addr: IpAddr,
    args: &'a TraceArgs,
    hits: Hits,
    /// The TTL of the next hop to finish.
    next: u32,
    /// The path has left private space (for the marker).
    left_private: bool,
    /// A hop ended the path (the destination, or an unreachable).
    ended: bool,
    hops: Updates,
}

impl<'a> Path<'a> {
    fn new(addr: IpAddr, args: &'a TraceArgs, hops: Updates) -> Path<'a> {
        Path {
            addr,
            args,
            hits: Hits::new(),
            next: 1,
            left_private: false,
            ended: false,
            hops,
        }
    }

    /// Whether probe `q` of `ttl` has its answer (or its time is up).
    fn has(&self, ttl: u32, q: u32) -> bool {
        self.hits.contains_key(&(ttl, q))
    }

    /// Records a probe's answer (the first one counts), then sends the hops it completes.
    fn answer(&mut self, key: (u32, u32), hit: Option<Hit>) {
        self.hits.entry(key).or_insert(hit);
        self.build(false);
    }

    /// The probes are over: the partly answered hops go too (a probe task that failed).
    fn finish(&mut self) {
        self.build(true);
    }

    /// Whether nothing more is to be learnt: the path ended, or every hop is in.
    fn done(&self) -> bool {
        self.ended || self.next > self.args.max_hops
    }

    /// Sends every hop whose probes all have their answer; `finished`: also the partly
    /// answered ones, up to the first TTL never probed.
    fn build(&mut self, finished: bool) {
        let queries = self.args.queries;
        while !self.done() {
            let ttl = self.next;
            let complete = (0..queries).all(|q| self.has(ttl, q));
            let probed = (0..queries).any(|q| self.has(ttl, q));
            if !(complete || finished && probed) {
                return;
            }
            let answers: Vec<Option<Hit>> = (0..queries)
                .map(|q| self.hits.get(&(ttl, q)).copied().flatten())
                .collect();
            let first = answers.iter().flatten().next().map(|h| h.from);
            let leaves_private = match first {
                Some(a) if !self.left_private && !inside_a_lab(a) => {
                    self.left_private = true;
                    ttl > 1
                }
                _ => false,
            };
            self.ended = answers
                .iter()
                .flatten()
                .any(|h| ends_the_path(self.addr, h));
            self.next += 1;
            let _ = self.hops.send(Hop {
                ttl,
                probes: answers
                    .iter()
                    .map(|h| Probe {
                        address: h.map(|h| h.from),
                        rtt_ms: h.map(|h| h.rtt.as_secs_f64() * 1000.0),
                        mark: h.and_then(|h| mark(self.addr, &h)),
                    })
                    .collect(),
                classification: first.map(what_it_is),
                leaves_private,
                names: Vec::new(),
            });
        }
    }
}

/// A reverse lookup of one hop address, bounded by NAME_WAIT; None for no name.
async fn reverse_lookup(a: IpAddr) -> (IpAddr, Option<String>) {
    let name = tokio::time::timeout(
        NAME_WAIT,
        tokio::task::spawn_blocking(move || dns_lookup::lookup_addr(&a)),
    )
    .await;
    let name = name.ok().and_then(Result::ok).and_then(Result::ok);
    (a, name.filter(|n| *n != a.to_string()))
}

/// Puts the names found for a hop's addresses on it.
fn name_hop(hop: &mut Hop, names: &HashMap<IpAddr, String>) {
    hop.names.clear();
    let mut seen: Vec<IpAddr> = Vec::new();
    for a in hop.probes.iter().filter_map(|p| p.address) {
        if !seen.contains(&a) {
            seen.push(a);
            if let Some(name) = names.get(&a) {
                hop.names.push((a, name.clone()));
            }
        }
    }
}
