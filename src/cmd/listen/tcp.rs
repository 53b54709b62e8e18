//! TCP: one task per client. What a client sends is logged; typed lines (and --reply answers)
//! are written to it under the stall timeout, so a client that stops reading is dropped
//! instead of holding the others up, and one that resets disturbs no one.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::time::timeout;

use super::{Shared, sent};
use crate::frame::Deframer;
use crate::output::messages::ServerEvent;
use crate::ports::Protocol;
use crate::serve;

/// A client's read buffer.
const READ_BUFFER: usize = 16 * 1024;

/// The lock, also if another task panicked while it held it (the map stays usable).
pub fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    if shared.serial {
        return serial(listener, shared, stop).await;
    }
    let (log, max_clients) = (Arc::clone(&shared.log), shared.max_clients);
    let client_stop = stop.clone();
    serve::accept_clients(listener, log, max_clients, stop, move |id, stream, peer| {
        let typed = join(&shared, id, peer);
        serve_client(
            Arc::clone(&shared),
            id,
            stream,
            peer,
            typed,
            client_stop.clone(),
        )
    })
    .await;
}

/// --serial: accept one client, serve it to its end, then the next, as the hand-outs'
/// `while True: conn, addr = accept()` loop does; the others wait in the kernel's queue.
/// While a client is served, the queue's length is read every QUEUE_LOOK (Linux's socket
/// table tells it): a connection first seen waiting at some moment has waited at least since
/// then, which is what the log says when it is accepted. Where the system does not tell,
/// nothing is said.
async fn serial(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let local = listener.local_addr().ok();
    let queue = || local.and_then(crate::net::owners::accept_queue);
    // For each connection waiting, in order: the first moment it was seen waiting.
    let mut seen: VecDeque<Instant> = VecDeque::new();
    let look = |seen: &mut VecDeque<Instant>| {
        let waiting = queue();
        if let Some(n) = waiting {
            let now = Instant::now();
            seen.truncate(n as usize);
            while seen.len() < n as usize {
                seen.push_back(now);
            }
        }
        waiting
    };
    let mut told = false;
    let mut ids = 0u64;
    while let Some((stream, peer)) =
        serve::accept_one(&listener, &shared, &mut stop, &mut told).await
    {
        let waited_ms = seen
            .pop_front()
            .map(|since| since.elapsed().as_secs_f64() * 1000.0);
        let waiting = look(&mut seen);
        let typed = join(&shared, ids, peer);
        serve::connected(&shared, peer, waited_ms, waiting);
        let serving = serve_client(Arc::clone(&shared), ids, stream, peer, typed, stop.clone());
        tokio::pin!(serving);
        let mut ticker = tokio::time::interval(QUEUE_LOOK);
        loop {
            tokio::select! {
                _ = &mut serving => break,
                _ = ticker.tick() => {
                    look(&mut seen);
                }
            }
        }
        ids += 1;
    }
}

/// How often --serial reads the accept queue's length while it serves a client.
const QUEUE_LOOK: std::time::Duration = std::time::Duration::from_millis(100);

/// How a client's bytes become messages: each read as it came, or whole frames.
enum Reads {
    Plain { noted: bool },
    Framed(Deframer),
}

/// A new client joins the fan-out of typed lines: done before its connection is logged, so
/// a line typed the moment the log says "connected" reaches it too.
fn join(shared: &Shared, id: u64, peer: SocketAddr) -> broadcast::Receiver<Arc<Vec<u8>>> {
    let typed = shared.typed.subscribe();
    locked(&shared.clients).insert(id, peer);
    typed
}

async fn serve_client(
    shared: Arc<Shared>,
    id: u64,
    stream: TcpStream,
    peer: SocketAddr,
    mut typed: broadcast::Receiver<Arc<Vec<u8>>>,
    mut stop: watch::Receiver<bool>,
) {
    let (mut rd, mut wr) = stream.into_split();
    let mut buf = vec![0u8; shared.wire.recv_size.map_or(READ_BUFFER, |n| n as usize)];
    let mut reads = match shared.wire.framed {
        Some(header) => Reads::Framed(Deframer::new(header, shared.wire.max_frame)),
        None => Reads::Plain { noted: false },
    };
    let (mut messages, mut bytes_in, mut bytes_out) = (0u64, 0u64, 0u64);
    let reason = 'client: loop {
        tokio::select! {
            read = rd.read(&mut buf) => match read {
                Ok(0) => break "closed by the client".to_string(),
                Ok(n) => {
                    bytes_in += n as u64;
                    shared.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                    let arrived = match &mut reads {
                        Reads::Plain { noted } => {
                            if !*noted && serve::shows_the_stream(&buf[..n], buf.len()) {
                                *noted = true;
                                shared.log(ServerEvent::StreamNote { peer });
                            }
                            vec![buf[..n].to_vec()]
                        }
                        Reads::Framed(frames) => {
                            frames.push(&buf[..n]);
                            match whole_frames(frames) {
                                Ok(whole) => whole,
                                Err(why) => break why,
                            }
                        }
                    };
                    for message in arrived {
                        messages += 1;
                        if shared.logs_messages() {
                            shared.log(ServerEvent::Message {
                                protocol: Protocol::Tcp,
                                peer,
                                bytes: message.len(),
                                payload: shared.payload(&message),
                            });
                        }
                        if let Some(reply) = &shared.reply {
                            let framed = match on_the_wire(&shared, reply) {
                                Ok(framed) => framed,
                                Err(why) => break 'client why,
                            };
                            if let Err(why) = write(&shared, &mut wr, &framed).await {
                                break 'client why;
                            }
                            bytes_out += framed.len() as u64;
                            shared.log(sent(&shared, Protocol::Tcp, vec![peer], reply));
                        }
                    }
                }
                Err(e) => break serve::client_gone(&e),
            },
            line = typed.recv() => match line {
                Ok(bytes) => {
                    if let Err(why) = write(&shared, &mut wr, &bytes).await {
                        break why;
                    }
                    bytes_out += bytes.len() as u64;
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    shared.log(ServerEvent::Dropped {
                        protocol: Protocol::Tcp,
                        peer,
                        reason: format!("too slow to read: {missed} typed line(s) skipped"),
                    });
                }
                Err(broadcast::error::RecvError::Closed) => {}
            },
            _ = stop.changed() => break "server stopping".to_string(),
        }
    };
    locked(&shared.clients).remove(&id);
    serve::disconnected(&shared, peer, (messages, bytes_in, bytes_out), reason);
    if let Some(first_left) = &shared.once {
        first_left.notify_one();
    }
}

/// The frames a read completed; a bad header ends the connection, naming it.
fn whole_frames(frames: &mut Deframer) -> Result<Vec<Vec<u8>>, String> {
    let mut whole = Vec::new();
    while let Some(frame) = frames.next_frame().map_err(|e| e.to_string())? {
        whole.push(frame);
    }
    Ok(whole)
}

/// A message as it goes to a client: framed with --framed.
fn on_the_wire(shared: &Shared, message: &[u8]) -> Result<Vec<u8>, String> {
    match shared.wire.framed {
        Some(header) => header.encode(message).map_err(|e| e.to_string()),
        None => Ok(message.to_vec()),
    }
}

/// Writes to a client within the stall timeout.
async fn write(shared: &Shared, wr: &mut OwnedWriteHalf, bytes: &[u8]) -> Result<(), String> {
    match timeout(shared.stall, wr.write_all(bytes)).await {
        Ok(Ok(())) => {
            shared
                .bytes_out
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            Ok(())
        }
        Ok(Err(e)) => Err(serve::client_gone(&e)),
        Err(_) => Err("stalled: not reading what is sent to it (--stall-timeout)".to_string()),
    }
}

/// A typed line to every TCP client connected now; false when there is none.
pub fn send_typed(shared: &Shared, bytes: &[u8]) -> bool {
    let peers: Vec<SocketAddr> = locked(&shared.clients).values().copied().collect();
    if peers.is_empty() {
        return false;
    }
    match on_the_wire(shared, bytes) {
        Ok(framed) => {
            let _ = shared.typed.send(Arc::new(framed));
            shared.log(sent(shared, Protocol::Tcp, peers, bytes));
        }
        Err(reason) => shared.log(ServerEvent::NotSent { reason }),
    }
    true
}
