//! How echo's and listen's events look: one log line (or JSON line) each. An event carries
//! facts and enums (why a client left, why something was dropped); the words are chosen here.
//! In JSON a reason is a stable token, `"reason"`, with its words beside it, `"reason_text"`.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};

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
    /// A write found the client's side closed (a broken pipe).
    ClientClosedItsSide,
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
            io::ErrorKind::BrokenPipe => Ended::ClientClosedItsSide,
            _ => Ended::Failed(e),
        }
    }

    /// The reason's token and its words.
    fn said(&self) -> (&'static str, Cow<'static, str>) {
        let (token, words) = match self {
            Ended::ClosedByClient => ("closed_by_client", "closed by the client"),
            Ended::ResetByClient => ("reset_by_client", "reset by the client"),
            Ended::ClientClosedItsSide => ("client_closed_its_side", "the client closed its side"),
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
            Ended::Failed(e) => return ("socket_error", crate::error::io_reason(e).into()),
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
                let why = crate::error::io_reason(error);
                ("socket_error", format!("to {peer}: {why}"))
            }
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
        bytes: usize,
        #[serde(flatten)]
        payload: Payload,
    },
    /// A typed line could not go out.
    NotSent {
        #[serde(flatten)]
        reason: Unsent,
    },
    Dropped {
        protocol: Protocol,
        peer: SocketAddr,
        #[serde(flatten)]
        reason: Refused,
    },
    Disconnected {
        protocol: Protocol,
        peer: SocketAddr,
        messages: u64,
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

impl Output {
    /// One server event as a log line or a JSON line.
    pub fn server_event(&mut self, event: &ServerEvent) -> Written {
        if self.json() {
            if matches!(event, ServerEvent::StreamNote { .. }) {
                return Ok(());
            }
            return self.json_line(event);
        }
        match event {
            ServerEvent::Listening {
                protocol, address, ..
            } => writeln!(self, "listening on {address}/{}", protocol.name())?,
            ServerEvent::Connected {
                peer,
                clients,
                waited_ms,
                queued,
                ..
            } => self.connected_line(*peer, *clients, *waited_ms, *queued)?,
            ServerEvent::StreamNote { peer } => writeln!(
                self,
                "{peer} note: TCP is a byte stream: one read can hold several sends, or part of one; use --framed to keep messages apart"
            )?,
            ServerEvent::Message {
                peer,
                bytes,
                payload,
                ..
            } => {
                self.message_line(&format!("{peer} tcp {bytes} bytes"), payload, "")?;
                self.encoding_note(&format!("{peer} "), *peer, payload, false)?;
            }
            ServerEvent::Datagram { .. } => self.datagram_line(event)?,
            ServerEvent::Sent {
                protocol,
                peers,
                bytes,
                payload,
            } => self.sent_line(*protocol, peers, *bytes, payload)?,
            ServerEvent::NotSent { reason } => writeln!(self, "not sent: {reason}")?,
            ServerEvent::Dropped {
                protocol,
                peer,
                reason,
            } => writeln!(self, "{peer} {} dropped: {reason}", protocol.name())?,
            ServerEvent::Disconnected {
                peer,
                messages,
                bytes_in,
                bytes_out,
                reason,
                ..
            } => writeln!(
                self,
                "{peer} disconnected ({reason}): {messages} message(s), {bytes_in} bytes in, {bytes_out} bytes out"
            )?,
            ServerEvent::Summary { .. } => self.summary_line(event)?,
        }
        Ok(())
    }

    /// A client connected; with --serial, how long it waited and how many still wait.
    fn connected_line(
        &mut self,
        peer: SocketAddr,
        clients: usize,
        waited_ms: Option<f64>,
        queued: Option<u32>,
    ) -> Written {
        write!(self, "{peer} connected (tcp, {clients} client(s))")?;
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
            format!("{sent_bytes} bytes, truncated to {bytes} by the {bytes}-byte receive buffer")
        } else {
            format!("{bytes} bytes")
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
        bytes: usize,
        payload: &Payload,
    ) -> Written {
        let to = match peers {
            [one] => one.to_string(),
            many => format!("{} {} clients", many.len(), protocol.name()),
        };
        self.message_line(&format!("sent {bytes} bytes to {to}"), payload, "")
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
            "summary: {clients} TCP client(s), {datagrams} datagram(s), {bytes_in} bytes in, {bytes_out} bytes out, {dropped} dropped"
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
            let (protocol, messages, bytes_in, bytes_out) = (Protocol::Tcp, 0, 0, 0);
            let event = ServerEvent::Disconnected {
                protocol,
                peer,
                messages,
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
}
