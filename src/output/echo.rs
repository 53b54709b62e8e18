//! How `echo` and `send` look: one log line (or JSON line) per event, and the summaries.

use std::io::Write;
use std::net::SocketAddr;

use serde::Serialize;

use super::Output;
use super::Written;
use crate::ports::Protocol;
use crate::stats::RttSummary;

/// Something that happened at the echo endpoint.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EchoEvent {
    Listening {
        protocol: Protocol,
        address: SocketAddr,
        port: u16,
    },
    Connected {
        protocol: Protocol,
        peer: SocketAddr,
        clients: usize,
    },
    /// A TCP read (or, with --framed, one frame).
    Message {
        protocol: Protocol,
        peer: SocketAddr,
        bytes: usize,
        #[serde(rename = "preview")]
        head: Head,
    },
    Datagram {
        protocol: Protocol,
        peer: SocketAddr,
        bytes: usize,
        #[serde(rename = "preview")]
        head: Head,
    },
    Dropped {
        protocol: Protocol,
        peer: SocketAddr,
        reason: String,
    },
    Disconnected {
        protocol: Protocol,
        peer: SocketAddr,
        messages: u64,
        bytes_in: u64,
        bytes_out: u64,
        reason: String,
    },
    Summary {
        clients: u64,
        datagrams: u64,
        bytes_in: u64,
        bytes_out: u64,
        dropped: u64,
        /// Log events skipped because the logger fell behind (serving never waits on it).
        unlogged: u64,
    },
}

/// One exchange of `send`.
#[derive(Debug, Serialize)]
pub struct Exchange {
    pub seq: u64,
    pub sent_bytes: usize,
    pub received_bytes: usize,
    /// None when no reply came in time.
    pub rtt_ms: Option<f64>,
    /// Whether the reply is byte for byte what was sent (an echo).
    pub identical: bool,
    pub reply: Reply,
}

/// The bytes of a reply. JSON carries them as text (invalid UTF-8 replaced); the log shows
/// a preview.
#[derive(Debug)]
pub struct Reply(pub Vec<u8>);

impl Serialize for Reply {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(&self.0))
    }
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

/// How many bytes of a message a preview shows.
const PREVIEW: usize = 64;

/// The start of a message, as a server hands it to the log: the bytes a preview shows (one
/// more, to tell that there were more). The preview itself is made by the renderer, on its own
/// thread, not on the server's path. Serialized as the preview.
#[derive(Debug)]
pub struct Head(Vec<u8>);

impl Head {
    pub fn of(message: &[u8]) -> Head {
        Head(message[..message.len().min(PREVIEW + 1)].to_vec())
    }
}

impl Serialize for Head {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&preview(&self.0))
    }
}

/// At most 64 bytes, as text when printable, else as hex.
pub fn preview(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(PREVIEW)];
    let more = if bytes.len() > PREVIEW { "..." } else { "" };
    let printable = cut
        .iter()
        .all(|b| b.is_ascii_graphic() || *b == b' ' || *b == b'\n' || *b == b'\r' || *b == b'\t');
    if printable {
        let text = String::from_utf8_lossy(cut);
        format!("{:?}{more}", text.trim_end_matches(['\r', '\n']))
    } else {
        let hex: Vec<String> = cut.iter().map(|b| format!("{b:02x}")).collect();
        format!("hex {}{more}", hex.join(" "))
    }
}

impl Output {
    /// One echo event as a log line or a JSON line.
    pub fn echo_event(&mut self, event: &EchoEvent) -> Written {
        if self.json() {
            return self.json_line(event);
        }
        match event {
            EchoEvent::Listening {
                protocol, address, ..
            } => Ok(writeln!(
                self,
                "listening on {address}/{}",
                protocol.name()
            )?),
            EchoEvent::Connected { peer, clients, .. } => Ok(writeln!(
                self,
                "{peer} connected (tcp, {clients} client(s))"
            )?),
            EchoEvent::Message {
                peer, bytes, head, ..
            } => Ok(writeln!(
                self,
                "{peer} tcp {bytes} bytes: {}",
                preview(&head.0)
            )?),
            EchoEvent::Datagram {
                peer, bytes, head, ..
            } => Ok(writeln!(
                self,
                "{peer} udp {bytes} bytes: {}",
                preview(&head.0)
            )?),
            EchoEvent::Dropped {
                protocol,
                peer,
                reason,
            } => Ok(writeln!(
                self,
                "{peer} {} dropped: {reason}",
                protocol.name()
            )?),
            EchoEvent::Disconnected {
                peer,
                messages,
                bytes_in,
                bytes_out,
                reason,
                ..
            } => Ok(writeln!(
                self,
                "{peer} disconnected ({reason}): {messages} message(s), {bytes_in} bytes in, {bytes_out} bytes out"
            )?),
            EchoEvent::Summary {
                clients,
                datagrams,
                bytes_in,
                bytes_out,
                dropped,
                unlogged,
            } => {
                write!(
                    self,
                    "summary: {clients} TCP client(s), {datagrams} datagram(s), {bytes_in} bytes in, {bytes_out} bytes out, {dropped} dropped"
                )?;
                if *unlogged > 0 {
                    write!(self, ", {unlogged} events not logged (the log fell behind)")?;
                }
                Ok(writeln!(self)?)
            }
        }
    }

    /// "reach me at" lines: where other machines can send to (text only).
    pub fn echo_reach(&mut self, reach: &[String]) -> Written {
        if self.json() {
            return Ok(());
        }
        for r in reach {
            writeln!(self, "reach me at {r}")?;
        }
        Ok(())
    }

    /// One exchange of `send`.
    pub fn send_exchange(&mut self, peer: SocketAddr, e: &Exchange) -> Written {
        if self.json() {
            return self.json_line(e);
        }
        match e.rtt_ms {
            Some(rtt) => Ok(writeln!(
                self,
                "reply from {peer}: {} ({} bytes, {rtt:.3} ms)",
                preview(&e.reply.0),
                e.received_bytes
            )?),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_text_and_binary() {
        assert_eq!(preview(b"hello\n"), "\"hello\"");
        assert_eq!(preview(&[0, 1, 0xff]), "hex 00 01 ff");
        assert_eq!(preview(&[b'a'; 100]), format!("{:?}...", "a".repeat(64)));
    }
}
