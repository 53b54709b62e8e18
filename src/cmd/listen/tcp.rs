//! TCP: one task per client. What a client sends is logged; typed lines (and --reply answers)
//! are written to it under the stall timeout, so a client that stops reading is dropped
//! instead of holding the others up, and one that resets disturbs no one.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::time::timeout;

use super::{Shared, sent};
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
    let (log, max_clients) = (Arc::clone(&shared.log), shared.max_clients);
    let client_stop = stop.clone();
    serve::accept_clients(listener, log, max_clients, stop, move |id, stream, peer| {
        serve_client(Arc::clone(&shared), id, stream, peer, client_stop.clone())
    })
    .await;
}

async fn serve_client(
    shared: Arc<Shared>,
    id: u64,
    stream: TcpStream,
    peer: SocketAddr,
    mut stop: watch::Receiver<bool>,
) {
    let mut typed = shared.typed.subscribe();
    locked(&shared.clients).insert(id, peer);
    let (mut rd, mut wr) = stream.into_split();
    let mut buf = vec![0u8; READ_BUFFER];
    let (mut messages, mut bytes_in, mut bytes_out) = (0u64, 0u64, 0u64);
    let reason = loop {
        tokio::select! {
            read = rd.read(&mut buf) => match read {
                Ok(0) => break "closed by the client".to_string(),
                Ok(n) => {
                    messages += 1;
                    bytes_in += n as u64;
                    shared.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                    if shared.logs_messages() {
                        shared.log(ServerEvent::Message {
                            protocol: Protocol::Tcp,
                            peer,
                            bytes: n,
                            payload: shared.payload(&buf[..n]),
                        });
                    }
                    if let Some(reply) = &shared.reply {
                        if let Err(why) = write(&shared, &mut wr, reply).await {
                            break why;
                        }
                        bytes_out += reply.len() as u64;
                        shared.log(sent(&shared, Protocol::Tcp, vec![peer], reply));
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
    shared.clients_now.fetch_sub(1, Ordering::Relaxed);
    shared.log(ServerEvent::Disconnected {
        protocol: Protocol::Tcp,
        peer,
        messages,
        bytes_in,
        bytes_out,
        reason,
    });
    if let Some(first_left) = &shared.once {
        first_left.notify_one();
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
    let _ = shared.typed.send(Arc::new(bytes.to_vec()));
    shared.log(sent(shared, Protocol::Tcp, peers, bytes));
    true
}
