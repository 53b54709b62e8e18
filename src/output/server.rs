//! How echo's and listen's events look: one log line (or JSON line) each. An event carries
//! facts and enums (why a client left, why something was dropped); the words are chosen here.
//! In JSON a reason is a stable token, `"reason"`, with its words beside it, `"reason_text"`.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::Serialize;
use serde::ser::SerializeMap;

use super::Output;
use super::Written;
use super::messages::Payload;
use crate::frame::FrameError;
use crate::ports::Protocol;

/// Where a datagram was sent: to this host alone, to a broadcast address, or to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Destination {
    pub address: IpAddr,
    pub kind: DestinationKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DestinationKind {
    Unicast,
    Broadcast,
    Multicast,
}

/// Which of a server's timeouts a client ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// echo's --idle-timeout: on reads and on writes.
    Idle,
    /// listen's --stall-timeout: on writes only.
    Stall,
}

/// Why a TCP client's connection ended.
#[derive(Debug)]
pub enum Ended {
    ClosedByClient,
    ResetByClient,
    /// Silent for the idle timeout.
    Idle,
    /// Not reading what the server writes, for this timeout.
    NotReading(Timeout),
    ServerStopping,
    /// A frame that cannot be read (a bad header) or sent (too long for its header).
    Frame(FrameError),
    /// Any other failure of the socket.
    Failed(io::Error),
}

impl Ended {
    /// Why the connection ended, from the error a read or a write met.
    pub fn from_io(e: io::Error) -> Ended {
        match e.kind() {
            io::ErrorKind::ConnectionReset => Ended::ResetByClient,
            // A write met the client's reset: it had closed the connection whole (a client
            // that only shut its sending side still takes our writes).
            io::ErrorKind::BrokenPipe => Ended::ResetByClient,
            _ => Ended::Failed(e),
        }
    }

    /// The reason's token and its words.
    fn said(&self) -> (&'static str, Cow<'static, str>) {
        let (token, words) = match self {
            Ended::ClosedByClient => ("closed_by_client", "closed by the client"),
            Ended::ResetByClient => ("reset_by_client", "reset by the client"),
            Ended::Idle => ("idle_timeout", "idle timeout"),
            Ended::NotReading(Timeout::Idle) => {
                ("stalled", "stalled: not reading its answers (idle timeout)")
            }
            Ended::NotReading(Timeout::Stall) => (
                "stalled",
                "stalled: not reading what is sent to it (--stall-timeout)",
            ),
            Ended::ServerStopping => ("server_stopping", "server stopping"),
            Ended::Frame(e) => return (frame_token(e), e.to_string().into()),
            Ended::Failed(e) => return ("socket_error", crate::error::socket_reason(e).into()),
        };
        (token, words.into())
    }
}

fn frame_token(e: &FrameError) -> &'static str {
    match e {
        FrameError::Negative { .. } | FrameError::TooLarge { .. } => "bad_frame_header",
        FrameError::TooLong { .. } => "frame_too_long",
    }
}

/// What a client lagging behind a server's broadcast missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushes {
    /// echo --mode relay: the other clients' messages.
    Relayed,
    /// listen: the lines typed on stdin.
    Typed,
}

/// Why a client, or a datagram, was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// accept(2) failed for want of file descriptors.
    OutOfDescriptors,
    /// --max-clients clients were connected already.
    TooManyClients(usize),
    /// Too slow to read the broadcast: `missed` of its messages were skipped.
    Lagged(u64, Pushes),
    UnspecifiedSource,
    MulticastSource,
    BroadcastSource,
    /// A source port below 1024: a service, not a client (the echo/chargen loop).
    ServicePort,
    /// More datagrams a second from one address than --max-rate.
    RateLimited(u32),
}

impl Refused {
    /// The reason's token and its words.
    fn said(&self) -> (&'static str, Cow<'static, str>) {
        let (token, words) = match self {
            Refused::OutOfDescriptors => (
                "out_of_descriptors",
                "out of file descriptors: not accepting for a moment (raise ulimit -n)",
            ),
            Refused::TooManyClients(max) => {
                let words = format!("{max} clients already connected (--max-clients)");
                return ("max_clients", words.into());
            }
            Refused::Lagged(missed, what) => {
                let what = match what {
                    Pushes::Relayed => "relayed message(s)",
                    Pushes::Typed => "typed line(s)",
                };
                let words = format!("too slow to read: {missed} {what} skipped");
                return ("too_slow_to_read", words.into());
            }
            Refused::UnspecifiedSource => ("unspecified_source", "unspecified source address"),
            Refused::MulticastSource => ("multicast_source", "multicast source address"),
            Refused::BroadcastSource => ("broadcast_source", "broadcast source address"),
            Refused::ServicePort => (
                "service_port",
                "source port below 1024 (a service, not a client)",
            ),
            Refused::RateLimited(max_rate) => {
                let words = format!(
                    "more than {max_rate} datagrams a second from this address (--max-rate)"
                );
                return ("max_rate", words.into());
            }
        };
        (token, words.into())
    }
}

/// Why a typed line (or a message to send) did not go out.
#[derive(Debug)]
pub enum Unsent {
    /// The line is not a message in --encoding (or not hex digits with --hex).
    BadLine { line: u64, reason: String },
    /// Nobody to send it to: no TCP client (when TCP is served), no UDP peer (when UDP is).
    Nobody { line: u64, tcp: bool, udp: bool },
    /// Too long for the frame header.
    Frame(FrameError),
    /// The send to the UDP peer failed.
    Failed { peer: SocketAddr, error: io::Error },
    /// `@N line`: no TCP client has that number now (`connected`: the numbers that do).
    NoSuchClient {
        line: u64,
        client: u64,
        connected: Vec<u64>,
    },
    /// listen's --reply rules: none matches this message, and there is no default.
    NoRule { peer: SocketAddr },
}

impl Unsent {
    /// The reason's token and its words.
    fn said(&self) -> (&'static str, Cow<'static, str>) {
        let (token, words) = match self {
            Unsent::BadLine { line, reason } => ("bad_line", format!("line {line}: {reason}")),
            Unsent::Nobody { line, tcp, udp } => {
                let nobody = match (tcp, udp) {
                    (true, true) => {
                        "no TCP client is connected and no UDP peer has been heard from"
                    }
                    (true, false) => "no TCP client is connected",
                    _ => "no UDP peer has been heard from yet (it answers the last one that sent)",
                };
                ("nobody", format!("line {line}: {nobody}"))
            }
            Unsent::Frame(e) => (frame_token(e), e.to_string()),
            Unsent::Failed { peer, error } => {
                let why = crate::error::socket_reason(error);
                ("socket_error", format!("to {peer}: {why}"))
            }
            Unsent::NoSuchClient {
                line,
                client,
                connected,
            } => {
                let now = match connected.as_slice() {
                    [] => "no TCP client is connected".to_string(),
                    numbers => {
                        let numbers: Vec<String> =
                            numbers.iter().map(|n| format!("#{n}")).collect();
                        format!("connected now: {}", numbers.join(", "))
                    }
                };
                (
                    "no_such_client",
                    format!("line {line}: no TCP client #{client} ({now}); nothing sent"),
                )
            }
            Unsent::NoRule { peer } => (
                "no_rule",
                format!(
                    "to {peer}: no --reply rule matches the message, so no answer (a --reply without '=' answers the rest)"
                ),
            ),
        };
        (token, words.into())
    }
}

/// A reason in a log line is its words; in JSON its token and its words beside it, flattened
/// into the event.
macro_rules! reason {
    ($($reason:ty),*) => {$(
        impl fmt::Display for $reason {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.said().1)
            }
        }

        impl Serialize for $reason {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let (token, words) = self.said();
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("reason", token)?;
                map.serialize_entry("reason_text", &words)?;
                map.end()
            }
        }
    )*};
}
reason!(Ended, Refused, Unsent);

/// An address other machines can reach a server at (a wildcard bind names this machine's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub address: IpAddr,
    /// The interface of a link-local IPv6 address (its zone).
    pub interface: Option<String>,
    pub port: u16,
    pub protocols: Vec<Protocol>,
}

/// Who a relayed message goes to: every other peer (relay) or every peer, the sender too
/// (chat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RelayMode {
    Relay,
    Chat,
}

/// Something that happened at a server (echo or listen).
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ServerEvent {
    Listening {
        protocol: Protocol,
        address: SocketAddr,
        port: u16,
    },
    Connected {
        protocol: Protocol,
        peer: SocketAddr,
        /// The client's number on its listener (#1, #2, ...): listen's `@N line` names it.
        client: u64,
        clients: usize,
        /// listen --serial: how long at least it waited in the accept queue, and how many
        /// still wait there (where the system tells).
        #[serde(skip_serializing_if = "Option::is_none")]
        waited_ms: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        queued: Option<u32>,
    },
    /// Unframed TCP showed its nature (a read with several lines, or a full buffer): why,
    /// once per connection, in the text log only.
    StreamNote { peer: SocketAddr },
    /// A TCP read (or, with --framed, one frame).
    Message {
        protocol: Protocol,
        peer: SocketAddr,
        client: u64,
        bytes: usize,
        #[serde(flatten)]
        payload: Payload,
    },
    Datagram {
        protocol: Protocol,
        peer: SocketAddr,
        /// The bytes read: fewer than were sent when --recv-size cut the datagram.
        bytes: usize,
        sent_bytes: usize,
        truncated: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        destination: Option<Destination>,
        #[serde(flatten)]
        payload: Payload,
    },
    /// A typed line (or --reply) went out.
    Sent {
        protocol: Protocol,
        peers: Vec<SocketAddr>,
        /// To one TCP client: its number.
        #[serde(skip_serializing_if = "Option::is_none")]
        client: Option<u64>,
        bytes: usize,
        #[serde(flatten)]
        payload: Payload,
    },
    /// A typed line longer than the most a line can be: its first `most` bytes go out, the
    /// rest up to its line ending is skipped.
    LineCut { line: u64, most: usize },
    /// A typed line could not go out.
    NotSent {
        #[serde(flatten)]
        reason: Unsent,
    },
    /// echo --mode relay or chat: a message and who it went to (chat: the sender too).
    Relayed {
        protocol: Protocol,
        from: SocketAddr,
        /// The sender's number (TCP).
        #[serde(skip_serializing_if = "Option::is_none")]
        client: Option<u64>,
        mode: RelayMode,
        /// Who it went to (at most serve::LOGGED_PEERS of them), and how many in all.
        to: Vec<SocketAddr>,
        peers: usize,
        bytes: usize,
    },
    /// --save could not write: nothing more is saved (serving goes on).
    NotSaved { path: String, reason: String },
    Dropped {
        protocol: Protocol,
        peer: SocketAddr,
        #[serde(flatten)]
        reason: Refused,
    },
    Disconnected {
        protocol: Protocol,
        peer: SocketAddr,
        client: u64,
        /// Unframed TCP: how many reads (a read is not a send: TCP is a byte stream).
        #[serde(skip_serializing_if = "Option::is_none")]
        reads: Option<u64>,
        /// --framed: how many whole messages.
        #[serde(skip_serializing_if = "Option::is_none")]
        messages: Option<u64>,
        bytes_in: u64,
        bytes_out: u64,
        #[serde(flatten)]
        reason: Ended,
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

/// How many of a thing, in words: "1 byte", "2 bytes".
fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Most addresses a relayed line names; the rest are counted.
const NAMED: usize = 8;

/// A moment of the wall clock: since the Unix epoch, and this machine's offset from UTC then
/// (seconds east).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallClock {
    pub since_epoch: Duration,
    pub utc_offset: i32,
}

/// A moment in local time as `HH:MM:SS.mmm`, and as RFC 3339 with its offset
/// (`2026-12-03T14:31:12.345+08:00`, `...Z` in UTC).
pub(super) fn clock(at: WallClock) -> (String, String) {
    let local = i64::try_from(at.since_epoch.as_secs())
        .unwrap_or(i64::MAX)
        .saturating_add(i64::from(at.utc_offset))
        .max(0) as u64;
    let ms = at.since_epoch.subsec_millis();
    let (day, of_day) = (local / 86_400, local % 86_400);
    let time = format!(
        "{:02}:{:02}:{:02}.{ms:03}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    );
    let (y, m, d) = civil(day);
    let zone = match at.utc_offset {
        0 => "Z".to_string(),
        east => {
            let sign = if east < 0 { '-' } else { '+' };
            let minutes = east.unsigned_abs() / 60;
            format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
        }
    };
    (time.clone(), format!("{y:04}-{m:02}-{d:02}T{time}{zone}"))
}

/// The date of a day counted from 1970-01-01 (the proleptic Gregorian calendar, in eras of
/// 400 years as in H. Hinnant's `civil_from_days`).
fn civil(day: u64) -> (u64, u64, u64) {
    let z = day + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// An event with the moment it was logged (--timestamps), as JSON writes it.
#[derive(Serialize)]
struct Stamped<'a> {
    time: String,
    #[serde(flatten)]
    event: &'a ServerEvent,
}

impl Output {
    /// One server event as a log line or a JSON line.
    pub fn server_event(&mut self, event: &ServerEvent) -> Written {
        self.server_event_at(None, event)
    }

    /// One server event, with the wall-clock moment it was logged when `at` is given
    /// (--timestamps): `[14:31:12.345] ` before the line (local time), `"time"` in JSON.
    pub fn server_event_at(&mut self, at: Option<WallClock>, event: &ServerEvent) -> Written {
        if self.json() {
            if matches!(event, ServerEvent::StreamNote { .. }) {
                return Ok(());
            }
            return match at {
                Some(at) => self.json_line(&Stamped {
                    time: clock(at).1,
                    event,
                }),
                None => self.json_line(event),
            };
        }
        if let Some(at) = at {
            write!(self, "[{}] ", clock(at).0)?;
        }
        match event {
            ServerEvent::Listening {
                protocol, address, ..
            } => writeln!(self, "listening on {address}/{}", protocol.name())?,
            ServerEvent::Connected {
                peer,
                client,
                clients,
                waited_ms,
                queued,
                ..
            } => self.connected_line(*peer, *client, *clients, *waited_ms, *queued)?,
            ServerEvent::StreamNote { peer } => writeln!(
                self,
                "{peer} note: TCP is a byte stream: one read can hold several sends, or part of one; use --framed to keep messages apart"
            )?,
            ServerEvent::Message {
                peer,
                client,
                bytes,
                payload,
                ..
            } => {
                let size = count(*bytes as u64, "byte", "bytes");
                self.message_line(&format!("#{client} {peer} tcp {size}"), payload, "")?;
                self.encoding_note(&format!("#{client} {peer} "), *peer, payload, false)?;
            }
            ServerEvent::Datagram { .. } => self.datagram_line(event)?,
            ServerEvent::Sent {
                protocol,
                peers,
                client,
                bytes,
                payload,
            } => self.sent_line(*protocol, peers, *client, *bytes, payload)?,
            ServerEvent::LineCut { line, most } => writeln!(
                self,
                "line {line} is longer than {most} bytes, the most a typed line can be: its first {most} bytes are taken, the rest up to its line ending is skipped"
            )?,
            ServerEvent::NotSent { reason } => writeln!(self, "not sent: {reason}")?,
            ServerEvent::Relayed { .. } => self.relayed_line(event)?,
            ServerEvent::NotSaved { path, reason } => writeln!(
                self,
                "not saved: cannot write {path}: {reason}; received bytes are no longer saved (serving goes on)"
            )?,
            // A lagging client stays connected: only messages were skipped.
            ServerEvent::Dropped {
                protocol,
                peer,
                reason: reason @ Refused::Lagged(..),
            } => writeln!(
                self,
                "{peer} {} (still connected): {reason}",
                protocol.name()
            )?,
            ServerEvent::Dropped {
                protocol,
                peer,
                reason,
            } => writeln!(self, "{peer} {} dropped: {reason}", protocol.name())?,
            ServerEvent::Disconnected {
                peer,
                client,
                reads,
                messages,
                bytes_in,
                bytes_out,
                reason,
                ..
            } => {
                let got = match (reads, messages) {
                    (_, Some(n)) => count(*n, "message", "messages"),
                    (Some(n), None) => count(*n, "read", "reads"),
                    (None, None) => String::new(),
                };
                let (bytes_in, bytes_out) = (
                    count(*bytes_in, "byte", "bytes"),
                    count(*bytes_out, "byte", "bytes"),
                );
                writeln!(
                    self,
                    "#{client} {peer} disconnected ({reason}): {got}, {bytes_in} in, {bytes_out} out"
                )?
            }
            ServerEvent::Summary { .. } => self.summary_line(event)?,
        }
        Ok(())
    }

    /// A relayed message and who it went to (a few named, the rest counted).
    fn relayed_line(&mut self, event: &ServerEvent) -> Written {
        let ServerEvent::Relayed {
            from,
            client,
            mode,
            to,
            peers,
            bytes,
            ..
        } = event
        else {
            return Ok(());
        };
        let sender = *from;
        let from = match client {
            Some(n) => format!("#{n} {from}"),
            None => from.to_string(),
        };
        let size = count(*bytes as u64, "byte", "bytes");
        if *peers == 0 {
            let nobody = match mode {
                RelayMode::Relay => "nobody: no other client (--mode relay skips the sender)",
                RelayMode::Chat => "nobody",
            };
            return Ok(writeln!(self, "relayed {size} from {from} to {nobody}")?);
        }
        let mut named: Vec<String> = to
            .iter()
            .take(NAMED)
            .map(|p| {
                if *p == sender {
                    format!("{p} (the sender)")
                } else {
                    p.to_string()
                }
            })
            .collect();
        if *peers > named.len() {
            named.push(format!("and {} more", peers - named.len()));
        }
        let peers = count(*peers as u64, "peer", "peers");
        Ok(writeln!(
            self,
            "relayed {size} from {from} to {peers}: {}",
            named.join(", ")
        )?)
    }

    /// A client connected; with --serial, how long it waited and how many still wait.
    fn connected_line(
        &mut self,
        peer: SocketAddr,
        client: u64,
        clients: usize,
        waited_ms: Option<f64>,
        queued: Option<u32>,
    ) -> Written {
        let now = count(clients as u64, "client", "clients");
        write!(self, "#{client} {peer} connected (tcp, {now} now)")?;
        if let Some(ms) = waited_ms {
            write!(
                self,
                "; it waited at least {:.3} s in the accept queue",
                ms / 1000.0
            )?;
        }
        if let Some(n) = queued {
            write!(self, "; {n} more waiting there")?;
        }
        Ok(writeln!(self)?)
    }

    /// A datagram: its size (and what a short buffer cut), where it was sent, the message.
    fn datagram_line(&mut self, event: &ServerEvent) -> Written {
        let ServerEvent::Datagram {
            peer,
            bytes,
            sent_bytes,
            truncated,
            destination,
            payload,
            ..
        } = event
        else {
            return Ok(());
        };
        let size = if *truncated {
            let sent = count(*sent_bytes as u64, "byte", "bytes");
            format!("{sent}, truncated to {bytes} by the {bytes}-byte receive buffer")
        } else {
            count(*bytes as u64, "byte", "bytes")
        };
        let to = match destination {
            Some(d) => {
                let kind = match d.kind {
                    DestinationKind::Unicast => "unicast",
                    DestinationKind::Broadcast => "broadcast",
                    DestinationKind::Multicast => "multicast",
                };
                format!(" to {} ({kind})", d.address)
            }
            None => String::new(),
        };
        self.message_line(&format!("{peer} udp {size}{to}"), payload, "")?;
        self.encoding_note(&format!("{peer} "), *peer, payload, !truncated)
    }

    /// A typed line (or --reply) that went out: to one peer, or to this many clients.
    fn sent_line(
        &mut self,
        protocol: Protocol,
        peers: &[SocketAddr],
        client: Option<u64>,
        bytes: usize,
        payload: &Payload,
    ) -> Written {
        let to = match (peers, client) {
            ([one], Some(n)) => format!("#{n} {one}"),
            ([one], None) => one.to_string(),
            (many, _) => format!("{} {} clients", many.len(), protocol.name()),
        };
        let size = count(bytes as u64, "byte", "bytes");
        self.message_line(&format!("sent {size} to {to}"), payload, "")
    }

    /// The closing line: clients, datagrams, bytes, drops, and events the log fell behind on.
    fn summary_line(&mut self, event: &ServerEvent) -> Written {
        let ServerEvent::Summary {
            clients,
            datagrams,
            bytes_in,
            bytes_out,
            dropped,
            unlogged,
        } = event
        else {
            return Ok(());
        };
        write!(
            self,
            "summary: {}, {}, {} in, {} out, {dropped} dropped",
            count(*clients, "TCP client", "TCP clients"),
            count(*datagrams, "datagram", "datagrams"),
            count(*bytes_in, "byte", "bytes"),
            count(*bytes_out, "byte", "bytes"),
        )?;
        if *unlogged > 0 {
            write!(self, ", {unlogged} events not logged (the log fell behind)")?;
        }
        Ok(writeln!(self)?)
    }

    /// "reach me at" lines: where other machines can send to (text only), a line for each
    /// address and protocol.
    pub fn reach_lines(&mut self, reach: &[Reach]) -> Written {
        if self.json() {
            return Ok(());
        }
        for r in reach {
            let port = r.port;
            let at = match (r.address, &r.interface) {
                (IpAddr::V4(v4), _) => format!("{v4}:{port}"),
                (IpAddr::V6(v6), Some(name)) => format!("[{v6}%{name}]:{port}"),
                (IpAddr::V6(v6), None) => format!("[{v6}]:{port}"),
            };
            for p in &r.protocols {
                writeln!(self, "reach me at {at}/{}", p.name())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_a_token_with_its_words_beside_it() {
        let cases = [
            (
                Ended::ResetByClient,
                "reset_by_client",
                "reset by the client",
            ),
            (
                Ended::NotReading(Timeout::Stall),
                "stalled",
                "stalled: not reading what is sent to it (--stall-timeout)",
            ),
        ];
        for (reason, token, words) in cases {
            let peer = SocketAddr::from(([127, 0, 0, 1], 5000));
            let (protocol, reads, bytes_in, bytes_out) = (Protocol::Tcp, Some(0), 0, 0);
            let event = ServerEvent::Disconnected {
                protocol,
                peer,
                client: 1,
                reads,
                messages: None,
                bytes_in,
                bytes_out,
                reason,
            };
            let got = serde_json::to_value(&event).unwrap_or_default();
            assert_eq!(
                (&got["reason"], &got["reason_text"]),
                (&token.into(), &words.into())
            );
        }
        let nobody = Unsent::Nobody {
            line: 4,
            tcp: true,
            udp: false,
        };
        assert_eq!(nobody.to_string(), "line 4: no TCP client is connected");
    }

    #[test]
    fn a_relayed_line_names_a_few_peers_and_counts_the_rest() {
        let at = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
        let cases = [
            (
                RelayMode::Chat,
                vec![at(1), at(2)],
                2,
                "relayed 3 bytes from #1 127.0.0.1:1 to 2 peers: 127.0.0.1:1 (the sender), 127.0.0.1:2\n",
            ),
            (
                RelayMode::Relay,
                vec![],
                0,
                "relayed 3 bytes from #1 127.0.0.1:1 to nobody: no other client (--mode relay skips the sender)\n",
            ),
            (
                RelayMode::Relay,
                (2..12).map(at).collect(),
                100,
                "relayed 3 bytes from #1 127.0.0.1:1 to 100 peers: 127.0.0.1:2, 127.0.0.1:3, 127.0.0.1:4, 127.0.0.1:5, 127.0.0.1:6, 127.0.0.1:7, 127.0.0.1:8, 127.0.0.1:9, and 92 more\n",
            ),
        ];
        for (mode, to, peers, want) in cases {
            let mut out = Output::stdio(false, false).in_memory();
            let event = ServerEvent::Relayed {
                protocol: Protocol::Tcp,
                from: at(1),
                client: Some(1),
                mode,
                to,
                peers,
                bytes: 3,
            };
            let written = out.server_event(&event);
            assert!(written.is_ok());
            let (text, _) = out.take_rendered();
            assert_eq!(String::from_utf8_lossy(&text), want);
        }
    }

    #[test]
    fn counts_are_worded_in_the_singular_for_one() {
        let cases = [(0, "0 bytes"), (1, "1 byte"), (2, "2 bytes")];
        for (n, want) in cases {
            assert_eq!(count(n as u64, "byte", "bytes"), want, "{n}");
        }
    }

    #[test]
    fn the_wall_clock_is_written_in_local_time_with_milliseconds() {
        let cases = [
            (0, 0, 0, "00:00:00.000", "1970-01-01T00:00:00.000Z"),
            (
                951_782_400,
                7,
                0,
                "00:00:00.007",
                "2000-02-29T00:00:00.007Z",
            ),
            (
                1_796_276_472,
                345,
                0,
                "05:41:12.345",
                "2026-12-03T05:41:12.345Z",
            ),
            (
                1_796_276_472,
                345,
                28_800,
                "13:41:12.345",
                "2026-12-03T13:41:12.345+08:00",
            ),
            (
                1_796_276_472,
                0,
                -12_600,
                "02:11:12.000",
                "2026-12-03T02:11:12.000-03:30",
            ),
            (
                1_796_256_000,
                0,
                28_800,
                "08:00:00.000",
                "2026-12-03T08:00:00.000+08:00",
            ),
        ];
        for (secs, ms, utc_offset, time, rfc) in cases {
            let since_epoch = Duration::from_secs(secs) + Duration::from_millis(ms);
            let at = WallClock {
                since_epoch,
                utc_offset,
            };
            assert_eq!(
                clock(at),
                (time.to_string(), rfc.to_string()),
                "{secs}.{ms} {utc_offset}"
            );
        }
    }
}
