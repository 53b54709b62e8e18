//! What the servers (echo and listen) share: binding one port on every address asked for
//! (`bind.rs`), accepting clients (`accept.rs`), the one TCP connection loop (`conn.rs`), the
//! UDP socket (`udp.rs`), and here the event log with its counters and the server's run until
//! it stops. Server tasks log through a bounded channel that the command's own task drains into
//! the renderer, so a slow log never slows serving. Settings arrive as plain values.

mod accept;
mod bind;
mod conn;
mod save;
mod udp;

pub use accept::{Accepted, accept_clients, accept_one, connected};
pub use bind::{Bound, Place, bind};
pub use conn::{Client, Handler, Pushed, Terms, serve_client};
pub use save::Save;
pub use udp::{Datagrams, send_to};

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::error::Error;
use crate::frame::Header;
use crate::net::pktinfo::Datagram;
use crate::output::Output;
use crate::output::messages::Payload;
use crate::output::server::{Destination, Refused, ServerEvent, WallClock};
use crate::ports::Protocol;
use crate::text::Look;

/// Events waiting for the renderer; beyond this they are counted, not logged.
const EVENT_QUEUE: usize = 8192;
/// Most peers a relayed message's log event names (the rest are counted): the log's memory
/// stays bounded however many clients a room holds.
pub const LOGGED_PEERS: usize = 64;
/// How long clients get to finish when the server stops.
const GRACE: Duration = Duration::from_secs(2);

/// How messages travel: length-framed or not in each direction, the longest frame, the size
/// of each read.
#[derive(Debug, Clone, Copy)]
pub struct Wire {
    /// The header of what clients send (--framed, --framed-in).
    pub framed_in: Option<Header>,
    /// The header of what the server writes (--framed, --framed-out).
    pub framed_out: Option<Header>,
    pub max_frame: usize,
    pub recv_size: Option<u32>,
    /// The option that chose `framed_in`, named in a bad header's hint.
    pub in_option: &'static str,
}

impl Wire {
    /// The same framing both ways (or none).
    pub fn new(framed: Option<Header>, max_frame: usize, recv_size: Option<u32>) -> Wire {
        Wire {
            framed_in: framed,
            framed_out: framed,
            max_frame,
            recv_size,
            in_option: "--framed",
        }
    }

    /// Framing one way: what is read, what is written (issue 23: the lessons' servers read a
    /// bare request and frame their answer, their clients the other way round).
    pub fn one_way(
        self,
        framed_in: Option<Header>,
        framed_out: Option<Header>,
        in_option: &'static str,
    ) -> Wire {
        Wire {
            framed_in,
            framed_out,
            in_option,
            ..self
        }
    }
}

/// What every task of one server shares: the log, the wire, and the command's own (`own`).
pub struct Shared<T> {
    pub log: Arc<Log>,
    pub wire: Wire,
    pub own: T,
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = Log;

    fn deref(&self) -> &Log {
        &self.log
    }
}

/// How a server logs: --quiet, how messages look, --timestamps, --save.
pub struct Logging {
    pub quiet: bool,
    pub look: Look,
    pub timestamps: bool,
    pub save: Option<Save>,
}

/// An event, and the wall-clock moment it was logged with --timestamps.
type Logged = (Option<WallClock>, ServerEvent);

/// The log every server task writes to, and the counters of the summary.
pub struct Log {
    events: mpsc::Sender<Logged>,
    quiet: bool,
    /// --timestamps: this machine's offset from UTC (seconds east), found when it started.
    timestamps: Option<i32>,
    save: Option<Save>,
    /// JSON: messages are logged whole (lossless); text shows at most text::SHOWN bytes.
    whole: bool,
    look: Look,
    pub clients_now: AtomicUsize,
    pub clients: AtomicU64,
    pub datagrams: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub dropped: AtomicU64,
    unlogged: AtomicU64,
}

impl Log {
    /// Logs an event unless the log is full (then it is only counted) or --quiet.
    pub fn log(&self, event: ServerEvent) {
        let always = matches!(
            event,
            ServerEvent::Listening { .. }
                | ServerEvent::Sent { .. }
                | ServerEvent::NotSent { .. }
                | ServerEvent::NotSaved { .. }
        );
        if self.quiet && !always {
            return;
        }
        let at = self.timestamps.map(|utc_offset| WallClock {
            since_epoch: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
            utc_offset,
        });
        if self.events.try_send((at, event)).is_err() {
            self.unlogged.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Logs a datagram that arrived (`message`: its bytes in the buffer), where messages are
    /// logged.
    pub fn datagram(&self, d: &Datagram, message: &[u8], destination: Option<Destination>) {
        self.received(message);
        if self.logs_messages() {
            self.log(ServerEvent::Datagram {
                protocol: Protocol::Udp,
                peer: d.peer,
                bytes: d.len,
                sent_bytes: d.sent,
                truncated: d.truncated(),
                destination,
                payload: self.payload(message),
            });
        }
    }

    /// Bytes that arrived, appended to the --save file; its first failure is logged (then
    /// nothing more is saved).
    pub fn received(&self, bytes: &[u8]) {
        let Some(save) = &self.save else {
            return;
        };
        if let Some(error) = save.append(bytes) {
            self.log(ServerEvent::NotSaved {
                path: save.path.display().to_string(),
                reason: crate::error::io_reason(&error),
            });
        }
    }

    /// Whether messages are logged at all (not with --quiet): when not, none is copied.
    pub fn logs_messages(&self) -> bool {
        !self.quiet
    }

    /// A message's bytes as the log keeps them.
    pub fn payload(&self, message: &[u8]) -> Payload {
        Payload::of(message, self.whole, self.look)
    }

    /// Logs that a client or a datagram was dropped, and why.
    pub fn refused(&self, protocol: Protocol, peer: SocketAddr, reason: Refused) {
        self.log(ServerEvent::Dropped {
            protocol,
            peer,
            reason,
        });
    }

    /// A Sent event for `bytes` that went to `peers` (to one TCP client: its number).
    pub fn sent(
        &self,
        protocol: Protocol,
        peers: Vec<SocketAddr>,
        client: Option<u64>,
        bytes: &[u8],
    ) {
        self.log(ServerEvent::Sent {
            protocol,
            peers,
            client,
            bytes: bytes.len(),
            payload: self.payload(bytes),
        });
    }

    fn count(&self, a: &AtomicU64) -> u64 {
        a.load(Ordering::Relaxed)
    }

    /// The closing event: the counters.
    fn summary(&self) -> ServerEvent {
        ServerEvent::Summary {
            clients: self.count(&self.clients),
            datagrams: self.count(&self.datagrams),
            bytes_in: self.count(&self.bytes_in),
            bytes_out: self.count(&self.bytes_out),
            dropped: self.count(&self.dropped),
            unlogged: self.count(&self.unlogged),
        }
    }
}

/// A server's log, its stop switch, and the receiving end the command drains.
pub struct Server {
    pub log: Arc<Log>,
    pub stop: watch::Receiver<bool>,
    stop_tx: watch::Sender<bool>,
    events: mpsc::Receiver<Logged>,
    /// Ctrl-C or SIGTERM: armed before the server says where it listens, so a signal sent
    /// by whoever read that line is never lost.
    stopped: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl Server {
    /// `json`: messages are logged whole.
    fn new(logging: Logging, json: bool) -> Server {
        let Logging {
            quiet,
            look,
            timestamps,
            save,
        } = logging;
        let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
        let (stop_tx, stop) = watch::channel(false);
        let log = Arc::new(Log {
            events: events_tx,
            quiet,
            timestamps: timestamps.then(crate::net::clock::utc_offset_now),
            save,
            whole: json,
            look,
            clients_now: AtomicUsize::new(0),
            clients: AtomicU64::new(0),
            datagrams: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            unlogged: AtomicU64::new(0),
        });
        Server {
            log,
            stop,
            stop_tx,
            events,
            stopped: crate::net::stop::stop(),
        }
    }

    /// A server on `bound`, said where it listens (a line per socket, and "reach me at"
    /// lines), and what its tasks share: the log, the `wire`, and the command's `own`.
    /// `logging`: --quiet (only the start, what is sent, and the summary are logged), how
    /// messages are shown, --timestamps, --save.
    pub fn start<T>(
        out: &mut Output,
        bound: &Bound,
        logging: Logging,
        wire: Wire,
        own: T,
    ) -> Result<(Server, Arc<Shared<T>>), Error> {
        let server = Server::new(logging, out.json());
        server.announce(out, bound)?;
        let log = Arc::clone(&server.log);
        Ok((server, Arc::new(Shared { log, wire, own })))
    }

    fn announce(&self, out: &mut Output, bound: &Bound) -> Result<(), Error> {
        for listener in &bound.tcp {
            out.server_event(&listening(Protocol::Tcp, listener.local_addr()))?;
        }
        for socket in &bound.udp {
            out.server_event(&listening(Protocol::Udp, socket.local_addr()))?;
        }
        out.reach_lines(&bind::reach(bound))?;
        out.flush()?;
        Ok(())
    }

    /// Renders events until Ctrl-C, SIGTERM or `ended`; then stops the tasks (giving clients a
    /// moment to close), renders what is left, and the summary.
    pub async fn run(
        mut self,
        out: &mut Output,
        mut tasks: JoinSet<()>,
        ended: impl Future<Output = ()>,
    ) -> Result<(), Error> {
        tokio::pin!(ended);
        loop {
            tokio::select! {
                event = self.events.recv() => match event {
                    Some((at, event)) => {
                        out.server_event_at(at, &event)?;
                        if self.events.is_empty() {
                            out.flush()?;
                        }
                    }
                    None => break,
                },
                _ = &mut self.stopped => break,
                _ = &mut ended => break,
            }
        }
        let _ = self.stop_tx.send(true);
        let _ =
            tokio::time::timeout(GRACE, async { while tasks.join_next().await.is_some() {} }).await;
        while let Ok((at, event)) = self.events.try_recv() {
            out.server_event_at(at, &event)?;
        }
        out.server_event(&self.log.summary())?;
        Ok(())
    }
}

fn listening(protocol: Protocol, address: io::Result<SocketAddr>) -> ServerEvent {
    let address = address.unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    ServerEvent::Listening {
        protocol,
        address,
        port: address.port(),
    }
}
