//! `netkit scan`: TCP connect scans (no privilege needed), UDP scans, and half-open SYN scans
//! with raw packets. Exact before fast: a port that stays silent is tried again before it is
//! called filtered, a connection to itself is not an open port, and running out of file
//! descriptors delays a probe instead of misreporting it.

mod syn;
mod tcp;
mod udp;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ipnet::IpNet;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::addr::host::ScanTarget;
use crate::cli::ScanArgs;
use crate::error::{Error, Outcome};
use crate::net::resolve::{Family, resolve_scoped};
use crate::net::services::{self, Source};
use crate::output::Output;
use crate::output::progress::Progress;
use crate::output::scan::{Counts, PortResult, ScanReport, TargetScan};
use crate::ports::{PortSet, PortState, Protocol, Services};

/// Descriptors kept free for everything that is not a probe.
const FD_RESERVE: u64 = 64;
/// Most lanes (worker threads) a sweep runs in. A lane per core keeps each core's kernel
/// work busy; past a handful the lanes only contend for the same loopback.
const MAX_LANES: usize = 8;
/// Most probes in flight by default.
const DEFAULT_CONCURRENCY: u64 = 4096;
/// The shortest wait for an answer, however fast the target answered before.
const MIN_WAIT: Duration = Duration::from_millis(100);

/// How the ports are probed; a SYN scan holds its raw sockets.
enum Method {
    Connect,
    Syn(syn::RawSockets),
    Udp,
}

impl Method {
    fn protocol(&self) -> Protocol {
        match self {
            Method::Connect | Method::Syn(_) => Protocol::Tcp,
            Method::Udp => Protocol::Udp,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Method::Connect => "connect",
            Method::Syn(_) => "syn",
            Method::Udp => "udp",
        }
    }
}

/// What the engines share: how many probes may be out at once, the longest wait, and how
/// many lanes (one per worker thread of the runtime) a sweep is dealt over.
struct Settings {
    concurrency: usize,
    max_wait: Duration,
    lanes: usize,
}

/// What one port answered.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    state: PortState,
    /// nmap's --reason words: syn-ack, conn-refused, reset, no-response, port-unreach, ...
    reason: &'static str,
    rtt: Option<Duration>,
}

impl Verdict {
    fn new(state: PortState, reason: &'static str, rtt: Option<Duration>) -> Verdict {
        Verdict { state, reason, rtt }
    }
}

/// The answers so far. It lives outside the engine's future, so Ctrl-C (which drops that
/// future) keeps everything found up to then.
struct Found<'a> {
    answers: Vec<(u16, Verdict)>,
    progress: &'a mut Progress,
}

impl Found<'_> {
    fn record(&mut self, port: u16, verdict: Verdict) {
        self.answers.push((port, verdict));
        self.progress.advance(1);
    }
}

/// A target as given: one address (with the scope of its %zone), or the hosts of a block
/// (iterated lazily).
enum Target {
    Addr(String, SocketAddr),
    Net(String, IpNet),
}

impl Target {
    fn given(&self) -> &str {
        match self {
            Target::Addr(g, _) | Target::Net(g, _) => g,
        }
    }

    /// Each host as a socket address, port 0 (the sweep sets the port, keeping the scope).
    fn hosts(&self) -> Box<dyn Iterator<Item = SocketAddr> + '_> {
        match self {
            Target::Addr(_, a) => Box::new(std::iter::once(*a)),
            Target::Net(_, net) => Box::new(net.hosts().map(|h| SocketAddr::new(h, 0))),
        }
    }
}

pub fn run(args: &ScanArgs, out: &mut Output) -> Result<Outcome, Error> {
    let services = services::load(Source::System)?;
    let ports = PortSet::parse(&args.ports, &services).map_err(|e| Error::BadValue {
        option: "--ports",
        value: args.ports.clone(),
        reason: e.to_string(),
    })?;
    let ports: Vec<u16> = ports.iter().collect();
    let budget = crate::net::descriptor_budget(FD_RESERVE);
    let settings = Settings {
        concurrency: args
            .concurrency
            .unwrap_or(DEFAULT_CONCURRENCY)
            .min(budget)
            .max(1) as usize,
        max_wait: args.timeout,
        lanes: crate::net::cores(MAX_LANES),
    };
    let runtime = crate::net::runtime(settings.lanes)?;
    runtime.block_on(async {
        let mut targets = Vec::with_capacity(args.targets.len());
        for given in &args.targets {
            targets.push(target(given).await?);
        }
        // A SYN scan without the privilege stops here, before anything is sent.
        let method = if args.syn {
            Method::Syn(syn::RawSockets::open(&targets, settings.lanes)?)
        } else if args.udp {
            Method::Udp
        } else {
            Method::Connect
        };
        let hosts: u64 = targets
            .iter()
            .map(|t| t.hosts().take(1 << 20).count() as u64)
            .sum();
        let mut progress = out.progress(hosts.saturating_mul(ports.len() as u64), "ports");
        let mut scans = Vec::new();
        let mut interrupted = false;
        'targets: for t in &targets {
            for host in t.hosts() {
                let started = Instant::now();
                let mut found = Found {
                    answers: Vec::with_capacity(ports.len()),
                    progress: &mut progress,
                };
                let engine = async {
                    match &method {
                        Method::Connect => tcp::scan(host, &ports, &settings, &mut found).await,
                        Method::Udp => udp::scan(host, &ports, &settings, &mut found).await,
                        Method::Syn(raw) => {
                            syn::scan(raw, host.ip(), &ports, &settings, &mut found).await
                        }
                    }
                };
                tokio::select! {
                    done = engine => done?,
                    _ = tokio::signal::ctrl_c() => interrupted = true,
                }
                let mut scan = report(
                    t.given(),
                    host.ip(),
                    &method,
                    found.answers,
                    started.elapsed(),
                    interrupted,
                    &services,
                );
                // As nmap's --open: ports that are, or may be, open (counts stay whole).
                if args.open {
                    scan.ports.retain(|p| p.state.may_be_open());
                }
                scans.push(scan);
                if interrupted {
                    break 'targets;
                }
            }
        }
        progress.finish();
        out.scans(&ScanReport { scans })?;
        Ok(if interrupted {
            Outcome::Interrupted
        } else {
            Outcome::Success
        })
    })
}

/// One host's answers as a report: counts, and every port that is not closed, in port order.
fn report(
    given: &str,
    address: IpAddr,
    method: &Method,
    mut answers: Vec<(u16, Verdict)>,
    elapsed: Duration,
    interrupted: bool,
    services: &Services,
) -> TargetScan {
    answers.sort_by_key(|(port, _)| *port);
    let mut counts = Counts::default();
    let mut listed = Vec::new();
    for (port, v) in &answers {
        match v.state {
            PortState::Open => counts.open += 1,
            PortState::Closed => counts.closed += 1,
            PortState::Filtered => counts.filtered += 1,
            PortState::OpenFiltered => counts.open_filtered += 1,
        }
        if v.state != PortState::Closed {
            listed.push(PortResult {
                port: *port,
                state: v.state,
                reason: v.reason,
                service: services
                    .names(*port, method.protocol())
                    .first()
                    .map(|s| s.name.clone()),
                rtt_ms: v.rtt.map(|r| r.as_secs_f64() * 1000.0),
            });
        }
    }
    TargetScan {
        target: given.to_string(),
        address,
        protocol: method.protocol(),
        method: method.name(),
        ports_scanned: answers.len(),
        elapsed_ms: elapsed.as_millis() as u64,
        counts,
        ports: listed,
        interrupted,
    }
}

/// A block as it is, or a host's address (a name resolved once).
async fn target(given: &ScanTarget) -> Result<Target, Error> {
    Ok(match given {
        ScanTarget::Net { given, net } => Target::Net(given.clone(), *net),
        ScanTarget::Host(host) => Target::Addr(
            host.given().to_string(),
            resolve_scoped(host, Family::Any).await?,
        ),
    })
}

/// How long to wait now: four times the smoothed RTT seen so far, at least MIN_WAIT and at
/// most `max` (nmap adapts its timeout to the target the same way). Lock-free: thousands of
/// probes on every worker read and update it, and a lock would make them wait on each other.
struct Pace {
    /// The smoothed RTT in seconds, as f64 bits; NO_SAMPLE before the first answer.
    srtt: AtomicU64,
    max: Duration,
}

const NO_SAMPLE: u64 = u64::MAX;

impl Pace {
    fn new(max: Duration) -> Pace {
        Pace {
            srtt: AtomicU64::new(NO_SAMPLE),
            max,
        }
    }

    fn wait(&self) -> Duration {
        match self.srtt.load(Ordering::Relaxed) {
            NO_SAMPLE => self.max,
            // Not clamp(): with --timeout below MIN_WAIT, --timeout wins.
            bits => Duration::from_secs_f64(f64::from_bits(bits) * 4.0)
                .max(MIN_WAIT)
                .min(self.max),
        }
    }

    fn saw(&self, rtt: Duration) {
        let r = rtt.as_secs_f64();
        let _ = self
            .srtt
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some(match bits {
                    NO_SAMPLE => r.to_bits(),
                    s => (0.875 * f64::from_bits(s) + 0.125 * r).to_bits(),
                })
            });
    }
}

/// A Pace shared by concurrent probes.
type SharedPace = Arc<Pace>;

/// Waits for `answer` as long as the pace allows, counted from `began`. The wait is looked up
/// again as answers come in: probes sent before the first RTT was known (when the wait is
/// the longest) do not hold the scan for the whole --timeout once the target proved fast.
async fn within<F: Future>(pace: &SharedPace, began: Instant, answer: F) -> Option<F::Output> {
    tokio::pin!(answer);
    loop {
        let left = pace.wait().saturating_sub(began.elapsed());
        if left.is_zero() {
            return None;
        }
        tokio::select! {
            done = &mut answer => return Some(done),
            _ = tokio::time::sleep(left.min(RECHECK)) => {}
        }
    }
}

/// How often a waiting probe looks at the pace again.
const RECHECK: Duration = Duration::from_millis(50);

/// How a probe began: answered at once (a nearby host often decides a connect before
/// connect() returns), or a wait for its answer.
enum Started<A, F> {
    Done(A),
    Waiting(F),
}

/// Probes a lane starts in a row while permits are free, before it yields (so the answers
/// flow to the caller and Ctrl-C is heard).
const RUN: usize = 256;

/// Runs `probe` on every port of `target`, at most `settings.concurrency` at a time and, with
/// `gap`, starting one per gap (the first after one gap); hands each port's answer to `done`
/// as it comes.
///
/// The ports are dealt to one lane task per worker of the runtime, each with its share of the
/// concurrency, and the answers come back in batches of what is ready. A probe answered as
/// it starts costs no task; one that must wait gets a task, spawned and joined on the same
/// worker, so the threads seldom wake each other (one spawning loop on the calling thread
/// would wake another thread for every probe). Paced sweeps keep one lane, so the gap holds
/// for the whole sweep.
async fn sweep<P, F, A>(
    target: SocketAddr,
    ports: Vec<u16>,
    settings: &Settings,
    gap: Option<Duration>,
    probe: P,
    pace: &SharedPace,
    mut done: impl FnMut(u16, A),
) where
    P: Fn(SocketAddr, SharedPace) -> Started<A, F> + Copy + Send + Sync + 'static,
    F: Future<Output = A> + Send + 'static,
    A: Send + 'static,
{
    // Not more lanes than --concurrency: each lane keeps at least one probe out.
    let lanes = if gap.is_some() || ports.len() < 2 * settings.lanes {
        1
    } else {
        settings.lanes.min(settings.concurrency.max(1))
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<(u16, A)>>();
    // Dropped with this future (Ctrl-C): the lanes, and their probes, are aborted.
    let mut running = JoinSet::new();
    for lane in 0..lanes {
        let mine: Vec<u16> = ports.iter().skip(lane).step_by(lanes).copied().collect();
        let share = (settings.concurrency / lanes).max(1);
        let pace = Arc::clone(pace);
        let lane_probe = move |port| {
            // The target's scope (a %zone) stays with every port.
            let mut at = target;
            at.set_port(port);
            probe(at, Arc::clone(&pace))
        };
        running.spawn(lane_sweep(mine, share, gap, lane_probe, tx.clone()));
    }
    drop(tx);
    while let Some(batch) = rx.recv().await {
        for (port, answer) in batch {
            done(port, answer);
        }
    }
}

/// One lane of a sweep: its ports, at most `concurrency` probes in flight.
async fn lane_sweep<P, F, A>(
    ports: Vec<u16>,
    concurrency: usize,
    gap: Option<Duration>,
    probe: P,
    answers: tokio::sync::mpsc::UnboundedSender<Vec<(u16, A)>>,
) where
    P: Fn(u16) -> Started<A, F>,
    F: Future<Output = A> + Send + 'static,
    A: Send + 'static,
{
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut set = JoinSet::new();
    let mut queue = ports.into_iter();
    let mut ready = Vec::new();
    // The first start, too, waits one gap: a paced round gives the target's rate limit a
    // full gap to refill before its first probe.
    let mut ticker = gap.map(|g| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + g, g);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    let start = |port, permit, set: &mut JoinSet<_>, ready: &mut Vec<_>| match probe(port) {
        // The permit goes back at once: the probe holds no descriptor any more.
        Started::Done(answer) => ready.push((port, answer)),
        Started::Waiting(answer) => {
            set.spawn(async move {
                let a = answer.await;
                drop(permit);
                (port, a)
            });
        }
    };
    while queue.len() > 0 || !set.is_empty() {
        // Unpaced, probes start in runs while permits are free, without waiting on anything.
        if ticker.is_none() && queue.len() > 0 {
            let mut started = 0;
            while started < RUN {
                let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
                    break;
                };
                let Some(port) = queue.next() else { break };
                start(port, permit, &mut set, &mut ready);
                started += 1;
            }
            if !ready.is_empty() && answers.send(std::mem::take(&mut ready)).is_err() {
                return;
            }
            if started == RUN {
                tokio::task::yield_now().await;
                continue;
            }
        }
        tokio::select! {
            permit = Arc::clone(&permits).acquire_owned(), if queue.len() > 0 => {
                let Ok(permit) = permit else { break };
                if let Some(t) = &mut ticker {
                    t.tick().await;
                }
                let Some(port) = queue.next() else { continue };
                start(port, permit, &mut set, &mut ready);
                if !ready.is_empty() && answers.send(std::mem::take(&mut ready)).is_err() {
                    return;
                }
            }
            Some(joined) = set.join_next(), if !set.is_empty() => {
                // This answer and every other one ready now, as one batch.
                let mut batch: Vec<(u16, A)> = joined.into_iter().collect();
                while let Some(more) = set.try_join_next() {
                    batch.extend(more);
                }
                if answers.send(batch).is_err() {
                    return;
                }
            }
            // Every probe of the run was answered as it started, and none is left.
            else => break,
        }
    }
}

/// The next backoff after a busy error: doubling from 5 ms, at most half a second.
fn back_off(now: Duration) -> Duration {
    (now * 2).min(Duration::from_millis(500))
}

/// The first backoff.
const FIRST_BACKOFF: Duration = Duration::from_millis(5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_follows_the_rtt_within_bounds() {
        let pace = Pace::new(Duration::from_secs(1));
        assert_eq!(
            pace.wait(),
            Duration::from_secs(1),
            "no sample yet: the longest wait"
        );
        pace.saw(Duration::from_micros(50));
        assert_eq!(pace.wait(), MIN_WAIT, "a fast target: the floor");
        for _ in 0..50 {
            pace.saw(Duration::from_millis(100));
        }
        let w = pace.wait();
        assert!(
            w > Duration::from_millis(350) && w <= Duration::from_millis(400),
            "{w:?}"
        );
        for _ in 0..50 {
            pace.saw(Duration::from_secs(2));
        }
        assert_eq!(pace.wait(), Duration::from_secs(1), "capped by --timeout");
        let short = Pace::new(Duration::from_millis(1));
        short.saw(Duration::from_micros(50));
        assert_eq!(
            short.wait(),
            Duration::from_millis(1),
            "a --timeout below the floor is kept"
        );
    }

    #[test]
    fn backoff_doubles_up_to_half_a_second() {
        let mut b = FIRST_BACKOFF;
        let mut seen = vec![b];
        for _ in 0..10 {
            b = back_off(b);
            seen.push(b);
        }
        assert_eq!(seen[1], Duration::from_millis(10));
        assert_eq!(*seen.last().unwrap_or(&b), Duration::from_millis(500));
    }
}
