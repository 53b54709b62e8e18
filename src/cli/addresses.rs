//! The arguments of the commands about addresses and ports, which send nothing: classify,
//! subnet, ifaces, port.

use std::path::PathBuf;

use clap::Args;

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

    /// JSON: one document for a VLSM plan, a same-subnet answer or --contains; JSON lines
    /// for a split, a range and --aggregate: a line per block ({"subnet": ...}), then a
    /// {"summary": ...} line. A count past 2^64 - 1 is a decimal string (an IPv6 block's
    /// addresses and usable_hosts always are)
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
