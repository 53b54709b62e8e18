//! `netkit scan`: TCP connect scans (no privilege needed), UDP scans, and half-open SYN scans
//! with raw packets. Exact before fast: a port that stays silent is tried again before it is
//! called filtered, a connection to itself is not an open port, and running out of file
//! descriptors delays a probe instead of misreporting it. One stop (Ctrl-C or SIGTERM) is armed
//! before the first wait and heard on every host: the hosts scanned are reported, the one cut
//! short with what it found, and the exit is 130.

mod many;
mod syn;
mod tcp;
mod udp;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ipnet::IpNet;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::addr::host::ScanTarget;
use crate::cli::ScanArgs;
use crate::error::{Error, Outcome};
use crate::net::resolve::{Family, resolve_all_scoped};
use crate::net::services::{self, Source};
use crate::net::stop::{self, Stop};
use crate::output::Output;
use crate::output::progress::Progress;
use crate::output::scan::{Counts, PortResult, ScanReport, TargetScan, TriedAddress};
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
#[derive(Debug, Clone, Copy)]
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

/// One host's answers so far, shared with whoever reports them: the stop drops the engine's
/// future (or aborts a host's task), and everything found up to then stays here.
type Answers = Arc<Mutex<Vec<(u16, Verdict)>>>;

/// Takes the answers out (a poisoned lock still holds them: a panic elsewhere changes nothing
/// of what was found).
fn take_answers(answers: &Answers) -> Vec<(u16, Verdict)> {
    std::mem::take(&mut *answers.lock().unwrap_or_else(PoisonError::into_inner))
}

/// Where an engine puts each port's answer as it comes; the progress bar of a one-host scan.
struct Found<'a> {
    answers: Answers,
    progress: Option<&'a mut Progress>,
}

impl Found<'_> {
    fn record(&mut self, port: u16, verdict: Verdict) {
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((port, verdict));
        if let Some(progress) = &mut self.progress {
            progress.advance(1);
        }
    }
}

/// A target as given: a host (an address with the scope of its %zone, or every address of a
/// name in the resolver's order), or the hosts of a block (iterated lazily).
enum Target {
    Addr {
        given: String,
        /// Never empty; the first is the one scanned unless `Scan::name` moves on.
        every: Vec<SocketAddr>,
    },
    Net(String, IpNet),
    Range(String, crate::addr::host::AddrRange),
}

impl Target {
    fn given(&self) -> &str {
        match self {
            Target::Addr { given, .. } | Target::Net(given, _) | Target::Range(given, _) => given,
        }
    }

    /// Each host as a socket address, port 0 (the sweep sets the port, keeping the scope): a
    /// name's first address.
    fn hosts(&self) -> Box<dyn Iterator<Item = SocketAddr> + '_> {
        match self {
            Target::Addr { every, .. } => Box::new(every.iter().take(1).copied()),
            Target::Net(_, net) => Box::new(net.hosts().map(|h| SocketAddr::new(h, 0))),
            Target::Range(_, range) => Box::new(range.iter().map(|h| SocketAddr::new(h, 0))),
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
    let settings = Settings::of(args);
    let runtime = crate::net::runtime(settings.lanes)?;
    runtime.block_on(async {
        // Armed once, before the first wait, and selected on at every one after: a signal
        // that comes between two hosts is kept for the next.
        let mut stop = stop::stop();
        let Some(targets) = stop::unless_stopped(&mut stop, targets(&args.targets)).await else {
            out.scans(&ScanReport { scans: Vec::new() })?;
            return Ok(Outcome::Interrupted);
        };
        let targets = targets?;
        let scan = Scan {
            method: Method::choose(args, &targets, settings.lanes)?,
            ports,
            settings,
            services,
            open: args.open,
        };
        // More than one address: host discovery first, hosts in parallel, a summary (issue
        // 24). One address (or one name) keeps the one-host scan and its report.
        if host_count(&targets, 2) > 1 {
            let how = many::How::of(args, &scan);
            return many::run(Arc::new(scan), &targets, &how, &mut stop, out).await;
        }
        let total = host_count(&targets, 1 << 20).saturating_mul(scan.ports.len() as u64);
        let mut progress = out.progress(total, "ports");
        let (scans, interrupted) = scan.hosts(&targets, &mut stop, &mut progress).await?;
        progress.finish();
        out.scans(&ScanReport { scans })?;
        Ok(if interrupted {
            Outcome::Interrupted
        } else {
            Outcome::Success
        })
    })
}

impl Method {
    /// The method asked for. A SYN scan without the privilege stops here, before anything is
    /// sent.
    fn choose(args: &ScanArgs, targets: &[Target], lanes: usize) -> Result<Method, Error> {
        Ok(if args.syn {
            Method::Syn(syn::RawSockets::open(targets, lanes)?)
        } else if args.udp {
            Method::Udp
        } else {
            Method::Connect
        })
    }
}

impl Settings {
    fn of(args: &ScanArgs) -> Settings {
        // The reserve is a quarter of a small limit (a few descriptors are the runtime's and
        // the standard streams'): under `ulimit -n 64` a scan still has 48 to work with.
        let limit = crate::net::descriptor_budget(0);
        let budget = crate::net::descriptor_budget(FD_RESERVE.min(limit / 4).max(8));
        Settings {
            concurrency: args
                .concurrency
                .unwrap_or(DEFAULT_CONCURRENCY)
                .min(budget)
                .max(1) as usize,
            max_wait: args.timeout,
            lanes: crate::net::cores(MAX_LANES),
        }
    }
}

/// How many hosts the targets hold, each counted up to `most` (a block can hold 2^64).
fn host_count(targets: &[Target], most: usize) -> u64 {
    targets
        .iter()
        .map(|t| t.hosts().take(most).count() as u64)
        .sum()
}

/// One run of `scan`: the method, the ports and how to report them, the same for every host.
struct Scan {
    method: Method,
    ports: Vec<u16>,
    settings: Settings,
    services: Services,
    /// --open: list only the ports that are, or may be, open.
    open: bool,
}

impl Scan {
    /// Every host of every target in turn, until the stop: the reports, and whether the stop
    /// cut the last one short.
    async fn hosts(
        &self,
        targets: &[Target],
        stop: &mut Stop,
        progress: &mut Progress,
    ) -> Result<(Vec<TargetScan>, bool), Error> {
        let mut scans = Vec::new();
        for t in targets {
            if let Target::Addr { given, every } = t
                && every.len() > 1
            {
                let (scan, interrupted) = self.name(given, every, stop, progress).await?;
                scans.push(scan);
                if interrupted {
                    return Ok((scans, true));
                }
                continue;
            }
            for host in t.hosts() {
                let (scan, interrupted) = self.host(t.given(), host, stop, progress).await?;
                scans.push(scan);
                if interrupted {
                    return Ok((scans, true));
                }
            }
        }
        Ok((scans, false))
    }

    /// A name of several addresses: one address scanned, and the others named, as nmap does
    /// ("Other addresses for localhost (not scanned): 127.0.0.1"). Which one: nmap scans the
    /// first its resolver gave. A connect scan of a name is asked "what does a client that
    /// connects by this name find?", and a client (Python's create_connection, curl) tries
    /// each address until one accepts. So a connect scan scans the first address and, when
    /// no port came back open there, the next, until one has an open port; the report is of
    /// that address (or of the first when none has), with the addresses scanned before it and
    /// their counts, and the rest named as not scanned. "The first address that is up" would
    /// not do: ::1 is always up on loopback, and a lesson's server on 127.0.0.1 would show
    /// closed while the student's client reaches it (issue 23). The cost is one more pass
    /// over the ports per address, paid only when nothing was open. UDP and SYN scans keep
    /// nmap's rule (the first address): silence does not say a UDP port is closed, and the
    /// raw sockets are opened for the family of each target's first address.
    async fn name(
        &self,
        given: &str,
        every: &[SocketAddr],
        stop: &mut Stop,
        progress: &mut Progress,
    ) -> Result<(TargetScan, bool), Error> {
        let in_turn = matches!(self.method, Method::Connect);
        let mut scanned: Vec<TargetScan> = Vec::new();
        let mut cut = false;
        for &host in every {
            let (scan, interrupted) = self.host(given, host, stop, progress).await?;
            let found = scan.counts.open > 0;
            scanned.push(scan);
            if interrupted {
                cut = true;
            }
            if interrupted || found || !in_turn {
                break;
            }
        }
        // The one reported: the last scanned if it found an open port or was cut short, else
        // the first (nothing open anywhere: nmap's choice stands).
        let last = scanned.len() - 1;
        let keep = if cut || scanned[last].counts.open > 0 {
            last
        } else {
            0
        };
        let mut chosen = scanned.remove(keep);
        chosen.also_scanned = scanned
            .into_iter()
            .map(|s| TriedAddress {
                address: s.address,
                counts: s.counts,
            })
            .collect();
        chosen.other_addresses = every
            .iter()
            .map(SocketAddr::ip)
            .filter(|a| *a != chosen.address)
            .collect();
        Ok((chosen, cut))
    }

    /// One host's scan, and whether the stop cut it short (what was found is kept then).
    async fn host(
        &self,
        given: &str,
        host: SocketAddr,
        stop: &mut Stop,
        progress: &mut Progress,
    ) -> Result<(TargetScan, bool), Error> {
        let started = Instant::now();
        let answers = Answers::default();
        let found = Found {
            answers: Arc::clone(&answers),
            progress: Some(progress),
        };
        let pace: SharedPace = Arc::new(Pace::new(self.settings.max_wait));
        let engine = self.engine(host, &self.settings, pace, found);
        let interrupted = match stop::unless_stopped(stop, engine).await {
            Some(done) => {
                done?;
                false
            }
            None => true,
        };
        let elapsed = started.elapsed();
        let scan = self.report(
            given,
            host.ip(),
            take_answers(&answers),
            elapsed,
            interrupted,
        );
        Ok((self.listed_only(scan), interrupted))
    }

    /// The method's engine over every port of `host`, each answer into `found`.
    async fn engine(
        &self,
        host: SocketAddr,
        settings: &Settings,
        pace: SharedPace,
        mut found: Found<'_>,
    ) -> Result<(), Error> {
        let ports = &self.ports;
        match &self.method {
            Method::Connect => tcp::scan(host, ports, settings, pace, &mut found).await,
            Method::Udp => udp::scan(host, ports, settings, pace, &mut found).await,
            Method::Syn(raw) => syn::scan(raw, host.ip(), ports, settings, pace, &mut found).await,
        }
    }

    /// As nmap's --open: only the ports that are, or may be, open (counts stay whole).
    fn listed_only(&self, mut scan: TargetScan) -> TargetScan {
        if self.open {
            scan.ports.retain(|p| p.state.may_be_open());
        }
        scan
    }

    /// One host's answers as a report: counts, and every port that is not closed, in port
    /// order.
    fn report(
        &self,
        given: &str,
        address: IpAddr,
        mut answers: Vec<(u16, Verdict)>,
        elapsed: Duration,
        interrupted: bool,
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
                PortState::Unreachable => counts.unreachable += 1,
            }
            if v.state != PortState::Closed {
                listed.push(self.listed(*port, v));
            }
        }
        TargetScan {
            target: given.to_string(),
            address,
            host: None,
            protocol: self.method.protocol(),
            method: self.method.name(),
            ports_scanned: answers.len(),
            elapsed_ms: elapsed.as_millis() as u64,
            counts,
            ports: listed,
            interrupted,
            other_addresses: Vec::new(),
            also_scanned: Vec::new(),
        }
    }

    /// A port that is not closed, as the report lists it.
    fn listed(&self, port: u16, v: &Verdict) -> PortResult {
        PortResult {
            port,
            state: v.state,
            reason: v.reason,
            service: self
                .services
                .names(port, self.method.protocol())
                .first()
                .map(|s| s.name.clone()),
            rtt_ms: v.rtt.map(|r| r.as_secs_f64() * 1000.0),
        }
    }
}

/// Every target, a name resolved once.
async fn targets(given: &[ScanTarget]) -> Result<Vec<Target>, Error> {
    let mut targets = Vec::with_capacity(given.len());
    for g in given {
        targets.push(target(g).await?);
    }
    Ok(targets)
}

/// A block as it is, or a host's address (a name resolved once).
async fn target(given: &ScanTarget) -> Result<Target, Error> {
    Ok(match given {
        ScanTarget::Net { given, net } => Target::Net(given.clone(), *net),
        ScanTarget::Range { given, range } => Target::Range(given.clone(), *range),
        ScanTarget::Host(host) => Target::Addr {
            given: host.given().to_string(),
            every: resolve_all_scoped(host, Family::Any).await?,
        },
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

    /// A pace that starts from an RTT already seen (host discovery's answer), so a host whose
    /// every port is silent is not waited on for the whole --timeout.
    fn seeded(max: Duration, rtt: Option<Duration>) -> Pace {
        let pace = Pace::new(max);
        if let Some(rtt) = rtt {
            pace.saw(rtt);
        }
        pace
    }

    /// The smoothed RTT, once an answer came.
    fn srtt(&self) -> Option<Duration> {
        match self.srtt.load(Ordering::Relaxed) {
            NO_SAMPLE => None,
            bits => Some(Duration::from_secs_f64(f64::from_bits(bits))),
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
/// flow to the caller and the stop is heard).
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
    let lanes = if gap.is_some() {
        1
    } else {
        lane_count(ports.len(), settings.lanes, settings.concurrency)
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<(u16, A)>>();
    // Dropped with this future (the stop): the lanes, and their probes, are aborted.
    let mut running = JoinSet::new();
    for lane in 0..lanes {
        let share = (settings.concurrency / lanes).max(1);
        let pace = Arc::clone(pace);
        let lane_probe = move |port| {
            // The target's scope (a %zone) stays with every port.
            let mut at = target;
            at.set_port(port);
            probe(at, Arc::clone(&pace))
        };
        let sweep = LaneSweep::new(
            deal(&ports, lane, lanes),
            share,
            gap,
            lane_probe,
            tx.clone(),
        );
        running.spawn(sweep.run());
    }
    drop(tx);
    gather(&mut rx, &mut done).await;
}

/// How many of the `available` lanes a sweep of `ports` runs in: one for a few ports, and
/// not more than --concurrency, as each lane keeps at least one probe out.
fn lane_count(ports: usize, available: usize, concurrency: usize) -> usize {
    if ports < 2 * available {
        1
    } else {
        available.min(concurrency.max(1))
    }
}

/// Lane `lane`'s share of the ports: every `lanes`-th, from its own on.
fn deal(ports: &[u16], lane: usize, lanes: usize) -> Vec<u16> {
    ports.iter().skip(lane).step_by(lanes).copied().collect()
}

/// Hands each port's answer to `done` as the lanes send them in, until every lane is done.
async fn gather<A>(
    batches: &mut tokio::sync::mpsc::UnboundedReceiver<Vec<(u16, A)>>,
    done: &mut impl FnMut(u16, A),
) {
    while let Some(batch) = batches.recv().await {
        for (port, answer) in batch {
            done(port, answer);
        }
    }
}

/// One lane of a sweep: its ports, at most `permits` probes in flight, the answers handed on
/// in batches.
struct LaneSweep<P, A> {
    probe: P,
    queue: std::vec::IntoIter<u16>,
    permits: Arc<Semaphore>,
    /// The probes that wait for their answer.
    set: JoinSet<(u16, A)>,
    /// Answers that came as their probes started, not handed on yet.
    ready: Vec<(u16, A)>,
    /// With a gap: one start per tick.
    ticker: Option<tokio::time::Interval>,
    answers: tokio::sync::mpsc::UnboundedSender<Vec<(u16, A)>>,
}

/// The answers' receiver has hung up (the sweep was dropped): the lane ends.
struct HungUp;

impl<P, F, A> LaneSweep<P, A>
where
    P: Fn(u16) -> Started<A, F>,
    F: Future<Output = A> + Send + 'static,
    A: Send + 'static,
{
    fn new(
        ports: Vec<u16>,
        concurrency: usize,
        gap: Option<Duration>,
        probe: P,
        answers: tokio::sync::mpsc::UnboundedSender<Vec<(u16, A)>>,
    ) -> Self {
        // The first start, too, waits one gap: a paced round gives the target's rate limit a
        // full gap to refill before its first probe.
        let ticker = gap.map(|g| {
            let mut t = tokio::time::interval_at(tokio::time::Instant::now() + g, g);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        LaneSweep {
            probe,
            queue: ports.into_iter(),
            permits: Arc::new(Semaphore::new(concurrency)),
            set: JoinSet::new(),
            ready: Vec::new(),
            ticker,
            answers,
        }
    }

    async fn run(mut self) {
        let _ = self.sweep().await;
    }

    async fn sweep(&mut self) -> Result<(), HungUp> {
        while self.queue.len() > 0 || !self.set.is_empty() {
            // Unpaced, probes start in runs while permits are free, without waiting on anything.
            if self.ticker.is_none() && self.queue.len() > 0 && self.start_run()? == RUN {
                tokio::task::yield_now().await;
                continue;
            }
            tokio::select! {
                permit = Arc::clone(&self.permits).acquire_owned(), if self.queue.len() > 0 => {
                    let Ok(permit) = permit else { break };
                    self.start_next(permit).await?;
                }
                Some(joined) = self.set.join_next(), if !self.set.is_empty() => self.joined(joined)?,
                // Every probe of the run was answered as it started, and none is left.
                else => break,
            }
        }
        Ok(())
    }

    /// Starts probes while permits are free, up to RUN of them: how many it started.
    fn start_run(&mut self) -> Result<usize, HungUp> {
        let mut started = 0;
        while started < RUN {
            let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
                break;
            };
            let Some(port) = self.queue.next() else { break };
            self.start(port, permit);
            started += 1;
        }
        self.hand_on_ready()?;
        Ok(started)
    }

    /// With a permit: the next probe, at the next tick when paced.
    async fn start_next(&mut self, permit: OwnedSemaphorePermit) -> Result<(), HungUp> {
        if let Some(t) = &mut self.ticker {
            t.tick().await;
        }
        if let Some(port) = self.queue.next() {
            self.start(port, permit);
            self.hand_on_ready()?;
        }
        Ok(())
    }

    fn start(&mut self, port: u16, permit: OwnedSemaphorePermit) {
        match (self.probe)(port) {
            // The permit goes back at once: the probe holds no descriptor any more.
            Started::Done(answer) => self.ready.push((port, answer)),
            Started::Waiting(answer) => {
                self.set.spawn(async move {
                    let a = answer.await;
                    drop(permit);
                    (port, a)
                });
            }
        }
    }

    /// A waiting probe's answer, with every other one ready now, as one batch.
    fn joined(&mut self, joined: Result<(u16, A), tokio::task::JoinError>) -> Result<(), HungUp> {
        let mut batch: Vec<(u16, A)> = joined.into_iter().collect();
        while let Some(more) = self.set.try_join_next() {
            batch.extend(more);
        }
        self.answers.send(batch).map_err(|_| HungUp)
    }

    fn hand_on_ready(&mut self) -> Result<(), HungUp> {
        if self.ready.is_empty() {
            return Ok(());
        }
        self.answers
            .send(std::mem::take(&mut self.ready))
            .map_err(|_| HungUp)
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
