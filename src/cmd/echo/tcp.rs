//! TCP: one task per client, on the servers' connection loop (serve/conn.rs). A client holds
//! at most one read buffer: each read is answered in place (written in full, under the idle
//! timeout) before the next, so a client that never reads stalls only itself and is dropped
//! when its idle timeout passes. Buffers start small and grow only while reads fill them, so
//! 10,000 quiet clients cost little and one busy stream runs fast.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

use super::Shared;
use crate::output::server::{Ended, Pushes, RelayMode, ServerEvent, Timeout};
use crate::ports::Protocol;
use crate::serve::{self, Client, Handler, Pushed, Terms};

/// Relayed messages waiting for a slow client; beyond it that client misses some (logged).
const RELAY_QUEUE: usize = 1024;
/// A client's first read buffer, and the most it grows to.
const FIRST_BUFFER: usize = 4 * 1024;
const MAX_BUFFER: usize = 256 * 1024;

pub async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let (hub, _) = broadcast::channel::<Pushed>(RELAY_QUEUE);
    let relays = shared.own.relays();
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
        // In the room before its connection is logged, as listen's clients are.
        if relays.is_some() {
            shared.own.clients().insert(accepted.id, accepted.peer);
        }
        let answers = Answers {
            shared: Arc::clone(&shared),
            hub: relays.map(|mode| (hub.clone(), mode)),
        };
        let relayed = relays.map(|_| hub.subscribe());
        let log = Arc::clone(&shared.log);
        serve::serve_client(accepted, log, terms, answers, relayed, client_stop.clone())
    })
    .await;
}

/// Echo's answer to each message: back to its client (echo, upper), or through the hub to
/// every other client (relay) or to every client, its sender too (chat).
struct Answers {
    shared: Arc<Shared>,
    hub: Option<(broadcast::Sender<Pushed>, RelayMode)>,
}

impl Handler for Answers {
    const PUSHES: Pushes = Pushes::Relayed;

    async fn message(&mut self, client: &mut Client, message: &mut [u8]) -> Result<(), Ended> {
        self.shared.own.answer(message);
        let Some((hub, mode)) = &self.hub else {
            return client.send(message).await;
        };
        let bytes = client.framed(message)?.into_owned();
        let from = match mode {
            RelayMode::Relay => Some(client.id),
            RelayMode::Chat => None,
        };
        // Who it goes to: the clients in the room as it is sent.
        let (to, peers) = if client.log.logs_messages() {
            let clients = self.shared.own.clients();
            let mut to = clients
                .iter()
                .filter(|(id, _)| from != Some(**id))
                .map(|(_, peer)| *peer);
            let named: Vec<SocketAddr> = to.by_ref().take(serve::LOGGED_PEERS).collect();
            let peers = named.len() + to.count();
            (Some(named), peers)
        } else {
            (None, 0)
        };
        let _ = hub.send(Pushed {
            from,
            to: None,
            bytes: Arc::new(bytes),
        });
        if let Some(to) = to {
            client.log.log(ServerEvent::Relayed {
                protocol: Protocol::Tcp,
                from: client.peer,
                client: Some(client.id),
                mode: *mode,
                to,
                peers,
                bytes: message.len(),
            });
        }
        Ok(())
    }

    fn leaving(&mut self, client: &Client) {
        if self.hub.is_some() {
            self.shared.own.clients().remove(&client.id);
        }
    }
}
