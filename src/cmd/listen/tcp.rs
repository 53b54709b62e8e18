//! TCP: one task per client, on the servers' connection loop (serve/conn.rs). What a client
//! sends is logged; typed lines (and --reply answers) are written to it under the stall
//! timeout, so a client that stops reading is dropped instead of holding the others up, and one
//! that resets disturbs no one.

use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::watch;

use super::Shared;
use crate::output::server::{Ended, Pushes, ServerEvent, Timeout, Unsent};
use crate::ports::Protocol;
use crate::serve::{self, Accepted, Client, Handler, Pushed, Terms};

/// A client's read buffer.
const READ_BUFFER: usize = 16 * 1024;
/// How often --serial reads the accept queue's length while it serves a client.
const QUEUE_LOOK: Duration = Duration::from_millis(100);

/// The lock, also if another task panicked while it held it (the map stays usable).
pub fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    if shared.own.serial {
        return serial(listener, shared, stop).await;
    }
    let (log, max_clients) = (Arc::clone(&shared.log), shared.own.max_clients);
    let client_stop = stop.clone();
    serve::accept_clients(listener, log, max_clients, stop, move |accepted| {
        serving(&shared, accepted, client_stop.clone())
    })
    .await;
}

/// --serial: accept one client, serve it to its end, then the next, as the hand-outs'
/// `while True: conn, addr = accept()` loop does; the others wait in the kernel's queue,
/// which is looked at every QUEUE_LOOK while a client is served.
async fn serial(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut queue = Queue::new(listener.local_addr().ok());
    let mut told = false;
    let mut id = 1u64;
    while let Some((stream, peer)) =
        serve::accept_one(&listener, &shared, &mut stop, &mut told).await
    {
        let waited_ms = queue.waited_ms();
        let waiting = queue.look();
        let client = serving(&shared, Accepted { id, stream, peer }, stop.clone());
        serve::connected(&shared, (id, peer), waited_ms, waiting);
        tokio::pin!(client);
        let mut ticker = tokio::time::interval(QUEUE_LOOK);
        loop {
            tokio::select! {
                _ = &mut client => break,
                _ = ticker.tick() => {
                    queue.look();
                }
            }
        }
        id += 1;
    }
}

/// The accept queue as --serial sees it (Linux's socket table tells its length): a connection
/// first seen waiting at some moment has waited at least since then, which is what the log
/// says when it is accepted. Where the system does not tell, nothing is said.
struct Queue {
    local: Option<SocketAddr>,
    /// For each connection waiting, in order: the first moment it was seen waiting.
    seen: VecDeque<Instant>,
}

impl Queue {
    fn new(local: Option<SocketAddr>) -> Queue {
        Queue {
            local,
            seen: VecDeque::new(),
        }
    }

    /// How many wait now; each newcomer is noted as seen now.
    fn look(&mut self) -> Option<u32> {
        let waiting = self.local.and_then(crate::net::owners::accept_queue)?;
        let now = Instant::now();
        self.seen.truncate(waiting as usize);
        while self.seen.len() < waiting as usize {
            self.seen.push_back(now);
        }
        Some(waiting)
    }

    /// How long the connection accepted now waited at least, where it was seen waiting.
    fn waited_ms(&mut self) -> Option<f64> {
        let since = self.seen.pop_front()?;
        Some(since.elapsed().as_secs_f64() * 1000.0)
    }
}

/// A new client joins the fan-out of typed lines, done before its connection is logged (so a
/// line typed the moment the log says "connected" reaches it too); the future serves it.
fn serving(
    shared: &Arc<Shared>,
    accepted: Accepted,
    stop: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + use<> {
    let typed = shared.own.typed.subscribe();
    locked(&shared.own.clients).insert(accepted.id, accepted.peer);
    let terms = Terms {
        wire: shared.wire,
        timeout: Timeout::Stall,
        limit: shared.own.stall,
        buffer: (READ_BUFFER, READ_BUFFER),
        nodelay: false,
    };
    let shared = Arc::clone(shared);
    async move {
        let replies = Replies {
            shared: Arc::clone(&shared),
        };
        let log = Arc::clone(&shared.log);
        serve::serve_client(accepted, log, terms, replies, Some(typed), stop).await;
        if let Some(first_left) = &shared.own.once {
            first_left.notify_one();
        }
    }
}

/// Listen's part in a connection: --reply answers each message (as its rules say); a client
/// that leaves leaves the fan-out.
struct Replies {
    shared: Arc<Shared>,
}

impl Handler for Replies {
    const PUSHES: Pushes = Pushes::Typed;

    async fn message(&mut self, client: &mut Client, message: &mut [u8]) -> Result<(), Ended> {
        let rules = &self.shared.own.reply;
        match rules.reply(message) {
            Some(reply) => {
                client.send(reply).await?;
                let to = (vec![client.peer], Some(client.id));
                client.log.sent(Protocol::Tcp, to.0, to.1, reply);
            }
            None if rules.any() => {
                let reason = Unsent::NoRule { peer: client.peer };
                client.log.log(ServerEvent::NotSent { reason });
            }
            None => {}
        }
        Ok(())
    }

    fn leaving(&mut self, client: &Client) {
        locked(&self.shared.own.clients).remove(&client.id);
    }
}

/// A typed line to every TCP client connected now; false when there is none.
pub fn send_typed(shared: &Shared, bytes: &[u8]) -> bool {
    let peers: Vec<SocketAddr> = locked(&shared.own.clients).values().copied().collect();
    if peers.is_empty() {
        return false;
    }
    match shared.wire.on_the_wire(bytes) {
        Ok(framed) => {
            let framed = Arc::new(framed.into_owned());
            let _ = shared.own.typed.send(Pushed {
                from: None,
                to: None,
                bytes: framed,
            });
            shared.sent(Protocol::Tcp, peers, None, bytes);
        }
        Err(e) => shared.log(ServerEvent::NotSent {
            reason: Unsent::Frame(e),
        }),
    }
    true
}

/// A typed line (`line`, its number) to TCP client #`client` alone; an unknown number is
/// said, with the numbers connected now, and nothing is sent.
pub fn send_to_client(shared: &Shared, (line, client): (u64, u64), bytes: &[u8]) {
    let (peer, connected) = {
        let clients = locked(&shared.own.clients);
        let peer = clients.get(&client).copied();
        (peer, clients.keys().copied().collect::<Vec<u64>>())
    };
    let Some(peer) = peer else {
        let reason = Unsent::NoSuchClient {
            line,
            client,
            connected,
        };
        return shared.log(ServerEvent::NotSent { reason });
    };
    match shared.wire.on_the_wire(bytes) {
        Ok(framed) => {
            let _ = shared.own.typed.send(Pushed {
                from: None,
                to: Some(client),
                bytes: Arc::new(framed.into_owned()),
            });
            shared.sent(Protocol::Tcp, vec![peer], Some(client), bytes);
        }
        Err(e) => shared.log(ServerEvent::NotSent {
            reason: Unsent::Frame(e),
        }),
    }
}
