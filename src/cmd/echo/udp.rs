//! UDP: one task per socket. Each datagram is checked (source, rate), answered in one
//! datagram no larger than the request, or relayed to the peers heard from recently.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::Shared;
use super::guard::{RateLimit, refuse};
use crate::cli::EchoMode;
use crate::net::pktinfo::{self, Arrived};
use crate::output::messages::ServerEvent;
use crate::ports::Protocol;
use crate::serve;

/// How long a UDP peer stays in the relay room after it was last heard.
const RELAY_MEMORY: Duration = Duration::from_secs(300);
/// Most peers in the relay room (memory stays bounded).
const MAX_PEERS: usize = 1024;

pub async fn serve(socket: UdpSocket, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut buf = serve::datagram_buffer(shared.wire.recv_size);
    let mut limit = RateLimit::new(shared.max_rate);
    let mut peers: HashMap<SocketAddr, (Instant, Arrived)> = HashMap::new();
    // Without it, answers leave from the kernel's choice of address: still served.
    let _ = pktinfo::enable(&socket);
    loop {
        let Some(datagram) = serve::next_datagram(&socket, &mut buf, &shared, &mut stop).await
        else {
            return;
        };
        let (n, peer, arrived) = (datagram.len, datagram.peer, datagram.arrived);
        let now = Instant::now();
        let refusal = refuse(peer).map(str::to_string).or_else(|| {
            (!limit.allow(peer.ip(), now)).then(|| {
                format!(
                    "more than {} datagrams a second from this address (--max-rate)",
                    shared.max_rate
                )
            })
        });
        if let Some(reason) = refusal {
            shared.dropped.fetch_add(1, Ordering::Relaxed);
            shared.log(ServerEvent::Dropped {
                protocol: Protocol::Udp,
                peer,
                reason,
            });
            continue;
        }
        let message = &mut buf[..n];
        shared.datagram(&datagram, message, None);
        shared.answer(message);
        if shared.mode == EchoMode::Relay {
            peers.retain(|_, (heard, _)| now.duration_since(*heard) < RELAY_MEMORY);
            if peers.len() < MAX_PEERS || peers.contains_key(&peer) {
                peers.insert(peer, (now, arrived));
            }
            for (other, (_, via)) in peers.iter().filter(|(p, _)| **p != peer) {
                if pktinfo::send(&socket, message, *other, *via).await.is_ok() {
                    shared.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
                }
            }
        } else if pktinfo::send(&socket, message, peer, arrived).await.is_ok() {
            shared.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
        }
    }
}
