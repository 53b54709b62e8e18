//! TCP: one task per client, on the servers' connection loop (serve/conn.rs). A client holds
//! at most one read buffer: each read is answered in place (written in full, under the idle
//! timeout) before the next, so a client that never reads stalls only itself and is dropped
//! when its idle timeout passes. Buffers start small and grow only while reads fill them, so
//! 10,000 quiet clients cost little and one busy stream runs fast.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

use super::Shared;
use crate::cli::EchoMode;
use crate::output::server::{Ended, Pushes, Timeout};
use crate::serve::{self, Client, Handler, Pushed, Terms};

/// Relayed messages waiting for a slow client; beyond it that client misses some (logged).
const RELAY_QUEUE: usize = 1024;
/// A client's first read buffer, and the most it grows to.
const FIRST_BUFFER: usize = 4 * 1024;
const MAX_BUFFER: usize = 256 * 1024;

pub async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let (hub, _) = broadcast::channel::<Pushed>(RELAY_QUEUE);
    let relay = shared.own.mode == EchoMode::Relay;
    let terms = Terms {
        wire: shared.wire,
        timeout: Timeout::Idle,
        limit: shared.own.idle,
        buffer: (FIRST_BUFFER, MAX_BUFFER),
        nodelay: true,
    };
    let (log, max_clients) = (Arc::clone(&shared.log), shared.own.max_clients);
    let client_stop = stop.clone();
    serve::accept_clients(listener, log, max_clients, stop, move |accepted| {
        let answers = Answers {
            shared: Arc::clone(&shared),
            hub: relay.then(|| hub.clone()),
        };
        let relayed = relay.then(|| hub.subscribe());
        let log = Arc::clone(&shared.log);
        serve::serve_client(accepted, log, terms, answers, relayed, client_stop.clone())
    })
    .await;
}

/// Echo's answer to each message: back to its client (echo, upper), or to every other client
/// (relay, through the hub).
struct Answers {
    shared: Arc<Shared>,
    hub: Option<broadcast::Sender<Pushed>>,
}

impl Handler for Answers {
    const PUSHES: Pushes = Pushes::Relayed;

    async fn message(&mut self, client: &mut Client, message: &mut [u8]) -> Result<(), Ended> {
        self.shared.own.answer(message);
        let Some(hub) = &self.hub else {
            return client.send(message).await;
        };
        let bytes = client.framed(message)?.into_owned();
        let _ = hub.send(Pushed {
            from: Some(client.id),
            bytes: Arc::new(bytes),
        });
        Ok(())
    }
}
