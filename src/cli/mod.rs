//! The whole command-line interface as clap derive: `Cli` and the one `Command` enum here, one
//! Args struct per subcommand in the files below (by command group), the value parsers in
//! `values.rs`, the help examples in `examples.rs`. Doc comments are the --help text;
//! completions and man pages are generated from these.

mod addresses;
mod examples;
mod messages;
mod probes;
mod quick;
mod values;
mod watch;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use addresses::{ClassifyArgs, IfacesArgs, PortArgs, SubnetArgs};
use examples::*;
pub use messages::{
    EchoArgs, EchoMode, ListenArgs, RecordArgs, SendArgs, ServeArgs, TextArgs, WireArgs,
};
pub use probes::{CheckArgs, Flow, PingArgs, ScanArgs, SocketKind, TraceArgs};
pub use quick::parse;
pub use watch::WatchArgs;

/// The fundamentals of IP networking in one binary.
///
/// classify says what an address is (class, private or public, special-purpose ranges,
/// subnet math); subnet plans networks (splits, VLSM, ranges, aggregates); ifaces (or
/// ifconfig, ipconfig) lists the interfaces; ping asks whether hosts answer; trace shows the
/// path to a host hop by hop; check answers "is my network OK?" step by step, from loopback
/// to a host; scan finds open TCP and UDP ports; echo and send are the endpoint and the
/// client for socket labs, and listen is a server you answer by hand; watch shows their
/// packets on the wire, each explained; port says what a port number means.
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
    #[command(after_help = IFACES_EXAMPLES, visible_aliases = ["ifconfig", "ipconfig"])]
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
    /// Capture the packets of given ports (on lo, or --iface) and say what each one means: the
    /// handshake, data, the close, resets, SYNs sent again, a full window; a summary at the end
    #[command(after_help = WATCH_EXAMPLES)]
    Watch(WatchArgs),
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
            Command::Watch(a) => a.json,
            Command::Generate(_) => false,
        }
    }
}

/// Arguments of `netkit generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Where completions/ and man/ are written
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[cfg(test)]
mod tests;
