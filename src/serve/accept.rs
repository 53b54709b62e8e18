//! Accepting TCP clients within --max-clients, and counting each one in and out of the log.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::Log;
use crate::net::errno;
use crate::output::server::{Ended, Refused, ServerEvent};
use crate::ports::Protocol;

/// A client just accepted: its number on this listener (from 1), its stream and its address.
pub struct Accepted {
    pub id: u64,
    pub stream: TcpStream,
    pub peer: SocketAddr,
}

/// The next TCP client; `None` once the server stops. Out of file descriptors, it says so
/// once (`told`) and backs off; it never gives up.
pub async fn accept_one(
    listener: &TcpListener,
    log: &Log,
    stop: &mut watch::Receiver<bool>,
    told: &mut bool,
) -> Option<(TcpStream, SocketAddr)> {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return None,
        };
        match accepted {
            Ok(pair) => return Some(pair),
            Err(e) => {
                if !*told && errno::is_out_of_descriptors(&e) {
                    *told = true;
                    let here = listener
                        .local_addr()
                        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
                    log.refused(Protocol::Tcp, here, Refused::OutOfDescriptors);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Accepts TCP clients until the server stops, within `max_clients`: each one is counted,
/// logged as connected and handed to `serve_client`, on a task of its own.
pub async fn accept_clients<F, Fut>(
    listener: TcpListener,
    log: Arc<Log>,
    max_clients: usize,
    mut stop: watch::Receiver<bool>,
    mut serve_client: F,
) where
    F: FnMut(Accepted) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut told = false;
    let mut id = 1u64;
    while let Some((stream, peer)) = accept_one(&listener, &log, &mut stop, &mut told).await {
        if log.clients_now.load(Ordering::Relaxed) >= max_clients {
            log.dropped.fetch_add(1, Ordering::Relaxed);
            log.refused(Protocol::Tcp, peer, Refused::TooManyClients(max_clients));
            continue;
        }
        // The client is set up before its connection is logged: whoever acts on the log
        // line (a person typing, a test) finds it ready.
        let serving = serve_client(Accepted { id, stream, peer });
        connected(&log, (id, peer), None, None);
        tokio::spawn(serving);
        id += 1;
    }
}

/// Counts client (number, address) in and logs it as connected, with how many are now.
pub fn connected(
    log: &Log,
    (client, peer): (u64, SocketAddr),
    waited_ms: Option<f64>,
    queued: Option<u32>,
) {
    let clients = log.clients_now.fetch_add(1, Ordering::Relaxed) + 1;
    log.clients.fetch_add(1, Ordering::Relaxed);
    log.log(ServerEvent::Connected {
        protocol: Protocol::Tcp,
        peer,
        client,
        clients,
        waited_ms,
        queued,
    });
}

/// Counts client (number, address) out and logs why it left, with its (reads or messages,
/// bytes in, bytes out).
pub fn disconnected(
    log: &Log,
    (client, peer): (u64, SocketAddr),
    (reads, messages, bytes_in, bytes_out): (Option<u64>, Option<u64>, u64, u64),
    reason: Ended,
) {
    log.clients_now.fetch_sub(1, Ordering::Relaxed);
    log.log(ServerEvent::Disconnected {
        protocol: Protocol::Tcp,
        peer,
        client,
        reads,
        messages,
        bytes_in,
        bytes_out,
        reason,
    });
}
