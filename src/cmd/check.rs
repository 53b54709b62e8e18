//! `netkit check`: the connectivity ladder of the lab hand-outs, one rung at a time: the
//! loopback stack, this machine's own address, the default gateway, name resolution, then
//! HOST. Each step says what it found and, on failure, what that points to; later steps still
//! run where they can. Nothing is sent beyond the gateway unless a HOST is given.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

use crate::cli::CheckArgs;
use crate::error::{Error, Outcome};
use crate::net::connect;
use crate::net::icmp::echo_once;
use crate::net::interfaces::{self, IFF_RUNNING, IFF_UP, RawLink, Snapshot};
use crate::net::resolve::{Family, name_servers, resolve_all_scoped};
use crate::output::Output;
use crate::output::check::{CheckReport, Status, Step};

/// How long a name may take to resolve (the system resolver's own wait is 5 s per server).
const RESOLVE_WAIT: Duration = Duration::from_secs(5);

pub fn run(args: &CheckArgs, out: &mut Output) -> Result<Outcome, Error> {
    let runtime = crate::net::runtime(1)?;
    let mut steps = Vec::new();
    // Ctrl-C ends the ladder at the step it is on; the steps done are still shown.
    let interrupted = runtime.block_on(async {
        let mut stop = crate::net::stop::stop();
        tokio::select! {
            () = check(args, &mut steps) => false,
            _ = &mut stop => true,
        }
    });
    // A lookup still blocked in the system resolver must not hold up the exit.
    runtime.shutdown_background();
    let passed = steps.iter().all(|s| s.status != Status::Fail);
    let report = CheckReport {
        host: args.host.as_ref().map(|h| h.given().to_string()),
        steps,
        passed,
    };
    out.check(&report)?;
    Ok(match (interrupted, report.passed) {
        (true, _) => Outcome::Interrupted,
        (false, true) => Outcome::Success,
        (false, false) => Outcome::Negative,
    })
}

/// The ladder, a step at a time, each step kept as soon as it is done.
async fn check(args: &CheckArgs, steps: &mut Vec<Step>) {
    let wait = args.wait;
    steps.push(loopback(wait).await);
    // Step 2 sends nothing, but it ran: its time is the reading of the interfaces.
    let began = Instant::now();
    let snapshot = interfaces::snapshot().ok();
    let route = snapshot.as_ref().and_then(default_route);
    let own = own_address(snapshot.as_ref(), route.as_ref());
    steps.push(timed(ms(began.elapsed()), own));
    steps.push(gateway(route.as_ref(), wait).await);
    let (resolution, addrs) = resolution(args).await;
    steps.push(resolution);
    steps.push(host(args, addrs, wait).await);
}

fn ms(d: Duration) -> Option<f64> {
    Some(d.as_secs_f64() * 1000.0)
}

fn step(step: u8, name: &'static str, status: Status, detail: String) -> Step {
    Step {
        step,
        name,
        status,
        ms: None,
        detail,
        meaning: None,
    }
}

/// Step 1: a TCP connection from this machine to itself over 127.0.0.1 and ::1.
async fn loopback(wait: Duration) -> Step {
    let began = Instant::now();
    let v4 = connect_to_self(IpAddr::V4(Ipv4Addr::LOCALHOST), wait).await;
    let v6 = connect_to_self(IpAddr::V6(Ipv6Addr::LOCALHOST), wait).await;
    let took = ms(began.elapsed());
    let name = "loopback";
    let passed = match (&v4, &v6) {
        (Ok(()), Ok(())) => Some("127.0.0.1 and ::1 answer (TCP to itself)"),
        (Ok(()), Err(e)) if e.kind() == io::ErrorKind::AddrNotAvailable => {
            Some("127.0.0.1 answers; ::1 is not configured (IPv6 off)")
        }
        _ => None,
    };
    if let Some(detail) = passed {
        return timed(took, step(1, name, Status::Pass, detail.into()));
    }
    let broken: Vec<String> = [("127.0.0.1", v4), ("::1", v6)]
        .into_iter()
        .filter_map(|(a, r)| {
            r.err()
                .map(|e| format!("{a}: {}", crate::error::io_reason(&e)))
        })
        .collect();
    let meaning = "this machine's own TCP/IP stack is broken (is lo up? `ip link set lo up`); \
                   nothing over the network can work either";
    timed(took, failed(1, name, broken.join("; "), meaning))
}

async fn connect_to_self(addr: IpAddr, wait: Duration) -> io::Result<()> {
    let listener = TcpListener::bind(SocketAddr::new(addr, 0)).await?;
    let to = listener.local_addr()?;
    let both = async { tokio::try_join!(TcpStream::connect(to), listener.accept()).map(|_| ()) };
    timeout(wait, both)
        .await
        .unwrap_or_else(|_| Err(io::Error::from(io::ErrorKind::TimedOut)))
}

/// The default route checked: IPv4's if there is one, else IPv6's.
struct Route {
    gateway: Option<IpAddr>,
    interface: Option<u32>,
    family: u8,
}

fn default_route(snapshot: &Snapshot) -> Option<Route> {
    [4u8, 6].into_iter().find_map(|family| {
        snapshot
            .routes
            .iter()
            .find(|r| r.family == family)
            .map(|r| Route {
                gateway: r.gateway,
                interface: r.interface,
                family,
            })
    })
}

/// A step with the time its answer took.
fn timed(ms: Option<f64>, step: Step) -> Step {
    Step { ms, ..step }
}

/// A failed step with what it points to.
fn failed(number: u8, name: &'static str, detail: String, meaning: impl Into<String>) -> Step {
    Step {
        meaning: Some(meaning.into()),
        ..step(number, name, Status::Fail, detail)
    }
}

/// Step 2: this machine's address on the interface of the default route.
fn own_address(snapshot: Option<&Snapshot>, route: Option<&Route>) -> Step {
    let fail = |detail: &str, meaning: &str| failed(2, "own address", detail.into(), meaning);
    let Some(snapshot) = snapshot else {
        return fail(
            "the interfaces could not be read",
            "netkit cannot see this machine's interfaces; see `netkit ifaces`",
        );
    };
    let Some(route) = route else {
        return fail(
            "no default route",
            "this machine reaches only the networks it is on: no gateway is set (DHCP did not \
             answer, or none is configured); other networks cannot work",
        );
    };
    let link = snapshot
        .links
        .iter()
        .find(|l| Some(l.index) == route.interface);
    let Some(link) = link else {
        return fail(
            "the default route names no interface",
            "the routing table is unusual; see `ip route`",
        );
    };
    if let Some(down) = link_down(link) {
        return down;
    }
    address_on(snapshot, link, route.family == 6)
}

/// Step 2 failed when the default route's link is down or has no carrier.
fn link_down(link: &RawLink) -> Option<Step> {
    let name = "own address";
    let flags = link.flags.unwrap_or(IFF_UP | IFF_RUNNING);
    if flags & IFF_UP == 0 {
        return Some(failed(
            2,
            name,
            format!("{} is down", link.name),
            format!(
                "bring it up (`ip link set {} up`); the steps below cannot work",
                link.name
            ),
        ));
    }
    (flags & IFF_RUNNING == 0).then(|| {
        failed(
            2,
            name,
            format!("{} has no carrier", link.name),
            "the link is down: the cable, the Wi-Fi association or the other end of the link; \
             the steps below cannot work",
        )
    })
}

/// Step 2 on a link that is up: its address of the route's family, a global one first.
fn address_on(snapshot: &Snapshot, link: &RawLink, wanted_v6: bool) -> Step {
    let mut own: Vec<_> = snapshot
        .addresses
        .iter()
        .filter(|a| a.index == link.index && a.addr.is_ipv6() == wanted_v6)
        .collect();
    // A global address first; a link-local one only reaches the link.
    own.sort_by_key(|a| a.scope != Some("global"));
    match own.first() {
        Some(a) => step(
            2,
            "own address",
            Status::Pass,
            format!(
                "{}/{} on {}, the interface of the default route",
                a.addr, a.prefix, link.name
            ),
        ),
        None => failed(
            2,
            "own address",
            format!(
                "{} has no {} address",
                link.name,
                if wanted_v6 { "IPv6" } else { "IPv4" }
            ),
            "DHCP did not answer, or no address is configured; the steps below cannot work",
        ),
    }
}

/// Step 3: the default gateway answers ping, or at least ARP.
async fn gateway(route: Option<&Route>, wait: Duration) -> Step {
    let name = "gateway";
    let Some(route) = route else {
        let detail = "no default route, so no gateway";
        return step(3, name, Status::Skip, detail.into());
    };
    let Some(gw) = route.gateway else {
        let detail = "the default route has no gateway (a point-to-point link)";
        return step(3, name, Status::Skip, detail.into());
    };
    let began = Instant::now();
    let echo = echo_once(gw, wait).await;
    let took = ms(began.elapsed());
    let why = match echo {
        Ok(Some(rtt)) => {
            let detail = format!("{gw} answers ping");
            return timed(ms(rtt), step(3, name, Status::Pass, detail));
        }
        Err(Error::Permission(_)) => "ICMP is not permitted here",
        _ => "no reply to ping",
    };
    if interfaces::neighbour_known(gw) == Some(true) {
        let detail = format!("{gw}: {why}, but it answers ARP (ICMP filtered)");
        return timed(took, step(3, name, Status::Pass, detail));
    }
    let meaning = format!(
        "the gateway {gw} does not answer: the link or the gateway is down; steps below it \
         cannot work"
    );
    timed(took, failed(3, name, format!("{gw}: {why}"), meaning))
}

/// Step 4: HOST's name resolved (the resolver named, and every address in the order a
/// client tries them); with no HOST, only the resolver named.
async fn resolution(args: &CheckArgs) -> (Step, Vec<IpAddr>) {
    let name = "name resolution";
    let servers = name_servers();
    let resolver = if servers.is_empty() {
        "no name server in /etc/resolv.conf".to_string()
    } else {
        format!("resolver {}", servers.join(", "))
    };
    let Some(host) = &args.host else {
        let detail = format!("no HOST given; {resolver}");
        return (step(4, name, Status::Skip, detail), Vec::new());
    };
    if let Some(addr) = host.addr() {
        let detail = format!("{addr} is an address; {resolver}");
        return (step(4, name, Status::Skip, detail), vec![addr]);
    }
    let began = Instant::now();
    let found = timeout(RESOLVE_WAIT, resolve_all_scoped(host, Family::Any)).await;
    let took = ms(began.elapsed());
    let (done, addrs) = match found {
        Ok(Ok(every)) => {
            let addrs: Vec<IpAddr> = every.iter().map(SocketAddr::ip).collect();
            let detail = format!("{} is {} ({resolver})", host.given(), listed(&addrs));
            (step(4, name, Status::Pass, detail), addrs)
        }
        Ok(Err(e)) => (
            not_resolved(host.given(), &resolver, e.to_string()),
            Vec::new(),
        ),
        Err(_) => {
            let detail = format!(
                "no answer for {} within {} s",
                host.given(),
                RESOLVE_WAIT.as_secs()
            );
            (
                failed(4, name, detail, silent_resolver(&resolver)),
                Vec::new(),
            )
        }
    };
    (timed(took, done), addrs)
}

/// Addresses as a list: "::1, 127.0.0.1".
fn listed(addrs: &[IpAddr]) -> String {
    let each: Vec<String> = addrs.iter().map(IpAddr::to_string).collect();
    each.join(", ")
}

/// What a resolver that does not answer means.
fn silent_resolver(resolver: &str) -> String {
    format!(
        "the {resolver} does not answer: names will not work, addresses may (give HOST as an \
         address to test the rest)"
    )
}

/// Step 4 failed with the resolver's error `text` for `given`.
fn not_resolved(given: &str, resolver: &str, text: String) -> Step {
    // getaddrinfo's EAI_AGAIN: no server answered; anything else is an answer of no.
    let meaning = if text.contains("Temporary failure") {
        silent_resolver(resolver)
    } else {
        format!(
            "the {resolver} says {given} has no address: a typo, or a name that does not exist; \
             addresses still work"
        )
    };
    failed(4, "name resolution", text, meaning)
}

/// Step 5: HOST answers ping, or else a TCP connect to 443, then 80. A name's addresses are
/// tried in turn, as a client tries them (issue 23: `localhost` is often ::1 first while a
/// lesson's server listens on 127.0.0.1 only), and the step says which one answered.
async fn host(args: &CheckArgs, addrs: Vec<IpAddr>, wait: Duration) -> Step {
    let name = "host";
    let Some(host) = &args.host else {
        let detail = "no HOST given: nothing sent beyond the gateway";
        return step(5, name, Status::Skip, detail.into());
    };
    if addrs.is_empty() {
        let detail = format!("{} did not resolve", host.given());
        return step(5, name, Status::Skip, detail);
    }
    let named = host.addr().is_none();
    let shown = |addr: IpAddr| {
        if named {
            format!("{} ({addr})", host.given())
        } else {
            addr.to_string()
        }
    };
    let began = Instant::now();
    for (i, &addr) in addrs.iter().enumerate() {
        if let Ok(Some(rtt)) = echo_once(addr, wait).await {
            let mut detail = format!("{} answers ping", shown(addr));
            if i > 0 {
                detail.push_str(&format!("; {} did not", listed(&addrs[..i])));
            }
            return timed(ms(rtt), step(5, name, Status::Pass, detail));
        }
    }
    if let Some(answered) = tcp_answers(&addrs, &shown, wait).await {
        return answered;
    }
    let all = if named {
        format!("{} ({})", host.given(), listed(&addrs))
    } else {
        listed(&addrs)
    };
    let unanswered = failed(
        5,
        name,
        format!("{all}: no reply to ping, nor on TCP 443 or 80"),
        format!(
            "{all} is down, or something on the way drops its traffic; `netkit trace {}` shows \
             where it is lost",
            addrs[0]
        ),
    );
    // A step that ran carries its time: here, all the asking that went unanswered.
    timed(ms(began.elapsed()), unanswered)
}

/// Step 5 passed by a TCP port that answers, 443 or else 80, on the first address that
/// accepts; else on the first that refused (a reset proves the host is up).
async fn tcp_answers(
    addrs: &[IpAddr],
    shown: &impl Fn(IpAddr) -> String,
    wait: Duration,
) -> Option<Step> {
    let mut refused = None;
    for port in [443u16, 80] {
        let at: Vec<SocketAddr> = addrs.iter().map(|a| SocketAddr::new(*a, port)).collect();
        let attempts = connect::in_turn(&at, wait).await;
        let Some(i) = connect::answering(&attempts) else {
            continue;
        };
        let chosen = &attempts[i];
        let open = matches!(chosen.answer, connect::Answer::Open);
        let state = if open {
            "open"
        } else {
            "closed: the host is up"
        };
        let mut detail = format!(
            "{}: no reply to ping, but TCP port {port} answers ({state})",
            shown(chosen.to.ip())
        );
        let before: Vec<String> = attempts[..i]
            .iter()
            .map(|a| format!("{} ({})", a.to.ip(), a.answer.words(wait)))
            .collect();
        if !before.is_empty() {
            detail.push_str(&format!("; tried first: {}", before.join(", ")));
        }
        let answered = timed(ms(chosen.took), step(5, "host", Status::Pass, detail));
        if open {
            return Some(answered);
        }
        // A closed port proves the host is up, but an open one on the next port says more.
        refused.get_or_insert(answered);
    }
    refused
}
