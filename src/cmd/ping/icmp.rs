//! ICMP echo on one socket per address family: surge-ping opens the socket (raw or the
//! unprivileged datagram kind); packet::icmp builds and reads the messages. One receive loop
//! matches every reply, duplicate and ICMP error to its host and sequence number.

use std::io;
use std::net::{IpAddr, SocketAddr};

use socket2::Type;
use surge_ping::{AsyncSocket, Config, ICMP};

use crate::cli::SocketKind;
use crate::packet::icmp::{self, Message};

/// An open ICMP socket of one family.
pub struct IcmpSocket {
    socket: AsyncSocket,
    /// Raw sockets see IPv4 headers (TTL) and ICMP errors; datagram sockets see neither.
    pub raw: bool,
    v6: bool,
}

/// What arrived, already tied to an identifier and sequence number.
#[derive(Debug)]
pub enum Arrival {
    Reply {
        from: IpAddr,
        ident: u16,
        seq: u16,
        ttl: Option<u8>,
        /// ICMP message length (header and data), as ping reports "64 bytes".
        bytes: usize,
        payload: Vec<u8>,
    },
    /// An ICMP error about one of our requests (its header quoted inside).
    Error {
        from: IpAddr,
        /// Where the quoted request was going.
        to: IpAddr,
        ident: u16,
        seq: u16,
        message: &'static str,
    },
}

impl IcmpSocket {
    /// Opens a socket for one family. `Auto` prefers raw (it shows TTL, duplicates and ICMP
    /// errors) and falls back to the datagram kind `ping_group_range` may allow.
    pub fn open(v6: bool, kind: SocketKind, ttl: Option<u32>) -> io::Result<IcmpSocket> {
        let hint = match kind {
            SocketKind::Auto | SocketKind::Raw => Type::RAW,
            SocketKind::Dgram => Type::DGRAM,
        };
        let mut config = Config::builder()
            .kind(if v6 { ICMP::V6 } else { ICMP::V4 })
            .sock_type_hint(hint);
        if let Some(ttl) = ttl {
            config = config.ttl(ttl);
        }
        let socket = AsyncSocket::new(&config.build())?;
        let raw = socket.get_type() == Type::RAW;
        // surge-ping falls back to the other kind; a forced kind must be the kind we got.
        if kind != SocketKind::Auto && raw != (kind == SocketKind::Raw) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the forced socket kind was refused",
            ));
        }
        Ok(IcmpSocket { socket, raw, v6 })
    }

    /// Sends one echo request.
    pub async fn send(&self, to: IpAddr, ident: u16, seq: u16, payload: &[u8]) -> io::Result<()> {
        let mut packet = icmp::echo_request(self.v6, ident, seq, payload);
        self.socket
            .send_to(&mut packet, &SocketAddr::new(to, 0))
            .await?;
        Ok(())
    }

    /// Waits for the next ICMP message that concerns an echo request; `None` for others.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Arrival>> {
        let (size, from) = self.socket.recv_from(buf).await?;
        let data = &buf[..size];
        // A raw IPv4 socket hands over the IP header too (with the TTL); the others do not.
        let (message, ttl) = if self.raw && !self.v6 {
            match crate::packet::strip_ipv4(data) {
                Some((_, ttl, rest)) => (rest, Some(ttl)),
                None => return Ok(None),
            }
        } else {
            (data, None)
        };
        Ok(arrival(self.v6, message, from.ip(), ttl))
    }
}

/// What an ICMP message from `from` says about our echo requests.
fn arrival(v6: bool, message: &[u8], from: IpAddr, ttl: Option<u8>) -> Option<Arrival> {
    match icmp::parse(v6, message)? {
        Message::EchoReply {
            ident,
            seq,
            payload,
        } => Some(Arrival::Reply {
            from,
            ident,
            seq,
            ttl,
            bytes: message.len(),
            payload: payload.to_vec(),
        }),
        Message::Error { error, quoted } => {
            let (ident, seq) = quoted.echo_request()?;
            Some(Arrival::Error {
                from,
                to: quoted.destination,
                ident,
                seq,
                message: error.text(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_keeps_its_ttl_and_size() {
        let icmp = [0, 0, 0, 0, 0x12, 0x34, 0, 7, 1, 2, 3, 4];
        match arrival(false, &icmp, [10, 0, 0, 1].into(), Some(63)) {
            Some(Arrival::Reply {
                ident,
                seq,
                ttl,
                bytes,
                payload,
                ..
            }) => {
                assert_eq!((ident, seq, ttl, bytes), (0x1234, 7, Some(63), 12));
                assert_eq!(payload, [1, 2, 3, 4]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_error_about_something_else_is_not_ours() {
        // Port unreachable quoting a UDP datagram, not an echo request.
        let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
        icmp.extend([
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 200, 1, 1, 10, 200, 9, 9,
        ]);
        icmp.extend([0x9c, 0x40, 0, 53, 0, 8, 0, 0]);
        assert!(arrival(false, &icmp, [10, 200, 1, 1].into(), None).is_none());
    }
}
