//! The whole command-line interface as clap derive: one Args struct per subcommand. Doc
//! comments are the --help text; completions and man pages are generated from these.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::addr::host::{Endpoint, Host, LocalBind, ScanTarget};
use crate::text::Encoding;

/// The fundamentals of IP networking in one binary.
///
/// classify says what an address is (class, private or public, special-purpose ranges,
/// subnet math); subnet plans networks (splits, VLSM, ranges, aggregates); ifaces lists the
/// interfaces; ping asks whether hosts answer; scan finds open
/// TCP and UDP ports; echo and send are the endpoint and the client for socket labs; port
/// says what a port number means.
#[derive(Debug, Parser)]
#[command(
    name = "netkit",
    version,
    propagate_version = true,
    arg_required_else_help = true,
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

/// When to color output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Always or never as a decision; auto leaves it to the terminal and environment.
    pub fn forced(self) -> Option<bool> {
        match self {
            ColorChoice::Auto => None,
            ColorChoice::Always => Some(true),
            ColorChoice::Never => Some(false),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Say what an address is: class A-E, private or public, special-purpose ranges, binary
    /// form, and subnet math for CIDR input
    #[command(after_help = CLASSIFY_EXAMPLES)]
    Classify(ClassifyArgs),
    /// Plan networks: split a block (--split N, --prefix LEN), VLSM by host counts (--hosts),
    /// a range as CIDR blocks, --aggregate a list, same subnet? (--mask), --contains
    #[command(after_help = SUBNET_EXAMPLES)]
    Subnet(SubnetArgs),
    /// List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified),
    /// counters, and the default routes
    #[command(after_help = IFACES_EXAMPLES)]
    Ifaces(IfacesArgs),
    /// Send ICMP echo requests (or timed TCP connects) to hosts, with iputils' output and
    /// statistics; several hosts are pinged at once
    #[command(after_help = PING_EXAMPLES)]
    Ping(PingArgs),
    /// The path to a host, hop by hop, each hop classified: UDP probes (unprivileged), --icmp
    /// or --tcp PORT, many hops in flight at once
    #[command(after_help = TRACE_EXAMPLES)]
    Trace(TraceArgs),
    /// Is my network OK? The ladder: loopback, this machine's address, the gateway, name
    /// resolution, then HOST; each step with its result, its time and what a failure means
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Open a UDP and/or TCP echo endpoint to test socket code against (echo, upper-case,
    /// relay between clients, length-framed messages)
    #[command(after_help = ECHO_EXAMPLES)]
    Echo(EchoArgs),
    /// A server you answer by hand: shows each connection and message, and sends each line
    /// typed on stdin to the clients (TCP) or to the last peer (UDP)
    #[command(after_help = LISTEN_EXAMPLES)]
    Listen(ListenArgs),
    /// Send messages to a UDP or TCP server and print each reply with its round-trip time
    #[command(after_help = SEND_EXAMPLES)]
    Send(SendArgs),
    /// Scan ports of hosts: TCP connects (no privilege needed), --syn half-open scans or
    /// --udp probes; which ports are open, closed or filtered, and why
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(ScanArgs),
    /// Say what a port number means: IANA range (well-known, registered, dynamic) and service
    /// names
    #[command(after_help = PORT_EXAMPLES)]
    Port(PortArgs),
    /// Write shell completions into completions/ and man pages into man/ under DIR
    #[command(hide = true)]
    Generate(GenerateArgs),
}

impl Command {
    /// Whether the user asked for JSON output.
    pub fn json(&self) -> bool {
        match self {
            Command::Classify(a) => a.json,
            Command::Subnet(a) => a.json,
            Command::Ifaces(a) => a.json,
            Command::Ping(a) => a.json,
            Command::Trace(a) => a.json,
            Command::Check(a) => a.json,
            Command::Port(a) => a.json,
            Command::Echo(a) => a.json,
            Command::Scan(a) => a.json,
            Command::Send(a) => a.json,
            Command::Listen(a) => a.json,
            Command::Generate(_) => false,
        }
    }
}

const EXIT_CODES: &str = "\
Exit codes: 0 success; 1 the answer asked about is no (no ping or echo reply, a file that came
back different); 2 bad input, bad usage, or an environment problem (permission, port in use, a
name that does not resolve); 130 a scan cut short by Ctrl-C. A closed stdout (| head) exits 0.";

const CLASSIFY_EXAMPLES: &str = "\
Examples:
  netkit classify 172.20.1.5            class B, private (RFC 1918), binary, classful split
  netkit classify 192.168.1.77/26       + subnet math: network, broadcast, usable hosts
  netkit classify --explain 10.1.2.3    teaching view: class bits and network/host marked
  netkit classify fe80::1%eth0 2002:c000:221::1
  netkit classify --json - < addresses.txt
  netkit classify --classes             the classful table (A-E)";

const SUBNET_EXAMPLES: &str = "\
Examples:
  netkit subnet 192.168.1.0/24 --split 4          four /26 subnets
  netkit subnet 192.168.1.0/24 --prefix 27 --explain   every /27, and the borrowed bits
  netkit subnet 192.168.1.0/24 --hosts 50,20,10,2  VLSM: the smallest block for each
  netkit subnet 10.0.0.5-10.0.0.77                 a range as the fewest CIDR blocks
  netkit subnet --aggregate 10.0.0.0/24 10.0.1.0/24 10.0.3.0/24
  netkit subnet --aggregate - < prefixes.txt       millions of lines, aggregated
  netkit subnet 192.168.1.10 192.168.1.200 --mask 255.255.255.128   same subnet? (exit 0/1)
  netkit subnet 10.0.0.0/8 --contains 10.1.2.3 11.0.0.1             inside? (exit 0/1)";

const IFACES_EXAMPLES: &str = "\
Examples:
  netkit ifaces              the interfaces that are up, one row per address
  netkit ifaces -a -l        all of them, ifconfig-style with traffic counters
  netkit ifaces eth0 -4      one interface, IPv4 only
  netkit ifaces --json";

const PING_EXAMPLES: &str = "\
Examples:
  netkit ping 127.0.0.1 -c 4          four probes, then the statistics
  netkit ping ::1 localhost -c 3      several hosts at once, a table at the end
  netkit ping 127.0.0.1 --tcp 22      time TCP connects: no privilege needed
  netkit ping -c 10 -i 0.2 -q host    only the statistics

Privilege: a raw ICMP socket (root or CAP_NET_RAW) shows TTLs, duplicates and ICMP errors;
without one netkit uses the datagram socket that net.ipv4.ping_group_range allows.";

const CHECK_EXAMPLES: &str = "\
Examples:
  netkit check                 loopback, own address, gateway; the resolver named
  netkit check example.com     ... then resolve the name and reach the host (ping, TCP 443/80)
  netkit check 10.0.0.5 --json

Exit status: 0 every step passed, 1 a step failed, 2 bad arguments or errors.";

const TRACE_EXAMPLES: &str = "\
Examples:
  netkit trace 10.200.3.2 -n          UDP probes, as tracepath sends them: no privilege needed
  netkit trace 10.200.3.2 --icmp -n   ICMP echo probes (raw socket, or the datagram kind)
  netkit trace 10.200.3.2 --tcp 443   SYNs to a port a firewall lets through
  netkit trace fd00:3::2 -q 1 -w 1    one probe per hop, a second each

Marks after a time: !H host, !N network, !P protocol unreachable, !X administratively
prohibited. A line that leaves private (or CGN 100.64/10) space for public space is marked:
that is where a lab network ends.";

const ECHO_EXAMPLES: &str = "\
Examples:
  netkit echo --udp 7788                  UDP echo on port 7788, all interfaces
  netkit echo 9000 --tcp --mode upper     TCP, answers in upper case
  netkit echo 9000 --tcp --mode relay     a chat room: each message goes to every other client
  netkit echo 9000 --tcp --framed         4-byte big-endian length, then the message
  netkit echo 9000 --tcp --framed=le32    the hand-outs' struct.pack('i', n) header
  netkit echo 7788 --udp --recv-size 10   recvfrom(10): longer datagrams are cut
  netkit echo --bind 127.0.0.1            both protocols, this machine only, a port the OS picks

Ctrl-C or SIGTERM stops it and prints the summary. Datagrams from ports below 1024 or from
broadcast, multicast or unspecified sources are dropped, and each source is rate-limited: an
echo service must not become a reflector (CVE-2024-2169).";

const LISTEN_EXAMPLES: &str = "\
Examples:
  netkit listen 8888 --tcp                 type a line: every connected client gets it
  netkit listen 7788 --udp                 a line goes to the peer heard from last
  netkit listen 8888 --tcp --reply Hello   the hand-outs' server: every message gets Hello
  netkit listen 8888 --tcp --once          end when the first client disconnects
  netkit listen 7788 --udp --encoding gbk  show (and send) GBK text, as Windows tools do
  netkit listen 5000 --udp --join 239.1.1.1 --iface eth0   a multicast group's datagrams

EOF on stdin leaves it running; Ctrl-C or SIGTERM ends it with the summary.";

const SEND_EXAMPLES: &str = "\
Examples:
  netkit send --udp 127.0.0.1:7788 hello world   two datagrams, two replies
  netkit send 127.0.0.1:9000                     interactive: each stdin line is sent, and
                                                 whatever arrives is shown when it arrives
  netkit send --udp --bind :7890 127.0.0.1:7891  one end of a UDP chat (mirror it on 7891)
  netkit send --udp 127.0.0.1:7788 --encoding gbk 你好   the four GBK bytes c4 e3 ba c3
  netkit send 127.0.0.1:9000 --hex '48 65 6c 6c 6f'     bytes given as hex digits
  netkit send --udp 127.0.0.1:7788 hi --count 5 --interval 1s   a timed resend
  netkit send [::1]:9000 --framed hi             a length-framed message over TCP
  netkit send 127.0.0.1:9000 --burst one two     two quick sends: watch them glue
  netkit send 127.0.0.1:9000 --file big.bin      sent 1048576 bytes, received 1048576, identical
  netkit send --udp 127.0.0.1:7788 --count 1000 --size 512    loss, reordering, RTT";

const SCAN_EXAMPLES: &str = "\
Examples:
  netkit scan 127.0.0.1                    the well-known ports (1-1023)
  netkit scan 127.0.0.1 -p 22,80,8000-8100,https
  netkit scan 127.0.0.1 -p all --open      every port, only the open ones listed
  netkit scan 10.0.0.0/29 -p ssh           the hosts of a block (not its network/broadcast)
  netkit scan 127.0.0.1 --udp -p 53,123,161   UDP: a reply is open, ICMP port unreachable closed
  sudo netkit scan 127.0.0.1 --syn -p all  half-open SYN scan (raw sockets: root or CAP_NET_RAW)

UDP scans are slow against most hosts, and honestly so: a closed UDP port answers only with an
ICMP port unreachable, which kernels rate-limit (Linux: about one a second per source after a
burst of six). netkit retries the silent ports at the rate the answers come back, so that a
closed port is not reported open|filtered because its ICMP message was suppressed.

Scan only hosts you are allowed to scan.";

const PORT_EXAMPLES: &str = "\
Examples:
  netkit port 80 8080 50000 https
  netkit port 8080                 what it means, and which program holds it here
  netkit port --listening          every listening port of this machine, with its program
  netkit port --json 7788

Programs of other users are shown only to root: their sockets read \"a process you cannot
see (try sudo)\".";

/// Arguments of `netkit classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Addresses: IPv4 (strict dotted quad), IPv6 (any RFC 4291 form, %zone on link-local),
    /// or CIDR (a.b.c.d/n, a.b.c.d/255.255.0.0, 2001:db8::/32); '-' reads one per line from
    /// stdin
    // Kept as text, not parsed by clap: a bad address must not stop the others; each is
    // reported in its place.
    #[arg(
        value_name = "ADDR",
        required_unless_present_any = ["file", "classes", "registry"]
    )]
    pub inputs: Vec<String>,

    /// Read addresses from a file, one per line (blank lines and # comments are skipped)
    #[arg(short, long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Teaching view: the binary form with class bits and the network/host split marked, and
    /// one sentence for each range the address is in
    #[arg(short, long, conflicts_with = "brief")]
    pub explain: bool,

    /// One line per address, also for addresses given as arguments (streams always are)
    #[arg(short, long)]
    pub brief: bool,

    /// Print the classful table: classes A-E, leading bits, ranges, masks, networks, hosts
    #[arg(long, conflicts_with_all = ["inputs", "file", "registry"])]
    pub classes: bool,

    /// Print the IANA special-purpose and multicast blocks netkit knows, with the snapshot date
    #[arg(long, conflicts_with_all = ["inputs", "file"])]
    pub registry: bool,

    /// JSON on stdout: one object per input (JSON lines); a bad input becomes
    /// {"input": ..., "error": ...} in its place
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `netkit subnet`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("form").args(["split", "prefix", "hosts", "aggregate", "mask", "contains"])))]
pub struct SubnetArgs {
    /// A block (192.168.1.0/24, or 192.168.1.0/255.255.255.0), a range (10.0.0.5-10.0.0.77,
    /// or 10.0.0.5 - 10.0.0.77), two addresses with --mask, or with --aggregate the prefixes
    /// and addresses to aggregate ('-' reads them from stdin, one a line)
    // Kept as text: what the words are depends on the form asked for.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,

    /// Split the block into N equal subnets (rounded up to a power of two, and said so)
    #[arg(long, value_name = "N")]
    pub split: Option<u64>,

    /// Split the block into every subnet of this prefix length
    #[arg(long, value_name = "LEN")]
    pub prefix: Option<u8>,

    /// VLSM: a subnet for each host count, the largest first, each the smallest that holds it
    #[arg(long, value_name = "N,N,...", value_delimiter = ',', num_args = 1..)]
    pub hosts: Vec<u64>,

    /// The shortest list of blocks covering the same addresses (adjacent and contained ones
    /// merged; IPv4 and IPv6 each on their own)
    #[arg(long)]
    pub aggregate: bool,

    /// Are the two addresses on the same subnet under this mask (255.255.255.128, /25 or
    /// 25)? Exit 0 when they are, 1 when not
    #[arg(long, value_name = "MASK")]
    pub mask: Option<String>,

    /// Which of these addresses or blocks lie inside the block? Exit 0 when all do, 1 when not
    #[arg(long, value_name = "ADDR", num_args = 1..)]
    pub contains: Vec<String>,

    /// The binary view: which bits are borrowed for the subnet number, and what they give
    #[arg(short, long)]
    pub explain: bool,

    /// Most rows an IPv6 split lists before it only counts the rest (0: no limit)
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub limit: u64,

    /// JSON: one document for a plan; JSON lines for a split and for --aggregate of stdin
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `netkit ifaces`.
#[derive(Debug, Args)]
pub struct IfacesArgs {
    /// Show only these interfaces (down ones included)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,

    /// Also show interfaces that are down
    #[arg(short, long)]
    pub all: bool,

    /// IPv4 addresses only (and only interfaces that have one)
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// IPv6 addresses only (and only interfaces that have one)
    #[arg(short = '6')]
    pub ipv6: bool,

    /// ifconfig-style blocks with traffic counters instead of the table
    #[arg(short, long)]
    pub long: bool,

    /// JSON on stdout: {"interfaces": [...], "default_routes": [...]}
    #[arg(long)]
    pub json: bool,
}

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
    /// Hosts: IPv4 or IPv6 addresses, or names (resolved once)
    #[arg(value_name = "HOST", required = true, value_parser = parse_host)]
    pub hosts: Vec<Host>,

    /// Stop after COUNT probes (default: until Ctrl-C)
    #[arg(short, long, value_name = "COUNT", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Time between probes, kept on a fixed schedule: seconds, or with a unit (200ms, 1.5s);
    /// below 0.2 s needs root
    #[arg(short, long, value_name = "SECS", default_value = "1", value_parser = parse_seconds)]
    pub interval: Duration,

    /// How long to wait for replies after the last probe: seconds, or with a unit (500ms)
    /// [default: twice the slowest reply, or 10 s when none came]
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

    /// JSON lines on stdout: each reply and error as it comes ({"event": "reply", ...}), then a
    /// summary per host ({"event": "summary", ...})
    #[arg(long)]
    pub json: bool,
}

/// A host: an address (strict, with the reason when malformed) or a name.
fn parse_host(text: &str) -> Result<Host, String> {
    Host::parse(text).map_err(|e| e.to_string())
}

/// The most any time option takes: a day.
const LONGEST: Duration = Duration::from_secs(86_400);

/// A time given in seconds: `0.2`, `1`, or with a unit (`us`, `ms`, `s`, `m`, `h`).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    parse_duration(text, 1.0, "seconds")
}

/// A time given in milliseconds (as nmap's --host-timeout takes them): `500`, or with a unit.
fn parse_millis(text: &str) -> Result<Duration, String> {
    parse_duration(text, 0.001, "milliseconds")
}

/// A non-negative time: a number in `unit` seconds (the option's documented unit) or a number
/// with its own unit, at most a day.
fn parse_duration(text: &str, unit: f64, unit_name: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| c.is_ascii_alphabetic() || c == 'µ')
        .unwrap_or(trimmed.len());
    let (number, suffix) = trimmed.split_at(split);
    let value: f64 = number.trim().parse().map_err(|_| {
        format!("'{text}' is not a number of {unit_name} (or a time with a unit: 500ms, 2s)")
    })?;
    let scale = match suffix {
        "" => unit,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "'{text}': unknown unit '{suffix}' (use us, ms, s, m or h, or a bare number of {unit_name})"
            ));
        }
    };
    if !value.is_finite() || value < 0.0 {
        return Err(format!("'{text}' is not a non-negative time"));
    }
    let secs = value * scale;
    if secs > LONGEST.as_secs_f64() {
        return Err(format!("{text} is more than a day"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Arguments of `netkit trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The destination: an address or a name (resolved once)
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

    /// JSON on stdout when done: {target, address, protocol, hops: [{ttl, probes, classification}], reached}
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `netkit check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A host to resolve and reach last (an address or a name); without it, nothing is sent
    /// beyond the gateway
    #[arg(value_name = "HOST", value_parser = parse_host)]
    pub host: Option<Host>,

    /// How long to wait for each answer: seconds, or with a unit (500ms)
    #[arg(short = 'w', long, value_name = "SECS", default_value = "2", value_parser = parse_seconds)]
    pub wait: Duration,

    /// JSON on stdout: {host, steps: [{step, name, status, ms, detail, meaning}], passed}
    #[arg(long)]
    pub json: bool,
}

/// What the echo endpoint does with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EchoMode {
    /// Return the bytes unchanged
    Echo,
    /// Return them with ASCII letters in upper case (other bytes unchanged)
    Upper,
    /// Forward each message to every other client (TCP) or recent peer (UDP)
    Relay,
}

/// How messages travel: length-framed or not, and the size of each read (echo, listen, send).
#[derive(Debug, Clone, Copy, Args)]
pub struct WireArgs {
    /// TCP messages are framed: a length header, then the payload. HEADER is be32 (4-byte
    /// big-endian, the default), le32 (4-byte little-endian signed: the hand-outs'
    /// struct.pack('i', n)), be16 or le16
    #[arg(long, value_name = "HEADER", num_args = 0..=1, require_equals = true, default_missing_value = "be32", value_parser = parse_frame_header)]
    pub framed: Option<crate::frame::Header>,

    /// The longest frame accepted; a larger (or negative) header closes the connection
    #[arg(long, value_name = "BYTES", default_value_t = crate::frame::MAX_FRAME, requires = "framed")]
    pub max_frame: usize,

    /// Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is
    /// cut to N (and the log says so), a TCP message comes in reads of at most N
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub recv_size: Option<u32>,
}

/// A frame header name.
fn parse_frame_header(text: &str) -> Result<crate::frame::Header, String> {
    crate::frame::Header::from_name(text)
        .ok_or_else(|| format!("'{text}' is not a frame header (be32, le32, be16, le16)"))
}

/// Where a server (echo, listen) listens.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 or none lets the OS choose (the choice is printed first)
    #[arg(value_name = "PORT")]
    pub port: Option<u16>,

    /// TCP only (default: TCP and UDP on the same port number)
    #[arg(long)]
    pub tcp: bool,

    /// UDP only (default: TCP and UDP on the same port number)
    #[arg(long)]
    pub udp: bool,

    /// Listen on this address only (repeatable; default: every IPv4 and IPv6 address)
    #[arg(long, value_name = "ADDR", value_parser = parse_ip)]
    pub bind: Vec<IpAddr>,

    /// The TCP accept queue: listen(N), the clients the kernel holds until they are accepted
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=65_535))]
    pub backlog: u32,
}

impl ServeArgs {
    /// (TCP, UDP): both when neither flag is given.
    pub fn protocols(&self) -> (bool, bool) {
        match (self.tcp, self.udp) {
            (false, false) => (true, true),
            both => both,
        }
    }
}

/// How messages are read and written as text (echo, listen, send).
#[derive(Debug, Clone, Copy, Args)]
pub struct TextArgs {
    /// Text encoding of messages: what arrives is shown decoded in it, what is typed is sent
    /// in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252,
    /// latin1, ...
    #[arg(long, value_name = "NAME", default_value = "utf-8", value_parser = Encoding::for_label)]
    pub encoding: Encoding,

    /// Show every message as a hex dump (offset, bytes, text, like xxd); messages given on
    /// the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \x48\x65
    #[arg(long)]
    pub hex: bool,
}

impl TextArgs {
    /// How the renderer shows messages.
    pub fn look(&self) -> crate::output::messages::Look {
        crate::output::messages::Look {
            encoding: self.encoding,
            hex: self.hex,
        }
    }
}

/// Arguments of `netkit echo`.
#[derive(Debug, Args)]
pub struct EchoArgs {
    #[command(flatten)]
    pub at: ServeArgs,

    /// What to answer
    #[arg(long, value_enum, default_value_t = EchoMode::Echo)]
    pub mode: EchoMode,

    #[command(flatten)]
    pub wire: WireArgs,

    /// Most TCP clients at once; more are refused with a log line
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_clients: usize,

    /// How long a TCP client may stay silent, or stop reading, before it is dropped: seconds,
    /// or with a unit (90s, 5m)
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = parse_seconds)]
    pub idle_timeout: Duration,

    /// Most datagrams per second answered for one source address (0: no limit)
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub max_rate: u32,

    #[command(flatten)]
    pub text: TextArgs,

    /// Print only the start and the summary
    #[arg(short, long)]
    pub quiet: bool,

    /// Events as JSON lines: listening, connected, message, datagram (with "hex" and "text"),
    /// dropped, disconnected, summary
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `netkit listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    #[command(flatten)]
    pub at: ServeArgs,

    /// Answer every message with TEXT (in --encoding, or hex digits with --hex)
    #[arg(long, value_name = "TEXT")]
    pub reply: Option<String>,

    /// End when the first TCP client disconnects
    #[arg(long)]
    pub once: bool,

    /// Serve one TCP client at a time, to its end, before accepting the next (the hand-outs'
    /// accept loop): later clients wait in the kernel's accept queue (--backlog). When the
    /// queue is full, Linux drops the SYN and the client retries, so it waits and may time
    /// out (net.ipv4.tcp_abort_on_overflow=1 makes it a reset); "the 7th client gets an
    /// error" in the hand-outs is what Windows does
    #[arg(long)]
    pub serial: bool,

    #[command(flatten)]
    pub wire: WireArgs,

    /// Receive the datagrams of this multicast group (repeatable; IPv4 or IPv6)
    #[arg(long, value_name = "GROUP", value_parser = parse_group)]
    pub join: Vec<IpAddr>,

    /// The interface to join groups on (default: the one the routing table picks)
    #[arg(long, value_name = "NAME", requires = "join")]
    pub iface: Option<String>,

    /// Most TCP clients at once; more are refused with a log line
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_clients: usize,

    /// How long a TCP client may stop reading what is sent to it before it is dropped:
    /// seconds, or with a unit (30s)
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_seconds)]
    pub stall_timeout: Duration,

    #[command(flatten)]
    pub text: TextArgs,

    /// Print only the start, what is sent, and the summary
    #[arg(short, long)]
    pub quiet: bool,

    /// Events as JSON lines: echo's (listening, connected, message, datagram, dropped,
    /// disconnected, summary) plus sent and not_sent
    #[arg(long)]
    pub json: bool,
}

/// A multicast group address.
fn parse_group(text: &str) -> Result<IpAddr, String> {
    let addr = parse_ip(text)?;
    if !addr.is_multicast() {
        return Err(format!(
            "{addr} is not a multicast group (IPv4 224.0.0.0/4, IPv6 ff00::/8)"
        ));
    }
    Ok(addr)
}

/// Arguments of `netkit send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The server: HOST:PORT, or [IPv6]:PORT
    #[arg(value_name = "HOST:PORT", value_parser = Endpoint::parse)]
    pub target: Endpoint,

    /// Messages to send, one exchange each (none: each line of stdin is sent, and whatever
    /// arrives is shown when it arrives)
    #[arg(value_name = "MESSAGE")]
    pub messages: Vec<String>,

    /// Send from this local address and/or port: ADDR:PORT, :PORT or ADDR (as nc -s/-p)
    #[arg(long, value_name = "ADDR:PORT", value_parser = LocalBind::parse)]
    pub bind: Option<LocalBind>,

    /// Allow sending to a broadcast address (SO_BROADCAST)
    #[arg(long, requires = "udp")]
    pub broadcast: bool,

    /// Time to live of what is sent (IPv4 TTL or IPv6 hop limit) [default: 1 to a multicast
    /// group, the system's otherwise]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=255))]
    pub ttl: Option<u32>,

    /// Send UDP datagrams (default: TCP)
    #[arg(long)]
    pub udp: bool,

    #[command(flatten)]
    pub wire: WireArgs,

    /// TCP: write every MESSAGE back to back before reading any reply (Nagle's algorithm
    /// on, as plain send() calls have it), then show what came back and in how many reads
    #[arg(long, requires = "messages", conflicts_with_all = ["udp", "count", "file"])]
    pub burst: bool,

    /// How long to wait for each reply (and for the connection): seconds, or with a unit (500ms)
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_seconds)]
    pub timeout: Duration,

    /// Send this file's bytes and check that the echo is identical (TCP streams it; UDP and
    /// --framed send it in pieces of --size bytes)
    #[arg(long, value_name = "PATH", conflicts_with_all = ["messages", "count"])]
    pub file: Option<PathBuf>,

    /// With MESSAGEs: send them N times (0: until Ctrl-C), each reply printed. Without:
    /// measure the path with N generated messages of --size bytes, each checked byte for byte,
    /// then loss, reordering and RTT statistics
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Bytes per message with --count (at least 8: the sequence number), or per piece with --file
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u16).range(8..=65_507))]
    pub size: Option<u16>,

    /// Time between messages with --count (UDP keeps them in flight on this schedule):
    /// seconds, or with a unit (10ms) [default: 1 s when repeating MESSAGEs, 0.01 s for
    /// generated messages]
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub interval: Option<Duration>,

    #[command(flatten)]
    pub text: TextArgs,

    /// JSON lines: one object per exchange (or per arrival in interactive mode, with "hex" and
    /// "text"), then a summary object
    #[arg(long)]
    pub json: bool,
}

/// An address for --bind, parsed strictly with the reason on failure.
fn parse_ip(text: &str) -> Result<IpAddr, String> {
    crate::addr::parse::parse_addr(text).map_err(|e| e.to_string())
}

/// Arguments of `netkit scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Targets: an address, a name, or a CIDR block (its hosts)
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

    /// JSON on stdout when done: {"scans": [...]} with every port that is not closed (with
    /// --open: those open or open|filtered)
    #[arg(long)]
    pub json: bool,
}

/// A scan target, with the reason when malformed.
fn parse_scan_target(text: &str) -> Result<ScanTarget, String> {
    ScanTarget::parse(text).map_err(|e| e.to_string())
}

/// Between 1 ms and a minute.
fn parse_scan_timeout(text: &str) -> Result<Duration, String> {
    let wait = parse_millis(text)?;
    if wait < Duration::from_millis(1) || wait > Duration::from_secs(60) {
        return Err(format!("'{text}' is outside 1 ms to 60 s"));
    }
    Ok(wait)
}

/// Arguments of `netkit port`.
#[derive(Debug, Args)]
pub struct PortArgs {
    /// Port numbers (0-65535), service names (https), ranges (20-25), lists (22,80) or the
    /// words well-known (1-1023), registered (1024-49151), dynamic (1024-65535: the hand-outs'
    /// meaning), ephemeral (49152-65535: the range IANA calls dynamic), all
    // Kept as text: each bad port is reported in its place and the others still answered.
    #[arg(
        value_name = "PORT",
        required_unless_present = "listening",
        allow_negative_numbers = true
    )]
    pub ports: Vec<String>,

    /// List every listening TCP port and bound UDP port of this machine: the process (pid,
    /// program), the address (every interface, loopback only, or one), and what the port
    /// means (as ss -lntup, in netkit's words)
    #[arg(long, conflicts_with = "ports")]
    pub listening: bool,

    /// Services database to read, in services(5) format [default: /etc/services, or the
    /// built-in table where it is missing]
    #[arg(long, value_name = "PATH", conflicts_with = "builtin")]
    pub services_file: Option<PathBuf>,

    /// Use only netkit's built-in table of common IANA service names
    #[arg(long)]
    pub builtin: bool,

    /// JSON on stdout: one object per port (JSON lines)
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `netkit generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Where completions/ and man/ are written
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, String> {
        Cli::try_parse_from(args).map_err(|e| e.to_string())
    }

    #[test]
    fn the_cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn classify_needs_something_to_classify() {
        let err = parse(&["netkit", "classify"]).err().unwrap_or_default();
        assert!(err.contains("<ADDR>"), "{err}");
        assert!(parse(&["netkit", "classify", "--classes"]).is_ok());
        assert!(parse(&["netkit", "classify", "--file", "x"]).is_ok());
        assert!(parse(&["netkit", "classify", "-"]).is_ok());
    }

    #[test]
    fn classify_conflicts() {
        assert!(parse(&["netkit", "classify", "--classes", "1.2.3.4"]).is_err());
        assert!(parse(&["netkit", "classify", "--explain", "--brief", "1.2.3.4"]).is_err());
    }

    #[test]
    fn port_takes_negative_numbers_as_values_to_reject_later() {
        let cli = parse(&["netkit", "port", "-1"]).unwrap_or_else(|e| panic!("{e}"));
        let Command::Port(args) = cli.command else {
            panic!("not port")
        };
        assert_eq!(args.ports, ["-1"]);
    }

    #[test]
    fn ping_defaults_and_typed_values() {
        let cli = parse(&["netkit", "ping", "127.0.0.1"]).unwrap_or_else(|e| panic!("{e}"));
        let Command::Ping(args) = cli.command else {
            panic!("not ping")
        };
        assert_eq!(args.interval, Duration::from_secs(1));
        assert_eq!(
            (args.size, args.count, args.socket),
            (56, None, SocketKind::Auto)
        );
        let cli = parse(&[
            "netkit", "ping", "-c", "200", "-i", "0.005", "-s", "1400", "h",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let Command::Ping(args) = cli.command else {
            panic!("not ping")
        };
        assert_eq!(args.interval, Duration::from_millis(5));
        assert_eq!((args.count, args.size), (Some(200), 1400));
        for bad in [
            ["-i", "-1"],
            ["-i", "abc"],
            ["-c", "0"],
            ["-s", "70000"],
            ["-t", "0"],
        ] {
            assert!(
                parse(&["netkit", "ping", bad[0], bad[1], "h"]).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn times_take_a_unit_or_the_options_own() {
        let ms = Duration::from_millis;
        let cases = [
            ("1.5", parse_seconds("1.5"), ms(1500)),
            ("500ms", parse_seconds("500ms"), ms(500)),
            ("2s", parse_seconds("2s"), ms(2000)),
            ("2m", parse_seconds("2m"), ms(120_000)),
            ("250us", parse_seconds("250us"), Duration::from_micros(250)),
            ("0", parse_seconds("0"), Duration::ZERO),
            ("500 (ms)", parse_millis("500"), ms(500)),
            ("2s (ms option)", parse_millis("2s"), ms(2000)),
        ];
        for (text, got, want) in cases {
            assert_eq!(got, Ok(want), "{text}");
        }
        let bad = [
            ("abc", "'abc' is not a number of seconds"),
            ("-1", "not a non-negative time"),
            ("NaN", "is not a number of seconds"),
            ("2 fortnights", "unknown unit"),
            ("5x", "unknown unit 'x'"),
            ("25h", "more than a day"),
            ("ms", "is not a number of seconds"),
        ];
        for (text, reason) in bad {
            let got = parse_seconds(text);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(reason)),
                "{text}: {got:?}"
            );
        }
        assert!(parse_scan_timeout("0").is_err());
        assert!(parse_scan_timeout("61s").is_err());
        assert_eq!(parse_scan_timeout("1"), Ok(ms(1)));
    }

    #[test]
    fn hosts_endpoints_and_targets_are_typed_at_the_boundary() {
        let cli = parse(&["netkit", "send", "localhost:7", "hi"]).unwrap_or_else(|e| panic!("{e}"));
        let Command::Send(args) = cli.command else {
            panic!("not send")
        };
        assert_eq!(
            (args.target.host.given(), args.target.port),
            ("localhost", 7)
        );
        for bad in [
            vec!["netkit", "send", "127.0.0.1", "x"],
            vec!["netkit", "ping", "300.1.1.1"],
            vec!["netkit", "scan", "10.0.0.0/33"],
            vec!["netkit", "scan", "127.0.0.1", "--timeout", "0"],
        ] {
            assert!(parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn color_and_json_defaults() {
        let cli = parse(&["netkit", "port", "80"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cli.color, ColorChoice::Auto);
        assert!(!cli.command.json());
        let cli = parse(&["netkit", "port", "80", "--json", "--color", "never"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cli.color, ColorChoice::Never);
        assert!(cli.command.json());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn no_time_panics(text in "\\PC{0,20}") {
                let _ = parse_seconds(&text);
                let _ = parse_millis(&text);
                let _ = parse_scan_timeout(&text);
            }

            #[test]
            fn a_time_prints_as_it_parses(ms in 0u64..=86_400_000) {
                let want = Duration::from_millis(ms);
                for text in [format!("{ms}ms"), format!("{}", ms as f64 / 1000.0), format!("{}s", ms as f64 / 1000.0)] {
                    let got = parse_seconds(&text).map_err(TestCaseError::fail)?;
                    let off = got.abs_diff(want);
                    prop_assert!(off <= Duration::from_micros(1), "{}: {:?} vs {:?}", text, got, want);
                }
                let got = parse_millis(&ms.to_string()).map_err(TestCaseError::fail)?;
                prop_assert!(got.abs_diff(want) <= Duration::from_micros(1));
            }
        }
    }
}
