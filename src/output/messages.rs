//! How messages look (a `Payload`), and send's exchanges and summaries; the servers' events
//! are in server.rs. A message's bytes are shown by text.rs's rules: text in the chosen encoding
//! with control characters escaped, hex where they do not decode, or an xxd dump with --hex;
//! JSON carries them losslessly as hex, with the decoded text.

use std::collections::HashSet;
use std::io::Write;
use std::net::SocketAddr;

use serde::Serialize;
use serde::ser::SerializeMap;

use super::Output;
use super::Written;
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
    fn inline(&self) -> Option<String> {
        (!self.look.hex).then(|| text::show(&self.bytes, self.total, self.look.encoding))
    }

    /// The xxd lines of a --hex view, with a note of what is not shown.
    fn dump(&self) -> Vec<String> {
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
}

/// Something that arrived in send's interactive mode, from any peer, when it arrived.
#[derive(Debug, Serialize)]
pub struct Arrival {
    pub from: SocketAddr,
    pub bytes: usize,
    /// The line it is the first answer to, and the time since that line went out.
    pub seq: Option<u64>,
    pub rtt_ms: Option<f64>,
    #[serde(flatten)]
    pub payload: Payload,
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
    /// Messages with no reply in time.
    pub timeouts: u64,
    pub loss_percent: f64,
    /// Replies that came after a later message's reply (UDP --count).
    pub reordered: u64,
    /// Replies that differ from what was sent.
    pub corrupted: u64,
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
            &format!("read {}: {} bytes after {:.3} ms", r.read, r.bytes, r.ms),
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
            1 => format!("{} bytes came back in 1 read", b.received_bytes),
            n => format!("{} bytes came back in {n} reads", b.received_bytes),
        };
        Ok(writeln!(
            self,
            "{} messages ({} bytes) written back to back; {came}",
            b.messages, b.sent_bytes
        )?)
    }

    /// Something that arrived in send's interactive mode.
    pub fn send_arrival(&mut self, a: &Arrival) -> Written {
        if self.json() {
            return self.json_line(a);
        }
        let head = match a.rtt_ms {
            Some(_) => format!("reply from {}", a.from),
            None => format!("from {}", a.from),
        };
        let after = match a.rtt_ms {
            Some(rtt) => format!(" ({} bytes, {rtt:.3} ms)", a.bytes),
            None => format!(" ({} bytes)", a.bytes),
        };
        self.message_line(&head, &a.payload, &after)?;
        self.encoding_note("", a.from, &a.payload, false)
    }

    /// One exchange of `send`.
    pub fn send_exchange(&mut self, peer: SocketAddr, e: &Exchange) -> Written {
        if self.json() {
            return self.json_line(e);
        }
        match e.rtt_ms {
            Some(rtt) => {
                let size = if e.truncated {
                    format!(
                        "{} bytes, truncated to {} by the {}-byte receive buffer",
                        e.reply_bytes, e.received_bytes, e.received_bytes
                    )
                } else {
                    format!("{} bytes", e.received_bytes)
                };
                self.message_line(
                    &format!("reply from {peer}"),
                    &e.reply,
                    &format!(" ({size}, {rtt:.3} ms)"),
                )?;
                self.encoding_note("", peer, &e.reply, !e.truncated)
            }
            None => Ok(writeln!(
                self,
                "no reply from {peer} within the timeout (message {})",
                e.seq
            )?),
        }
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
            "{} bytes from {peer}: seq={} time={:.3} ms{notes}",
            m.bytes, m.seq, m.rtt_ms
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
            "sent {} bytes, received {}, {verdict} ({:.3} s, {rate:.1} MB/s)",
            f.sent_bytes, f.received_bytes, f.seconds
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
        if s.sent <= 1 {
            return Ok(());
        }
        write!(
            self,
            "{} sent, {} replies, {} lost ({}%), {} reordered, {} corrupted",
            s.sent,
            s.replies,
            s.timeouts,
            super::format_g(s.loss_percent),
            s.reordered,
            s.corrupted
        )?;
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
