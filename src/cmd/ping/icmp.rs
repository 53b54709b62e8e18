//! ICMP echo on one socket per address family: surge-ping opens the socket (raw or the
//! unprivileged datagram kind), pnet_packet builds and parses the packets. One receive loop
//! matches every reply, duplicate and ICMP error to its host and sequence number.

use std::io;
use std::net::{IpAddr, SocketAddr};

use pnet_packet::Packet;
use pnet_packet::icmp::{IcmpPacket, IcmpTypes, echo_reply, echo_request};
use pnet_packet::icmpv6::{Icmpv6Packet, Icmpv6Types};
use pnet_packet::ipv4::Ipv4Packet;
use socket2::Type;
use surge_ping::{AsyncSocket, Config, ICMP};

use crate::cli::SocketKind;

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
        let mut packet = vec![0u8; 8 + payload.len()];
        if self.v6 {
            // Type 128, code 0; the kernel fills in the checksum (RFC 3542 §3.1).
            packet[0] = Icmpv6Types::EchoRequest.0;
            packet[4..6].copy_from_slice(&ident.to_be_bytes());
            packet[6..8].copy_from_slice(&seq.to_be_bytes());
            packet[8..].copy_from_slice(payload);
        } else {
            let mut echo = echo_request::MutableEchoRequestPacket::new(&mut packet)
                .ok_or_else(|| io::Error::other("packet buffer too small"))?;
            echo.set_icmp_type(IcmpTypes::EchoRequest);
            echo.set_identifier(ident);
            echo.set_sequence_number(seq);
            echo.set_payload(payload);
            let checksum = pnet_packet::icmp::checksum(
                &IcmpPacket::new(echo.packet())
                    .ok_or_else(|| io::Error::other("packet buffer too small"))?,
            );
            echo.set_checksum(checksum);
        }
        self.socket
            .send_to(&mut packet, &SocketAddr::new(to, 0))
            .await?;
        Ok(())
    }

    /// Waits for the next ICMP message that concerns an echo request; `None` for others.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Arrival>> {
        let (size, from) = self.socket.recv_from(buf).await?;
        let data = &buf[..size];
        Ok(if self.v6 {
            parse_v6(data, from.ip())
        } else if self.raw {
            Ipv4Packet::new(data).and_then(|ip| {
                let header = usize::from(ip.get_header_length()) * 4;
                parse_v4(data.get(header..)?, from.ip(), Some(ip.get_ttl()))
            })
        } else {
            parse_v4(data, from.ip(), None)
        })
    }
}

fn parse_v4(icmp: &[u8], from: IpAddr, ttl: Option<u8>) -> Option<Arrival> {
    let packet = IcmpPacket::new(icmp)?;
    match packet.get_icmp_type() {
        IcmpTypes::EchoReply => {
            let reply = echo_reply::EchoReplyPacket::new(icmp)?;
            Some(Arrival::Reply {
                from,
                ident: reply.get_identifier(),
                seq: reply.get_sequence_number(),
                ttl,
                bytes: icmp.len(),
                payload: reply.payload().to_vec(),
            })
        }
        kind @ (IcmpTypes::DestinationUnreachable | IcmpTypes::TimeExceeded) => {
            // 8 bytes of ICMP header, then the offending IPv4 header and 8 bytes of our request.
            let quoted = Ipv4Packet::new(icmp.get(8..)?)?;
            let header = usize::from(quoted.get_header_length()) * 4;
            let request = icmp.get(8 + header..8 + header + 8)?;
            if request[0] != IcmpTypes::EchoRequest.0 {
                return None;
            }
            let code = packet.get_icmp_code().0;
            let message = if kind == IcmpTypes::TimeExceeded {
                "Time to live exceeded"
            } else {
                unreachable_v4(code)
            };
            Some(Arrival::Error {
                from,
                to: IpAddr::V4(quoted.get_destination()),
                ident: u16::from_be_bytes([request[4], request[5]]),
                seq: u16::from_be_bytes([request[6], request[7]]),
                message,
            })
        }
        _ => None,
    }
}

fn parse_v6(icmp: &[u8], from: IpAddr) -> Option<Arrival> {
    let packet = Icmpv6Packet::new(icmp)?;
    let field = |at: usize| Some(u16::from_be_bytes([*icmp.get(at)?, *icmp.get(at + 1)?]));
    match packet.get_icmpv6_type() {
        Icmpv6Types::EchoReply => Some(Arrival::Reply {
            from,
            ident: field(4)?,
            seq: field(6)?,
            ttl: None,
            bytes: icmp.len(),
            payload: icmp.get(8..)?.to_vec(),
        }),
        kind @ (Icmpv6Types::DestinationUnreachable | Icmpv6Types::TimeExceeded) => {
            // 8 bytes of ICMPv6 header, the 40-byte IPv6 header we sent, then our request.
            let quoted = icmp.get(8..48)?;
            let request = icmp.get(48..56)?;
            if request[0] != Icmpv6Types::EchoRequest.0 {
                return None;
            }
            let mut to = [0u8; 16];
            to.copy_from_slice(&quoted[24..40]);
            let message = if kind == Icmpv6Types::TimeExceeded {
                "Time exceeded: Hop limit"
            } else {
                unreachable_v6(packet.get_icmpv6_code().0)
            };
            Some(Arrival::Error {
                from,
                to: IpAddr::from(to),
                ident: u16::from_be_bytes([request[4], request[5]]),
                seq: u16::from_be_bytes([request[6], request[7]]),
                message,
            })
        }
        _ => None,
    }
}

/// iputils' wording for ICMP destination unreachable codes (RFC 792, RFC 1812).
fn unreachable_v4(code: u8) -> &'static str {
    match code {
        0 => "Destination Net Unreachable",
        1 => "Destination Host Unreachable",
        2 => "Destination Protocol Unreachable",
        3 => "Destination Port Unreachable",
        4 => "Frag needed and DF set",
        5 => "Source Route Failed",
        6 => "Destination Net Unknown",
        7 => "Destination Host Unknown",
        9 | 10 => "Destination Host Prohibited",
        13 => "Packet filtered",
        _ => "Destination Unreachable",
    }
}

/// iputils' wording for ICMPv6 destination unreachable codes (RFC 4443).
fn unreachable_v6(code: u8) -> &'static str {
    match code {
        0 => "Destination unreachable: No route",
        1 => "Destination unreachable: Administratively prohibited",
        3 => "Destination unreachable: Address unreachable",
        4 => "Destination unreachable: Port unreachable",
        _ => "Destination unreachable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echo_reply_is_read_with_its_ttl() {
        // Type 0, code 0, checksum, ident 0x1234, seq 7, four data bytes.
        let icmp = [0, 0, 0, 0, 0x12, 0x34, 0, 7, 1, 2, 3, 4];
        let from: IpAddr = [10, 0, 0, 1].into();
        match parse_v4(&icmp, from, Some(63)) {
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
    fn an_icmp_error_names_the_request_it_quotes() {
        // Host unreachable (3/1) quoting an IPv4 header to 10.200.9.9 and echo request 0x4242/3.
        let mut icmp = vec![3, 1, 0, 0, 0, 0, 0, 0];
        let mut ip = vec![
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, 10, 200, 1, 1, 10, 200, 9, 9,
        ];
        icmp.append(&mut ip);
        icmp.extend([8, 0, 0, 0, 0x42, 0x42, 0, 3]);
        match parse_v4(&icmp, [10, 200, 1, 1].into(), None) {
            Some(Arrival::Error {
                to,
                ident,
                seq,
                message,
                ..
            }) => {
                assert_eq!(to, IpAddr::from([10, 200, 9, 9]));
                assert_eq!((ident, seq), (0x4242, 3));
                assert_eq!(message, "Destination Host Unreachable");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_icmp_is_ignored() {
        // Our own echo request, as a raw socket on loopback sees it.
        let request = [8, 0, 0, 0, 0, 1, 0, 1];
        assert!(parse_v4(&request, [127, 0, 0, 1].into(), Some(64)).is_none());
        assert!(
            parse_v6(
                &[128, 0, 0, 0, 0, 1, 0, 1],
                "::1".parse().unwrap_or([0u8; 16].into())
            )
            .is_none()
        );
    }
}
