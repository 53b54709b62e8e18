//! ICMP (RFC 792) and ICMPv6 (RFC 4443) as ping, scan and trace read them: echo replies, and
//! the errors (destination unreachable, time exceeded) that quote the start of the datagram
//! they are about. One vocabulary for why something is unreachable: nmap's --reason words,
//! iputils' sentences, both from the same code. Pure: no I/O.

use std::net::{IpAddr, Ipv6Addr};

use pnet_packet::icmp::{IcmpPacket, IcmpTypes, echo_reply};
use pnet_packet::icmpv6::{Icmpv6Packet, Icmpv6Types};
use pnet_packet::ipv4::Ipv4Packet;

/// ICMPv4 types and ICMPv6 types netkit sends or reads.
pub const ECHO_REQUEST_V4: u8 = 8;
pub const ECHO_REQUEST_V6: u8 = 128;
/// IP protocol numbers a quoted datagram may carry.
pub const PROTO_ICMP: u8 = 1;
pub const PROTO_ICMPV6: u8 = 58;
pub const PROTO_TCP: u8 = 6;

/// Why a destination is unreachable, in nmap's --reason words where nmap has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    NetUnreach,
    HostUnreach,
    ProtoUnreach,
    PortUnreach,
    NetProhibited,
    HostProhibited,
    AdminProhibited,
    /// Any other code (fragmentation needed, source route failed, precedence ...).
    DestUnreach,
}

impl Reason {
    /// The word, as `nmap --reason` prints it.
    pub fn word(self) -> &'static str {
        match self {
            Reason::NetUnreach => "net-unreach",
            Reason::HostUnreach => "host-unreach",
            Reason::ProtoUnreach => "proto-unreach",
            Reason::PortUnreach => "port-unreach",
            Reason::NetProhibited => "net-prohibited",
            Reason::HostProhibited => "host-prohibited",
            Reason::AdminProhibited => "admin-prohibited",
            Reason::DestUnreach => "dest-unreach",
        }
    }
}

/// A destination unreachable message: its family and code, which decide the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreachable {
    pub v6: bool,
    pub code: u8,
}

impl Unreachable {
    /// The reason the code gives (RFC 792 and RFC 1812 for IPv4, RFC 4443 §3.1 for IPv6).
    pub fn reason(self) -> Reason {
        match (self.v6, self.code) {
            (false, 0 | 6) | (true, 0) => Reason::NetUnreach,
            (false, 1 | 7) | (true, 3) => Reason::HostUnreach,
            (false, 2) => Reason::ProtoUnreach,
            (false, 3) | (true, 4) => Reason::PortUnreach,
            (false, 9) => Reason::NetProhibited,
            (false, 10) => Reason::HostProhibited,
            (false, 13) | (true, 1) => Reason::AdminProhibited,
            _ => Reason::DestUnreach,
        }
    }

    /// iputils ping's sentence for the code.
    pub fn text(self) -> &'static str {
        match (self.v6, self.code) {
            (false, 0) => "Destination Net Unreachable",
            (false, 1) => "Destination Host Unreachable",
            (false, 2) => "Destination Protocol Unreachable",
            (false, 3) => "Destination Port Unreachable",
            (false, 4) => "Frag needed and DF set",
            (false, 5) => "Source Route Failed",
            (false, 6) => "Destination Net Unknown",
            (false, 7) => "Destination Host Unknown",
            (false, 9 | 10) => "Destination Host Prohibited",
            (false, 13) => "Packet filtered",
            (false, _) => "Destination Unreachable",
            (true, 0) => "Destination unreachable: No route",
            (true, 1) => "Destination unreachable: Administratively prohibited",
            (true, 3) => "Destination unreachable: Address unreachable",
            (true, 4) => "Destination unreachable: Port unreachable",
            (true, _) => "Destination unreachable",
        }
    }
}

/// An ICMP error about a datagram we sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcmpError {
    Unreachable(Unreachable),
    /// The hop limit ran out on the way (the code says whether in transit or reassembly).
    TimeExceeded {
        v6: bool,
    },
}

impl IcmpError {
    /// The error an ICMP (`v6` false) or ICMPv6 type and code stand for, if they are one.
    pub fn from_type(v6: bool, kind: u8, code: u8) -> Option<IcmpError> {
        match (v6, kind) {
            (false, 3) | (true, 1) => Some(IcmpError::Unreachable(Unreachable { v6, code })),
            (false, 11) | (true, 3) => Some(IcmpError::TimeExceeded { v6 }),
            _ => None,
        }
    }

    /// iputils ping's sentence.
    pub fn text(self) -> &'static str {
        match self {
            IcmpError::Unreachable(u) => u.text(),
            IcmpError::TimeExceeded { v6: false } => "Time to live exceeded",
            IcmpError::TimeExceeded { v6: true } => "Time exceeded: Hop limit",
        }
    }
}

/// The start of the datagram an error is about, as the error quotes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quoted<'a> {
    /// The IP protocol of the quoted datagram (ICMP, TCP, UDP, ...).
    pub protocol: u8,
    pub source: IpAddr,
    pub destination: IpAddr,
    /// The quoted transport header: at least its first 8 bytes.
    pub transport: &'a [u8],
}

impl Quoted<'_> {
    /// The identifier and sequence number of a quoted echo request.
    pub fn echo_request(&self) -> Option<(u16, u16)> {
        let v6 = self.destination.is_ipv6();
        let protocol = if v6 { PROTO_ICMPV6 } else { PROTO_ICMP };
        if self.protocol != protocol {
            return None;
        }
        read_echo_request(v6, self.transport)
    }

    /// Source port, destination port and sequence number of a quoted TCP segment.
    pub fn tcp(&self) -> Option<(u16, u16, u32)> {
        let t = self.transport;
        if self.protocol != PROTO_TCP || t.len() < 8 {
            return None;
        }
        let seq = u32::from_be_bytes([t[4], t[5], t[6], t[7]]);
        Some((be16(t, 0)?, be16(t, 2)?, seq))
    }
}

/// The identifier and sequence number of an echo request of ours, read from its type byte:
/// as an error quotes it inside an IP datagram, or as the error queue gives it back.
pub fn read_echo_request(v6: bool, icmp: &[u8]) -> Option<(u16, u16)> {
    let wanted = if v6 { ECHO_REQUEST_V6 } else { ECHO_REQUEST_V4 };
    if *icmp.first()? != wanted {
        return None;
    }
    Some((be16(icmp, 4)?, be16(icmp, 6)?))
}

/// The big-endian u16 at `at`, if the bytes reach that far.
pub(super) fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]))
}

/// An ICMP message that concerns a probe of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    EchoReply {
        ident: u16,
        seq: u16,
        /// The echoed data.
        payload: &'a [u8],
    },
    Error {
        error: IcmpError,
        quoted: Quoted<'a>,
    },
}

/// Reads an ICMP (`v6` false) or ICMPv6 message, starting at its type byte. `None` for
/// messages of other types and for anything too short to be what it claims.
pub fn parse(v6: bool, icmp: &[u8]) -> Option<Message<'_>> {
    if v6 { parse_v6(icmp) } else { parse_v4(icmp) }
}

fn parse_v4(icmp: &[u8]) -> Option<Message<'_>> {
    let packet = IcmpPacket::new(icmp)?;
    if packet.get_icmp_type() == IcmpTypes::EchoReply {
        let reply = echo_reply::EchoReplyPacket::new(icmp)?;
        return Some(Message::EchoReply {
            ident: reply.get_identifier(),
            seq: reply.get_sequence_number(),
            payload: icmp.get(8..)?,
        });
    }
    let error = IcmpError::from_type(false, packet.get_icmp_type().0, packet.get_icmp_code().0)?;
    // 8 bytes of ICMP header, then the offending IPv4 header and at least 8 bytes after it.
    let quoted = Ipv4Packet::new(icmp.get(8..)?)?;
    let header = usize::from(quoted.get_header_length()) * 4;
    let transport = icmp.get(8 + header..)?;
    if header < 20 || transport.len() < 8 {
        return None;
    }
    Some(Message::Error {
        error,
        quoted: Quoted {
            protocol: quoted.get_next_level_protocol().0,
            source: IpAddr::V4(quoted.get_source()),
            destination: IpAddr::V4(quoted.get_destination()),
            transport,
        },
    })
}

fn parse_v6(icmp: &[u8]) -> Option<Message<'_>> {
    let packet = Icmpv6Packet::new(icmp)?;
    if packet.get_icmpv6_type() == Icmpv6Types::EchoReply {
        return Some(Message::EchoReply {
            ident: be16(icmp, 4)?,
            seq: be16(icmp, 6)?,
            payload: icmp.get(8..)?,
        });
    }
    let error = IcmpError::from_type(true, packet.get_icmpv6_type().0, packet.get_icmpv6_code().0)?;
    // 8 bytes of ICMPv6 header, the 40-byte IPv6 header we sent, then its payload (no
    // extension headers: netkit sends none).
    let quoted = icmp.get(8..48)?;
    let transport = icmp.get(48..)?;
    if transport.len() < 8 {
        return None;
    }
    let address = |at: usize| {
        let mut octets = [0u8; 16];
        octets.copy_from_slice(&quoted[at..at + 16]);
        IpAddr::V6(Ipv6Addr::from(octets))
    };
    Some(Message::Error {
        error,
        quoted: Quoted {
            protocol: quoted[6],
            source: address(8),
            destination: address(24),
            transport,
        },
    })
}

/// An echo request: type, code 0, identifier, sequence number, data. The ICMPv4 checksum is
/// filled in; the kernel computes the ICMPv6 one (RFC 3542 §3.1).
pub fn echo_request(v6: bool, ident: u16, seq: u16, data: &[u8]) -> Vec<u8> {
    let mut packet = vec![0u8; 8 + data.len()];
    packet[0] = if v6 { ECHO_REQUEST_V6 } else { ECHO_REQUEST_V4 };
    packet[4..6].copy_from_slice(&ident.to_be_bytes());
    packet[6..8].copy_from_slice(&seq.to_be_bytes());
    packet[8..].copy_from_slice(data);
    if !v6 && let Some(icmp) = IcmpPacket::new(&packet) {
        let checksum = pnet_packet::icmp::checksum(&icmp);
        packet[2..4].copy_from_slice(&checksum.to_be_bytes());
    }
    packet
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ICMPv4 error of `kind`/`code` quoting an IPv4 header (10.200.1.1 -> 10.200.9.9,
    /// protocol `proto`) and `transport`.
    fn v4_error(kind: u8, code: u8, proto: u8, transport: &[u8]) -> Vec<u8> {
        let mut icmp = vec![kind, code, 0, 0, 0, 0, 0, 0];
        icmp.extend([
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, proto, 0, 0, 10, 200, 1, 1, 10, 200, 9, 9,
        ]);
        icmp.extend_from_slice(transport);
        icmp
    }

    #[test]
    fn an_echo_reply_is_read() {
        // Type 0, code 0, checksum, ident 0x1234, seq 7, four data bytes.
        let icmp = [0, 0, 0, 0, 0x12, 0x34, 0, 7, 1, 2, 3, 4];
        assert_eq!(
            parse(false, &icmp),
            Some(Message::EchoReply {
                ident: 0x1234,
                seq: 7,
                payload: &[1, 2, 3, 4]
            })
        );
        let icmp6 = [129, 0, 0, 0, 0x12, 0x34, 0, 8, 9];
        assert_eq!(
            parse(true, &icmp6),
            Some(Message::EchoReply {
                ident: 0x1234,
                seq: 8,
                payload: &[9]
            })
        );
    }

    #[test]
    fn an_error_quotes_the_echo_request_it_is_about() {
        let icmp = v4_error(3, 1, 1, &[8, 0, 0, 0, 0x42, 0x42, 0, 3]);
        let Some(Message::Error { error, quoted }) = parse(false, &icmp) else {
            panic!("not an error: {icmp:?}");
        };
        assert_eq!(error.text(), "Destination Host Unreachable");
        assert_eq!(quoted.destination, IpAddr::from([10, 200, 9, 9]));
        assert_eq!(quoted.source, IpAddr::from([10, 200, 1, 1]));
        assert_eq!(quoted.echo_request(), Some((0x4242, 3)));
        assert_eq!(quoted.tcp(), None);
        let not_icmp = v4_error(3, 1, 17, &[8, 0, 0, 0, 0x42, 0x42, 0, 3]);
        assert!(
            matches!(parse(false, &not_icmp), Some(Message::Error { quoted, .. }) if quoted.echo_request().is_none()),
            "a UDP datagram that starts with 8 is no echo request"
        );
        let expired = v4_error(11, 0, 1, &[8, 0, 0, 0, 0, 1, 0, 2]);
        let Some(Message::Error { error, .. }) = parse(false, &expired) else {
            panic!("not an error");
        };
        assert_eq!(error.text(), "Time to live exceeded");
    }

    #[test]
    fn an_error_quotes_the_tcp_segment_it_is_about() {
        let icmp = v4_error(3, 3, 6, &[0x9c, 0x40, 0, 80, 0, 0, 1, 2]);
        let Some(Message::Error { error, quoted }) = parse(false, &icmp) else {
            panic!("not an error");
        };
        assert_eq!(
            error,
            IcmpError::Unreachable(Unreachable { v6: false, code: 3 })
        );
        assert_eq!(quoted.tcp(), Some((40_000, 80, 258)));
        assert_eq!(quoted.echo_request(), None);
    }

    #[test]
    fn an_icmpv6_error_names_the_quoted_destination() {
        let mut icmp = vec![1, 4, 0, 0, 0, 0, 0, 0];
        let mut ip6 = vec![0x60, 0, 0, 0, 0, 8, 17, 64];
        ip6.extend(Ipv6Addr::LOCALHOST.octets());
        ip6.extend(
            "fd00::2"
                .parse::<Ipv6Addr>()
                .map_or([0; 16], |a| a.octets()),
        );
        icmp.extend(ip6);
        icmp.extend([0x9c, 0x40, 0, 53, 0, 8, 0, 0]);
        let Some(Message::Error { error, quoted }) = parse(true, &icmp) else {
            panic!("not an error");
        };
        assert_eq!(error.text(), "Destination unreachable: Port unreachable");
        assert_eq!(quoted.destination.to_string(), "fd00::2");
        assert_eq!((quoted.protocol, quoted.transport.len()), (17, 8));
    }

    #[test]
    fn other_and_short_messages_are_not_ours() {
        // Our own echo request, as a raw socket on loopback sees it.
        assert_eq!(parse(false, &[8, 0, 0, 0, 0, 1, 0, 1]), None);
        assert_eq!(parse(true, &[128, 0, 0, 0, 0, 1, 0, 1]), None);
        // An unreachable cut off inside the quoted header.
        assert_eq!(parse(false, &v4_error(3, 1, 6, &[])[..20]), None);
        assert_eq!(parse(false, &[]), None);
        assert_eq!(parse(true, &[1]), None);
    }

    #[test]
    fn one_vocabulary_for_both_families() {
        // (v6, code, nmap's word, iputils' sentence)
        let cases = [
            (false, 0, "net-unreach", "Destination Net Unreachable"),
            (false, 1, "host-unreach", "Destination Host Unreachable"),
            (
                false,
                2,
                "proto-unreach",
                "Destination Protocol Unreachable",
            ),
            (false, 3, "port-unreach", "Destination Port Unreachable"),
            (false, 4, "dest-unreach", "Frag needed and DF set"),
            (false, 6, "net-unreach", "Destination Net Unknown"),
            (false, 7, "host-unreach", "Destination Host Unknown"),
            (false, 9, "net-prohibited", "Destination Host Prohibited"),
            (false, 10, "host-prohibited", "Destination Host Prohibited"),
            (false, 13, "admin-prohibited", "Packet filtered"),
            (false, 15, "dest-unreach", "Destination Unreachable"),
            (true, 0, "net-unreach", "Destination unreachable: No route"),
            (
                true,
                1,
                "admin-prohibited",
                "Destination unreachable: Administratively prohibited",
            ),
            (
                true,
                3,
                "host-unreach",
                "Destination unreachable: Address unreachable",
            ),
            (
                true,
                4,
                "port-unreach",
                "Destination unreachable: Port unreachable",
            ),
            (true, 5, "dest-unreach", "Destination unreachable"),
        ];
        for (v6, code, word, text) in cases {
            let u = Unreachable { v6, code };
            assert_eq!((u.reason().word(), u.text()), (word, text), "{u:?}");
        }
    }

    #[test]
    fn echo_requests_carry_a_valid_checksum() {
        let packet = echo_request(false, 0x4242, 9, &[0, 1, 2, 3]);
        assert_eq!(&packet[..2], &[8, 0]);
        assert_eq!(&packet[4..8], &[0x42, 0x42, 0, 9]);
        let icmp = IcmpPacket::new(&packet).unwrap_or_else(|| panic!("short"));
        assert_eq!(pnet_packet::icmp::checksum(&icmp), icmp.get_checksum());
        assert_eq!(echo_request(true, 1, 2, &[])[0], 128);
    }

    #[test]
    fn an_echo_request_given_back_by_the_error_queue_is_read() {
        let sent = echo_request(false, 0x4242, 9, b"data");
        assert_eq!(read_echo_request(false, &sent), Some((0x4242, 9)));
        assert_eq!(
            read_echo_request(true, &sent),
            None,
            "an ICMPv4 type on IPv6"
        );
        assert_eq!(read_echo_request(false, &sent[..7]), None, "cut short");
        let sent6 = echo_request(true, 7, 65_535, &[]);
        assert_eq!(read_echo_request(true, &sent6), Some((7, 65_535)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn arbitrary_bytes_never_panic_the_reader(
                bytes in proptest::collection::vec(any::<u8>(), 0..120),
                v6 in any::<bool>(),
            ) {
                if let Some(Message::Error { error, quoted }) = parse(v6, &bytes) {
                    let _ = (error.text(), quoted.echo_request(), quoted.tcp());
                }
                let _ = crate::packet::strip_ipv4(&bytes);
            }

            #[test]
            fn an_echo_request_reads_back_as_sent(
                ident in any::<u16>(),
                seq in any::<u16>(),
                data in proptest::collection::vec(any::<u8>(), 0..64),
            ) {
                // An echo reply is the request with type 0 (ICMPv4) or 129 (ICMPv6).
                for (v6, reply_type) in [(false, 0u8), (true, 129u8)] {
                    let mut packet = echo_request(v6, ident, seq, &data);
                    packet[0] = reply_type;
                    prop_assert_eq!(
                        parse(v6, &packet),
                        Some(Message::EchoReply { ident, seq, payload: &data[..] })
                    );
                }
            }
        }
    }
}
