//! A scan of several addresses (a block, a range, several names), as nmap's: host discovery
//! first, then the ports of every host found up, many hosts at once within the descriptor
//! budget. Each address is reported as soon as it and every address before it are done
//! (bounded memory: a block is taken a chunk at a time), then one summary line. An address
//! with no machine is down, with the reason, never a table of "filtered" ports (issue 24).

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ipnet::IpNet;
use tokio::task::JoinSet;

use super::{
    Answers, Found, Method, Pace, Scan, Settings, SharedPace, Target, Verdict, host_count,
    take_answers,
};
use crate::addr::{Down, HostState, Up};
use crate::cli::ScanArgs;
use crate::error::{Error, Outcome};
use crate::net::discover::{Discover, discover};
use crate::net::stop::{self, Stop};
use crate::output::Output;
use crate::output::scan::{DownHost, HostFound, Summary, TargetScan};
use crate::ports::PortState;

/// Addresses taken at a time: discovered together, reported in order before the next chunk.
const CHUNK: usize = 4096;
/// Most hosts whose ports are scanned at once.
const MAX_HOSTS: usize = 1024;
/// Most neighbour resolutions or echo requests in flight: the kernel's neighbour table
/// (gc_thresh3, 1024 by default) is shared by every namespace of the machine.
const MAX_DISCOVERY: usize = 500;

/// How a scan of several addresses runs.
pub(super) struct How {
    discover: Discover,
    /// -Pn: scan every address, down or not.
    every: bool,
    /// -v: list the addresses found down, with why.
    verbose: bool,
    /// Ports in flight for one host.
    per_host: usize,
    /// Hosts scanned at once.
    hosts: usize,
}

impl How {
    /// The descriptor budget split between discovery and the hosts' ports: half to discovery
    /// (at most MAX_DISCOVERY), the rest dealt to hosts, each with at most its ports' count.
    /// A SYN scan's raw sockets are shared by its lanes, one host at a time.
    pub(super) fn of(args: &ScanArgs, scan: &Scan) -> How {
        let one_host = matches!(scan.method, Method::Syn(_));
        let split = Split::of(scan.settings.concurrency, scan.ports.len(), one_host);
        How {
            discover: Discover {
                wait: args.host_wait,
                in_flight: split.in_flight,
            },
            every: args.no_discovery(),
            verbose: args.verbose,
            per_host: split.per_host,
            hosts: split.hosts,
        }
    }
}

/// The descriptor budget dealt out: resolutions or probes in flight for discovery, ports in
/// flight per host, hosts at once.
#[derive(Debug, PartialEq, Eq)]
struct Split {
    in_flight: usize,
    per_host: usize,
    hosts: usize,
}

impl Split {
    fn of(budget: usize, ports: usize, one_host: bool) -> Split {
        let in_flight = (budget.max(2) / 2).clamp(1, MAX_DISCOVERY);
        let for_ports = budget.saturating_sub(in_flight).max(1);
        let per_host = ports.clamp(1, for_ports);
        let hosts = if one_host {
            1
        } else {
            (for_ports / per_host).clamp(1, MAX_HOSTS)
        };
        Split {
            in_flight,
            // One host at a time has the whole budget for its ports.
            per_host: if hosts == 1 { budget.max(1) } else { per_host },
            hosts,
        }
    }
}

/// One address of the scan.
struct Slot {
    given: String,
    at: SocketAddr,
    /// A name's other addresses (not scanned).
    others: Vec<IpAddr>,
    entry: Entry,
}

/// Where an address is.
enum Entry {
    /// Discovery has not told yet.
    Waiting,
    /// To be scanned when a host's place is free; the RTT discovery saw.
    Queued(HostState, Option<Duration>),
    Scanning {
        state: HostState,
        answers: Answers,
        started: Instant,
        pace: SharedPace,
    },
    /// Found down, not scanned.
    Down(HostState),
    Scanned(Box<TargetScan>),
    /// Written out.
    Written,
}

/// What has been written and counted so far, kept outside the work that the stop drops.
struct Book {
    slots: Vec<Slot>,
    /// The first slot not written yet.
    next: usize,
    first: bool,
    summary: Summary,
    /// Discovery's wait, named in a down address's words.
    wait: Duration,
    /// The fastest smoothed RTT a host's ports showed, by its /24 (IPv4) or /64 (IPv6).
    fastest: HashMap<IpNet, Duration>,
}

pub(super) async fn run(
    scan: Arc<Scan>,
    targets: &[Target],
    how: &How,
    stop: &mut Stop,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let started = Instant::now();
    let mut book = Book {
        slots: Vec::new(),
        next: 0,
        first: true,
        wait: how.discover.wait,
        fastest: HashMap::new(),
        summary: Summary {
            addresses: host_count(targets, usize::MAX),
            discovery_wait_ms: how.discover.wait.as_millis() as u64,
            scanned_down: how.every,
            ..Summary::default()
        },
    };
    out.scan_begin()?;
    let mut addresses = targets.iter().flat_map(|t| {
        let others: Vec<IpAddr> = match t {
            Target::Addr { every, .. } => every.iter().skip(1).map(SocketAddr::ip).collect(),
            Target::Net(..) | Target::Range(..) => Vec::new(),
        };
        t.hosts().map(move |at| (t.given(), at, others.clone()))
    });
    let mut interrupted = false;
    loop {
        book.slots.clear();
        book.next = 0;
        book.slots.extend(
            addresses
                .by_ref()
                .take(CHUNK)
                .map(|(given, at, others)| Slot {
                    given: given.to_string(),
                    at,
                    others,
                    entry: Entry::Waiting,
                }),
        );
        if book.slots.is_empty() {
            break;
        }
        let work = chunk(&scan, how, &mut book, out);
        match stop::unless_stopped(stop, work).await {
            Some(done) => done?,
            None => {
                interrupted = true;
                break;
            }
        }
    }
    if interrupted {
        book.cut_short(&scan, how, out)?;
        book.summary.not_scanned = book
            .summary
            .addresses
            .saturating_sub(book.summary.up + book.summary.down);
    }
    book.summary.interrupted = interrupted;
    book.summary.elapsed_ms = started.elapsed().as_millis() as u64;
    out.scan_end(&book.summary)?;
    Ok(if interrupted {
        Outcome::Interrupted
    } else {
        Outcome::Success
    })
}

/// One chunk: discovery of every address in it, and, as each is found up (or with -Pn, as
/// each is told), its ports, at most `how.hosts` hosts at once; each address written once it
/// and those before it are done.
async fn chunk(
    scan: &Arc<Scan>,
    how: &How,
    book: &mut Book,
    out: &mut Output,
) -> Result<(), Error> {
    let mut index: HashMap<IpAddr, Vec<usize>> = HashMap::with_capacity(book.slots.len());
    for (i, slot) in book.slots.iter().enumerate() {
        index.entry(slot.at.ip()).or_default().push(i);
    }
    let addresses: Vec<IpAddr> = {
        let mut seen: Vec<IpAddr> = book.slots.iter().map(|s| s.at.ip()).collect();
        seen.dedup();
        seen
    };
    let (told, mut states) = tokio::sync::mpsc::unbounded_channel();
    // The scan's one stop is heard around this whole chunk; discovery gets one that never
    // fires, and what it told before the stop is kept in the book.
    let mut never: Stop = Box::pin(std::future::pending());
    let began = Instant::now();
    let discovery = discover(&addresses, &how.discover, &mut never, move |addr, state| {
        let _ = told.send((addr, state, began.elapsed()));
    });
    tokio::pin!(discovery);
    let mut discovering = true;
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut running: JoinSet<(usize, Result<(), Error>)> = JoinSet::new();
    loop {
        tokio::select! {
            done = &mut discovery, if discovering => {
                discovering = false;
                done?;
            }
            Some((addr, state, rtt)) = states.recv() => {
                for &i in index.get(&addr).into_iter().flatten() {
                    let slot = &mut book.slots[i];
                    // Told once: an address given twice is one discovery, two reports.
                    if !matches!(slot.entry, Entry::Waiting) {
                        continue;
                    }
                    slot.entry = if state_is_up(&state) || how.every {
                        queue.push_back(i);
                        // -Pn scans as if nothing were known of the host: no RTT to start from.
                        let rtt = (state_is_up(&state) && !how.every).then_some(rtt);
                        Entry::Queued(state.clone(), rtt)
                    } else {
                        Entry::Down(state.clone())
                    };
                }
            }
            Some(joined) = running.join_next(), if !running.is_empty() => {
                if let Ok((i, done)) = joined {
                    done?;
                    book.finish(scan, i, false);
                }
            }
            else => break,
        }
        while running.len() < how.hosts
            && let Some(i) = queue.pop_front()
        {
            book.start(scan, how, i, &mut running);
        }
        book.write_ready(how, out)?;
    }
    // A host's task that ended without its answer (it cannot panic, but were it to) is
    // reported with what it found, so every address after it is still written.
    for i in book.next..book.slots.len() {
        if matches!(book.slots[i].entry, Entry::Scanning { .. }) {
            book.finish(scan, i, true);
        }
    }
    book.write_ready(how, out)
}

/// The block an address shares its path with, most likely: its /24, or /64 for IPv6.
fn neighbourhood(address: IpAddr) -> IpNet {
    let prefix = if address.is_ipv4() { 24 } else { 64 };
    IpNet::new(address, prefix).map_or_else(|_| IpNet::from(address), |n| n.trunc())
}

fn state_is_up(state: &HostState) -> bool {
    matches!(state, HostState::Up(_))
}

impl Book {
    /// Starts the ports of slot `i` on a task of its own.
    fn start(
        &mut self,
        scan: &Arc<Scan>,
        how: &How,
        i: usize,
        running: &mut JoinSet<(usize, Result<(), Error>)>,
    ) {
        let slot = &mut self.slots[i];
        let Entry::Queued(state, rtt) = std::mem::replace(&mut slot.entry, Entry::Written) else {
            return;
        };
        let answers = Answers::default();
        let found = Found {
            answers: Arc::clone(&answers),
            progress: None,
        };
        let settings = Settings {
            concurrency: how.per_host,
            ..scan.settings
        };
        // Discovery's time is an upper bound of the host's RTT, and a loose one when the
        // kernel took its time (a STALE neighbour waits 5 s): a neighbour's answers, the same
        // /24's, bound it better, so a firewalled host is not waited on for the whole --timeout.
        let near = self.fastest.get(&neighbourhood(slot.at.ip())).copied();
        let rtt = match (rtt, near) {
            (Some(own), Some(near)) => Some(own.min(near)),
            (rtt, _) => rtt,
        };
        let pace: SharedPace = Arc::new(Pace::seeded(settings.max_wait, rtt));
        slot.entry = Entry::Scanning {
            state,
            answers,
            started: Instant::now(),
            pace: Arc::clone(&pace),
        };
        let (scan, at) = (Arc::clone(scan), slot.at);
        running.spawn(async move {
            let done = scan.engine(at, &settings, pace, found).await;
            (i, done)
        });
    }

    /// Slot `i`'s ports are done (or, `interrupted`, cut short): its report.
    fn finish(&mut self, scan: &Scan, i: usize, interrupted: bool) {
        let slot = &mut self.slots[i];
        let Entry::Scanning {
            state,
            answers,
            started,
            pace,
        } = std::mem::replace(&mut slot.entry, Entry::Written)
        else {
            return;
        };
        if let (true, Some(srtt)) = (state_is_up(&state), pace.srtt()) {
            let best = self
                .fastest
                .entry(neighbourhood(slot.at.ip()))
                .or_insert(srtt);
            *best = (*best).min(srtt);
        }
        let mut answers = take_answers(&answers);
        let tcp = !matches!(scan.method, Method::Udp);
        let state = with_ports(state, tcp, &mut answers);
        let mut report = scan.report(
            &slot.given,
            slot.at.ip(),
            answers,
            started.elapsed(),
            interrupted,
        );
        report.host = Some(found(&state, self.wait));
        report.other_addresses = slot.others.clone();
        slot.entry = Entry::Scanned(Box::new(scan.listed_only(report)));
    }

    /// Writes every slot that is done, in order, up to the first that is not.
    fn write_ready(&mut self, how: &How, out: &mut Output) -> Result<(), Error> {
        while let Some(slot) = self.slots.get_mut(self.next) {
            match std::mem::replace(&mut slot.entry, Entry::Written) {
                Entry::Down(state) => {
                    self.summary.down += 1;
                    let down = DownHost {
                        target: slot.given.clone(),
                        address: slot.at.ip(),
                        host: found(&state, self.wait),
                    };
                    out.scan_down(&down, self.first, how.verbose)?;
                    self.first &= !out.json();
                }
                Entry::Scanned(report) => {
                    if report.host.as_ref().is_some_and(HostFound::is_up) {
                        self.summary.up += 1;
                    } else {
                        self.summary.down += 1;
                    }
                    out.scan_host(&report, self.first)?;
                    self.first = false;
                }
                Entry::Written => {}
                other => {
                    slot.entry = other;
                    return Ok(());
                }
            }
            self.next += 1;
        }
        Ok(())
    }

    /// After the stop: the hosts being scanned are reported with what they found, every
    /// address done is written, and those not decided are left out (counted in the summary).
    fn cut_short(&mut self, scan: &Scan, how: &How, out: &mut Output) -> Result<(), Error> {
        for i in self.next..self.slots.len() {
            if matches!(self.slots[i].entry, Entry::Scanning { .. }) {
                self.finish(scan, i, true);
            }
            if matches!(self.slots[i].entry, Entry::Waiting | Entry::Queued(..)) {
                self.slots[i].entry = Entry::Written;
            }
        }
        self.write_ready(how, out)
    }
}

/// The host's state once its TCP ports are in: a port that answered (open or closed) proves
/// a host found down is there after all. On an address still down (-Pn) where netkit knows
/// no machine is (no neighbour reply on the link, or a router's unreachable), every port is
/// unreachable with what its probe saw, never "filtered". Routed silence (`NoAnswer`) is not
/// that knowledge: a host behind a firewall that drops everything looks the same, so its
/// silent ports stay filtered. UDP answers are kept as they came (an ICMP error or a reply is
/// not a TCP answer).
fn with_ports(state: HostState, tcp: bool, answers: &mut [(u16, Verdict)]) -> HostState {
    if state_is_up(&state) || !tcp {
        return state;
    }
    let answered = answers.iter().find_map(|(port, v)| match v.state {
        PortState::Open => Some(Up::TcpOpen(*port)),
        PortState::Closed => Some(Up::TcpRefused(*port)),
        _ => None,
    });
    if let Some(up) = answered {
        return HostState::Up(up);
    }
    // Silence, or never asked: nothing says no machine is there.
    if matches!(
        state,
        HostState::Down(Down::NoAnswer { .. } | Down::NotSent { .. })
    ) {
        return state;
    }
    for (_, v) in answers.iter_mut() {
        v.state = PortState::Unreachable;
        v.rtt = None;
    }
    state
}

/// Discovery's state as the report carries it; a down address's words name the wait.
fn found(state: &HostState, wait: Duration) -> HostFound {
    match state {
        HostState::Up(up) => HostFound {
            state: "up",
            reason: up.token(),
            reason_text: up.words(),
        },
        HostState::Down(down) => HostFound {
            state: "down",
            reason: down.token(),
            reason_text: down.words_within(wait),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Down;

    fn verdict(state: PortState, reason: &'static str) -> Verdict {
        Verdict::new(state, reason, None)
    }

    #[test]
    fn the_budget_is_shared_by_discovery_and_the_hosts() {
        let split = |budget, ports, one| {
            let s = Split::of(budget, ports, one);
            (s.in_flight, s.per_host, s.hosts)
        };
        assert_eq!(
            split(4096, 3, false),
            (500, 3, 1024),
            "many hosts of 3 ports"
        );
        assert_eq!(split(4096, 1000, false), (500, 1000, 3));
        assert_eq!(split(48, 3, false), (24, 3, 8), "ulimit -n 64");
        assert_eq!(
            split(1, 3, false),
            (1, 1, 1),
            "one descriptor: one at a time"
        );
        assert_eq!(split(4096, 3, true), (500, 4096, 1), "a SYN scan: one host");
    }

    #[test]
    fn neighbours_share_a_24_or_a_64() {
        let of = |a: &str| neighbourhood(a.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])));
        assert_eq!(of("10.209.2.20").to_string(), "10.209.2.0/24");
        assert_eq!(of("10.209.2.20"), of("10.209.2.254"));
        assert_ne!(of("10.209.2.20"), of("10.209.3.20"));
        assert_eq!(of("fd00:209:2::14").to_string(), "fd00:209:2::/64");
    }

    #[test]
    fn a_down_address_s_silent_ports_are_unreachable_never_filtered() {
        let down = HostState::Down(Down::NoNeighbour);
        let mut answers = vec![
            (22, verdict(PortState::Filtered, "no-response")),
            (80, verdict(PortState::Filtered, "host-unreach")),
        ];
        assert_eq!(with_ports(down.clone(), true, &mut answers), down);
        let states: Vec<(PortState, &str)> =
            answers.iter().map(|(_, v)| (v.state, v.reason)).collect();
        assert_eq!(
            states,
            [
                (PortState::Unreachable, "no-response"),
                (PortState::Unreachable, "host-unreach")
            ],
            "each keeps what its probe saw"
        );
    }

    #[test]
    fn routed_silence_keeps_a_silent_port_filtered() {
        // No answer from a routed address: a host whose firewall drops everything looks the
        // same, so netkit does not call its ports unreachable.
        let down = HostState::Down(Down::NoAnswer { echo_refused: None });
        let mut answers = vec![(22, verdict(PortState::Filtered, "no-response"))];
        assert_eq!(with_ports(down.clone(), true, &mut answers), down);
        assert_eq!(answers[0].1.state, PortState::Filtered);
        let unreachable = HostState::Down(Down::HostUnreachable {
            from: IpAddr::from([10, 0, 0, 1]),
            net: false,
        });
        let mut answers = vec![(22, verdict(PortState::Filtered, "host-unreach"))];
        with_ports(unreachable, true, &mut answers);
        assert_eq!(answers[0].1.state, PortState::Unreachable);
    }

    #[test]
    fn a_port_that_answers_proves_the_host_up() {
        let down = HostState::Down(Down::NoAnswer { echo_refused: None });
        let mut answers = vec![
            (22, verdict(PortState::Filtered, "no-response")),
            (8080, verdict(PortState::Closed, "conn-refused")),
        ];
        assert_eq!(
            with_ports(down.clone(), true, &mut answers),
            HostState::Up(Up::TcpRefused(8080))
        );
        assert_eq!(
            answers[0].1.state,
            PortState::Filtered,
            "an up host's filter"
        );
        let mut udp = vec![(53, verdict(PortState::OpenFiltered, "no-response"))];
        assert_eq!(
            with_ports(down.clone(), false, &mut udp),
            down,
            "UDP is kept"
        );
        assert_eq!(udp[0].1.state, PortState::OpenFiltered);
        let up = HostState::Up(Up::EchoReply);
        let mut silent = vec![(22, verdict(PortState::Filtered, "no-response"))];
        assert_eq!(with_ports(up.clone(), true, &mut silent), up);
        assert_eq!(silent[0].1.state, PortState::Filtered);
    }
}
