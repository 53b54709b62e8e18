//! A server's UDP socket: datagrams in with their source and where they arrived, counted in
//! the summary; answers out from the address each was sent to.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::Log;
use crate::net::pktinfo::{self, Arrived, Datagram};

/// A UDP socket and its receive buffer.
pub struct Datagrams {
    pub socket: Arc<UdpSocket>,
    /// --recv-size, or room for the largest datagram (65,507 bytes over IPv4, 65,527 over
    /// IPv6).
    pub buf: Vec<u8>,
}

impl Datagrams {
    pub fn new(socket: Arc<UdpSocket>, recv_size: Option<u32>) -> Datagrams {
        // Without it, answers leave from the kernel's choice of address, and destinations
        // are not shown: still served.
        let _ = pktinfo::enable(&socket);
        Datagrams {
            socket,
            buf: vec![0u8; recv_size.map_or(65_536, |n| n as usize)],
        }
    }

    /// The next datagram (its bytes are at the start of `buf`), counted in the summary;
    /// `None` once the server stops. A receive error (an ICMP error from an earlier send, a
    /// port unreachable) is not the server's to end on.
    pub async fn next(&mut self, log: &Log, stop: &mut watch::Receiver<bool>) -> Option<Datagram> {
        loop {
            tokio::select! {
                got = pktinfo::recv(&self.socket, &mut self.buf) => if let Ok(got) = got {
                    log.datagrams.fetch_add(1, Ordering::Relaxed);
                    log.bytes_in.fetch_add(got.len as u64, Ordering::Relaxed);
                    return Some(got);
                },
                _ = stop.changed() => return None,
            }
        }
    }
}

/// Sends a datagram to `peer` from the address `via` (where its datagram arrived), counted as
/// out when it went.
pub async fn send_to(
    socket: &UdpSocket,
    log: &Log,
    bytes: &[u8],
    peer: SocketAddr,
    via: Arrived,
) -> io::Result<()> {
    pktinfo::send(socket, bytes, peer, via).await?;
    log.bytes_out
        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
    Ok(())
}
