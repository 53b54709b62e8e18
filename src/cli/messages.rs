//! The arguments of the message commands, endpoints and client: echo, listen, send, and the
//! wire, text and listening options they share.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::values::{parse_frame_header, parse_group, parse_ip, parse_seconds};
use crate::addr::host::{Endpoint, LocalBind};
use crate::text::{Encoding, Look};

/// What the echo endpoint does with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EchoMode {
    /// Return the bytes unchanged
    Echo,
    /// Return them with ASCII letters in upper case (other bytes unchanged)
    Upper,
    /// Forward each message to every other client (TCP) or recent peer (UDP): the sender
    /// does not get its own message back
    Relay,
    /// A chat room that includes the sender: each message goes to every client (TCP) or
    /// recent peer (UDP), the sender too, as the lessons' UDP chat server does (its client
    /// waits for its own message after each send)
    #[value(alias = "relay-all")]
    Chat,
}

/// How arriving messages are shown, whatever typed ones are written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Show {
    /// Text in --encoding (hex where bytes do not decode)
    Text,
    /// A hex dump (offset, bytes, text, like xxd)
    Hex,
}

/// How messages travel: length-framed or not (both ways, or one way), and the size of each
/// read (echo, listen, send).
#[derive(Debug, Clone, Copy, Args)]
#[command(group(clap::ArgGroup::new("framing").multiple(true).args(["framed", "framed_in", "framed_out"])))]
pub struct WireArgs {
    /// TCP messages are framed both ways: a length header, then the payload. HEADER is be32
    /// (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs'
    /// struct.pack('i', n)), be16 or le16
    #[arg(long, value_name = "HEADER", num_args = 0..=1, require_equals = true, default_missing_value = "be32", value_parser = parse_frame_header, conflicts_with_all = ["framed_in", "framed_out"])]
    pub framed: Option<crate::frame::Header>,

    /// Only what this side reads is framed; what it writes goes as it is. The lessons'
    /// remote-command server reads a bare command and answers struct.pack('i', len) + the
    /// output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object
    /// (the file server's header) is shown as JSON, and its size field (file_size,
    /// total_size, filesize, size, length, data_size) says how many bare bytes follow: send
    /// reads them as the body and shows their size and md5 (compared with the header's md5
    /// field) or sha256, never the bytes
    #[arg(long, value_name = "HEADER", num_args = 0..=1, require_equals = true, default_missing_value = "be32", value_parser = parse_frame_header)]
    pub framed_in: Option<crate::frame::Header>,

    /// Only what this side writes is framed; what it reads is taken as it comes. For the
    /// lessons' clients that send a bare command and read a struct.pack('i') header and the
    /// answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)
    #[arg(long, value_name = "HEADER", num_args = 0..=1, require_equals = true, default_missing_value = "be32", value_parser = parse_frame_header)]
    pub framed_out: Option<crate::frame::Header>,

    /// The longest frame accepted, and the longest body a JSON header may announce; a larger
    /// (or negative) header closes the connection
    #[arg(long, value_name = "BYTES", default_value_t = crate::frame::MAX_FRAME, requires = "framing")]
    pub max_frame: usize,

    /// Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is
    /// cut to N (and the log says so), a TCP message comes in reads of at most N
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub recv_size: Option<u32>,
}

impl WireArgs {
    /// The header of what this side reads: --framed or --framed-in.
    pub fn reads_framed(&self) -> Option<crate::frame::Header> {
        self.framed.or(self.framed_in)
    }

    /// The header of what this side writes: --framed or --framed-out.
    pub fn writes_framed(&self) -> Option<crate::frame::Header> {
        self.framed.or(self.framed_out)
    }

    /// Any framing at all, in either direction.
    pub fn any_framing(&self) -> bool {
        self.reads_framed().is_some() || self.writes_framed().is_some()
    }

    /// Whether both directions are alike (both framed with one header, or neither).
    pub fn same_both_ways(&self) -> bool {
        self.reads_framed() == self.writes_framed()
    }

    /// The option that chose the header of what is read, for the hint of a bad header.
    pub fn reads_option(&self) -> &'static str {
        if self.framed.is_some() {
            "--framed"
        } else {
            "--framed-in"
        }
    }
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
    /// latin1, ... When a peer's bytes read as text only in another of utf-8, gbk, big5,
    /// shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer.
    /// gbk is WHATWG's: it reads 0x80 as € and GB18030's four-byte codes, which Python's gbk
    /// codec rejects
    #[arg(long, value_name = "NAME", default_value = "utf-8", value_parser = Encoding::for_label)]
    pub encoding: Encoding,

    /// Show every message as a hex dump (offset, bytes, text, like xxd); messages given on
    /// the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \x48\x65
    #[arg(long)]
    pub hex: bool,

    /// How arriving messages are shown, apart from how typed ones are written: `--show hex`
    /// types text and shows what arrives as a hex dump; `--hex --show text` types hex digits
    /// and shows text [default: hex with --hex, else text]
    #[arg(long, value_name = "VIEW", value_enum)]
    pub show: Option<Show>,
}

impl TextArgs {
    /// How the renderer shows messages: --show, else as --hex says.
    pub fn look(&self) -> Look {
        Look {
            encoding: self.encoding,
            hex: self.show.map_or(self.hex, |show| show == Show::Hex),
        }
    }
}

/// What a server keeps of what it receives, as NetAssist does (echo, listen).
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// Put the wall-clock time (local, with milliseconds) before each log line:
    /// [14:31:12.345]; in JSON, "time": "2026-12-03T14:31:12.345+08:00". The zone is TZ's,
    /// else /etc/localtime's, read at the start
    #[arg(long)]
    pub timestamps: bool,

    /// Append every received byte (each TCP read or frame, each datagram) to FILE, a regular
    /// file (created when missing)
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
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

    #[command(flatten)]
    pub record: RecordArgs,

    /// Print only the start and the summary
    #[arg(short, long)]
    pub quiet: bool,

    /// Events as JSON lines: listening, connected ("client": its number), message, datagram
    /// (with "hex" and "text"), relayed (relay and chat: "to", the peers it went to),
    /// dropped, disconnected ("reads", or "messages" with --framed or --framed-in),
    /// not_saved (--save),
    /// summary; with --timestamps each has a "time"
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `netkit listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    #[command(flatten)]
    pub at: ServeArgs,

    /// Answer messages (in --encoding, or hex digits with --hex). TEXT alone answers every
    /// message; REQUEST=REPLY (repeatable) answers a message that is REQUEST (a line ending
    /// after it is ignored) with REPLY, the first rule that matches wins, and TEXT alone
    /// answers the rest. A * in REQUEST matches any bytes (\* a star, \= an equals sign).
    /// A fake drone: --reply command=ok --reply 'speed?=100.0' --reply 'battery*=87'
    /// --reply error
    #[arg(long, value_name = "TEXT|REQUEST=REPLY")]
    pub reply: Vec<String>,

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

    #[command(flatten)]
    pub record: RecordArgs,

    /// Print only the start, what is sent, and the summary
    #[arg(short, long)]
    pub quiet: bool,

    /// Events as JSON lines: echo's (listening, connected, message, datagram, dropped,
    /// disconnected, not_saved, summary) plus sent and not_sent
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `netkit send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The server: HOST:PORT, or [IPv6]:PORT
    #[arg(value_name = "HOST:PORT", value_parser = Endpoint::parse)]
    pub target: Endpoint,

    /// Messages to send, one exchange each (none: a chat: each line of stdin is sent, and
    /// whatever arrives is shown when it arrives, with the local time it came)
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

    /// How long to wait for each reply (and for the connection): seconds, or with a unit
    /// (500ms). Interactive mode: how long a typed line waits for its first answer
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_seconds)]
    pub timeout: Duration,

    /// Exit 1 when a message gets no reply within --timeout. Without it a message that went
    /// out and drew no error is a success, reply or not: a program may take data and never
    /// answer (a UDP receiver, a server that closes on "exit"). The measure mode (--count
    /// without MESSAGEs) always expects replies
    #[arg(long, conflicts_with = "file")]
    pub expect_reply: bool,

    /// With --framed-in (or --framed): write each body a JSON header announces to FILE, as it
    /// is hashed (FILE is emptied at the start; the bodies of several MESSAGEs follow one
    /// another)
    #[arg(long, value_name = "FILE", requires = "framing", conflicts_with_all = ["file", "burst"])]
    pub save_body: Option<PathBuf>,

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

    /// JSON lines: one object per exchange (interactive mode: "local" first, then "sent" per
    /// line and one object per arrival, with "time", "hex" and "text", and "after_line" and
    /// "rtt_ms" when it came while a line waited), then a summary object
    #[arg(long)]
    pub json: bool,
}
