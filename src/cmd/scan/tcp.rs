//! `netkit scan`: TCP connect scans (no privilege needed). Exact before fast: a port that
//! times out is tried once more before it is called filtered, a connection to itself is not
//! an open port, and running out of file descriptors delays a probe instead of misreporting it.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ipnet::IpNet;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::timeout;

use crate::addr::parse;
use crate::cli::ScanArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::scan::{Counts, PortResult, ScanReport, State, TargetScan};
use crate::ports::{PortSet, Protocol, ServiceDb, Services};

/// Descriptors kept free for everything that is not a probe.
const FD_RESERVE: u64 = 64;
/// Most connects in flight by default.
const DEFAULT_CONCURRENCY: u64 = 4096;
/// The shortest wait for an answer, however fast the target answered before.
const MIN_WAIT: Duration = Duration::from_millis(100);

/// A target as given: one address, or the hosts of a block (iterated lazily).
enum Target {
    Addr(String, IpAddr),
    Net(String, IpNet),
}

/// How one connect ended.
enum Answer {
    Open(Duration),
    Refused(Duration),
    Silent,
    Unreachable(&'static str),
    /// Connected to itself (TCP simultaneous open on loopback): nothing listens there.
    SelfConnect,
}

pub fn run(args: &ScanArgs, out: &mut Output) -> Result<Outcome, Error> {
    let system = std::fs::read_to_string("/etc/services")
        .ok()
        .map(|t| ServiceDb::parse(&t));
    let services = Services::new(system);
    let ports = PortSet::parse(&args.ports, &services)
        .map_err(|e| Error::Usage(format!("--ports {}: {e}", args.ports)))?;
    let budget = descriptor_budget();
    let concurrency = args
        .concurrency
        .unwrap_or(DEFAULT_CONCURRENCY)
        .min(budget)
        .max(1) as usize;
    let max_wait = Duration::from_millis(args.timeout);
    let runtime = crate::cmd::runtime(2)?;
    runtime.block_on(async {
        let mut targets = Vec::with_capacity(args.targets.len());
        for given in &args.targets {
            targets.push(target(given).await?);
        }
        let mut scans = Vec::new();
        let mut interrupted = false;
        'targets: for t in &targets {
            let hosts: Box<dyn Iterator<Item = IpAddr>> = match t {
                Target::Addr(_, a) => Box::new(std::iter::once(*a)),
                Target::Net(_, net) => Box::new(net.hosts()),
            };
            let given = match t {
                Target::Addr(g, _) | Target::Net(g, _) => g,
            };
            for host in hosts {
                let scan = scan_host(given, host, &ports, concurrency, max_wait, &services).await;
                interrupted = scan.interrupted;
                scans.push(scan);
                if interrupted {
                    break 'targets;
                }
            }
        }
        out.scans(&ScanReport { scans }, args.open)?;
        Ok(if interrupted {
            Outcome::Interrupted
        } else {
            Outcome::Success
        })
    })
}

/// An address, a CIDR block, or a name (resolved once).
async fn target(given: &str) -> Result<Target, Error> {
    match parse::parse(given) {
        Ok(t) => Ok(match t.net {
            Some(net) => Target::Net(given.to_string(), net.trunc()),
            None => Target::Addr(given.to_string(), t.addr),
        }),
        // Not an address: a name, if it looks like one.
        Err(parse::ParseError::NotAnAddress) => {
            let mut found =
                tokio::net::lookup_host((given, 0))
                    .await
                    .map_err(|e| Error::Resolve {
                        name: given.to_string(),
                        reason: crate::error::io_reason(&e),
                    })?;
            let addr = found.next().map(|a| a.ip()).ok_or_else(|| Error::Resolve {
                name: given.to_string(),
                reason: "it has no address".to_string(),
            })?;
            Ok(Target::Addr(given.to_string(), addr))
        }
        Err(e) => Err(Error::Usage(format!("target {given}: {e}"))),
    }
}

/// How long to wait now: four times the smoothed RTT seen so far, between MIN_WAIT and `max`.
struct Pace {
    srtt: Option<f64>,
    max: Duration,
}

impl Pace {
    fn wait(&self) -> Duration {
        match self.srtt {
            None => self.max,
            Some(s) => Duration::from_secs_f64(s * 4.0).clamp(MIN_WAIT, self.max),
        }
    }

    fn saw(&mut self, rtt: Duration) {
        let r = rtt.as_secs_f64();
        self.srtt = Some(self.srtt.map_or(r, |s| 0.875 * s + 0.125 * r));
    }
}

async fn scan_host(
    given: &str,
    addr: IpAddr,
    ports: &PortSet,
    concurrency: usize,
    max_wait: Duration,
    services: &Services,
) -> TargetScan {
    let started = Instant::now();
    let pace = Arc::new(Mutex::new(Pace {
        srtt: None,
        max: max_wait,
    }));
    let permits = Arc::new(Semaphore::new(concurrency));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut interrupted = false;
    let mut results: Vec<(u16, Answer)> = Vec::new();
    // Two rounds: every port, then once more the ones that stayed silent.
    let mut round: Vec<u16> = ports.iter().collect();
    for attempt in 0..2 {
        let mut set = JoinSet::new();
        let mut silent = Vec::new();
        let mut queue = round.into_iter();
        // (select!'s `else` would never fire: the Ctrl-C branch is always armed.)
        while queue.len() > 0 || !set.is_empty() {
            tokio::select! {
                permit = Arc::clone(&permits).acquire_owned(), if queue.len() > 0 => {
                    let Ok(permit) = permit else { break };
                    let Some(port) = queue.next() else { continue };
                    let pace = Arc::clone(&pace);
                    set.spawn(async move {
                        let answer = probe(SocketAddr::new(addr, port), &pace).await;
                        drop(permit);
                        (port, answer)
                    });
                }
                done = set.join_next(), if !set.is_empty() => {
                    if let Some(Ok((port, answer))) = done {
                        match answer {
                            Answer::Silent if attempt == 0 => silent.push(port),
                            answer => results.push((port, answer)),
                        }
                    }
                }
                _ = &mut ctrl_c => {
                    interrupted = true;
                    break;
                }
            }
        }
        if interrupted {
            set.abort_all();
            break;
        }
        silent.sort_unstable();
        round = silent;
        if round.is_empty() {
            break;
        }
    }
    results.sort_by_key(|(port, _)| *port);
    let mut counts = Counts::default();
    let mut listed = Vec::new();
    for (port, answer) in &results {
        let (state, reason, rtt) = match answer {
            Answer::Open(rtt) => (State::Open, "syn-ack", Some(*rtt)),
            Answer::Refused(_) => (State::Closed, "conn-refused", None),
            Answer::SelfConnect => (State::Closed, "self-connect", None),
            Answer::Silent => (State::Filtered, "no-response", None),
            Answer::Unreachable(why) => (State::Filtered, *why, None),
        };
        match state {
            State::Open => counts.open += 1,
            State::Closed => counts.closed += 1,
            State::Filtered => counts.filtered += 1,
        }
        if state != State::Closed {
            listed.push(PortResult {
                port: *port,
                state,
                reason,
                service: services
                    .names(*port, Protocol::Tcp)
                    .first()
                    .map(|s| s.name.clone()),
                rtt_ms: rtt.map(|r| r.as_secs_f64() * 1000.0),
            });
        }
    }
    TargetScan {
        target: given.to_string(),
        address: addr,
        protocol: "tcp",
        method: "connect",
        ports_scanned: results.len(),
        elapsed_ms: started.elapsed().as_millis() as u64,
        counts,
        ports: listed,
        interrupted,
    }
}

/// One connect. Out of descriptors or local ports: wait a little and try the same port again,
/// so a busy machine delays the answer but never changes it.
async fn probe(at: SocketAddr, pace: &Mutex<Pace>) -> Answer {
    let mut backoff = Duration::from_millis(5);
    loop {
        let wait = pace.lock().map(|p| p.wait()).unwrap_or(MIN_WAIT);
        let began = Instant::now();
        let answer = match timeout(wait, TcpStream::connect(at)).await {
            Ok(Ok(stream)) => {
                let own = stream.local_addr().ok();
                if own.is_some() && own == stream.peer_addr().ok() {
                    Answer::SelfConnect
                } else {
                    Answer::Open(began.elapsed())
                }
            }
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                Answer::Refused(began.elapsed())
            }
            // EMFILE, ENFILE, EADDRNOTAVAIL (no local port free), ENOBUFS: the machine is busy.
            Ok(Err(e)) if matches!(e.raw_os_error(), Some(24 | 23 | 99 | 105)) => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_millis(500));
                continue;
            }
            Ok(Err(e)) => Answer::Unreachable(match e.raw_os_error() {
                Some(113) => "host-unreach",
                Some(101) => "net-unreach",
                _ => "error",
            }),
            Err(_) => Answer::Silent,
        };
        if let Answer::Open(rtt) | Answer::Refused(rtt) = answer
            && let Ok(mut p) = pace.lock()
        {
            p.saw(rtt);
        }
        return answer;
    }
}

/// Raises the soft file-descriptor limit to the hard one and says how many may be probes.
fn descriptor_budget() -> u64 {
    // Linux
    #[cfg(target_os = "linux")]
    {
        use nix::sys::resource::{Resource, getrlimit, setrlimit};
        if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
            let soft = if setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
                hard
            } else {
                soft
            };
            return soft.saturating_sub(FD_RESERVE).max(1);
        }
        256
    }
    // Elsewhere: a conservative guess.
    #[cfg(not(target_os = "linux"))]
    {
        256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_follows_the_rtt_within_bounds() {
        let mut pace = Pace {
            srtt: None,
            max: Duration::from_secs(1),
        };
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
    }
}
