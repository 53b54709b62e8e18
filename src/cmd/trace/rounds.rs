//! `trace --rounds`: every hop probed once a round on the probe engine's schedule (net::probe:
//! rounds at start + n·interval, Ctrl-C or SIGTERM ending them), one `Tracker` per hop, the
//! probes of all hops out at once, each given up after --wait. Once the destination (or an
//! unreachable) has answered at a TTL, later rounds stop there. UDP probes keep one flow a
//! round (a socket per round), or with --flow fixed one for the run (one socket). The figures become the report
//! (output::trace_rounds) and its verdict (path_verdict).

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, IsTerminal};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinSet};

use super::Method;
use super::path::{ends_the_path, unreachable};
use crate::addr::lab::{Classified, inside_a_lab};
use crate::cli::{Flow, TraceArgs};
use crate::error::{Error, Outcome};
use crate::net::icmp::{Echo, EchoSocket, Kind};
use crate::net::probe::ttl::{self, FlowAnswer, FlowSocket, Hit};
use crate::net::probe::{self, Prober, Schedule, Tracker};
use crate::net::stamp::Stamp;
use crate::output::Output;
use crate::output::trace::{Classification, Unreachable};
use crate::output::trace_rounds::{Responder, RoundsHop, RoundsReport, StreamLine};
use crate::path_verdict::{self, HopFigures, Pacing, ProbeKind};
use crate::stats::Samples;

/// Most distinct responders kept per hop (a load-balanced hop has a few; the rest still count
/// in the hop's answers).
const MOST_RESPONDERS: usize = 16;

/// What an ICMP echo request carries.
const DATA: [u8; 32] = [0; 32];

/// One hop's book over the rounds.
#[derive(Default)]
struct HopBook {
    tracker: Tracker,
    /// Who answered, and how often.
    responders: Vec<(IpAddr, u64)>,
    /// The unreachable marks this hop's answers carried (traceroute's !H, !N, !P, !X), each once.
    marks: Vec<Unreachable>,
    last_ms: Option<f64>,
    /// Differences between consecutive RTTs.
    jitter: Samples,
}

/// Every hop's book, by TTL.
struct Book {
    addr: IpAddr,
    hops: Vec<HopBook>,
    /// The TTL where the path ends (the destination, or an unreachable), once seen.
    end: Option<u32>,
    max_hops: u32,
    /// Rounds sent so far.
    rounds: u64,
    /// With --stream: the probes over since the last look, as lines.
    stream: Option<Vec<StreamLine>>,
}

impl Book {
    fn new(addr: IpAddr, max_hops: u32) -> Book {
        Book {
            addr,
            hops: (0..max_hops).map(|_| HopBook::default()).collect(),
            end: None,
            max_hops,
            rounds: 0,
            stream: None,
        }
    }

    /// The round of a hop's sequence number (the latest one it can be, as numbers wrap).
    fn round_of(&self, seq: u16) -> u64 {
        let latest = self.rounds.saturating_sub(1);
        latest.saturating_sub(u64::from((latest as u16).wrapping_sub(seq)))
    }

    /// The TTLs a round probes.
    fn limit(&self) -> u32 {
        self.end.unwrap_or(self.max_hops)
    }

    fn hop(&mut self, ttl: u32) -> Option<&mut HopBook> {
        self.hops.get_mut(ttl.checked_sub(1)? as usize)
    }

    /// A round goes out.
    fn round(&mut self) {
        self.rounds += 1;
    }

    fn sent(&mut self, ttl: u32, seq: u16, at: Stamp) {
        if let Some(h) = self.hop(ttl) {
            h.tracker.sent(seq, at);
        }
    }

    /// Probe `seq` of `ttl` is over: its answer, or none in time.
    fn over(&mut self, ttl: u32, seq: u16, hit: Option<Hit>) {
        // An answer's line is stamped when the kernel received it; silence, and a handshake
        // (timed by the kernel's RTT estimate, not a stamp), when netkit took it.
        let arrived = hit.and_then(|h| h.at).map(|at| at.since_epoch());
        self.count(ttl, seq, hit);
        let round = self.round_of(seq) + 1;
        // Past the end of the path, the destination answers again: not a hop of its own.
        let on_path = self.end.is_none_or(|end| ttl <= end);
        if let Some(lines) = self.stream.as_mut().filter(|_| on_path) {
            lines.push(StreamLine {
                time: arrived.unwrap_or_else(wall),
                round,
                ttl,
                address: hit.map(|h| h.from),
                rtt_ms: hit.map(|h| h.rtt.as_secs_f64() * 1000.0),
            });
        }
    }

    /// Counts a probe's answer, or its silence, in its hop's book.
    fn count(&mut self, ttl: u32, seq: u16, hit: Option<Hit>) {
        let addr = self.addr;
        let Some(h) = self.hop(ttl) else { return };
        let Some(hit) = hit else {
            h.tracker.failed(seq);
            return;
        };
        if h.tracker.answered(seq) {
            return;
        }
        h.tracker.reply(seq, hit.rtt);
        let ms = hit.rtt.as_secs_f64() * 1000.0;
        if let Some(last) = h.last_ms {
            h.jitter.push((ms - last).abs());
        }
        h.last_ms = Some(ms);
        let known = h.responders.len();
        match h.responders.iter_mut().find(|(a, _)| *a == hit.from) {
            Some((_, n)) => *n += 1,
            None if known < MOST_RESPONDERS => h.responders.push((hit.from, 1)),
            None => {}
        }
        if let Some(mark) = unreachable(addr, &hit).filter(|m| !h.marks.contains(m)) {
            h.marks.push(mark);
        }
        if ends_the_path(addr, &hit) {
            self.end = Some(self.end.map_or(ttl, |e| e.min(ttl)));
        }
    }
}

/// How the run shows itself as it goes: the live table on a terminal (redrawn as each round
/// goes out), --stream's lines, or nothing before the report.
struct View<'o> {
    out: &'o mut Output,
    live: bool,
    /// The report's heading fields, for the live table.
    template: RoundsReport,
    /// Lines of the live table on the screen.
    drawn: usize,
}

impl View<'_> {
    /// A round goes out: the live table of what is measured so far.
    fn round(&mut self, book: &mut Book) -> Result<(), Error> {
        book.round();
        if self.live && book.rounds > 1 {
            let mut now = self.template.clone();
            fill(&mut now, book, &HashMap::new());
            now.rounds = book.rounds - 1;
            self.drawn = self.out.rounds_redraw(&now, self.drawn)?;
        }
        Ok(())
    }

    /// --stream's lines of the probes over since the last look.
    fn show(&mut self, book: &mut Book) -> Result<(), Error> {
        if let Some(lines) = &mut book.stream {
            for line in lines.drain(..) {
                self.out.rounds_stream(&line)?;
            }
        }
        Ok(())
    }
}

/// One probe over: (ttl, the hop's sequence number, its answer or none in time).
type Over = (u32, u16, Option<Hit>);

/// The UDP or TCP probes of every hop at once, each answer sent back as it comes. UDP: one
/// socket a round (one flow: the same addresses and ports for every hop, ttl::udp_flow); TCP:
/// a connect per hop (the kernel chooses each one's source port).
struct SocketRounds<'o> {
    view: View<'o>,
    book: Book,
    to: SocketAddr,
    method: Method,
    wait: Duration,
    flow: Flow,
    running: JoinSet<io::Result<()>>,
    answers: mpsc::UnboundedSender<Over>,
    arrivals: mpsc::UnboundedReceiver<Over>,
}

/// What woke the UDP or TCP prober.
enum SocketAnswer {
    Over(Over),
    /// A round's task (or a connect's) ended.
    Done(Result<io::Result<()>, JoinError>),
}

impl Prober for SocketRounds<'_> {
    type Answer = SocketAnswer;

    async fn send(&mut self, round: u64) -> Result<(), Error> {
        self.view.round(&mut self.book)?;
        let seq = round as u16;
        let mut to = self.to;
        // The flow of a round: one destination port for every hop (UDP), the next round the
        // next port, so equal-cost paths show over the rounds.
        let port = match self.method {
            Method::Udp(port) if self.flow == Flow::Round => port.wrapping_add(seq),
            Method::Udp(port) | Method::Tcp(port) => port,
            Method::Icmp => 0,
        };
        to.set_port(port);
        let (limit, wait) = (self.book.limit(), self.wait);
        for ttl in 1..=limit {
            self.book.sent(ttl, seq, Stamp::now());
        }
        match self.method {
            Method::Tcp(_) => {
                for ttl in 1..=limit {
                    let answers = self.answers.clone();
                    self.running.spawn(async move {
                        let hit = ttl::tcp(to, ttl, wait).await?;
                        let _ = answers.send((ttl, seq, hit));
                        Ok(())
                    });
                }
            }
            Method::Udp(_) | Method::Icmp => {
                let answers = self.answers.clone();
                self.running
                    .spawn(ttl::udp_flow(to, limit, wait, move |ttl, hit| {
                        let _ = answers.send((ttl, seq, hit));
                    }));
            }
        }
        Ok(())
    }

    async fn next(&mut self) -> SocketAnswer {
        tokio::select! {
            Some(over) = self.arrivals.recv() => SocketAnswer::Over(over),
            Some(done) = self.running.join_next(), if !self.running.is_empty() => SocketAnswer::Done(done),
        }
    }

    fn take(&mut self, answer: SocketAnswer) -> Result<(), Error> {
        match answer {
            SocketAnswer::Over((ttl, seq, hit)) => {
                self.book.over(ttl, seq, hit);
                self.view.show(&mut self.book)?;
            }
            SocketAnswer::Done(Ok(Err(source))) => {
                return Err(Error::Connect {
                    what: format!("{} with {} probes", self.to.ip(), self.method.name()),
                    source,
                });
            }
            // A task that failed (it cannot panic) leaves its probes in flight: not loss.
            SocketAnswer::Done(_) => {}
        }
        Ok(())
    }

    fn settled(&self) -> bool {
        self.running.is_empty() && self.arrivals.is_empty()
    }

    fn linger(&self) -> Option<Duration> {
        None
    }
}

/// What woke the ICMP prober.
enum IcmpAnswer {
    Echo(io::Result<Option<Echo>>),
    /// The oldest probe's wait is over.
    Expired,
}

/// The ICMP probes: echo requests with a TTL on one echo socket, matched by sequence number.
struct IcmpRounds<'o> {
    view: View<'o>,
    book: Book,
    to: SocketAddr,
    socket: EchoSocket,
    ident: u16,
    wait: Duration,
    /// Sequence number -> (ttl, the hop's sequence number, when it went out).
    out: HashMap<u16, (u32, u16, Stamp)>,
    next_seq: u16,
    buf: Vec<u8>,
}

impl Prober for IcmpRounds<'_> {
    type Answer = IcmpAnswer;

    async fn send(&mut self, round: u64) -> Result<(), Error> {
        self.view.round(&mut self.book)?;
        for ttl in 1..=self.book.limit() {
            let seq = self.next_seq;
            self.next_seq = self.next_seq.wrapping_add(1);
            let sent = self.socket.send(self.to, self.ident, seq, Some(ttl), &DATA);
            let at = sent.await.map_err(|source| Error::Connect {
                what: format!("{} with ICMP probes", self.to.ip()),
                source,
            })?;
            self.book.sent(ttl, round as u16, at);
            self.out.insert(seq, (ttl, round as u16, at));
        }
        Ok(())
    }

    async fn next(&mut self) -> IcmpAnswer {
        let oldest = self.out.values().map(|(_, _, at)| *at).min();
        let Some(oldest) = oldest else {
            return std::future::pending().await;
        };
        let left = self.wait.saturating_sub(oldest.elapsed());
        tokio::select! {
            got = self.socket.recv(&mut self.buf) => IcmpAnswer::Echo(got),
            _ = tokio::time::sleep(left) => IcmpAnswer::Expired,
        }
    }

    fn take(&mut self, answer: IcmpAnswer) -> Result<(), Error> {
        match answer {
            IcmpAnswer::Echo(Ok(Some(echo))) => {
                if !echo.answers(self.to.ip(), self.ident) {
                    return Ok(());
                }
                if let Some((ttl, seq, at)) = self.out.remove(&echo.seq) {
                    let hit = Hit {
                        from: echo.from,
                        rtt: echo.time.saturating_duration_since(at),
                        at: Some(echo.time),
                        error: echo.error,
                    };
                    self.book.over(ttl, seq, Some(hit));
                }
            }
            IcmpAnswer::Echo(Ok(None)) => {}
            IcmpAnswer::Echo(Err(source)) => {
                return Err(Error::Connect {
                    what: format!("{} with ICMP probes", self.to.ip()),
                    source,
                });
            }
            IcmpAnswer::Expired => {
                let wait = self.wait;
                let over: Vec<u16> = self
                    .out
                    .iter()
                    .filter(|(_, (_, _, at))| at.elapsed() >= wait)
                    .map(|(seq, _)| *seq)
                    .collect();
                for seq in over {
                    if let Some((ttl, hop_seq, _)) = self.out.remove(&seq) {
                        self.book.over(ttl, hop_seq, None);
                    }
                }
            }
        }
        self.view.show(&mut self.book)
    }

    fn settled(&self) -> bool {
        self.out.is_empty()
    }

    fn linger(&self) -> Option<Duration> {
        None
    }
}

/// What woke the fixed-flow prober.
enum FixedAnswer {
    Got(io::Result<Option<FlowAnswer>>),
    /// The oldest probe's wait is over.
    Expired,
}

/// UDP probes with `--flow fixed`: one socket for the whole run, so every probe of every
/// round has the same addresses and ports; answers matched by the TTL and round they carry.
struct FixedRounds<'o> {
    view: View<'o>,
    book: Book,
    socket: FlowSocket,
    to: SocketAddr,
    wait: Duration,
    /// (ttl, the hop's sequence number) -> when it went out.
    out: HashMap<(u32, u16), Stamp>,
}

impl FixedRounds<'_> {
    fn fail(&self, source: io::Error) -> Error {
        Error::Connect {
            what: format!("{} with udp probes", self.to.ip()),
            source,
        }
    }
}

impl Prober for FixedRounds<'_> {
    type Answer = FixedAnswer;

    async fn send(&mut self, round: u64) -> Result<(), Error> {
        self.view.round(&mut self.book)?;
        let tag = round as u16;
        for ttl in 1..=self.book.limit() {
            let at = self.socket.send(ttl, tag).await.map_err(|e| self.fail(e))?;
            self.book.sent(ttl, tag, at);
            self.out.insert((ttl, tag), at);
        }
        Ok(())
    }

    async fn next(&mut self) -> FixedAnswer {
        let Some(oldest) = self.out.values().min().copied() else {
            return std::future::pending().await;
        };
        let left = self.wait.saturating_sub(oldest.elapsed());
        tokio::select! {
            got = self.socket.next() => FixedAnswer::Got(got),
            _ = tokio::time::sleep(left) => FixedAnswer::Expired,
        }
    }

    fn take(&mut self, answer: FixedAnswer) -> Result<(), Error> {
        match answer {
            FixedAnswer::Got(Ok(Some(FlowAnswer::Error {
                ttl,
                tag,
                from,
                error,
                time,
            }))) => {
                if let Some(at) = self.out.remove(&(ttl, tag)) {
                    let rtt = time.saturating_duration_since(at);
                    let (at, error) = (Some(time), Some(error));
                    self.book.over(
                        ttl,
                        tag,
                        Some(Hit {
                            from,
                            rtt,
                            at,
                            error,
                        }),
                    );
                }
            }
            FixedAnswer::Got(Ok(Some(FlowAnswer::Reply { time }))) => {
                // Only a probe that reached the service can cause a reply: the oldest, lowest.
                let first = self.out.iter().map(|(k, at)| (*at, *k)).min();
                if let Some((at, (ttl, tag))) = first {
                    self.out.remove(&(ttl, tag));
                    let rtt = time.saturating_duration_since(at);
                    let hit = Hit {
                        from: self.to.ip(),
                        rtt,
                        at: Some(time),
                        error: None,
                    };
                    self.book.over(ttl, tag, Some(hit));
                }
            }
            FixedAnswer::Got(Ok(None)) => {}
            FixedAnswer::Got(Err(e)) => return Err(self.fail(e)),
            FixedAnswer::Expired => {
                let wait = self.wait;
                let over: Vec<(u32, u16)> = self
                    .out
                    .iter()
                    .filter(|(_, at)| at.elapsed() >= wait)
                    .map(|(k, _)| *k)
                    .collect();
                for (ttl, tag) in over {
                    self.out.remove(&(ttl, tag));
                    self.book.over(ttl, tag, None);
                }
            }
        }
        self.view.show(&mut self.book)
    }

    fn settled(&self) -> bool {
        self.out.is_empty()
    }

    fn linger(&self) -> Option<Duration> {
        None
    }
}

/// The time since the Unix epoch.
fn wall() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Runs the rounds to `to` and prints the report.
pub(super) async fn measure(
    args: &TraceArgs,
    to: SocketAddr,
    method: Method,
    target: String,
    out: &mut Output,
    stop: &mut (impl std::future::Future<Output = ()> + Unpin),
) -> Result<Outcome, Error> {
    let addr = to.ip();
    let count = args.rounds.filter(|n| *n > 0);
    let schedule = Schedule {
        interval: args.interval,
        count,
        deadline: None,
    };
    let mut report = RoundsReport {
        target,
        address: addr,
        protocol: method.name(),
        start: wall(),
        end: Duration::ZERO,
        rounds: 0,
        interval_s: args.interval.as_secs_f64(),
        flow: match args.flow {
            Flow::Round => "round",
            Flow::Fixed => "fixed",
        },
        hops: Vec::new(),
        reached: false,
        verdict: Vec::new(),
        jitter: args.jitter,
    };
    out.rounds_start(&report, count)?;
    let others = crate::net::probe::others::traces_to(args.host.given());
    if let Some(pid) = others.first() {
        out.warn(&format!(
            "another trace to {} is running (pid {pid}): routers limit the replies they send to one source, so each run may see about half the answers and show loss that is not there",
            args.host.given()
        ))?;
    }
    let stopped = Cell::new(false);
    let mut stopping = std::pin::pin!(async {
        stop.await;
        stopped.set(true);
    });
    let mut book = Book::new(addr, args.max_hops);
    if args.stream {
        book.stream = Some(Vec::new());
    }
    // The live table: on a terminal, in text, unless the lines stream.
    let live = !args.stream && !out.json() && std::io::stdout().is_terminal();
    let view = View {
        out,
        live,
        template: report.clone(),
        drawn: 0,
    };
    let (book, drawn) = match method {
        Method::Icmp => {
            let mut prober = IcmpRounds {
                view,
                book,
                to,
                socket: EchoSocket::open(addr.is_ipv6(), Kind::Auto, None)?,
                ident: (std::process::id() as u16) ^ 0x7274,
                wait: args.wait,
                out: HashMap::new(),
                next_seq: 0,
                buf: vec![0u8; 65_536],
            };
            probe::run(&schedule, &mut prober, &mut stopping).await?;
            (prober.book, prober.view.drawn)
        }
        Method::Udp(port) if args.flow == Flow::Fixed => {
            let mut at = to;
            at.set_port(port);
            let mut prober = FixedRounds {
                view,
                book,
                socket: FlowSocket::open(at).map_err(|source| Error::Connect {
                    what: format!("{addr} with udp probes"),
                    source,
                })?,
                to,
                wait: args.wait,
                out: HashMap::new(),
            };
            probe::run(&schedule, &mut prober, &mut stopping).await?;
            (prober.book, prober.view.drawn)
        }
        Method::Udp(_) | Method::Tcp(_) => {
            let (answers, arrivals) = mpsc::unbounded_channel();
            let mut prober = SocketRounds {
                view,
                book,
                to,
                method,
                wait: args.wait,
                flow: args.flow,
                running: JoinSet::new(),
                answers,
                arrivals,
            };
            probe::run(&schedule, &mut prober, &mut stopping).await?;
            (prober.book, prober.view.drawn)
        }
    };
    out.rounds_erase(drawn)?;
    report.end = wall();
    report.rounds = book.hops.first().map_or(0, |h| h.tracker.transmitted);
    let names = if args.numeric {
        HashMap::new()
    } else {
        names(&book).await
    };
    fill(&mut report, &book, &names);
    let kind = match method {
        Method::Udp(_) => ProbeKind::Udp,
        Method::Tcp(_) => ProbeKind::Tcp,
        Method::Icmp => ProbeKind::Icmp,
    };
    let figures: Vec<HopFigures> = report
        .hops
        .iter()
        .map(|h| HopFigures {
            ttl: h.ttl,
            settled: h.sent,
            received: h.received,
            avg_ms: h.avg_ms,
        })
        .collect();
    report.verdict = path_verdict::verdict(
        &figures,
        report.reached,
        Pacing {
            probe: kind,
            interval_s: report.interval_s,
        },
    );
    out.rounds_end(&report)?;
    let clean = report.reached
        && report
            .hops
            .last()
            .is_some_and(|d| d.sent > 0 && d.received == d.sent);
    Ok(match (stopped.get(), count, clean) {
        // Ctrl-C before the rounds asked for were out; with --rounds 0 it is the normal end.
        (true, Some(_), _) => Outcome::Interrupted,
        (_, _, true) => Outcome::Success,
        (_, _, false) => Outcome::Negative,
    })
}

/// The reverse lookups of every responder, at once, each bounded.
async fn names(book: &Book) -> HashMap<IpAddr, String> {
    let mut lookups = JoinSet::new();
    let mut asked = Vec::new();
    for h in &book.hops {
        for (a, _) in &h.responders {
            if !asked.contains(a) {
                asked.push(*a);
                lookups.spawn(super::names::reverse_lookup(*a));
            }
        }
    }
    let mut names = HashMap::new();
    while let Some(joined) = lookups.join_next().await {
        if let Ok((a, Some(name))) = joined {
            names.insert(a, name);
        }
    }
    names
}

/// The report's hops from the book: up to the end of the path, or the last hop that answered.
fn fill(report: &mut RoundsReport, book: &Book, names: &HashMap<IpAddr, String>) {
    let answered = |h: &HopBook| !h.responders.is_empty();
    let last = match book.end {
        Some(end) => end,
        None => book
            .hops
            .iter()
            .rposition(answered)
            .map_or(1, |i| i as u32 + 1),
    };
    let mut left_private = false;
    for (i, h) in book.hops.iter().enumerate().take(last as usize) {
        let ttl = i as u32 + 1;
        let mut responders: Vec<Responder> = h
            .responders
            .iter()
            .map(|&(address, answers)| Responder {
                address,
                hostname: names.get(&address).cloned(),
                answers,
            })
            .collect();
        responders.sort_by_key(|r| std::cmp::Reverse(r.answers));
        let main = responders.first().map(|r| r.address);
        let leaves_private = match main {
            Some(a) if !left_private && !inside_a_lab(a) => {
                left_private = true;
                ttl > 1
            }
            _ => false,
        };
        let sent = h.tracker.settled_count();
        let received = h.tracker.received();
        let summary = h.tracker.rtts.summary();
        report.hops.push(RoundsHop {
            ttl,
            responders,
            sent,
            received,
            loss_percent: if sent == 0 {
                0.0
            } else {
                sent.saturating_sub(received) as f64 * 100.0 / sent as f64
            },
            last_ms: h.last_ms,
            avg_ms: summary.map(|s| s.avg),
            best_ms: summary.map(|s| s.min),
            worst_ms: summary.map(|s| s.max),
            stdev_ms: summary.map(|s| s.mdev),
            jitter_ms: h.jitter.summary().map(|s| s.avg),
            classification: Classification(main.map(Classified::of)),
            leaves_private,
            marks: h.marks.clone(),
        });
    }
    report.reached = report
        .hops
        .last()
        .is_some_and(|h| h.responders.iter().any(|r| r.address == book.addr));
}
