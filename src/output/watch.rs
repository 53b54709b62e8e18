//! `watch`'s look: each packet as tcpdump writes it (time since the first packet, addresses,
//! flags, relative seq/ack, window, length), its payload by the text rules, and under it
//! what it means in the lessons' words; the summary per connection and UDP pair; JSON with
//! each meaning as a stable token beside its words.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;

use super::messages::{Payload, bytes, counted};
use super::{Output, Paint, Written};
use crate::packet::conversation::{Connection, End, Meaning, Note, Role, Seen, UdpPair};
use crate::packet::frame::{self, Body, Packet, Transport};
use crate::text::{self, Look};

/// What is being watched, said once on stderr before the first packet.
pub struct Start<'a> {
    pub interface: &'a str,
    /// The ports as given; empty for every port.
    pub ports: &'a [String],
    pub pcap: Option<&'a str>,
}

/// One packet to show: when (since the first), what it is, and what it means.
pub struct Shown<'a> {
    pub at: Duration,
    pub packet: &'a Packet<'a>,
    pub seen: &'a Seen,
    pub look: Look,
}

/// The end of a capture: what was shown, the kernel's counts, and every conversation.
pub struct Summary<'a> {
    pub interface: &'a str,
    pub shown: u64,
    /// What the filter passed, as the kernel counts it (on lo, each packet twice).
    pub received: u32,
    pub dropped: u32,
    pub connections: &'a [Connection],
    pub udp: &'a [UdpPair],
    /// Conversations beyond what netkit follows at once.
    pub untracked: u64,
    pub pcap: Option<&'a str>,
}

/// The most conversations the text summary lists (JSON has them all).
const LISTED: usize = 50;

fn role(role: Role) -> &'static str {
    match role {
        Role::Client => "client",
        Role::Server => "server",
    }
}

/// tcpdump -ttttt's time: hours, minutes, seconds and microseconds since the first packet.
fn since_first(at: Duration) -> String {
    let seconds = at.as_secs();
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        at.subsec_micros()
    )
}

fn millis(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// The packet's line, as tcpdump writes it (with relative numbers).
fn tcpdump_line(shown: &Shown) -> String {
    let packet = shown.packet;
    let family = if frame::is_v6(&packet.source) {
        "IP6"
    } else {
        "IP"
    };
    let mut line = format!("{} {family} ", since_first(shown.at));
    match packet.body {
        Body::Tcp(s) => {
            let _ = write!(
                line,
                "{} > {}: Flags [{}]",
                frame::dotted(packet.source),
                frame::dotted(packet.destination),
                s.flags.letters()
            );
            let flags = s.flags;
            let seq = shown.seen.seq;
            if s.length > 0 {
                let _ = write!(line, ", seq {}:{}", seq, seq.wrapping_add(s.length as u32));
            } else if flags.has(frame::Flags::SYN)
                || flags.has(frame::Flags::FIN)
                || flags.has(frame::Flags::RST)
            {
                let _ = write!(line, ", seq {seq}");
            }
            if flags.has(frame::Flags::ACK) {
                let _ = write!(line, ", ack {}", shown.seen.ack);
            }
            let _ = write!(line, ", win {}", s.window);
            if flags.has(frame::Flags::SYN) {
                let o = s.options;
                let mut options = Vec::new();
                if let Some(mss) = o.mss {
                    options.push(format!("mss {mss}"));
                }
                if o.sack_ok {
                    options.push("sackOK".into());
                }
                if o.timestamps {
                    options.push("TS".into());
                }
                if let Some(scale) = o.wscale {
                    options.push(format!("wscale {scale}"));
                }
                if !options.is_empty() {
                    let _ = write!(line, ", options [{}]", options.join(","));
                }
            }
            let _ = write!(line, ", length {}", s.length);
        }
        Body::Udp(d) => {
            let _ = write!(
                line,
                "{} > {}: UDP, length {}",
                frame::dotted(packet.source),
                frame::dotted(packet.destination),
                d.length
            );
        }
        Body::IcmpError {
            error,
            transport,
            to,
            length,
            ..
        } => {
            let protocol = transport_name(transport);
            let kind = if frame::is_v6(&packet.source) {
                "ICMP6"
            } else {
                "ICMP"
            };
            // tcpdump's words for a port unreachable; iputils' sentence for the others.
            let what = match error {
                crate::packet::icmp::IcmpError::Unreachable(u)
                    if u.reason() == crate::packet::icmp::Reason::PortUnreach =>
                {
                    "unreachable"
                }
                _ => error.text(),
            };
            let _ = write!(
                line,
                "{} > {}: {kind} {} {protocol} port {} {what}, length {length}",
                packet.source.ip(),
                packet.destination.ip(),
                to.ip(),
                to.port(),
            );
        }
    }
    line
}

/// The sender's side in words: "the client", "the server".
fn sender(seen: &Seen) -> &'static str {
    match seen.from {
        Some(Role::Client) => "the client",
        Some(Role::Server) => "the server",
        None => "the sender",
    }
}

fn receiver(seen: &Seen) -> &'static str {
    match seen.from {
        Some(Role::Client) => "the server",
        Some(Role::Server) => "the client",
        None => "the receiver",
    }
}

/// A conversation's number as a line starts with it: `#3 `, or nothing.
struct Number(Option<usize>);

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(n) => write!(f, "#{n} "),
            None => Ok(()),
        }
    }
}

/// A window in words: its bytes, or the field when the scale is not known.
fn window_words(window: Option<u64>, packet: &Packet) -> String {
    match (window, packet.body) {
        (Some(n), _) => bytes(usize::try_from(n).unwrap_or(usize::MAX)),
        (None, Body::Tcp(s)) => format!(
            "window field {}; its scale was set in a handshake not captured",
            s.window
        ),
        (None, _) => "an unknown size".into(),
    }
}

/// A meaning's stable token (JSON) and its words (text), for the packet it came with.
pub fn meaning_words(seen: &Seen, packet: &Packet) -> (&'static str, String) {
    let who = sender(seen);
    let other = receiver(seen);
    match seen.meaning {
        Meaning::Connect => (
            "syn",
            "handshake 1/3: the client asks to connect (SYN); its connect() waits for the answer"
                .into(),
        ),
        Meaning::ConnectAgain {
            attempt,
            since_first,
            since_last,
            answered,
        } => (
            "syn-again",
            format!(
                "the client's SYN again (try {attempt}, {} after the last, {} after the first): {}",
                seconds(since_last),
                seconds(since_first),
                if answered {
                    "a SYN/ACK was seen here, but the client did not take it (it was lost after this \
                     point, or dropped on the client's side)"
                } else {
                    "no answer came; the server's accept queue may be full (its listen backlog), or \
                     a firewall drops the SYN"
                }
            ),
        ),
        Meaning::Accept => (
            "syn-ack",
            "handshake 2/3: the server's kernel accepts (SYN/ACK), before its program calls accept()"
                .into(),
        ),
        Meaning::AcceptAgain {
            attempt,
            acked: true,
        } => (
            "syn-ack-again",
            format!(
                "the server's SYN/ACK again (try {attempt}): the client's ACK seen here did not \
                 reach it, or it did not keep it (a full accept queue drops it); the client's \
                 connect() has already returned"
            ),
        ),
        Meaning::AcceptAgain {
            attempt,
            acked: false,
        } => (
            "syn-ack-again",
            format!(
                "the server's SYN/ACK again (try {attempt}): no ACK from the client came for the \
                 last one"
            ),
        ),
        Meaning::ConnectedAgain => (
            "connected-again",
            "the client's ACK of the SYN/ACK again, answering the one sent again: for the client \
             the connection is open already"
                .into(),
        ),
        Meaning::Connected { handshake } => (
            "connected",
            format!(
                "handshake 3/3: connected ({}); connect() has returned, and the connection waits in \
                 the server's accept queue until accept() takes it",
                handshake.map_or("its SYN was not captured".to_string(), |h| format!(
                    "{} from the SYN",
                    millis(h)
                ))
            ),
        ),
        Meaning::Data { bytes: n, first } => (
            "data",
            format!(
                "{} from {who} (bytes {first}–{} of its stream)",
                bytes(n),
                first as u64 + n as u64 - 1
            ),
        ),
        Meaning::Retransmission {
            bytes: n,
            first,
            new,
        } => (
            "retransmission",
            format!(
                "sent again: {} (bytes {first}–{}) went out before and were not acknowledged in time; \
                 the segment or its ACK was lost or late{}",
                bytes(n - new),
                first as u64 + (n - new) as u64 - 1,
                if new > 0 {
                    format!(
                        "; {} new after them (bytes {}–{})",
                        bytes(new),
                        first as u64 + (n - new) as u64,
                        first as u64 + n as u64 - 1
                    )
                } else {
                    String::new()
                }
            ),
        ),
        Meaning::OutOfOrder { bytes: n, first } => (
            "out-of-order",
            format!(
                "out of order: {} (bytes {first}–{}) come behind later ones and soon after them, \
                 so most likely reordered on the way rather than sent again",
                bytes(n),
                first as u64 + n as u64 - 1
            ),
        ),
        Meaning::Ack { upto, bytes: n } => (
            "ack",
            if n == 0 {
                format!("{who}'s kernel acknowledges everything before byte {upto}")
            } else {
                format!(
                    "{who}'s kernel acknowledges {} (all before byte {upto}): they are in its receive \
                     buffer, whether or not recv() has read them",
                    bytes(n as usize)
                )
            },
        ),
        Meaning::Plain => ("ack-nothing-new", "an ACK with nothing new to acknowledge".into()),
        Meaning::DupAck { count, waiting_for } => (
            "dup-ack",
            format!(
                "duplicate ACK #{count}: {who} still waits for byte {waiting_for}; a segment before it is \
                 missing or came out of order (three duplicates make {other} send it again at once)"
            ),
        ),
        Meaning::ZeroWindow => (
            "zero-window",
            format!(
                "zero window: {who}'s receive buffer is full: its program is not calling recv(), or not \
                 as fast as the data comes; \
                 {other} must stop sending"
            ),
        ),
        Meaning::ZeroWindowProbe => (
            "zero-window-probe",
            format!("a zero-window probe: one byte, asking whether {other}'s buffer has room yet"),
        ),
        Meaning::WindowOpen { window } => (
            "window-open",
            format!(
                "the window opens again ({}): {who}'s program read data with recv(), so there is room",
                window_words(window, packet)
            ),
        ),
        Meaning::WindowUpdate { window } => (
            "window-update",
            format!("window update: {who} now has room for {}", window_words(window, packet)),
        ),
        Meaning::KeepAlive => (
            "keep-alive",
            format!("a keep-alive: {who} checks that {other} is still there"),
        ),
        Meaning::Close { first: true, bytes: n } => (
            "fin",
            format!(
                "FIN{}: {who} closed its side (close() or shutdown()): it sends no more, and {other}'s \
                 recv() returns 0 (b'' in Python) once it has read the data",
                if n > 0 { format!(" with {}", bytes(n)) } else { String::new() }
            ),
        ),
        Meaning::Close { first: false, bytes: n } => (
            "fin",
            format!(
                "FIN{}: {who} closes its side too",
                if n > 0 { format!(" with {}", bytes(n)) } else { String::new() }
            ),
        ),
        Meaning::CloseAgain => (
            "fin-again",
            format!("{who}'s FIN again: its ACK did not come in time"),
        ),
        Meaning::CloseAcked => (
            "fin-acked",
            format!(
                "{who}'s kernel acknowledges the FIN; its recv() will return 0 after the data, and it may \
                 still send"
            ),
        ),
        Meaning::Closed {
            both_wait: true, ..
        } => (
            "closed",
            "the last ACK: the connection is closed; the two FINs crossed (both sides closed at \
             once), so both wait in TIME_WAIT for 60 s (Linux)"
                .into(),
        ),
        Meaning::Closed { time_wait, .. } => (
            "closed",
            format!(
                "the last ACK: the connection is closed; the {} (it closed first) waits in TIME_WAIT for 60 s \
                 (Linux), so late segments cannot reach a new connection on the same ports",
                role(time_wait)
            ),
        ),
        Meaning::Refused { port } => (
            "refused",
            format!(
                "a reset answering the SYN: connection refused, no socket listens on port {port} \
                 (or a firewall there answers for it); connect() fails with ECONNREFUSED"
            ),
        ),
        Meaning::StrayReset => (
            "stray-reset",
            "a reset that does not acknowledge the client's SYN: left from an earlier connection \
             on the same ports, or forged; the client's kernel ignores it and keeps waiting"
                .into(),
        ),
        Meaning::Reset { after_close: false } => (
            "reset",
            format!(
                "reset: {who} aborted the connection (its program closed the socket with unread data, set \
                 SO_LINGER to 0, or died; or a firewall on the way sent it); {other}'s next recv() or \
                 send() fails with 'connection reset by peer'"
            ),
        ),
        Meaning::Reset { after_close: true } => (
            "reset-after-close",
            format!(
                "reset: {who} had closed its socket and bytes still came for it, so its kernel answered \
                 with a reset; {other}'s next call fails with 'connection reset by peer'"
            ),
        ),
        Meaning::Midstream => ("midstream", MIDSTREAM.into()),
        Meaning::Datagram { bytes: n } => (
            "datagram",
            format!("a UDP datagram of {} from {}", bytes(n), frame::dotted(packet.source)),
        ),
        // The destination's own kernel answers from the address it was sent to; another
        // sender is a router or firewall on the way (or another address of that host).
        Meaning::PortUnreachable { transport, address } if packet.source.ip() != address.ip() => (
            "port-unreachable",
            format!(
                "{} says port unreachable for {} port {} of {}: not the destination's own answer \
                 (a router or firewall on the way rejects it, or another address of that host)",
                packet.source.ip(),
                transport_name(transport).to_uppercase(),
                address.port(),
                address.ip()
            ),
        ),
        Meaning::PortUnreachable { transport, address } => (
            "port-unreachable",
            match transport {
                Transport::Udp => format!(
                    "no socket is bound to UDP port {} of {} (or its firewall rejects the datagram): \
                     its kernel dropped the datagram and said so (a connected UDP socket reports this \
                     as 'connection refused' on its next call)",
                    address.port(),
                    address.ip()
                ),
                Transport::Tcp => format!(
                    "port unreachable about TCP port {} of {} (a firewall's answer: a host answers a \
                     closed TCP port with a reset)",
                    address.port(),
                    address.ip()
                ),
            },
        ),
        Meaning::Icmp { error } => {
            let about = match packet.body {
                Body::IcmpError { from, to, .. } => {
                    format!(" about {} > {}", frame::dotted(from), frame::dotted(to))
                }
                _ => String::new(),
            };
            ("icmp-error", format!("{}{about}", error.text()))
        }
        Meaning::Untracked => (
            "untracked",
            "more conversations at once than netkit follows: shown, not explained".into(),
        ),
    }
}

/// A note's stable token and its words.
/// A connection caught open, in words (its first packet's meaning, or a note beside a FIN).
const MIDSTREAM: &str = "a connection open before the capture began (which side is the client is \
                         guessed: the lower port is taken as the server's)";

pub fn note_words(note: Note) -> (&'static str, String) {
    match note {
        Note::ByteStream => (
            "byte-stream",
            "TCP is a byte stream: segments need not match send() calls; quick small send()s can \
             share a segment (Nagle's algorithm holds them while earlier data is unacknowledged), a \
             large send() can span several, and recv() returns whatever has arrived, up to its size"
                .into(),
        ),
        Note::FullSegment { mss } => (
            "full-segment",
            format!(
                "a full-size segment (the receiver takes at most {mss} bytes per segment): a larger \
                 write goes out in pieces"
            ),
        ),
        Note::Gap { missing } => (
            "gap",
            format!(
                "{} before this segment were not seen: lost on the way, or not captured",
                bytes(missing as usize)
            ),
        ),
        Note::Midstream => ("midstream", MIDSTREAM.into()),
        Note::WholeDatagram => (
            "whole-datagram",
            "UDP keeps messages whole: each sendto() is one datagram, and one recvfrom() takes one \
             whole (cut to the size it asks for)"
                .into(),
        ),
    }
}

/// A packet in JSON.
#[derive(Serialize)]
struct PacketJson {
    #[serde(rename = "type")]
    kind: &'static str,
    /// Seconds since the first packet.
    time: f64,
    ip: u8,
    protocol: &'static str,
    src: String,
    src_port: Option<u16>,
    dst: String,
    dst_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flags: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ack: Option<u32>,
    /// The window field as sent, and in bytes (scaled).
    #[serde(skip_serializing_if = "Option::is_none")]
    win: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window_bytes: Option<u64>,
    length: usize,
    #[serde(flatten)]
    payload: Payload,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    about: Option<About>,
    conversation: Option<usize>,
    from: Option<&'static str>,
    meaning: &'static str,
    words: String,
    notes: Vec<NoteJson>,
}

#[derive(Serialize)]
struct About {
    protocol: &'static str,
    src: String,
    dst: String,
}

#[derive(Serialize)]
struct NoteJson {
    note: &'static str,
    words: String,
}

fn transport_name(transport: Transport) -> &'static str {
    match transport {
        Transport::Tcp => "tcp",
        Transport::Udp => "udp",
    }
}

impl Output {
    /// What is watched, on stderr, before the first packet.
    pub fn watch_start(&mut self, start: &Start) -> Written {
        let ports = if start.ports.is_empty() {
            "every TCP and UDP port".to_string()
        } else {
            format!("TCP and UDP port {}", start.ports.join(", "))
        };
        let saved = start
            .pcap
            .map(|path| format!("; saving to {path}"))
            .unwrap_or_default();
        self.status(&format!(
            "watching {ports} on {} and the ICMP errors about them{saved} (Ctrl-C ends)",
            start.interface
        ))
    }

    /// One packet: its tcpdump line, its payload, what it means.
    pub fn watch_packet(&mut self, shown: &Shown) -> Written {
        let packet = shown.packet;
        let seen = shown.seen;
        let (token, words) = meaning_words(seen, packet);
        let payload_bytes: &[u8] = match packet.body {
            Body::Tcp(s) => s.payload,
            Body::Udp(d) => d.payload,
            Body::IcmpError { .. } => &[],
        };
        if self.json() {
            let (protocol, flags, seq, ack, win, length) = match packet.body {
                Body::Tcp(s) => (
                    "tcp",
                    Some(s.flags.letters().to_string()),
                    Some(seen.seq),
                    s.flags.has(frame::Flags::ACK).then_some(seen.ack),
                    Some(s.window),
                    s.length,
                ),
                Body::Udp(d) => ("udp", None, None, None, None, d.length),
                Body::IcmpError { length, .. } => ("icmp", None, None, None, None, length),
            };
            let (error, about) = match packet.body {
                Body::IcmpError {
                    error,
                    transport,
                    from,
                    to,
                    ..
                } => (
                    Some(error.text()),
                    Some(About {
                        protocol: transport_name(transport),
                        src: from.to_string(),
                        dst: to.to_string(),
                    }),
                ),
                _ => (None, None),
            };
            let icmp = matches!(packet.body, Body::IcmpError { .. });
            let port = |a: SocketAddr| (!icmp).then_some(a.port());
            return self.json_line(&PacketJson {
                kind: "packet",
                time: shown.at.as_secs_f64(),
                ip: if frame::is_v6(&packet.source) { 6 } else { 4 },
                protocol,
                src: packet.source.ip().to_string(),
                src_port: port(packet.source),
                dst: packet.destination.ip().to_string(),
                dst_port: port(packet.destination),
                flags,
                seq,
                ack,
                win,
                window_bytes: seen.window,
                length,
                payload: if icmp {
                    Payload::absent(shown.look)
                } else {
                    Payload::of(payload_bytes, true, shown.look)
                },
                error,
                about,
                conversation: seen.number,
                from: seen.from.map(role),
                meaning: token,
                words,
                notes: seen
                    .notes
                    .iter()
                    .map(|&n| {
                        let (note, words) = note_words(n);
                        NoteJson { note, words }
                    })
                    .collect(),
            });
        }
        let line = tcpdump_line(shown);
        writeln!(self, "{line}")?;
        if !payload_bytes.is_empty() {
            if shown.look.hex {
                for line in Payload::of(payload_bytes, false, shown.look).dump() {
                    writeln!(self, "  {line}")?;
                }
            } else {
                // The text rules' line, from the bytes as they are (no copy first).
                let kept = &payload_bytes[..payload_bytes.len().min(text::SHOWN)];
                let total = match packet.body {
                    Body::Tcp(s) => s.length,
                    Body::Udp(d) => d.length,
                    Body::IcmpError { .. } => 0,
                };
                let shown_text = text::show(kept, total.max(kept.len()), shown.look.encoding);
                writeln!(self, "    {shown_text}")?;
            }
        }
        let number = Number(seen.number);
        let meaning = self.paint(Paint::Cyan, &words);
        writeln!(self, "    {number}{meaning}")?;
        for &note in &seen.notes {
            let (_, words) = note_words(note);
            let words = self.paint(Paint::Dim, &words);
            writeln!(self, "    {number}{words}")?;
        }
        Ok(())
    }

    /// The summary: the capture's counts, then each connection and UDP pair.
    pub fn watch_summary(&mut self, summary: &Summary) -> Written {
        if self.json() {
            return self.json_line(&SummaryJson::of(summary));
        }
        let mut text = String::new();
        let _ = write!(
            text,
            "\n{} shown on {}; the kernel dropped {}",
            counted(summary.shown, "packet", "packets"),
            summary.interface,
            summary.dropped
        );
        if summary.dropped > 0 {
            text.push_str(" (its capture buffer was full: some packets are missing here)");
        }
        if let Some(path) = summary.pcap {
            let _ = write!(text, "; saved to {path}");
        }
        writeln!(self, "{text}")?;
        for c in summary.connections.iter().take(LISTED) {
            writeln!(self, "{}", connection_line(c))?;
        }
        let rest = summary.connections.len().saturating_sub(LISTED);
        if rest > 0 {
            writeln!(
                self,
                "... and {} more (--json lists all)",
                counted(rest as u64, "connection", "connections")
            )?;
        }
        for pair in summary.udp.iter().take(LISTED) {
            writeln!(self, "{}", udp_line(pair))?;
        }
        let rest = summary.udp.len().saturating_sub(LISTED);
        if rest > 0 {
            writeln!(
                self,
                "... and {} more (--json lists all)",
                counted(rest as u64, "UDP pair", "UDP pairs")
            )?;
        }
        if summary.untracked > 0 {
            writeln!(
                self.out,
                "{} not followed (more conversations at once than netkit follows)",
                counted(summary.untracked, "packet", "packets")
            )?;
        }
        Ok(())
    }
}

/// How a connection ended, in words.
fn end_words(c: &Connection) -> String {
    match c.end {
        None if c.roles_known && !c.accepted => match c.syns {
            1 => "no answer to the SYN".into(),
            n => format!("no answer to {n} SYNs"),
        },
        None if c.accepted && !c.connected => {
            "the server answered (SYN/ACK); the client's ACK that completes the handshake was not seen"
                .into()
        }
        None => "still open".into(),
        Some(End::Refused) => "refused (a reset answered the SYN)".into(),
        Some(End::Reset { by }) => format!("reset by the {}", role(by)),
        Some(End::Closing {
            both: true,
            done: true,
            ..
        }) if c.closed_at_once => {
            "closed: both sides closed at once (their FINs crossed); both wait in TIME_WAIT".into()
        }
        Some(End::Closing {
            first,
            both: true,
            done: true,
        }) => format!(
            "closed: the {} closed first, then the {}; the {} waits in TIME_WAIT",
            role(first),
            role(first.other()),
            role(first)
        ),
        Some(End::Closing {
            first, both: true, ..
        }) => format!(
            "both sides closed (the {} first); the last ACK was not seen",
            role(first)
        ),
        Some(End::Closing { first, .. }) => format!(
            "the {} closed its side (FIN); the {} has not yet",
            role(first),
            role(first.other())
        ),
    }
}

fn connection_line(c: &Connection) -> String {
    let handshake = c
        .handshake
        .map(|h| format!("handshake {}; ", millis(h)))
        .unwrap_or_default();
    let way = |i: usize| {
        let sent = c.sent[i];
        let mut s = if sent.data_segments == 0 {
            format!(
                "no data ({})",
                counted(sent.segments, "segment", "segments")
            )
        } else {
            format!(
                "{} in {} ({} in all)",
                bytes(sent.bytes as usize),
                counted(sent.data_segments, "data segment", "data segments"),
                sent.segments
            )
        };
        if sent.retransmitted > 0 {
            let _ = write!(s, " ({} sent again)", sent.retransmitted);
        }
        s
    };
    let guessed = if c.roles_known {
        ""
    } else {
        " (roles guessed)"
    };
    format!(
        "#{} TCP {} > {}{guessed}: {handshake}client {}, server {}; {}",
        c.number,
        frame::dotted(c.client),
        frame::dotted(c.server),
        way(0),
        way(1),
        end_words(c)
    )
}

fn udp_line(pair: &UdpPair) -> String {
    let way = |(datagrams, total): (u64, u64)| {
        format!(
            "{} ({})",
            counted(datagrams, "datagram", "datagrams"),
            bytes(total as usize)
        )
    };
    let mut line = format!(
        "#{} UDP {} > {}: {} sent, {} back",
        pair.number,
        frame::dotted(pair.a),
        frame::dotted(pair.b),
        way(pair.sent[0]),
        way(pair.sent[1])
    );
    if pair.unreachable > 0 {
        let _ = write!(
            line,
            "; {}",
            counted(pair.unreachable, "port unreachable", "port unreachables")
        );
    }
    line
}

#[derive(Serialize)]
struct SummaryJson {
    #[serde(rename = "type")]
    kind: &'static str,
    interface: String,
    packets: u64,
    kernel_received: u32,
    kernel_dropped: u32,
    pcap: Option<String>,
    connections: Vec<ConnectionJson>,
    udp: Vec<UdpJson>,
    untracked: u64,
}

#[derive(Serialize)]
struct Way {
    segments: u64,
    data_segments: u64,
    bytes: u64,
    retransmitted: u64,
}

#[derive(Serialize)]
struct ConnectionJson {
    number: usize,
    client: String,
    server: String,
    roles_known: bool,
    handshake_ms: Option<f64>,
    syns: u32,
    client_sent: Way,
    server_sent: Way,
    /// `open`, `refused`, `reset`, `closing`, `closed`.
    end: &'static str,
    ended_by: Option<&'static str>,
    words: String,
}

#[derive(Serialize)]
struct UdpJson {
    number: usize,
    a: String,
    b: String,
    a_datagrams: u64,
    a_bytes: u64,
    b_datagrams: u64,
    b_bytes: u64,
    port_unreachable: u64,
}

impl SummaryJson {
    fn of(s: &Summary) -> SummaryJson {
        let way = |sent: crate::packet::conversation::Sent| Way {
            segments: sent.segments,
            data_segments: sent.data_segments,
            bytes: sent.bytes,
            retransmitted: sent.retransmitted,
        };
        SummaryJson {
            kind: "summary",
            interface: s.interface.to_string(),
            packets: s.shown,
            kernel_received: s.received,
            kernel_dropped: s.dropped,
            pcap: s.pcap.map(str::to_string),
            connections: s
                .connections
                .iter()
                .map(|c| {
                    let (end, by) = match c.end {
                        None if c.roles_known && !c.accepted => ("unanswered", None),
                        None if c.accepted && !c.connected => ("handshake", None),
                        None => ("open", None),
                        Some(End::Refused) => ("refused", Some(role(Role::Server))),
                        Some(End::Reset { by }) => ("reset", Some(role(by))),
                        Some(End::Closing { first, done, .. }) => {
                            (if done { "closed" } else { "closing" }, Some(role(first)))
                        }
                    };
                    ConnectionJson {
                        number: c.number,
                        client: c.client.to_string(),
                        server: c.server.to_string(),
                        roles_known: c.roles_known,
                        handshake_ms: c.handshake.map(|h| h.as_secs_f64() * 1000.0),
                        syns: c.syns,
                        client_sent: way(c.sent[0]),
                        server_sent: way(c.sent[1]),
                        end,
                        ended_by: by,
                        words: end_words(c),
                    }
                })
                .collect(),
            udp: s
                .udp
                .iter()
                .map(|p| UdpJson {
                    number: p.number,
                    a: p.a.to_string(),
                    b: p.b.to_string(),
                    a_datagrams: p.sent[0].0,
                    a_bytes: p.sent[0].1,
                    b_datagrams: p.sent[1].0,
                    b_bytes: p.sent[1].1,
                    port_unreachable: p.unreachable,
                })
                .collect(),
            untracked: s.untracked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::conversation::Sent;

    fn connection(roles_known: bool, syns: u32, accepted: bool, connected: bool) -> Connection {
        Connection {
            number: 1,
            client: crate::packet::frame::NOWHERE,
            server: crate::packet::frame::NOWHERE,
            roles_known,
            handshake: None,
            accepted,
            connected,
            syns,
            sent: [Sent::default(); 2],
            end: None,
            closed_at_once: false,
        }
    }

    #[test]
    fn a_connection_not_ended_is_said_as_far_as_its_handshake_went() {
        assert_eq!(
            end_words(&connection(true, 1, false, false)),
            "no answer to the SYN"
        );
        assert_eq!(
            end_words(&connection(true, 3, false, false)),
            "no answer to 3 SYNs"
        );
        assert!(end_words(&connection(true, 3, true, false)).starts_with("the server answered"));
        assert_eq!(end_words(&connection(true, 1, true, true)), "still open");
        // Caught midstream: nothing of the handshake was seen, and it is open.
        assert_eq!(end_words(&connection(false, 0, false, false)), "still open");
    }
}
