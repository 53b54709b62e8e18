//! ICMP echo on one socket per address family (net::icmp: raw, or the unprivileged datagram
//! kind); packet::icmp builds and reads the messages. One receive loop matches every reply,
//! duplicate and ICMP error to its host and sequence number.

use std::io;
use std::net::IpAddr;

use crate::cli::SocketKind;
use crate::net::icmp::{self as socket, Kind};
use crate::packet::icmp::{self, Message};

/// An open ICMP socket of one family.
pub struct IcmpSocket {
    socket: socket::IcmpSocket,
    /// Raw sockets see every ICMP message of the family, so replies are matched by identifier.
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
    /// An ICMP error about one of our requests.
    Error {
        from: IpAddr,
        /// Where the request was going.
        to: IpAddr,
        ident: u16,
        seq: u16,
        message: &'static str,
    },
}

impl IcmpSocket {
    /// Opens a socket for one family. `Auto` prefers raw (it shows duplicates and every
    /// ICMP error) and falls back to the datagram kind `ping_group_range` may allow.
    pub fn open(v6: bool, kind: SocketKind, ttl: Option<u32>) -> io::Result<IcmpSocket> {
        let kind = match kind {
            SocketKind::Auto => Kind::Auto,
            SocketKind::Raw => Kind::Raw,
            SocketKind::Dgram => Kind::Dgram,
        };
        let socket = socket::IcmpSocket::open(v6, kind, ttl)?;
        let raw = socket.is_raw();
        Ok(IcmpSocket { socket, raw, v6 })
    }

    /// Sends one echo request.
    pub async fn send(&self, to: IpAddr, ident: u16, seq: u16, payload: &[u8]) -> io::Result<()> {
        let packet = icmp::echo_request(self.v6, ident, seq, payload);
        self.socket.send(to, &packet).await
    }

    /// Waits for the next ICMP message that concerns an echo request; `None` for others.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Arrival>> {
        Ok(match self.socket.recv(buf).await? {
            Some(socket::Arrival::Message { from, ttl, icmp }) => {
                arrival(self.v6, &icmp, from, ttl)
            }
            Some(socket::Arrival::Error {
                from,
                to,
                error,
                request,
            }) => queued(self.v6, from.unwrap_or(to), to, error, &request),
            None => None,
        })
    }
}

/// An ICMP error the kernel queued for the echo request `request` (datagram sockets).
fn queued(
    v6: bool,
    from: IpAddr,
    to: IpAddr,
    error: icmp::IcmpError,
    request: &[u8],
) -> Option<Arrival> {
    let wanted = if v6 {
        icmp::ECHO_REQUEST_V6
    } else {
        icmp::ECHO_REQUEST_V4
    };
    if *request.first()? != wanted {
        return None;
    }
    Some(Arrival::Error {
        from,
        to,
        ident: u16::from_be_bytes([*request.get(4)?, *request.get(5)?]),
        seq: u16::from_be_bytes([*request.get(6)?, *request.get(7)?]),
        message: error.text(),
    })
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
