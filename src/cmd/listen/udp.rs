//! UDP: one task per socket. Each datagram is logged with its source and its destination
//! (unicast, a broadcast address, or a group), and its source becomes the peer typed lines
//! go to; --reply answers it from the address it was sent to.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::Shared;
use super::tcp::locked;
use crate::output::server::{Destination, DestinationKind, ServerEvent, Unsent};
use crate::ports::Protocol;
use crate::serve::{self, Datagrams};

pub async fn serve(
    socket: Arc<UdpSocket>,
    shared: Arc<Shared>,
    broadcasts: Arc<Vec<Ipv4Addr>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut datagrams = Datagrams::new(socket, shared.wire.recv_size);
    while let Some(datagram) = datagrams.next(&shared, &mut stop).await {
        let (peer, arrived, socket) = (datagram.peer, datagram.arrived, &datagrams.socket);
        *locked(&shared.own.last_peer) = Some((peer, arrived, Arc::clone(socket)));
        let to = arrived.destination().map(|d| destination(d, &broadcasts));
        shared.datagram(&datagram, &datagrams.buf[..datagram.len], to);
        let message = &datagrams.buf[..datagram.len];
        match shared.own.reply.reply(message) {
            Some(reply)
                if serve::send_to(socket, &shared, reply, peer, arrived)
                    .await
                    .is_ok() =>
            {
                shared.sent(Protocol::Udp, vec![peer], None, reply);
            }
            // Not sent: the next datagram is served as usual.
            Some(_) => {}
            None if shared.own.reply.any() => {
                let reason = Unsent::NoRule { peer };
                shared.log(ServerEvent::NotSent { reason });
            }
            None => {}
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
    let last = locked(&shared.own.last_peer).clone();
    let Some((peer, arrived, socket)) = last else {
        return false;
    };
    match serve::send_to(&socket, shared, bytes, peer, arrived).await {
        Ok(()) => shared.sent(Protocol::Udp, vec![peer], None, bytes),
        Err(error) => shared.log(ServerEvent::NotSent {
            reason: Unsent::Failed { peer, error },
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
