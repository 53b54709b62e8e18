//! UDP: one task per socket. Each datagram is checked (source, rate), answered in one
//! datagram no larger than the request, or relayed to the peers heard from recently (relay:
//! the others; chat: every one, the sender too), the log naming who got it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::Shared;
use super::guard::{RateLimit, refuse};
use crate::net::pktinfo::Arrived;
use crate::output::server::{Refused, RelayMode, ServerEvent};
use crate::ports::Protocol;
use crate::serve::{self, Datagrams};

/// How long a UDP peer stays in the relay room after it was last heard.
const RELAY_MEMORY: Duration = Duration::from_secs(300);
/// Most peers in the relay room (memory stays bounded).
const MAX_PEERS: usize = 1024;

pub async fn serve(socket: UdpSocket, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut datagrams = Datagrams::new(Arc::new(socket), shared.wire.recv_size);
    let mut limit = RateLimit::new(shared.own.max_rate);
    let mut room = Room::default();
    while let Some(datagram) = datagrams.next(&shared, &mut stop).await {
        let (peer, arrived, now) = (datagram.peer, datagram.arrived, Instant::now());
        let refusal = refuse(peer).or_else(|| {
            let max_rate = shared.own.max_rate;
            (!limit.allow(peer.ip(), now)).then_some(Refused::RateLimited(max_rate))
        });
        if let Some(reason) = refusal {
            shared.dropped.fetch_add(1, Ordering::Relaxed);
            shared.refused(Protocol::Udp, peer, reason);
            continue;
        }
        let message = &mut datagrams.buf[..datagram.len];
        shared.datagram(&datagram, message, None);
        shared.own.answer(message);
        let socket = &datagrams.socket;
        let Some(mode) = shared.own.relays() else {
            let _ = serve::send_to(socket, &shared, message, peer, arrived).await;
            continue;
        };
        let (mut to, mut peers) = (Vec::new(), 0);
        for (other, via) in room.relay(peer, arrived, now, mode) {
            if serve::send_to(socket, &shared, message, other, via)
                .await
                .is_ok()
            {
                peers += 1;
                if to.len() < serve::LOGGED_PEERS {
                    to.push(other);
                }
            }
        }
        if shared.logs_messages() {
            shared.log(ServerEvent::Relayed {
                protocol: Protocol::Udp,
                from: peer,
                client: None,
                mode,
                to,
                peers,
                bytes: message.len(),
            });
        }
    }
}

/// The relay room: the peers heard from recently, each with where its datagram arrived.
#[derive(Default)]
struct Room {
    peers: HashMap<SocketAddr, (Instant, Arrived)>,
}

impl Room {
    /// Remembers `peer` (while there is room) and names who to relay to: the others
    /// (relay), or every one, `peer` first (chat: the sender gets its message back at once,
    /// as the lessons' chat client waits for it after each send).
    fn relay(
        &mut self,
        peer: SocketAddr,
        arrived: Arrived,
        now: Instant,
        mode: RelayMode,
    ) -> Vec<(SocketAddr, Arrived)> {
        self.peers
            .retain(|_, (heard, _)| now.duration_since(*heard) < RELAY_MEMORY);
        if self.peers.len() < MAX_PEERS || self.peers.contains_key(&peer) {
            self.peers.insert(peer, (now, arrived));
        }
        let sender = (mode == RelayMode::Chat).then_some((peer, arrived));
        let others = self
            .peers
            .iter()
            .filter(|(p, _)| **p != peer)
            .map(|(p, (_, via))| (*p, *via));
        sender.into_iter().chain(others).collect()
    }
}
