//! The arguments of `watch`: which ports, on which interface, for how long, and how the
//! packets and their payloads are shown.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::values::parse_seconds;
use crate::text::{Encoding, Look};

/// Arguments of `netkit watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Ports to watch: TCP and UDP packets to or from them, and the ICMP errors about them
    /// (numbers, ranges and service names as scan takes them: 9000, 8000-8010, http,
    /// 80,443); none watches every TCP and UDP port
    #[arg(value_name = "PORT")]
    pub ports: Vec<String>,

    /// The interface to capture on (a veth of a lab namespace, eth0, any)
    #[arg(short, long, value_name = "NAME", default_value = "lo")]
    pub iface: String,

    /// Stop after N packets shown
    #[arg(short, long, value_name = "N")]
    pub count: Option<u64>,

    /// Stop after this long (seconds, or with a unit: 500ms, 2m); else Ctrl-C ends it
    #[arg(long, value_name = "TIME", value_parser = parse_seconds)]
    pub duration: Option<Duration>,

    /// Also write every captured packet to FILE as a pcap file that tcpdump -r and Wireshark
    /// read (kernel timestamps in nanoseconds, whole packets)
    #[arg(short = 'w', long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,

    /// Only the summary at the end, no line per packet (with --pcap: record now, read later)
    #[arg(short, long)]
    pub quiet: bool,

    /// Write each packet out as it is shown, also into a pipe or file (as tcpdump -l); on a
    /// terminal that is always so
    #[arg(short = 'l', long)]
    pub line_buffered: bool,

    /// Text encoding payloads are shown in (WHATWG labels: utf-8, gbk, big5, shift_jis, ...)
    #[arg(long, value_name = "NAME", default_value = "utf-8", value_parser = Encoding::for_label)]
    pub encoding: Encoding,

    /// Show payloads as hex dumps (offset, bytes, text, like xxd)
    #[arg(long)]
    pub hex: bool,

    /// One JSON object per packet, then the summary
    #[arg(long)]
    pub json: bool,
}

impl WatchArgs {
    /// How payloads are shown.
    pub fn look(&self) -> Look {
        Look {
            encoding: self.encoding,
            hex: self.hex,
        }
    }
}
