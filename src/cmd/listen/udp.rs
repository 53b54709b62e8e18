//! UDP: one task per socket. Each datagram is logged with its source and its destination
//! (unicast, a broadcast address, or a group), and its source becomes the peer typed lines
//! go to; --reply answers it from the address it was sent to.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::tcp::locked;
use super::{Shared, sent};
use crate::net::pktinfo;
use crate::output::messages::{Destination, DestinationKind, ServerEvent};
use crate::ports::Protocol;
use crate::serve;

pub async fn serve(
    socket: Arc<UdpSocket>,
    shared: Arc<Shared>,
    broadcasts: Arc<Vec<Ipv4Addr>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut buf = serve::datagram_buffer(shared.wire.recv_size);
    // Without it, answers leave from the kernel's choice of address, and destinations are
    // not shown: still served.
    let _ = pktinfo::enable(&socket);
    loop {
        let Some(datagram) = serve::next_datagram(&socket, &mut buf, &shared, &mut stop).await
        else {
            return;
        };
        let (peer, arrived) = (datagram.peer, datagram.arrived);
        *locked(&shared.last_peer) = Some((peer, arrived, Arc::clone(&socket)));
        let to = arrived.destination().map(|d| destination(d, &broadcasts));
        shared.datagram(&datagram, &buf[..datagram.len], to);
        if let Some(reply) = &shared.reply
            && pktinfo::send(&socket, reply, peer, arrived).await.is_ok()
        {
            shared
                .bytes_out
                .fetch_add(reply.len() as u64, Ordering::Relaxed);
            shared.log(sent(&shared, Protocol::Udp, vec![peer], reply));
        }
    }
}

/// What kind of address a datagram was sent to.
fn destination(address: IpAddr, broadcasts: &[Ipv4Addr]) -> Destination {
    let kind = match address {
        a if a.is_multicast() => DestinationKind::Multicast,
        IpAddr::V4(v4) if broadcasts.contains(&v4) => DestinationKind::Broadcast,
        _ => DestinationKind::Unicast,
    };
    Destination { address, kind }
}

/// A typed line to the UDP peer heard from last; false when none has been heard from.
pub async fn send_typed(shared: &Shared, bytes: &[u8]) -> bool {
    let last = locked(&shared.last_peer).clone();
    let Some((peer, arrived, socket)) = last else {
        return false;
    };
    match pktinfo::send(&socket, bytes, peer, arrived).await {
        Ok(_) => {
            shared
                .bytes_out
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            shared.log(sent(shared, Protocol::Udp, vec![peer], bytes));
        }
        Err(e) => shared.log(ServerEvent::NotSent {
            reason: format!("to {peer}: {}", crate::error::io_reason(&e)),
        }),
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_told_apart() {
        let broadcasts = [Ipv4Addr::BROADCAST, Ipv4Addr::new(10, 200, 8, 255)];
        let kind = |a: &str| {
            destination(a.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])), &broadcasts).kind
        };
        assert_eq!(kind("10.200.8.255"), DestinationKind::Broadcast);
        assert_eq!(kind("255.255.255.255"), DestinationKind::Broadcast);
        assert_eq!(kind("239.1.2.3"), DestinationKind::Multicast);
        assert_eq!(kind("ff02::1"), DestinationKind::Multicast);
        assert_eq!(kind("10.200.8.2"), DestinationKind::Unicast);
    }
}
