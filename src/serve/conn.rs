//! The one TCP connection loop of the servers. A client's task waits on three things: its
//! reads, the server's broadcast (echo's relayed messages, listen's typed lines) and the stop
//! signal. What arrives is counted, noted (TCP is a byte stream), cut into messages (each read,
//! or whole frames with --framed) and logged; what a message gets is the server's `Handler`:
//! echo answers or relays it, listen answers --reply. Writes wait at most the client's
//! patience, so a client that stops reading stalls only itself.

use std::borrow::Cow;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;
use tokio::time::timeout;

use super::accept::{Accepted, disconnected};
use super::{Log, Wire};
use crate::frame::{Deframer, FrameError};
use crate::output::server::{Ended, Pushes, Refused, ServerEvent, Timeout};
use crate::ports::Protocol;

/// What a server does with each message of a TCP client.
pub trait Handler: Send {
    /// What the server's broadcast carries, as a client that falls behind it is told.
    const PUSHES: Pushes;

    /// One message that arrived (a read, or a frame's payload), already counted and logged.
    fn message(
        &mut self,
        client: &mut Client,
        message: &mut [u8],
    ) -> impl Future<Output = Result<(), Ended>> + Send;

    /// The client is leaving, before it is counted out.
    fn leaving(&mut self, _client: &Client) {}
}

/// What the server's broadcast carries to its clients: bytes ready for the wire, the client
/// they came from (not sent back to it), and the one client they are for (`None`: every one).
#[derive(Debug, Clone)]
pub struct Pushed {
    pub from: Option<u64>,
    pub to: Option<u64>,
    pub bytes: Arc<Vec<u8>>,
}

impl Pushed {
    /// Whether client `id` gets it.
    fn for_client(&self, id: u64) -> bool {
        self.from != Some(id) && self.to.is_none_or(|to| to == id)
    }
}

/// How a server's connections are served.
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    pub wire: Wire,
    /// How long a client may keep the server waiting (`limit`), and on what: Idle, reads and
    /// writes (echo); Stall, writes only (listen).
    pub timeout: Timeout,
    pub limit: Duration,
    /// The first read buffer, and the most it grows to while reads fill it (--recv-size
    /// fixes it).
    pub buffer: (usize, usize),
    /// TCP_NODELAY: each answer goes out at once.
    pub nodelay: bool,
}

/// A client as its handler sees it: who it is, the log, and writing to it.
pub struct Client {
    pub id: u64,
    pub peer: SocketAddr,
    pub log: Arc<Log>,
    wr: OwnedWriteHalf,
    terms: Terms,
    messages: u64,
    bytes_in: u64,
    bytes_out: u64,
}

impl Client {
    /// Writes bytes as they are, within the time limit; counted as out.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), Ended> {
        match timeout(self.terms.limit, self.wr.write_all(bytes)).await {
            Ok(Ok(())) => {
                self.bytes_out += bytes.len() as u64;
                let out = &self.log.bytes_out;
                out.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                Ok(())
            }
            Ok(Err(e)) => Err(Ended::from_io(e)),
            Err(_) => Err(Ended::NotReading(self.terms.timeout)),
        }
    }

    /// A message as it goes on the wire: framed with --framed or --framed-out, else as it is (no copy).
    pub fn framed<'a>(&self, message: &'a [u8]) -> Result<Cow<'a, [u8]>, Ended> {
        self.terms.wire.on_the_wire(message).map_err(Ended::Frame)
    }

    /// Writes one message, framed with --framed or --framed-out.
    pub async fn send(&mut self, message: &[u8]) -> Result<(), Ended> {
        let framed = self.framed(message)?;
        self.write(&framed).await
    }

    /// Counts a message that arrived, saves it (--save) and logs it, where messages are
    /// logged.
    fn arrived(&mut self, message: &[u8]) {
        self.messages += 1;
        self.log.received(message);
        if self.log.logs_messages() {
            self.log.log(ServerEvent::Message {
                protocol: Protocol::Tcp,
                peer: self.peer,
                client: self.id,
                bytes: message.len(),
                payload: self.log.payload(message),
            });
        }
    }
}

/// Serves one client until it leaves or the server stops, then counts it out with the reason.
pub async fn serve_client<H: Handler>(
    accepted: Accepted,
    log: Arc<Log>,
    terms: Terms,
    handler: H,
    pushed: Option<broadcast::Receiver<Pushed>>,
    stop: watch::Receiver<bool>,
) {
    let Accepted { id, stream, peer } = accepted;
    if terms.nodelay {
        let _ = stream.set_nodelay(true);
    }
    let (rd, wr) = stream.into_split();
    let (first, most) = match terms.wire.recv_size {
        Some(n) => (n as usize, n as usize),
        None => terms.buffer,
    };
    let mut connection = Connection {
        client: Client {
            id,
            peer,
            log,
            wr,
            terms,
            messages: 0,
            bytes_in: 0,
            bytes_out: 0,
        },
        handler,
        reads: match terms.wire.framed_in {
            Some(header) => Reads::Framed(
                Deframer::new(header, terms.wire.max_frame).named(terms.wire.in_option),
            ),
            None => Reads::Plain { noted: false },
        },
        buf: vec![0u8; first],
        most,
        pushed,
    };
    let reason = connection.run(rd, stop).await;
    let Connection {
        client, handler, ..
    } = &mut connection;
    handler.leaving(client);
    // Unframed, each read was counted as one: say reads, not messages.
    let (reads, messages) = match terms.wire.framed_in {
        Some(_) => (None, Some(client.messages)),
        None => (Some(client.messages), None),
    };
    let counts = (reads, messages, client.bytes_in, client.bytes_out);
    disconnected(&client.log, (id, peer), counts, reason);
}

/// How a client's bytes become messages: each read as it came, or whole frames.
enum Reads {
    /// `noted`: whether the byte-stream note was logged for this connection.
    Plain {
        noted: bool,
    },
    Framed(Deframer),
}

/// One connection's state; each arm of its select loop is a method.
struct Connection<H> {
    client: Client,
    handler: H,
    reads: Reads,
    /// The read buffer: messages are answered from it in place.
    buf: Vec<u8>,
    most: usize,
    pushed: Option<broadcast::Receiver<Pushed>>,
}

impl<H: Handler> Connection<H> {
    async fn run(&mut self, mut rd: OwnedReadHalf, mut stop: watch::Receiver<bool>) -> Ended {
        let terms = self.client.terms;
        let idle = (terms.timeout == Timeout::Idle).then_some(terms.limit);
        loop {
            let step = tokio::select! {
                read = read_within(&mut rd, &mut self.buf, idle) => match read {
                    Ok(n) => self.on_read(n).await,
                    Err(why) => Err(why),
                },
                got = next_push(&mut self.pushed) => self.on_pushed(got).await,
                _ = stop.changed() => Err(Ended::ServerStopping),
            };
            if let Err(why) = step {
                return why;
            }
        }
    }

    /// `n` bytes read (0: the client closed its side): each message in them handled.
    async fn on_read(&mut self, n: usize) -> Result<(), Ended> {
        if n == 0 {
            // Half-close: everything read has been answered; now close our side.
            let _ = self.client.wr.shutdown().await;
            return Err(Ended::ClosedByClient);
        }
        self.client.bytes_in += n as u64;
        let bytes_in = &self.client.log.bytes_in;
        bytes_in.fetch_add(n as u64, Ordering::Relaxed);
        let full = n == self.buf.len();
        match &mut self.reads {
            Reads::Plain { noted } => {
                let log = &self.client.log;
                if !*noted
                    && log.logs_messages()
                    && shows_the_stream(&self.buf[..n], self.buf.len())
                {
                    *noted = true;
                    log.log(ServerEvent::StreamNote {
                        peer: self.client.peer,
                    });
                }
                // A read is a message, handled where it was read.
                let message = &mut self.buf[..n];
                self.client.arrived(message);
                self.handler.message(&mut self.client, message).await?;
            }
            Reads::Framed(frames) => {
                frames.push(&self.buf[..n]);
                while let Some(mut frame) = frames.next_frame().map_err(Ended::Frame)? {
                    self.client.arrived(&frame);
                    self.handler.message(&mut self.client, &mut frame).await?;
                }
            }
        }
        // Reads that fill the buffer ask for a larger one (up to `most`).
        if full && self.buf.len() < self.most {
            let larger = (self.buf.len() * 2).min(self.most);
            self.buf.resize(larger, 0);
        }
        Ok(())
    }

    /// Something the server broadcast: written to this client unless it came from it; a
    /// client too slow to keep up is told what it missed.
    async fn on_pushed(&mut self, got: Result<Pushed, RecvError>) -> Result<(), Ended> {
        match got {
            Ok(pushed) if pushed.for_client(self.client.id) => {
                self.client.write(&pushed.bytes).await
            }
            Ok(_) => Ok(()),
            Err(RecvError::Lagged(missed)) => {
                let (peer, reason) = (self.client.peer, Refused::Lagged(missed, H::PUSHES));
                self.client.log.refused(Protocol::Tcp, peer, reason);
                Ok(())
            }
            // Nothing more will come: stop waiting on it.
            Err(RecvError::Closed) => {
                self.pushed = None;
                Ok(())
            }
        }
    }
}

/// One read, within `idle` when the client may not stay silent.
async fn read_within(
    rd: &mut OwnedReadHalf,
    buf: &mut [u8],
    idle: Option<Duration>,
) -> Result<usize, Ended> {
    let read = match idle {
        Some(limit) => timeout(limit, rd.read(buf))
            .await
            .map_err(|_| Ended::Idle)?,
        None => rd.read(buf).await,
    };
    read.map_err(Ended::from_io)
}

/// The next broadcast message, or never when this server broadcasts nothing.
async fn next_push(pushed: &mut Option<broadcast::Receiver<Pushed>>) -> Result<Pushed, RecvError> {
    match pushed {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

/// Whether an unframed TCP read shows the stream's nature: several lines in one read (sends
/// glued together), or a read that filled the buffer (a send split). Said once per connection.
fn shows_the_stream(read: &[u8], buffer: usize) -> bool {
    let inner_newline = read
        .iter()
        .take(read.len().saturating_sub(1))
        .any(|&b| b == b'\n');
    inner_newline || read.len() == buffer
}

impl Wire {
    /// A message as it goes on the wire: framed with --framed or --framed-out, else as it is
    /// (no copy).
    pub fn on_the_wire<'a>(&self, message: &'a [u8]) -> Result<Cow<'a, [u8]>, FrameError> {
        match self.framed_out {
            Some(header) => header.encode(message).map(Cow::Owned),
            None => Ok(Cow::Borrowed(message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Header;

    #[test]
    fn a_read_shows_the_stream_when_it_holds_several_lines_or_fills_the_buffer() {
        let cases: [(&[u8], usize, bool); 4] = [
            (b"one line\n", 4096, false),
            (b"two\nlines\n", 4096, true),
            (b"full", 4, true),
            (b"", 4096, false),
        ];
        for (read, buffer, shows) in cases {
            assert_eq!(
                shows_the_stream(read, buffer),
                shows,
                "{read:?} in {buffer}"
            );
        }
    }

    #[test]
    fn a_push_goes_to_its_client_or_to_all_but_its_sender() {
        let push = |from, to| Pushed {
            from,
            to,
            bytes: Arc::new(Vec::new()),
        };
        let cases = [
            (push(None, None), [true, true, true]),
            (push(Some(1), None), [false, true, true]),
            (push(None, Some(2)), [false, true, false]),
        ];
        for (pushed, want) in cases {
            let got = [1, 2, 3].map(|id| pushed.for_client(id));
            assert_eq!(got, want, "{pushed:?}");
        }
    }

    #[test]
    fn an_unframed_message_goes_out_as_it_is_and_a_framed_one_with_its_header() {
        let plain = Wire::new(None, 1000, None);
        let sent = plain.on_the_wire(b"hi").unwrap_or_default();
        assert!(matches!(sent, Cow::Borrowed(b"hi")), "no copy: {sent:?}");
        let framed = Wire::new(Some(Header::Be16), 1000, None);
        let sent = framed.on_the_wire(b"hi").unwrap_or_default();
        assert_eq!(sent.as_ref(), b"\x00\x02hi");
        // --framed-out: the answer framed, whatever came in.
        let out = plain.one_way(None, Some(Header::Le32), "--framed-in");
        let sent = out.on_the_wire(b"hi").unwrap_or_default();
        assert_eq!(sent.as_ref(), b"\x02\x00\x00\x00hi");
        // --framed-in: the answer as it is.
        let into = framed.one_way(Some(Header::Be16), None, "--framed-in");
        let sent = into.on_the_wire(b"hi").unwrap_or_default();
        assert!(matches!(sent, Cow::Borrowed(b"hi")), "{sent:?}");
    }
}
