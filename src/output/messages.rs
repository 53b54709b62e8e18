//! How messages look (a `Payload`), and send's exchanges and summaries; the servers' events
//! are in server.rs. A message's bytes are shown by text.rs's rules: text in the chosen encoding
//! with control characters escaped, hex where they do not decode, or an xxd dump with --hex;
//! JSON carries them losslessly as hex, with the decoded text.

use std::collections::HashSet;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::Serialize;
use serde::ser::SerializeMap;

use super::Output;
use super::Written;
use super::server::{WallClock, clock};
use crate::frame::BodySum;
use crate::stats::RttSummary;
use crate::text;

/// How messages are shown; knowledge, so cli.rs can build it without the renderer.
pub use crate::text::Look;

/// A message's bytes as a server or client hands them to the log: every byte when `whole`
/// (JSON carries them losslessly), else only what a line shows, and how many there were.
/// The text itself is made by the renderer, not on the server's path.
#[derive(Debug, Clone)]
pub struct Payload {
    bytes: Vec<u8>,
    total: usize,
    look: Look,
    /// No message at all (no reply came): JSON says null, not "".
    absent: bool,
}

impl Payload {
    pub fn of(message: &[u8], whole: bool, look: Look) -> Payload {
        let kept = if whole {
            message.len()
        } else {
            message.len().min(text::SHOWN)
        };
        Payload {
            bytes: message[..kept].to_vec(),
            total: message.len(),
            look,
            absent: false,
        }
    }

    /// The payload of a reply that never came.
    pub fn absent(look: Look) -> Payload {
        Payload {
            bytes: Vec::new(),
            total: 0,
            look,
            absent: true,
        }
    }

    /// The message on one line (text or hex), or, with --hex, nothing here and a dump below.
    pub(super) fn inline(&self) -> Option<String> {
        (!self.look.hex).then(|| text::show(&self.bytes, self.total, self.look.encoding))
    }

    /// The xxd lines of a --hex view, with a note of what is not shown.
    pub(super) fn dump(&self) -> Vec<String> {
        if !self.look.hex {
            return Vec::new();
        }
        let shown = &self.bytes[..self.bytes.len().min(text::SHOWN)];
        let mut lines: Vec<String> = text::dump(shown)
            .into_iter()
            .map(|l| format!("  {l}"))
            .collect();
        let mut rest = String::new();
        text::push_rest(&mut rest, self.total - shown.len());
        if !rest.is_empty() {
            lines.push(format!("  {}", rest.trim_start()));
        }
        lines
    }
}

/// JSON: `"hex"` (every byte) and `"text"` (decoded in the chosen encoding, null when the
/// bytes do not decode), flattened into the event.
impl Serialize for Payload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        if self.absent {
            map.serialize_entry("hex", &None::<String>)?;
            map.serialize_entry("text", &None::<String>)?;
        } else {
            map.serialize_entry("hex", &text::plain_hex(&self.bytes))?;
            map.serialize_entry("text", &self.look.encoding.decode(&self.bytes))?;
        }
        map.end()
    }
}

/// `n` and its noun, singular for one: "1 byte", "7 bytes", "1 reply".
pub fn counted(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 byte", "7 bytes".
pub fn bytes(n: usize) -> String {
    counted(n as u64, "byte", "bytes")
}

/// A wait as a person says it: "5 s", "1.5 s", "300 ms".
pub fn wait_words(wait: Duration) -> String {
    if wait < Duration::from_secs(1) {
        format!("{} ms", super::format_g(wait.as_secs_f64() * 1000.0))
    } else {
        format!("{} s", super::format_g(wait.as_secs_f64()))
    }
}

/// The peers already told that their bytes read better in another encoding: each is told
/// once. Bounded: past NOTED_PEERS the set starts over (a peer may then be told again).
#[derive(Debug, Default)]
pub struct Noted(HashSet<SocketAddr>);

/// The most peers `Noted` remembers.
const NOTED_PEERS: usize = 4096;

/// One exchange of `send`: a message and its reply.
#[derive(Debug, Serialize)]
pub struct Exchange {
    pub seq: u64,
    pub sent_bytes: usize,
    /// What was read of the reply.
    pub received_bytes: usize,
    /// The reply's size as the server sent it: more than `received_bytes` when the receive
    /// buffer (--recv-size) cut a datagram, which `truncated` then says.
    pub reply_bytes: usize,
    pub truncated: bool,
    /// From the send to the reply's arrival, on the kernel's clock; None when no reply came
    /// in time.
    pub rtt_ms: Option<f64>,
    /// Whether the reply is byte for byte what was sent (an echo).
    pub identical: bool,
    /// The reply.
    #[serde(flatten)]
    pub reply: Payload,
    /// With --recv-size over TCP: each recv as it came (recv(N) returns at most N bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reads: Option<Vec<Payload>>,
    /// How long a reply was waited for (--timeout): the words of a missing reply.
    #[serde(skip)]
    pub wait: Duration,
    /// What `seq` counts in words: "message" (MESSAGEs), or "line" (typed lines, numbered
    /// as stdin has them).
    #[serde(skip)]
    pub noun: &'static str,
    /// With --framed or --framed-in, a reply that is a JSON object (the lessons' file
    /// header), as a JSON value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<sonic_rs::Value>,
    /// The bare bytes its size field announced: their size and checksum, never the bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<BodySum>,
    /// Over unframed TCP, the 4-byte header the reply seems to start with (`le32`, `be32`)
    /// and the length it says: --framed-in=HEADER would read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_guess: Option<HeaderGuess>,
    /// With --save-body: where the body went, or why it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_file: Option<BodyFile>,
}

/// A length header an unframed reply seems to start with.
#[derive(Debug, Serialize)]
pub struct HeaderGuess {
    /// `le32` or `be32`.
    pub header: &'static str,
    /// The length it says.
    pub length: usize,
}

/// Where --save-body wrote a body.
#[derive(Debug, Serialize)]
pub struct BodyFile {
    /// The file.
    pub to: String,
    /// Why a write failed (the checksum covers the whole body all the same).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_saved: Option<String>,
}

/// Over TCP: how the server ended the connection, after how many replies and at which
/// message. A close (FIN) after a message means the program read it and hung up; a reset
/// means its socket was closed with data unread, or before the data came.
#[derive(Debug, Serialize)]
pub struct Closed {
    /// "close" (FIN) or "reset" (RST).
    pub by: &'static str,
    pub replies: u64,
    /// The last message sent before the end was seen (none: before the first).
    pub message: Option<u64>,
    /// Whether that message was still awaiting its reply when the end came (a reset then
    /// means the server did not take it).
    pub waiting: bool,
    /// That message.
    #[serde(flatten)]
    pub payload: Payload,
    /// What `message` counts in words: "message", or "line" (typed lines).
    #[serde(skip)]
    pub noun: &'static str,
}

/// A note that explains what a line of send's output can mean, given once per run.
#[derive(Debug, Clone, Copy)]
pub enum SendNote {
    /// A message without a reply within the wait, over UDP or TCP.
    NoReply { udp: bool, wait: Duration },
    /// An empty message over unframed TCP, which send() would not put on the wire.
    EmptyNotSent,
}

/// Which address of a name answered, and the ones tried before it.
#[derive(Debug)]
pub struct Reached {
    /// The name as typed.
    pub name: String,
    pub udp: bool,
    /// The address in use now.
    pub to: SocketAddr,
    /// Addresses tried before, each with what happened.
    pub tried: Vec<(SocketAddr, String)>,
    /// The name's other addresses, not tried.
    pub others: Vec<IpAddr>,
}

/// Something that arrived in send's interactive mode, from any peer, when it arrived.
#[derive(Debug)]
pub struct Arrival {
    pub from: SocketAddr,
    pub bytes: usize,
    /// When it arrived (the kernel's stamp), on the wall clock: shown in local time.
    pub at: WallClock,
    /// The line it is taken to answer: only when a line sent before it still waited for its
    /// first answer within --timeout. netkit cannot know that the bytes answer it; it says
    /// what it saw, the time since that line went out.
    pub answers: Option<Answers>,
    pub payload: Payload,
}

/// The typed line an arrival came after (the oldest one still waiting), and its RTT.
#[derive(Debug)]
pub struct Answers {
    /// The line's number on stdin.
    pub line: u64,
    pub rtt_ms: f64,
    /// Over unframed TCP, one read answers every line waiting before it (quick lines come
    /// back in one read): how many later lines it answered too, and the first and last.
    pub also: Option<(u64, u64, u64)>,
}

/// The local address and port interactive `send` sends from: at the start, and again when
/// it changes (a name's next address is tried on a new socket).
#[derive(Debug, Serialize)]
pub struct Local {
    pub address: SocketAddr,
    /// "os" (the OS chose the port for this run) or "bind" (--bind fixed it).
    pub port_chosen_by: &'static str,
}

/// A typed line that went out in interactive `send`.
#[derive(Debug, Serialize)]
pub struct SentLine {
    /// Its number on stdin (blank or refused lines are counted too, not sent).
    pub line: u64,
    pub bytes: usize,
}

/// One read of the replies to `send --burst`.
#[derive(Debug, Serialize)]
pub struct BurstRead {
    pub read: u64,
    pub bytes: usize,
    /// Since the first message was written.
    pub ms: f64,
    #[serde(flatten)]
    pub payload: Payload,
}

/// The end of `send --burst`.
#[derive(Debug, Serialize)]
pub struct Burst {
    pub messages: usize,
    pub sent_bytes: usize,
    pub reads: u64,
    pub received_bytes: usize,
}

/// The end of a `send` run.
#[derive(Debug, Serialize)]
pub struct SendSummary {
    pub sent: u64,
    pub replies: u64,
    /// Messages with no reply within --timeout (the older name of `no_reply`, kept).
    pub timeouts: u64,
    /// Messages with no reply within --timeout: not known to be lost (a program may take
    /// data and not answer).
    pub no_reply: u64,
    /// The measure mode (--count without MESSAGEs) only: the share of its generated
    /// messages not answered in time. Null elsewhere: a missing reply is not a known loss.
    pub loss_percent: Option<f64>,
    /// Replies that came after a later message's reply (UDP --count).
    pub reordered: u64,
    /// Replies that differ from what was sent.
    pub corrupted: u64,
    /// Messages not sent because the server had closed the connection.
    pub not_sent: u64,
    /// Empty messages not sent over unframed TCP (the note says why, once).
    pub empty_not_sent: u64,
    pub rtt_ms: Option<RttSummary>,
}

/// One reply of `send --count`.
#[derive(Debug, Serialize)]
pub struct Measured {
    pub seq: u64,
    pub bytes: usize,
    pub rtt_ms: f64,
    pub identical: bool,
    pub reordered: bool,
}

/// The result of `send --file`.
#[derive(Debug, Serialize)]
pub struct FileCheck {
    pub sent_bytes: u64,
    pub received_bytes: u64,
    pub identical: bool,
    /// Offset of the first byte that came back different, if one did.
    pub first_difference: Option<u64>,
    pub seconds: f64,
}

impl Output {
    /// A line about a message: `head: the message`, or with --hex `head` and the dump below.
    pub(super) fn message_line(&mut self, head: &str, payload: &Payload, after: &str) -> Written {
        match payload.inline() {
            Some(shown) => writeln!(self, "{head}: {shown}{after}")?,
            None => writeln!(self, "{head}{after}")?,
        }
        for line in payload.dump() {
            writeln!(self, "{line}")?;
        }
        Ok(())
    }

    /// One read of a --burst's replies.
    pub fn send_burst_read(&mut self, r: &BurstRead) -> Written {
        if self.json() {
            return self.json_line(r);
        }
        self.message_line(
            &format!("read {}: {} after {:.3} ms", r.read, bytes(r.bytes), r.ms),
            &r.payload,
            "",
        )
    }

    /// The closing line of --burst: how many sends, and in how many reads they came back.
    pub fn send_burst(&mut self, b: &Burst) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Tagged<'a> {
                burst: &'a Burst,
            }
            return self.json_line(&Tagged { burst: b });
        }
        let came = match b.reads {
            0 => "nothing came back".to_string(),
            1 => format!("{} came back in 1 read", bytes(b.received_bytes)),
            n => format!("{} came back in {n} reads", bytes(b.received_bytes)),
        };
        Ok(writeln!(
            self,
            "{} ({}) written back to back; {came}",
            counted(b.messages as u64, "message", "messages"),
            bytes(b.sent_bytes)
        )?)
    }

    /// Something that arrived in send's interactive mode: who sent it and when, and, when a
    /// typed line was waiting for its first answer, the time since that line.
    pub fn send_arrival(&mut self, a: &Arrival) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Json<'a> {
                from: SocketAddr,
                bytes: usize,
                time: String,
                #[serde(skip_serializing_if = "Option::is_none")]
                after_line: Option<u64>,
                #[serde(skip_serializing_if = "Option::is_none")]
                rtt_ms: Option<f64>,
                #[serde(skip_serializing_if = "Option::is_none")]
                also_answers: Option<u64>,
                #[serde(flatten)]
                payload: &'a Payload,
            }
            return self.json_line(&Json {
                from: a.from,
                bytes: a.bytes,
                time: clock(a.at).1,
                after_line: a.answers.as_ref().map(|x| x.line),
                rtt_ms: a.answers.as_ref().map(|x| x.rtt_ms),
                also_answers: a.answers.as_ref().and_then(|x| x.also).map(|(n, _, _)| n),
                payload: &a.payload,
            });
        }
        let head = format!("from {} at {}", a.from, clock(a.at).0);
        let after = match &a.answers {
            None => format!(" ({})", bytes(a.bytes)),
            Some(x) => {
                let also = match x.also {
                    None => String::new(),
                    Some((1, first, _)) => format!(", also after line {first}"),
                    Some((n, first, last)) => {
                        format!(", also after {n} later lines ({first}–{last})")
                    }
                };
                format!(
                    " ({}, {:.3} ms after line {}{also})",
                    bytes(a.bytes),
                    x.rtt_ms,
                    x.line
                )
            }
        };
        self.message_line(&head, &a.payload, &after)?;
        self.encoding_note("", a.from, &a.payload, false)
    }

    /// The local address and port interactive `send` sends from, and who chose the port.
    pub fn send_local(&mut self, l: &Local) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Tagged<'a> {
                local: &'a Local,
            }
            return self.json_line(&Tagged { local: l });
        }
        let why = if l.port_chosen_by == "bind" {
            "port fixed by --bind"
        } else {
            "port chosen by the OS for this run: the next run will most likely get another"
        };
        writeln!(self, "sending from {} ({why})", l.address)?;
        self.flush()
    }

    /// A typed line that went out: its number and size only (the text is what was typed;
    /// a long paste adds one short line per line).
    pub fn send_sent(&mut self, s: &SentLine) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Tagged<'a> {
                sent: &'a SentLine,
            }
            return self.json_line(&Tagged { sent: s });
        }
        Ok(writeln!(self, "sent line {}: {}", s.line, bytes(s.bytes))?)
    }

    /// One exchange of `send`.
    pub fn send_exchange(&mut self, peer: SocketAddr, e: &Exchange) -> Written {
        if self.json() {
            return self.json_line(e);
        }
        self.exchange_lines(peer, e)?;
        if let Some(HeaderGuess { header, length }) = &e.header_guess {
            writeln!(
                self,
                "note: the reply starts with what reads as a 4-byte length header ({header}: \
                 {length} bytes follow), as struct.pack('i', n) writes one: to read the answer \
                 it announces, try --framed-in={header}"
            )?;
        }
        Ok(())
    }

    /// An exchange's lines, for people.
    fn exchange_lines(&mut self, peer: SocketAddr, e: &Exchange) -> Written {
        let Some(rtt) = e.rtt_ms else {
            return Ok(writeln!(
                self,
                "no reply from {peer} within {} ({} {})",
                wait_words(e.wait),
                e.noun,
                e.seq
            )?);
        };
        let size = if e.truncated {
            format!(
                "{}, truncated to {} by the {}-byte receive buffer",
                bytes(e.reply_bytes),
                e.received_bytes,
                e.received_bytes
            )
        } else {
            bytes(e.received_bytes)
        };
        if let Some(header) = &e.header {
            self.json_header(peer, header, e.body.as_ref(), &size, rtt)?;
            return match &e.body_file {
                Some(BodyFile {
                    to,
                    not_saved: None,
                }) => Ok(writeln!(self, "body saved to {to}")?),
                Some(BodyFile {
                    to,
                    not_saved: Some(why),
                }) => Ok(writeln!(self, "body not saved to {to}: {why}")?),
                None => Ok(()),
            };
        }
        let Some(reads) = e.reads.as_ref().filter(|r| !r.is_empty()) else {
            self.message_line(
                &format!("reply from {peer}"),
                &e.reply,
                &format!(" ({size}, {rtt:.3} ms)"),
            )?;
            return self.encoding_note("", peer, &e.reply, !e.truncated);
        };
        // recv(N) hands the reply over in pieces of at most N bytes: each as it came.
        writeln!(
            self,
            "reply from {peer} ({size} in {}, {rtt:.3} ms):",
            counted(reads.len() as u64, "recv", "recvs")
        )?;
        for (i, read) in reads.iter().enumerate() {
            self.message_line(
                &format!("  recv {}", i + 1),
                read,
                &format!(" ({})", bytes(read.total)),
            )?;
        }
        // Judged on the whole reply: a recv may end inside a character.
        self.encoding_note("", peer, &e.reply, false)
    }

    /// A framed reply that is a JSON object, pretty-printed, then what came of the body its
    /// size field announced.
    fn json_header(
        &mut self,
        peer: SocketAddr,
        header: &sonic_rs::Value,
        body: Option<&BodySum>,
        size: &str,
        rtt: f64,
    ) -> Written {
        writeln!(
            self,
            "reply from {peer}: a JSON header ({size}, {rtt:.3} ms):"
        )?;
        let pretty = sonic_rs::to_string_pretty(header).unwrap_or_default();
        for line in pretty.lines() {
            writeln!(self, "  {line}")?;
        }
        let Some(b) = body else {
            return Ok(());
        };
        let came = if b.complete {
            format!(
                "body: {} ({} in the header)",
                bytes(b.bytes as usize),
                b.field
            )
        } else {
            format!(
                "body: only {} of the {} the header's {} announced came",
                b.bytes,
                bytes(b.announced as usize),
                b.field
            )
        };
        let sum = match (&b.md5, &b.md5_expected, b.md5_matches) {
            (Some(got), _, Some(true)) => format!("md5 {got}, the same as the header's"),
            (Some(got), Some(want), Some(false)) => {
                format!("md5 {got}, NOT the header's {want}: the file differs")
            }
            (Some(got), _, _) => format!("md5 {got} (of the part that came)"),
            (None, _, _) => format!("sha256 {}", b.sha256.as_deref().unwrap_or("")),
        };
        writeln!(self, "{came}, {sum}")?;
        Ok(())
    }

    /// How the server ended a TCP connection.
    pub fn send_closed(&mut self, c: &Closed) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Tagged<'a> {
                closed: &'a Closed,
            }
            return self.json_line(&Tagged { closed: c });
        }
        let after = match c.replies {
            0 => "before any reply".to_string(),
            n => format!("after {}", counted(n, "reply", "replies")),
        };
        let at = |head: &str| -> String {
            match (c.message, c.payload.inline()) {
                (Some(seq), Some(shown)) => format!("{head} {} {seq}: {shown}", c.noun),
                (Some(seq), None) => format!("{head} {} {seq}", c.noun),
                (None, _) => String::new(),
            }
        };
        if c.by == "reset" && c.waiting {
            let at = at("at");
            let at = if at.is_empty() { at } else { format!(", {at}") };
            writeln!(
                self,
                "the server reset the connection {after}{at} (a reset: the program closed its \
                 socket with data unread, or before the data came; what was sent then was not \
                 taken)"
            )?;
        } else {
            let at = at("after");
            let at = if at.is_empty() {
                at
            } else {
                format!(" ({at})")
            };
            let how = if c.by == "reset" { "reset" } else { "closed" };
            writeln!(self, "the server {how} the connection {after}{at}")?;
        }
        for line in c.payload.dump() {
            writeln!(self, "{line}")?;
        }
        Ok(())
    }

    /// A note on what a line means, once per run (stderr: stdout keeps the results).
    pub fn send_note(&mut self, note: SendNote) -> Written {
        let text = match note {
            SendNote::NoReply { udp: true, wait } => format!(
                "note: no reply within {} is not a loss: the datagram may have been received by \
                 a program that does not answer, or dropped on the way; netkit has no way to tell which \
                 (no ICMP port unreachable came back). --expect-reply makes a missing reply exit 1",
                wait_words(wait)
            ),
            SendNote::NoReply { udp: false, wait } => format!(
                "note: no reply within {} is not a loss over TCP: the kernel delivered the bytes \
                 to the server's socket (the send succeeded and no reset came); the program did \
                 not answer within {}. --expect-reply makes a missing reply exit 1",
                wait_words(wait),
                wait_words(wait)
            ),
            SendNote::EmptyNotSent => "note: empty message not sent: over TCP an empty send() \
                puts nothing on the wire, so the server would never see it and both sides would \
                wait (an empty UDP datagram, --udp, or an empty frame, --framed, is sent); the \
                summary counts the others"
                .to_string(),
        };
        self.status(&text)
    }

    /// Which address of a name is in use, and what happened at the ones tried before it
    /// (stderr: a status, not a result).
    pub fn send_reached(&mut self, r: &Reached) -> Written {
        let verb = if r.udp { "sending to" } else { "connected to" };
        let mut line = format!("{verb} {} ({}", r.to, r.name);
        if !r.tried.is_empty() {
            let tried: Vec<String> = r
                .tried
                .iter()
                .map(|(at, what)| format!("{at}: {what}"))
                .collect();
            line.push_str(&format!("; tried before: {}", tried.join("; ")));
        }
        if !r.others.is_empty() {
            let others: Vec<String> = r.others.iter().map(ToString::to_string).collect();
            line.push_str(&format!(
                "; other addresses, not tried: {}",
                others.join(", ")
            ));
        }
        line.push(')');
        self.status(&line)
    }

    /// One reply of `send --count`, ping-style.
    pub fn send_measured(&mut self, peer: SocketAddr, m: &Measured) -> Written {
        if self.json() {
            return self.json_line(m);
        }
        let mut notes = String::new();
        if m.reordered {
            notes.push_str(" (reordered)");
        }
        if !m.identical {
            notes.push_str(" (corrupted)");
        }
        Ok(writeln!(
            self,
            "{} from {peer}: seq={} time={:.3} ms{notes}",
            bytes(m.bytes),
            m.seq,
            m.rtt_ms
        )?)
    }

    /// The result of `send --file`.
    pub fn send_file(&mut self, f: &FileCheck) -> Written {
        if self.json() {
            return self.json_line(f);
        }
        let verdict = match (f.identical, f.first_difference) {
            (true, _) => "identical".to_string(),
            (false, Some(at)) => format!("different from byte {at} on"),
            (false, None) => "incomplete".to_string(),
        };
        let rate = f.received_bytes as f64 / f.seconds.max(1e-9) / 1e6;
        Ok(writeln!(
            self,
            "sent {}, received {}, {verdict} ({:.3} s, {rate:.1} MB/s)",
            counted(f.sent_bytes, "byte", "bytes"),
            f.received_bytes,
            f.seconds
        )?)
    }

    /// The closing line of `send`.
    pub fn send_summary(&mut self, s: &SendSummary) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Tagged<'a> {
                summary: &'a SendSummary,
            }
            return self.json_line(&Tagged { summary: s });
        }
        if s.sent <= 1 && s.not_sent == 0 && s.empty_not_sent == 0 {
            return Ok(());
        }
        write!(
            self,
            "{} sent, {}",
            s.sent,
            counted(s.replies, "reply", "replies")
        )?;
        match s.loss_percent {
            // The measure mode: its messages were generated to be echoed, so one without a
            // reply in time is counted lost, as ping counts it.
            Some(loss) => write!(
                self,
                ", {} lost ({}%), {} reordered, {} corrupted",
                s.timeouts,
                super::format_g(loss),
                s.reordered,
                s.corrupted
            )?,
            // Each message's own line says how long its reply was waited for.
            None if s.no_reply > 0 => write!(self, ", {} without a reply", s.no_reply)?,
            None => {}
        }
        if s.not_sent > 0 {
            write!(
                self,
                ", {} not sent (the server had closed the connection)",
                s.not_sent
            )?;
        }
        if s.empty_not_sent > 0 {
            write!(
                self,
                ", {} not sent",
                counted(s.empty_not_sent, "empty message", "empty messages")
            )?;
        }
        if let Some(r) = &s.rtt_ms {
            write!(
                self,
                "; rtt min/avg/max/mdev = {:.3}/{:.3}/{:.3}/{:.3} ms, p95 {:.3} ms",
                r.min, r.avg, r.max, r.mdev, r.p95
            )?;
        }
        Ok(writeln!(self)?)
    }

    /// Says once per peer, in the text log, that a message's bytes read better in another
    /// encoding than the chosen one (text::suggest), with the text and the flag to use.
    /// `prefix` starts the line; `whole`: the payload is a whole message (a datagram), not
    /// a TCP read that may end inside a character.
    pub(super) fn encoding_note(
        &mut self,
        prefix: &str,
        peer: SocketAddr,
        payload: &Payload,
        whole: bool,
    ) -> Written {
        if self.json() || payload.look.hex || payload.absent {
            return Ok(());
        }
        if self.encoding_noted.0.contains(&peer) {
            return Ok(());
        }
        let whole = whole && payload.total == payload.bytes.len();
        let Some(s) = text::suggest(&payload.bytes, payload.look.encoding, whole) else {
            return Ok(());
        };
        if self.encoding_noted.0.len() >= NOTED_PEERS {
            self.encoding_noted.0.clear();
        }
        self.encoding_noted.0.insert(peer);
        let chosen = payload.look.encoding.name();
        let (name, label) = (s.encoding.name(), s.label);
        match s.misread {
            text::Misread::NotDecoded => write!(
                self,
                "{prefix}note: these bytes are not {chosen} text; they read as {name}: {} (use --encoding {label}",
                s.text
            )?,
            text::Misread::Mojibake => write!(
                self,
                "{prefix}note: these bytes are UTF-8 text that {chosen} shows as mojibake; they read as UTF-8: {} (use --encoding {label}",
                s.text
            )?,
        }
        match s.also.as_slice() {
            [] => {}
            [one] => write!(self, "; {one} reads them too")?,
            [first @ .., last] => write!(self, "; {} and {last} read them too", first.join(", "))?,
        }
        if s.python_differs {
            write!(
                self,
                "; netkit's GBK is WHATWG's, which reads 0x80 and a2 e3 as €: Python's gbk codec rejects both"
            )?;
        }
        Ok(writeln!(self, ")")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_singular_for_one() {
        for (n, want) in [
            (0, "0 bytes"),
            (1, "1 byte"),
            (2, "2 bytes"),
            (65_507, "65507 bytes"),
        ] {
            assert_eq!(bytes(n), want, "{n}");
        }
        assert_eq!(counted(1u64, "reply", "replies"), "1 reply");
        assert_eq!(counted(3u64, "reply", "replies"), "3 replies");
    }

    /// What `render` writes to stdout, as text (`json`: as JSON lines).
    fn rendered(json: bool, render: impl FnOnce(&mut Output) -> Written) -> String {
        let mut out = Output::stdio(json, false).in_memory();
        render(&mut out).unwrap_or_else(|e| panic!("{e:?}"));
        let (text, _) = out.take_rendered();
        String::from_utf8_lossy(&text).into_owned()
    }

    fn arrival(answers: Option<Answers>) -> Arrival {
        let from: SocketAddr = "127.0.0.1:7890".parse().unwrap_or_else(|e| panic!("{e}"));
        Arrival {
            from,
            bytes: 2,
            at: WallClock {
                since_epoch: Duration::from_millis(1_796_276_472_114),
                utc_offset: 28_800,
            },
            answers,
            payload: Payload::of(b"hi", true, Look::default()),
        }
    }

    #[test]
    fn an_arrival_says_when_it_came_and_an_rtt_only_after_a_waiting_line() {
        let alone = rendered(false, |o| o.send_arrival(&arrival(None)));
        assert_eq!(
            alone,
            "from 127.0.0.1:7890 at 13:41:12.114: \"hi\" (2 bytes)\n"
        );
        let answer = Answers {
            line: 3,
            rtt_ms: 0.231,
            also: None,
        };
        let after = rendered(false, |o| o.send_arrival(&arrival(Some(answer))));
        assert_eq!(
            after,
            "from 127.0.0.1:7890 at 13:41:12.114: \"hi\" (2 bytes, 0.231 ms after line 3)\n"
        );
        let answer = Answers {
            line: 3,
            rtt_ms: 0.231,
            also: Some((2, 4, 6)),
        };
        let glued = rendered(false, |o| o.send_arrival(&arrival(Some(answer))));
        assert!(
            glued.ends_with("(2 bytes, 0.231 ms after line 3, also after 2 later lines (4–6))\n"),
            "{glued}"
        );
        let json = rendered(true, |o| o.send_arrival(&arrival(None)));
        assert!(
            json.contains(r#""time":"2026-12-03T13:41:12.114+08:00""#)
                && !json.contains("after_line")
                && !json.contains("rtt_ms"),
            "{json}"
        );
    }

    #[test]
    fn the_local_port_says_who_chose_it() {
        let address: SocketAddr = "127.0.0.1:54321".parse().unwrap_or_else(|e| panic!("{e}"));
        let os = rendered(false, |o| {
            o.send_local(&Local {
                address,
                port_chosen_by: "os",
            })
        });
        assert!(
            os.starts_with("sending from 127.0.0.1:54321 (port chosen by the OS for this run"),
            "{os}"
        );
        let bind = rendered(true, |o| {
            o.send_local(&Local {
                address,
                port_chosen_by: "bind",
            })
        });
        assert_eq!(
            bind,
            "{\"local\":{\"address\":\"127.0.0.1:54321\",\"port_chosen_by\":\"bind\"}}\n"
        );
        let sent = rendered(false, |o| o.send_sent(&SentLine { line: 3, bytes: 1 }));
        assert_eq!(sent, "sent line 3: 1 byte\n");
    }

    #[test]
    fn waits_read_as_people_say_them() {
        for (ms, want) in [
            (5000, "5 s"),
            (1500, "1.5 s"),
            (300, "300 ms"),
            (1000, "1 s"),
        ] {
            assert_eq!(wait_words(Duration::from_millis(ms)), want, "{ms}");
        }
    }
}
