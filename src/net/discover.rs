//! Host discovery: which of many addresses are up, each reported as soon as it is known, with
//! bounded work in flight (issue 24). On a directly connected subnet the link layer decides,
//! so a host whose firewall drops everything is still found: with privilege (root or
//! CAP_NET_RAW) netkit's own ARP requests on the interface's datalink channel (net::arp) or
//! IPv6 neighbour solicitations on an ICMPv6 raw socket (net::ndp), as nmap's ARP ping, with
//! netkit's own wait and resends; without it (the channel does not open), the kernel's
//! neighbour resolution (ARP, or IPv6 neighbour discovery), caused by one datagram and
//! followed over rtnetlink. Elsewhere (routed) an ICMP echo and TCP connects to
//! 80 and 443: any answer of the host, a reset included, means up.
//!
//! Why both on the link: the kernel's resolution is as truthful but paced by the kernel. A
//! host whose entry is STALE is confirmed only after the kernel's DELAY (5 s), and the
//! neighbour table (gc_thresh3, shared by every namespace) holds about 500 resolutions at
//! once. netkit's own requests depend on neither.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

use ipnet::IpNet;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;

use super::arp;
use super::connect::{self, Answer};
use super::icmp::{Echo, EchoSocket, Kind};
use super::interfaces::{self, Resolution};
use super::ndp;
use super::stamp::Stamp;
use super::stop::Stop;
use crate::addr::{Down, HostState, Up};
use crate::error::Error;
use crate::packet::icmp::{IcmpError, Reason};

/// How discovery waits and how much it keeps in flight.
#[derive(Debug, Clone)]
pub struct Discover {
    /// netkit's own wait for an answer (the kernel gives up on ARP only after about 3 s).
    pub wait: Duration,
    /// The most addresses being resolved or probed at once (the neighbour table's limit,
    /// gc_thresh3, is shared by every namespace on the machine: 1024 by default).
    pub in_flight: usize,
}

impl Default for Discover {
    fn default() -> Discover {
        Discover {
            wait: Duration::from_secs(1),
            in_flight: 500,
        }
    }
}

/// The ports a routed address is asked on: a reset from either proves the host is there.
pub const TCP_PORTS: [u16; 2] = [80, 443];

/// How often the neighbour table is read while resolutions are in flight.
const POLL: Duration = Duration::from_millis(25);

/// How long past the wait an entry the kernel is still checking (STALE, DELAY, PROBE) is
/// followed: its DELAY (5 s) and PROBE (3 probes a second apart) end by then.
const UNCONFIRMED_MOST: Duration = Duration::from_secs(9);

/// How long the kernel keeps resolving an address nobody answers (its three solicitations a
/// second apart), whatever netkit's own wait: what counts against the neighbour table.
const KERNEL_RESOLVING: Duration = Duration::from_millis(3500);

/// How long an echo reply is awaited on the link once the neighbour answered, before the
/// neighbour's answer alone says up (a reply follows within a millisecond on a lab link).
const ECHO_GRACE: Duration = Duration::from_millis(100);

/// Descriptors kept for everything that is not a probe (stdio, the runtime, the sockets of
/// discovery itself).
const RESERVE: u64 = 24;

/// The port the datagram that starts a resolution goes to (discard): nothing is expected back.
const DISCARD: u16 = 9;

/// How many times netkit's own ARP request is sent again within the wait, evenly spaced (a
/// request or its reply can be lost; nmap resends too).
const ARP_RESENDS: u32 = 2;

/// ARP replies read but not yet handled, at most (the reading threads wait beyond it).
const ARP_QUEUE: usize = 1024;

/// Finds which of `targets` are up, calling `each` once per target as soon as it is known
/// (order not guaranteed), bounded in flight; returns when every target was reported or the
/// stop fired (then Ok(false): not every target reported). Chooses per target: an address on
/// a directly connected Ethernet subnet, with privilege → netkit's own ARP requests or IPv6
/// neighbour solicitations (sent again twice within `wait`; a reply up, none → down); otherwise on the link
/// → the kernel's neighbour resolution (caused by a datagram, followed over rtnetlink: only
/// REACHABLE and FAILED are answers; STALE/DELAY/PROBE wait; INCOMPLETE after `wait` →
/// down); routed → ICMP echo (raw, or the datagram socket where allowed) plus TCP
/// connects to 80 and 443 (a refusal means up).
#[allow(dead_code)] // scan's entry (issue 24); ping takes the timed form
pub async fn discover(
    targets: &[IpAddr],
    how: &Discover,
    stop: &mut Stop,
    mut each: impl FnMut(IpAddr, HostState),
) -> Result<bool, Error> {
    discover_timed(targets, how, stop, |addr, state, _| each(addr, state)).await
}

/// `discover`, with the time the answer took where it was measured: an echo reply's RTT (the
/// kernel's stamps), a connect's (the kernel's RTT of the handshake, or the connect's own
/// time for a reset). An ARP reply or neighbour advertisement (see `arp::Reply`) and a
/// neighbour's answer (seen by reading the table) are not timed: `None`.
pub async fn discover_timed(
    targets: &[IpAddr],
    how: &Discover,
    stop: &mut Stop,
    each: impl FnMut(IpAddr, HostState, Option<Duration>),
) -> Result<bool, Error> {
    run(targets, how, false, stop, each).await
}

/// `discover_timed`, with an echo request beside each kernel resolution on the link (ping's
/// sweep): a host there that answers ping is reported by its reply, with the reply's time
/// (the first request waits for the link's resolution, as fping's first does); one that
/// answers only ARP or neighbour discovery is still found by the kernel's resolution. Where
/// netkit asks by its own ARP or solicitation, the reply says up, as nmap's ARP ping (with
/// no time: see `discover_timed`).
pub async fn discover_pinging(
    targets: &[IpAddr],
    how: &Discover,
    stop: &mut Stop,
    each: impl FnMut(IpAddr, HostState, Option<Duration>),
) -> Result<bool, Error> {
    run(targets, how, true, stop, each).await
}

/// The one loop behind the three.
async fn run(
    targets: &[IpAddr],
    how: &Discover,
    echo_on_link: bool,
    stop: &mut Stop,
    mut each: impl FnMut(IpAddr, HostState, Option<Duration>),
) -> Result<bool, Error> {
    let links = Links::read();
    let most = how.in_flight.max(1);
    // Two connects a routed address; the echo sockets are shared.
    let budget = usize::try_from(super::descriptor_budget(RESERVE)).unwrap_or(usize::MAX);
    let routed_most = (budget / TCP_PORTS.len()).clamp(1, most);
    let mut run = Run::new(how.wait);
    let mut next = 0;
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut buf4 = vec![0u8; 2048];
    let mut buf6 = vec![0u8; 2048];
    loop {
        while next < targets.len() && run.len() < most {
            let addr = targets[next];
            if let Some(copies) = run.copies.get_mut(&addr) {
                // The same address twice: one probe, reported as often as it was given.
                *copies += 1;
                next += 1;
                continue;
            }
            if links.on_link(addr) {
                match run.ask_arp(addr, &links) {
                    Asked::Sent => {
                        next += 1;
                        continue;
                    }
                    // The send buffer is full: asked again after a tick.
                    Asked::Later => break,
                    Asked::NotHere => {}
                }
                if run.kernel_resolving(most) {
                    break;
                }
                match run.resolve(addr) {
                    // A full send buffer, a full neighbour table, no descriptor: nothing was
                    // asked, so nothing is said; asked again after a tick.
                    Err(e)
                        if e.kind() == io::ErrorKind::WouldBlock
                            || super::errno::is_busy(&e)
                            || super::errno::is_out_of_descriptors(&e) =>
                    {
                        break;
                    }
                    // Refused at once (a local firewall, a broadcast address): nothing was
                    // asked, and that is what is said.
                    Err(e) => {
                        let why = crate::error::ping_reason(&e);
                        run.report(
                            addr,
                            HostState::Down(Down::NotSent { why }),
                            None,
                            &mut each,
                        )
                    }
                    Ok(()) if echo_on_link => {
                        if let Ok(Some(at)) = run.echo(addr).await {
                            run.pinged.insert(addr, at);
                        }
                    }
                    Ok(()) => {}
                }
            } else {
                if run.routed.len() >= routed_most {
                    break;
                }
                run.probe(addr).await;
            }
            next += 1;
        }
        if run.len() == 0 && next >= targets.len() {
            return Ok(true);
        }
        let event = tokio::select! {
            // In this order when several are ready: an echo reply read before the table.
            biased;
            () = &mut *stop => return Ok(false),
            Some(joined) = run.connects.join_next(), if !run.connects.is_empty() => {
                Event::Connect(joined.ok())
            }
            got = recv(&run.echo4, &mut buf4), if run.expects_echo(false) => Event::Echo(got, false),
            got = recv(&run.echo6, &mut buf6), if run.expects_echo(true) => Event::Echo(got, true),
            Some(reply) = run.arp_replies.recv(), if !run.arped.is_empty() => Event::Arp(reply),
            _ = tick.tick() => Event::Tick,
        };
        match event {
            Event::Connect(Some((addr, port, answer, took))) => {
                run.connected(addr, port, answer, took, &mut each)
            }
            Event::Connect(None) => {}
            Event::Echo(Ok(Some(echo)), _) => run.echoed(&echo, &mut each),
            Event::Echo(Ok(None), _) => {}
            // A socket that fails its reads is given up; the connects still ask.
            Event::Echo(Err(_), v6) => run.drop_echo(v6),
            Event::Arp(reply) => run.arp_reply(reply, &mut each),
            Event::Tick => {
                // An entry the kernel is still checking (it answered once, a while ago) is
                // asked the routed way too: a reply says up at once, where the kernel's own
                // check takes its DELAY of 5 s.
                for addr in run.tick(&mut each) {
                    if run.routed.len() < routed_most {
                        run.probe(addr).await;
                    }
                }
            }
        }
    }
}

/// What woke the loop.
enum Event {
    Connect(Option<(IpAddr, u16, Answer, Duration)>),
    Echo(io::Result<Option<Echo>>, bool),
    Arp(arp::Reply),
    Tick,
}

/// Why this machine refused to send a probe, if it did: a local firewall (EPERM), or, for a
/// datagram, a broadcast address (EACCES; a connect's EACCES can be a router's answer).
fn local_refusal(e: &io::Error, datagram: bool) -> Option<String> {
    (super::errno::is_firewall_refusal(e) || (datagram && super::errno::is_broadcast_refusal(e)))
        .then(|| crate::error::ping_reason(e))
}

/// What became of netkit's own ARP request for an address.
enum Asked {
    /// Sent: the address waits for its reply.
    Sent,
    /// Not sent for now (the send buffer is full): nothing is said, it is asked again later.
    Later,
    /// Not netkit's to ask (IPv6, no Ethernet link, no privilege): the kernel's way.
    NotHere,
}

/// The next answer on an echo socket, or never when there is none.
async fn recv(socket: &Option<EchoSocket>, buf: &mut [u8]) -> io::Result<Option<Echo>> {
    match socket {
        Some(socket) => socket.recv(buf).await,
        None => std::future::pending().await,
    }
}

/// The subnets this machine is directly connected to, and its own addresses.
struct Links {
    subnets: Vec<IpNet>,
    own: Vec<IpAddr>,
    /// Whether the neighbour table can be read here at all.
    neighbours: bool,
    /// The subnets on Ethernet links that resolve neighbours (ARP, neighbour discovery), each
    /// with what a request on its interface carries.
    arp: Vec<(IpNet, arp::Interface)>,
}

impl Links {
    fn read() -> Links {
        let neighbours = interfaces::neighbours(false, |_, _| {}).is_ok();
        let Ok(snapshot) = interfaces::snapshot() else {
            return Links {
                subnets: Vec::new(),
                own: Vec::new(),
                neighbours,
                arp: Vec::new(),
            };
        };
        let up: Vec<u32> = snapshot
            .links
            .iter()
            .filter(|l| {
                l.flags.is_none_or(|f| {
                    f & interfaces::IFF_UP != 0 && f & interfaces::IFF_LOOPBACK == 0
                })
            })
            .map(|l| l.index)
            .collect();
        let own = snapshot.addresses.iter().map(|a| a.addr).collect();
        let subnets = snapshot
            .addresses
            .iter()
            .filter(|a| up.contains(&a.index))
            .filter_map(|a| IpNet::new(a.addr, a.prefix).ok())
            .map(|n| n.trunc())
            // A /32 or /128 has no neighbours; link-local IPv6 needs a scope a bare address
            // does not carry.
            .filter(|n| n.hosts().nth(1).is_some())
            .filter(|n| !matches!(n.addr(), IpAddr::V6(v6) if v6.is_unicast_link_local()))
            .collect();
        // IFF_NOARP (linux/if.h): a link that resolves nothing (tun, wireguard).
        const IFF_NOARP: u32 = 0x80;
        // IFA_F_TENTATIVE (linux/if_addr.h): an IPv6 address not usable yet as a source.
        const IFA_F_TENTATIVE: u32 = 0x40;
        let arp = snapshot
            .addresses
            .iter()
            .filter(|a| up.contains(&a.index))
            .filter_map(|a| {
                if let IpAddr::V6(v6) = a.addr
                    && (v6.is_unicast_link_local() || a.flags & IFA_F_TENTATIVE != 0)
                {
                    return None;
                }
                let link = snapshot.links.iter().find(|l| l.index == a.index)?;
                if link.flags.is_some_and(|f| f & IFF_NOARP != 0) {
                    return None;
                }
                let mac: [u8; 6] = link.mac.as_deref()?.try_into().ok()?;
                if mac == [0; 6] {
                    return None;
                }
                let net = IpNet::new(a.addr, a.prefix).ok()?.trunc();
                let interface = arp::Interface {
                    index: link.index,
                    name: link.name.clone(),
                    mac,
                    ip: a.addr,
                };
                Some((net, interface))
            })
            .collect();
        Links {
            subnets,
            own,
            neighbours,
            arp,
        }
    }

    /// The interface whose subnet holds `addr`, where netkit can ask it itself (ARP or
    /// neighbour discovery).
    fn arp_interface(&self, addr: IpAddr) -> Option<&arp::Interface> {
        self.arp
            .iter()
            .find(|(net, _)| net.contains(&addr))
            .map(|(_, interface)| interface)
    }

    /// Whether `addr` is a neighbour on a directly connected subnet (not this machine's own
    /// address, not the subnet's broadcast address).
    fn on_link(&self, addr: IpAddr) -> bool {
        self.neighbours
            && !self.own.contains(&addr)
            && self.subnets.iter().any(|n| {
                n.contains(&addr)
                    && !(n.addr().is_ipv4() && n.prefix_len() < 31 && addr == n.broadcast())
            })
    }
}

/// A routed address being probed.
struct Routed {
    deadline: Instant,
    /// Connects not finished yet.
    connects: Vec<AbortHandle>,
    /// A router's host (or, `true`, network) unreachable about our echo request.
    unreachable: Option<(IpAddr, bool)>,
    /// When the echo request went, if it did.
    sent: Option<Stamp>,
    /// Some probe went out (the echo request, or a connect this machine did not refuse).
    asked: bool,
    /// Why this machine refused to send the echo request (a local firewall's EPERM, a
    /// broadcast address's EACCES), in words.
    echo_refused: Option<String>,
    /// Why it refused a connect (a local firewall's EPERM), in words.
    connect_refused: Option<String>,
}

impl Routed {
    /// What its probes said by the deadline: a router's unreachable, every probe refused by
    /// this machine (none went out: a connect still waiting sent its SYN), or silence (to
    /// the connects alone when the echo request was refused).
    fn down(&self) -> Down {
        let asked = self.asked || self.connects.iter().any(|c| !c.is_finished());
        let refused = self.echo_refused.as_ref().or(self.connect_refused.as_ref());
        match (self.unreachable, refused) {
            (Some((from, net)), _) => Down::HostUnreachable { from, net },
            (None, Some(why)) if !asked => Down::NotSent { why: why.clone() },
            _ => Down::NoAnswer {
                echo_refused: self.echo_refused.clone(),
            },
        }
    }
}

/// Everything in flight.
struct Run {
    wait: Duration,
    /// On-link addresses being resolved, with the end of their wait.
    resolving: HashMap<IpAddr, Instant>,
    /// When the resolutions of the last `KERNEL_RESOLVING` began (at most `in_flight`): the
    /// kernel still resolves those netkit has stopped waiting for.
    begun: VecDeque<Instant>,
    /// Resolving addresses also probed the routed way (seen unconfirmed).
    beside: HashSet<IpAddr>,
    /// Resolving addresses sent an echo request beside (`discover_pinging`), and when.
    pinged: HashMap<IpAddr, Stamp>,
    /// Pinged addresses the kernel found REACHABLE, and when that was first seen.
    confirmed: HashMap<IpAddr, Instant>,
    routed: HashMap<IpAddr, Routed>,
    routed_v4: usize,
    routed_v6: usize,
    /// How many times each address in flight was given.
    copies: HashMap<IpAddr, usize>,
    connects: JoinSet<(IpAddr, u16, Answer, Duration)>,
    /// The datagram sockets that start resolutions, opened when first needed.
    udp4: Option<UdpSocket>,
    udp6: Option<UdpSocket>,
    /// The echo sockets, opened when first needed; `None` inside when they cannot be.
    echo4: Option<EchoSocket>,
    echo6: Option<EchoSocket>,
    tried4: bool,
    tried6: bool,
    ident: u16,
    /// netkit's own ARP and neighbour discovery: the channels opened, by interface index and
    /// family (IPv6 true).
    arp_links: HashMap<(u32, bool), OwnLink>,
    /// A channel of the family could not be opened (no root or CAP_NET_RAW): the kernel
    /// resolves the rest. [IPv4, IPv6].
    arp_off: [bool; 2],
    /// Every channel's replies, and the sending end each channel's thread is given.
    arp_replies: mpsc::Receiver<arp::Reply>,
    arp_tx: mpsc::Sender<arp::Reply>,
    /// Addresses asked by ARP, waiting for a reply: state only for these.
    arped: HashMap<IpAddr, Arped>,
}

/// A channel of netkit's own on one interface: ARP (IPv4) or neighbour discovery (IPv6).
enum OwnLink {
    Arp(arp::Link),
    Ndp(ndp::Link),
}

impl OwnLink {
    fn open(interface: &arp::Interface, replies: mpsc::Sender<arp::Reply>) -> io::Result<OwnLink> {
        match interface.ip {
            IpAddr::V4(_) => arp::Link::open(interface, replies).map(OwnLink::Arp),
            IpAddr::V6(_) => ndp::Link::open(interface, replies).map(OwnLink::Ndp),
        }
    }

    /// One request for `addr` (of the link's family).
    fn ask(&mut self, addr: IpAddr) -> io::Result<()> {
        match (self, addr) {
            (OwnLink::Arp(link), IpAddr::V4(v4)) => link.ask(v4),
            (OwnLink::Ndp(link), IpAddr::V6(v6)) => link.ask(v6),
            _ => Err(io::Error::from(io::ErrorKind::InvalidInput)),
        }
    }
}

/// An address asked by netkit's own ARP.
struct Arped {
    /// The interface it was asked on.
    index: u32,
    /// When the last request went.
    last: Instant,
    /// Requests sent again so far.
    resent: u32,
    deadline: Instant,
}

impl Run {
    fn new(wait: Duration) -> Run {
        let (arp_tx, arp_replies) = mpsc::channel(ARP_QUEUE);
        Run {
            wait,
            resolving: HashMap::new(),
            begun: VecDeque::new(),
            beside: HashSet::new(),
            pinged: HashMap::new(),
            confirmed: HashMap::new(),
            routed: HashMap::new(),
            routed_v4: 0,
            routed_v6: 0,
            copies: HashMap::new(),
            connects: JoinSet::new(),
            udp4: None,
            udp6: None,
            echo4: None,
            echo6: None,
            tried4: false,
            tried6: false,
            ident: (std::process::id() as u16) ^ 0x6469,
            arp_links: HashMap::new(),
            arp_off: [false; 2],
            arp_replies,
            arp_tx,
            arped: HashMap::new(),
        }
    }

    fn len(&self) -> usize {
        self.resolving.len() + self.routed.len() + self.arped.len()
    }

    /// Asks an on-link address by netkit's own ARP request or neighbour solicitation,
    /// opening its interface's channel when first needed. A channel that does not open (no
    /// root or CAP_NET_RAW) leaves this address and every later one of its family to the
    /// kernel's resolution.
    fn ask_arp(&mut self, addr: IpAddr, links: &Links) -> Asked {
        let family = usize::from(addr.is_ipv6());
        if self.arp_off[family] {
            return Asked::NotHere;
        }
        let Some(interface) = links.arp_interface(addr) else {
            return Asked::NotHere;
        };
        let link = match self.arp_links.entry((interface.index, addr.is_ipv6())) {
            std::collections::hash_map::Entry::Occupied(link) => link.into_mut(),
            std::collections::hash_map::Entry::Vacant(place) => {
                match OwnLink::open(interface, self.arp_tx.clone()) {
                    Ok(link) => place.insert(link),
                    Err(_) => {
                        self.arp_off[family] = true;
                        return Asked::NotHere;
                    }
                }
            }
        };
        // When the request went: the resends are spaced from it.
        let now = Instant::now();
        match link.ask(addr) {
            Ok(()) => {
                self.arped.insert(
                    addr,
                    Arped {
                        index: interface.index,
                        last: now,
                        resent: 0,
                        deadline: now + self.wait,
                    },
                );
                self.copies.insert(addr, 1);
                Asked::Sent
            }
            // No room in the send buffer (the link is slower than the requests): nothing
            // went, so it is asked again after a tick.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) || super::errno::is_busy(&e) =>
            {
                Asked::Later
            }
            // The link refuses (down since it was read): the kernel's way says what it can.
            Err(_) => Asked::NotHere,
        }
    }

    /// An ARP reply (or neighbour advertisement): up, if its sender is an address asked (any
    /// other is not ours to keep). It carries no time (`arp::Reply`): a time read when a
    /// thread got round to it is not a round trip, and every time netkit prints is the
    /// kernel's.
    fn arp_reply(
        &mut self,
        reply: arp::Reply,
        each: &mut impl FnMut(IpAddr, HostState, Option<Duration>),
    ) {
        if !self.arped.contains_key(&reply.from) {
            return;
        }
        self.report(
            reply.from,
            HostState::Up(if reply.from.is_ipv6() {
                Up::Ndp
            } else {
                Up::Arp
            }),
            None,
            each,
        );
    }

    /// Ends the ARP waits that are over (down: no reply on the link) and sends the requests
    /// due again.
    fn tick_arp(
        &mut self,
        now: Instant,
        each: &mut impl FnMut(IpAddr, HostState, Option<Duration>),
    ) {
        let over: Vec<IpAddr> = self
            .arped
            .iter()
            .filter(|(_, a)| now >= a.deadline)
            .map(|(addr, _)| *addr)
            .collect();
        for addr in over {
            self.report(addr, HostState::Down(Down::NoNeighbour), None, each);
        }
        let every = self.wait / (ARP_RESENDS + 1);
        for (addr, arped) in &mut self.arped {
            if arped.resent >= ARP_RESENDS || now < arped.last + every {
                continue;
            }
            let Some(link) = self.arp_links.get_mut(&(arped.index, addr.is_ipv6())) else {
                continue;
            };
            // A resend that finds no room is tried again at the next tick.
            if link.ask(*addr).is_ok() {
                arped.resent += 1;
                arped.last = now;
            }
        }
    }

    /// Whether `most` resolutions are still the kernel's (begun within its time to give up):
    /// the neighbour table (gc_thresh3, 1024 by default, shared by every namespace) must not
    /// overflow, or the kernel drops entries, ours and everyone's.
    fn kernel_resolving(&mut self, most: usize) -> bool {
        let now = Instant::now();
        while self
            .begun
            .front()
            .is_some_and(|at| now.duration_since(*at) >= KERNEL_RESOLVING)
        {
            self.begun.pop_front();
        }
        self.begun.len() >= most
    }

    /// Starts the kernel's resolution of an on-link address: one empty datagram to its
    /// discard port, which the kernel holds until the neighbour answers.
    fn resolve(&mut self, addr: IpAddr) -> io::Result<()> {
        let socket = match addr {
            IpAddr::V4(_) => &mut self.udp4,
            IpAddr::V6(_) => &mut self.udp6,
        };
        if socket.is_none() {
            let s = UdpSocket::bind(super::any_of_family(addr))?;
            s.set_nonblocking(true)?;
            *socket = Some(s);
        }
        if let Some(s) = socket {
            s.send_to(&[], SocketAddr::new(addr, DISCARD))?;
        }
        let now = Instant::now();
        self.resolving.insert(addr, now + self.wait);
        self.begun.push_back(now);
        self.copies.insert(addr, 1);
        Ok(())
    }

    /// Sends an echo request to `addr` on the shared socket of its family (opened when
    /// first needed; without one, nothing is sent): when it went, or why the send failed.
    async fn echo(&mut self, addr: IpAddr) -> io::Result<Option<Stamp>> {
        let v6 = addr.is_ipv6();
        let (tried, socket) = if v6 {
            (&mut self.tried6, &mut self.echo6)
        } else {
            (&mut self.tried4, &mut self.echo4)
        };
        if !*tried {
            *tried = true;
            *socket = EchoSocket::open(v6, Kind::Auto, None).ok();
        }
        let Some(socket) = socket.as_ref() else {
            return Ok(None);
        };
        socket
            .send(SocketAddr::new(addr, 0), self.ident, 1, None, b"netkit")
            .await
            .map(Some)
    }

    /// Whether an echo reply of the family is awaited.
    fn expects_echo(&self, v6: bool) -> bool {
        let routed = if v6 { self.routed_v6 } else { self.routed_v4 };
        routed > 0 || self.pinged.keys().any(|a| a.is_ipv6() == v6)
    }

    /// Starts probing a routed address: an echo request and a connect to each port.
    async fn probe(&mut self, addr: IpAddr) {
        let v6 = addr.is_ipv6();
        // A send refused at once leaves the connects to say more; a local refusal is kept.
        let (sent, echo_refused) = match self.echo(addr).await {
            Ok(sent) => (sent, None),
            Err(e) => (None, local_refusal(&e, true)),
        };
        let wait = self.wait;
        let connects = TCP_PORTS
            .iter()
            .map(|&port| self.connect(addr, port, wait, Duration::ZERO))
            .collect();
        self.routed.insert(
            addr,
            Routed {
                deadline: Instant::now() + wait,
                connects,
                unreachable: None,
                sent,
                asked: sent.is_some(),
                echo_refused,
                connect_refused: None,
            },
        );
        // Probed beside its resolution, it is already counted.
        self.copies.entry(addr).or_insert(1);
        if v6 {
            self.routed_v6 += 1;
        } else {
            self.routed_v4 += 1;
        }
    }

    /// One connect within `wait`, begun `after` from now, as a task of the set.
    fn connect(&mut self, addr: IpAddr, port: u16, wait: Duration, after: Duration) -> AbortHandle {
        self.connects.spawn(async move {
            if !after.is_zero() {
                tokio::time::sleep(after).await;
            }
            let (answer, took) = connect::timed(SocketAddr::new(addr, port), wait).await;
            (addr, port, answer, took)
        })
    }

    fn drop_echo(&mut self, v6: bool) {
        if v6 {
            self.echo6 = None;
        } else {
            self.echo4 = None;
        }
    }

    /// A connect ended: open or refused is up; anything else waits for the deadline (or,
    /// once every connect has failed after a router's unreachable, is down at once).
    fn connected(
        &mut self,
        addr: IpAddr,
        port: u16,
        answer: Answer,
        took: Duration,
        each: &mut impl FnMut(IpAddr, HostState, Option<Duration>),
    ) {
        let Some(routed) = self.routed.get_mut(&addr) else {
            return;
        };
        let up = match answer {
            Answer::Open => Some(Up::TcpOpen(port)),
            Answer::Refused => Some(Up::TcpRefused(port)),
            _ => None,
        };
        if let Some(up) = up {
            self.report(addr, HostState::Up(up), Some(took), each);
            return;
        }
        routed.connects.retain(|c| !c.is_finished());
        // This machine was short of something (descriptors, local ports): the host was not
        // asked, so the connect is made again in what is left of the wait.
        if let Answer::Failed(e) = &answer
            && (super::errno::is_busy(e) || super::errno::is_out_of_descriptors(e))
        {
            let left = routed
                .deadline
                .saturating_duration_since(Instant::now() + POLL);
            if !left.is_zero() {
                let again = self.connect(addr, port, left, POLL);
                if let Some(routed) = self.routed.get_mut(&addr) {
                    routed.connects.push(again);
                }
            }
            return;
        }
        match &answer {
            Answer::Failed(e) if let Some(why) = local_refusal(e, false) => {
                routed.connect_refused.get_or_insert(why);
            }
            _ => routed.asked = true,
        }
        if routed.connects.is_empty()
            && let Some((from, net)) = routed.unreachable
            && !self.resolving.contains_key(&addr)
        {
            let down = HostState::Down(Down::HostUnreachable { from, net });
            self.report(addr, down, None, each);
        }
    }

    /// An echo reply is up; a router's host (or net) unreachable about our request is noted.
    fn echoed(&mut self, echo: &Echo, each: &mut impl FnMut(IpAddr, HostState, Option<Duration>)) {
        if !echo.answers(echo.to, self.ident) || echo.seq != 1 {
            return;
        }
        let Some(routed) = self.routed.get_mut(&echo.to) else {
            // On the link, beside its resolution: a reply says up; an error, nothing (the
            // resolution decides).
            if echo.error.is_none()
                && let Some(at) = self.pinged.get(&echo.to).copied()
            {
                let rtt = echo.time.saturating_duration_since(at);
                self.report(echo.to, HostState::Up(Up::EchoReply), Some(rtt), each);
            }
            return;
        };
        match echo.error {
            None => {
                let rtt = routed
                    .sent
                    .map(|at| echo.time.saturating_duration_since(at));
                self.report(echo.to, HostState::Up(Up::EchoReply), rtt, each);
            }
            Some(IcmpError::Unreachable(u))
                if matches!(u.reason(), Reason::HostUnreach | Reason::NetUnreach) =>
            {
                routed.unreachable = Some((echo.from, u.reason() == Reason::NetUnreach));
            }
            Some(_) => {}
        }
    }

    /// Reads the neighbour table for what is resolving, and ends every wait that is over.
    /// Returns the addresses newly seen unconfirmed (STALE, DELAY, PROBE), to be probed the
    /// routed way beside the kernel's check.
    fn tick(&mut self, each: &mut impl FnMut(IpAddr, HostState, Option<Duration>)) -> Vec<IpAddr> {
        let now = Instant::now();
        let mut beside = Vec::new();
        if !self.arped.is_empty() {
            self.tick_arp(now, each);
        }
        if !self.resolving.is_empty() {
            let mut found: Vec<(IpAddr, Resolution)> = Vec::new();
            for v6 in [false, true] {
                if !self.resolving.keys().any(|a| a.is_ipv6() == v6) {
                    continue;
                }
                let _ = interfaces::neighbours(v6, |addr, state| {
                    if self.resolving.contains_key(&addr) {
                        found.push((addr, state));
                    }
                });
            }
            for (addr, state) in &found {
                let Some(&deadline) = self.resolving.get(addr) else {
                    continue;
                };
                let over = now >= deadline;
                let outcome = match state {
                    // Pinged beside: its reply, which left once the link answered, is given a
                    // moment to arrive and say up with its time.
                    Resolution::Reachable if self.pinged.contains_key(addr) => {
                        let seen = *self.confirmed.entry(*addr).or_insert(now);
                        (now.duration_since(seen) >= ECHO_GRACE)
                            .then_some(HostState::Up(Up::Neighbour))
                    }
                    Resolution::Reachable => Some(HostState::Up(Up::Neighbour)),
                    Resolution::Failed => Some(HostState::Down(Down::NoNeighbour)),
                    Resolution::Incomplete if over => Some(HostState::Down(Down::NoNeighbour)),
                    Resolution::Unconfirmed if now >= deadline + UNCONFIRMED_MOST => {
                        Some(HostState::Down(Down::NoNeighbour))
                    }
                    _ => None,
                };
                if let Some(outcome) = outcome {
                    self.report(*addr, outcome, None, each);
                } else if *state == Resolution::Unconfirmed
                    && !self.routed.contains_key(addr)
                    && self.beside.insert(*addr)
                {
                    beside.push(*addr);
                }
            }
            // No entry at all past the wait: the kernel never started (or already dropped) one.
            let seen: HashSet<IpAddr> = found.iter().map(|(a, _)| *a).collect();
            let missing: Vec<IpAddr> = self
                .resolving
                .iter()
                .filter(|(a, d)| now >= **d && !seen.contains(*a))
                .map(|(a, _)| *a)
                .collect();
            for addr in missing {
                self.report(addr, HostState::Down(Down::NoNeighbour), None, each);
            }
        }
        let over: Vec<(IpAddr, Down)> = self
            .routed
            .iter()
            .filter(|(_, r)| now >= r.deadline)
            .map(|(a, r)| (*a, r.down()))
            .collect();
        for (addr, down) in over {
            // Probed beside a resolution: the link decides, so silence here says nothing.
            if self.resolving.contains_key(&addr) {
                self.forget_routed(addr);
                continue;
            }
            self.report(addr, HostState::Down(down), None, each);
        }
        beside
    }

    /// Ends the routed probes of `addr` (its connects aborted).
    fn forget_routed(&mut self, addr: IpAddr) {
        if let Some(routed) = self.routed.remove(&addr) {
            for c in routed.connects {
                c.abort();
            }
            if addr.is_ipv6() {
                self.routed_v6 -= 1;
            } else {
                self.routed_v4 -= 1;
            }
        }
    }

    /// Reports an address (as many times as it was given) and forgets it.
    fn report(
        &mut self,
        addr: IpAddr,
        state: HostState,
        rtt: Option<Duration>,
        each: &mut impl FnMut(IpAddr, HostState, Option<Duration>),
    ) {
        self.resolving.remove(&addr);
        self.arped.remove(&addr);
        self.beside.remove(&addr);
        self.pinged.remove(&addr);
        self.confirmed.remove(&addr);
        self.forget_routed(addr);
        let copies = self.copies.remove(&addr).unwrap_or(1);
        for _ in 0..copies {
            each(addr, state.clone(), rtt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_found_up_and_reported_once_per_copy() {
        let Ok(runtime) = crate::net::runtime(1) else {
            panic!("no runtime");
        };
        runtime.block_on(async {
            let mut stop = crate::net::stop::stop();
            let lo = IpAddr::from([127, 0, 0, 1]);
            let mut found = Vec::new();
            let how = Discover {
                wait: Duration::from_millis(500),
                ..Discover::default()
            };
            let done = discover(&[lo, lo], &how, &mut stop, |a, s| found.push((a, s))).await;
            assert!(matches!(done, Ok(true)), "{done:?}");
            assert_eq!(found.len(), 2, "{found:?}");
            assert!(
                found.iter().all(|(a, s)| *a == lo && s.is_up()),
                "{found:?}"
            );
        });
    }

    #[test]
    fn resolutions_the_kernel_still_holds_count_against_the_most() {
        let Ok(runtime) = crate::net::runtime(1) else {
            panic!("no runtime");
        };
        runtime.block_on(async {
            let mut run = Run::new(Duration::from_secs(1));
            let now = Instant::now();
            assert!(!run.kernel_resolving(2));
            run.begun.push_back(now);
            run.begun.push_back(now);
            assert!(run.kernel_resolving(2), "two begun just now");
            assert!(!run.kernel_resolving(3));
            // Begun longer ago than the kernel resolves: no longer counted, and forgotten.
            run.begun.clear();
            run.begun.push_back(now - KERNEL_RESOLVING);
            run.begun.push_back(now);
            assert!(!run.kernel_resolving(2));
            assert_eq!(run.begun.len(), 1);
        });
    }

    #[test]
    fn the_default_waits_a_second_with_500_in_flight() {
        let how = Discover::default();
        assert_eq!((how.wait, how.in_flight), (Duration::from_secs(1), 500));
    }
}
