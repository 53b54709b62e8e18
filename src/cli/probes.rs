//! The arguments of the commands that probe other hosts: ping, trace, check, scan.

use std::time::Duration;

use clap::{Args, ValueEnum};

use super::values::{parse_host, parse_scan_target, parse_scan_timeout, parse_seconds};
use crate::addr::host::{Host, ScanTarget};

/// Which ICMP socket to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SocketKind {
    /// Raw if permitted (TTL, duplicates, ICMP errors), else the datagram kind
    Auto,
    /// Raw socket only (root or CAP_NET_RAW)
    Raw,
    /// Unprivileged datagram socket only (where net.ipv4.ping_group_range allows)
    Dgram,
}

/// Arguments of `netkit ping`.
#[derive(Debug, Args)]
pub struct PingArgs {
    /// Hosts: IPv4 or IPv6 addresses, or names (resolved once; a name's first address is
    /// pinged and the others named, or with --tcp the first that accepts a connect); or a
    /// sweep, as fping -g: a block (10.0.0.0/24) or a range (10.0.0.1-20, 10.0.0.1-10.0.0.20),
    /// at most 65536 addresses each, or more than 4 addresses
    #[arg(value_name = "HOST", required = true, value_parser = parse_scan_target)]
    pub hosts: Vec<ScanTarget>,

    /// Stop after COUNT probes (default: until Ctrl-C; in a sweep 1: each address is asked
    /// at most COUNT times, until it answers)
    #[arg(short, long, value_name = "COUNT", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Time between probes, kept on a fixed schedule: seconds, or with a unit (200ms, 1.5s);
    /// below 0.2 s needs root
    #[arg(short, long, value_name = "SECS", default_value = "1", value_parser = parse_seconds)]
    pub interval: Duration,

    /// How long to wait for replies after the last probe: seconds, or with a unit (500ms)
    /// [default: twice the slowest reply, or 10 s when none came]. In a sweep, how long each
    /// address is waited for [default: 1 s]: on the link an address whose ARP (or neighbour
    /// discovery) is unanswered by then is down, though the kernel itself gives up only after
    /// about 3 s; a shorter wait (-W 300ms) is faster on a quick lab link
    #[arg(short = 'W', long = "timeout", value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,

    /// Stop after this long, however many probes were sent: seconds, or with a unit (2m)
    #[arg(short = 'w', long, value_name = "SECS", value_parser = parse_seconds)]
    pub deadline: Option<Duration>,

    /// Data bytes per probe: 56 makes a 64-byte ICMP message and an 84-byte IPv4 packet
    #[arg(short, long, value_name = "BYTES", default_value_t = 56, value_parser = clap::value_parser!(u16).range(0..=65_507))]
    pub size: u16,

    /// Time to live (IPv4) or hop limit (IPv6) of the probes
    #[arg(short, long, value_name = "TTL", value_parser = clap::value_parser!(u32).range(1..=255))]
    pub ttl: Option<u32>,

    /// Resolve names to IPv4 only
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Resolve names to IPv6 only
    #[arg(short = '6')]
    pub ipv6: bool,

    /// Quiet: print only the header lines and the statistics
    #[arg(short, long)]
    pub quiet: bool,

    /// Print a Unix timestamp before each line
    #[arg(short = 'D')]
    pub timestamps: bool,

    /// Report "no answer yet" for a probe still unanswered when the next is sent
    #[arg(short = 'O')]
    pub report_outstanding: bool,

    /// Time a TCP connect to PORT instead of an ICMP echo (SYN/ACK and RST both mean up)
    #[arg(long, value_name = "PORT")]
    pub tcp: Option<u16>,

    /// Which ICMP socket to use
    #[arg(long, value_enum, default_value_t = SocketKind::Auto, value_name = "KIND")]
    pub socket: SocketKind,

    /// Sweep, and print only the addresses that answered, one a line, for scripts (fping -a)
    #[arg(short = 'a', long)]
    pub alive: bool,

    /// JSON lines on stdout: each reply and error as it comes ({"event": "reply", ...}), then a
    /// summary per host ({"event": "summary", ...}); a sweep: one line per address
    /// ({"event": "host", "state": "up", "reason": ...}), then {"event": "sweep_summary", ...}
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `netkit trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The destination: an address or a name (resolved once; its first address is traced and
    /// the others named)
    #[arg(value_name = "HOST", value_parser = parse_host)]
    pub host: Host,

    /// Most hops to try
    #[arg(short = 'm', long, value_name = "MAX_HOPS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=255))]
    pub max_hops: u32,

    /// Probes per hop
    #[arg(short = 'q', long, value_name = "PROBES", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub queries: u32,

    /// How long to wait for each probe's answer: seconds, or with a unit (500ms)
    #[arg(short = 'w', long, value_name = "SECS", default_value = "3", value_parser = parse_seconds)]
    pub wait: Duration,

    /// UDP probes (the default): a router answers with time exceeded, the destination with
    /// port unreachable; no privilege needed
    #[arg(long, conflicts_with_all = ["icmp", "tcp"])]
    pub udp: bool,

    /// ICMP echo probes (a raw socket where permitted, else the datagram kind)
    #[arg(long, conflicts_with = "tcp")]
    pub icmp: bool,

    /// TCP SYN probes to PORT, by nonblocking connects (through firewalls that allow it)
    #[arg(long, value_name = "PORT")]
    pub tcp: Option<u16>,

    /// The first UDP destination port (one more per probe, as traceroute does)
    #[arg(short, long, value_name = "PORT", default_value_t = 33434)]
    pub port: u16,

    /// No reverse lookups of the hops' names
    #[arg(short = 'n')]
    pub numeric: bool,

    /// Resolve the host to IPv4 only
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Resolve the host to IPv6 only
    #[arg(short = '6')]
    pub ipv6: bool,

    /// JSON on stdout when done: {target, address, protocol, hops: [{ttl, probes, classification}], reached};
    /// with --rounds: {target, protocol, start, end, rounds, hops: [{ttl, responders, sent,
    /// received, loss_percent, last_ms, avg_ms, best_ms, worst_ms, stdev_ms, classification}],
    /// verdict: [{finding, hops, text}]}
    #[arg(long)]
    pub json: bool,

    /// Probe every hop once a round, N rounds, then the report with mtr's columns and a
    /// verdict (where loss starts, which routers only limit their replies); 0: until Ctrl-C or
    /// SIGTERM, which end with the report. Exit 0 when the destination answered every probe,
    /// 1 when some went unanswered or it never answered
    #[arg(long, value_name = "N")]
    pub rounds: Option<u64>,

    /// Time between rounds (with --rounds): seconds, or with a unit (200ms); below 0.2 s only
    /// for root
    #[arg(short = 'i', long, value_name = "SECS", default_value = "1", value_parser = parse_seconds, requires = "rounds")]
    pub interval: Duration,

    /// With --rounds: a JTTR column, the mean difference between a hop's consecutive RTTs
    #[arg(long, requires = "rounds")]
    pub jitter: bool,

    /// With --rounds: one line per hop per round as each probe is over, with its ISO 8601
    /// time (UTC), instead of the live table (JSON lines with --json), then the report
    #[arg(long, requires = "rounds")]
    pub stream: bool,

    /// With --rounds: `round` changes the flow (the probes' destination port) every round so
    /// every equal-cost path shows with its share; `fixed` keeps one for the whole run, to
    /// follow one path (UDP and ICMP; each TCP connect has a source port of its own)
    #[arg(long, value_name = "FLOW", value_enum, default_value_t = Flow::Round, requires = "rounds")]
    pub flow: Flow,
}

/// Whether trace --rounds keeps one flow for the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flow {
    /// A new flow each round, the same for every hop within it
    Round,
    /// One flow for the whole run
    Fixed,
}

/// Arguments of `netkit check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A host to resolve and reach last (an address or a name, each of its addresses tried in
    /// turn); without it, nothing is sent beyond the gateway
    #[arg(value_name = "HOST", value_parser = parse_host)]
    pub host: Option<Host>,

    /// How long to wait for each answer: seconds, or with a unit (500ms)
    #[arg(short = 'w', long, value_name = "SECS", default_value = "2", value_parser = parse_seconds)]
    pub wait: Duration,

    /// JSON on stdout: {host, steps: [{step, name, status, ms, detail, meaning}], passed}
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `netkit scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Targets: an address, a name, or a CIDR block (its hosts). More than one address: host
    /// discovery first (on the link ARP or neighbour discovery, netkit's own with root or
    /// CAP_NET_RAW, else the kernel's; routed, an ICMP echo and TCP connects to 80 and 443),
    /// only the hosts found up are scanned, many at once, then a summary line. Of a name's
    /// addresses one is scanned and the others named: the first, or in a connect scan of one
    /// name the first with a port open
    #[arg(value_name = "TARGET", required = true, value_parser = parse_scan_target)]
    pub targets: Vec<ScanTarget>,

    /// Ports: 22,80,8000-8100,https, or the words well-known (1-1023), registered
    /// (1024-49151), dynamic (1024-65535: the hand-outs' meaning, every port above the
    /// well-known ones), ephemeral (49152-65535: what IANA calls dynamic), all (1-65535)
    // Kept as text: service names are looked up in the services database, read at run time.
    #[arg(short, long, value_name = "SPEC", default_value = "well-known")]
    pub ports: String,

    /// Longest wait for an answer: milliseconds (as nmap takes them), or with a unit (2s); the
    /// wait adapts to the RTTs seen, below this
    #[arg(long, value_name = "MS", default_value = "1000", value_parser = parse_scan_timeout)]
    pub timeout: Duration,

    /// Most probes in flight (default: as many as the file-descriptor limit allows, up to 4096)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=65_535))]
    pub concurrency: Option<u64>,

    /// UDP scan: a probe per port (a real request for DNS, NTP, SNMP; else empty); slow, see below
    #[arg(long, conflicts_with = "syn")]
    pub udp: bool,

    /// Half-open TCP SYN scan with raw packets (needs root or CAP_NET_RAW; Linux)
    #[arg(long)]
    pub syn: bool,

    /// List only ports that are open or may be (open|filtered), as nmap's --open; the
    /// closing counts still count every port
    #[arg(long)]
    pub open: bool,

    /// Skip host discovery, as nmap's -Pn: scan the ports of every address, found down or
    /// not (where no machine answered on the link, or a router said unreachable, a down
    /// address's ports are "unreachable", with the reason; after routed silence they stay
    /// "filtered": a firewall that drops everything looks the same)
    #[arg(short = 'P', value_name = "n", value_parser = ["n"])]
    pub pn: Option<String>,

    /// Host discovery's wait for each address (more than one address is scanned): seconds,
    /// or with a unit (500ms). The kernel's own ARP gives up only after about 3 s; an address
    /// still unresolved after this wait is down
    #[arg(long, value_name = "SECS", default_value = "1", value_parser = parse_seconds)]
    pub host_wait: Duration,

    /// List the addresses found down too, each with why
    #[arg(short, long)]
    pub verbose: bool,

    /// JSON on stdout: {"scans": [...]} with every port that is not closed (with --open:
    /// those open or open|filtered); for several addresses each address as it is done, with
    /// its "state" (up or down), "reason" and "reason_text", then a "summary"
    #[arg(long)]
    pub json: bool,
}

impl ScanArgs {
    /// -Pn: every address is scanned, found down or not.
    pub fn no_discovery(&self) -> bool {
        self.pn.is_some()
    }
}
