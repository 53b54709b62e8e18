//! A captured frame read down to what `watch` explains: the link header (Ethernet, Linux's
//! cooked headers, raw IP), IPv4 or IPv6, then a TCP segment, a UDP datagram, or an ICMP
//! error about one. Every length is checked against the bytes there are: a frame from the
//! network can claim anything. Pure: no I/O.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use pnet_packet::ipv4::Ipv4Packet;
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::tcp::TcpPacket;
use pnet_packet::udp::UdpPacket;

use super::icmp::{self, IcmpError, Message, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, be16};

pub const PROTO_UDP: u8 = 17;

/// The link layer a capture hands over, by its pcap link type (DLT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// DLT_EN10MB: Ethernet, which Linux's loopback and veths also give.
    Ethernet,
    /// DLT_LINUX_SLL: the cooked header of the `any` device (16 bytes).
    Cooked,
    /// DLT_LINUX_SLL2 (20 bytes).
    Cooked2,
    /// DLT_RAW and its aliases: the IP header first (tun devices).
    Raw,
}

impl Link {
    /// The link a pcap link type number stands for, if netkit reads it.
    pub fn from_dlt(dlt: i32) -> Option<Link> {
        match dlt {
            1 => Some(Link::Ethernet),
            113 => Some(Link::Cooked),
            276 => Some(Link::Cooked2),
            12 | 14 | 101 => Some(Link::Raw),
            _ => None,
        }
    }
}

/// TCP's flag bits, written as tcpdump writes them (`S`, `S.`, `P.`, `F.`, `R.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags(pub u8);

impl Flags {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;
    pub const URG: u8 = 0x20;
    pub const ECE: u8 = 0x40;
    pub const CWR: u8 = 0x80;

    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// tcpdump's letters, in bit order: F S R P . U E W; `none` when no flag is set. Written
    /// where they are shown, not built as a String per packet.
    pub fn letters(self) -> Letters {
        Letters(self)
    }
}

/// A segment's flags as tcpdump writes them (`Flags::letters`).
pub struct Letters(Flags);

impl fmt::Display for Letters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LETTERS: [(u8, char); 8] = [
            (Flags::FIN, 'F'),
            (Flags::SYN, 'S'),
            (Flags::RST, 'R'),
            (Flags::PSH, 'P'),
            (Flags::ACK, '.'),
            (Flags::URG, 'U'),
            (Flags::ECE, 'E'),
            (Flags::CWR, 'W'),
        ];
        if self.0.0 == 0 {
            return f.write_str("none");
        }
        for (bit, letter) in LETTERS {
            if self.0.has(bit) {
                fmt::Write::write_char(f, letter)?;
            }
        }
        Ok(())
    }
}

/// The options of a TCP header that `watch` shows or uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub mss: Option<u16>,
    pub wscale: Option<u8>,
    pub sack_ok: bool,
    pub timestamps: bool,
}

/// A TCP segment's header fields and its payload (as much as was captured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    pub seq: u32,
    pub ack: u32,
    pub flags: Flags,
    pub window: u16,
    pub options: Options,
    /// The payload's length by the IP header (what tcpdump calls length).
    pub length: usize,
    /// The payload's bytes as captured (fewer than `length` when the capture was cut).
    pub payload: &'a [u8],
}

/// A UDP datagram's payload: its length by the headers, and the bytes captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram<'a> {
    pub length: usize,
    pub payload: &'a [u8],
}

/// The transport a quoted datagram or a packet carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Tcp,
    Udp,
}

/// What a packet carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body<'a> {
    Tcp(Segment<'a>),
    Udp(Datagram<'a>),
    /// An ICMP or ICMPv6 error about a TCP or UDP datagram: what it quotes.
    IcmpError {
        error: IcmpError,
        transport: Transport,
        /// The quoted datagram's source and destination (the packet the error is about).
        from: SocketAddr,
        to: SocketAddr,
        /// The ICMP message's length (type byte onward), as tcpdump gives it.
        length: usize,
    },
}

/// One captured packet, read: its addresses (ports for TCP and UDP; port 0 for ICMP) and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub body: Body<'a>,
}

/// Reads a frame of `link`; `None` for what is not TCP, UDP or an ICMP error about them, and
/// for anything too short to be what it claims (a later fragment, a cut header).
pub fn read(link: Link, frame: &[u8]) -> Option<Packet<'_>> {
    let (ethertype, ip) = match link {
        Link::Ethernet => {
            let mut at = 12;
            let mut ethertype = be16(frame, at)?;
            // 802.1Q / 802.1ad tags: the real type follows each.
            while ethertype == 0x8100 || ethertype == 0x88a8 {
                at += 4;
                ethertype = be16(frame, at)?;
            }
            (ethertype, frame.get(at + 2..)?)
        }
        Link::Cooked => (be16(frame, 14)?, frame.get(16..)?),
        Link::Cooked2 => (be16(frame, 0)?, frame.get(20..)?),
        Link::Raw => match frame.first()? >> 4 {
            4 => (0x0800, frame),
            6 => (0x86dd, frame),
            _ => return None,
        },
    };
    match ethertype {
        0x0800 => read_ipv4(ip),
        0x86dd => read_ipv6(ip),
        _ => None,
    }
}

fn read_ipv4(bytes: &[u8]) -> Option<Packet<'_>> {
    let ip = Ipv4Packet::new(bytes)?;
    let header = usize::from(ip.get_header_length()) * 4;
    let total = usize::from(ip.get_total_length());
    // A later fragment holds no transport header.
    if header < 20 || total < header || ip.get_fragment_offset() != 0 {
        return None;
    }
    // Ethernet pads short frames: the IP length says where the packet ends.
    let end = total.min(bytes.len());
    let transport = bytes.get(header..end)?;
    let source = IpAddr::V4(ip.get_source());
    let destination = IpAddr::V4(ip.get_destination());
    read_transport(
        ip.get_next_level_protocol().0,
        source,
        destination,
        transport,
        total - header,
    )
}

fn read_ipv6(bytes: &[u8]) -> Option<Packet<'_>> {
    let ip = Ipv6Packet::new(bytes)?;
    let total = 40 + usize::from(ip.get_payload_length());
    let end = total.min(bytes.len());
    let mut next = ip.get_next_header().0;
    let mut at = 40;
    // Hop-by-hop, routing and destination options headers are skipped; a fragment header
    // is followed only when it starts the datagram.
    loop {
        match next {
            0 | 43 | 60 => {
                let length = (usize::from(*bytes.get(at + 1)?) + 1) * 8;
                next = *bytes.get(at)?;
                at += length;
            }
            44 => {
                let offset = be16(bytes, at + 2)? >> 3;
                if offset != 0 {
                    return None;
                }
                next = *bytes.get(at)?;
                at += 8;
            }
            _ => break,
        }
    }
    if at > end {
        return None;
    }
    let transport = bytes.get(at..end)?;
    read_transport(
        next,
        IpAddr::V6(ip.get_source()),
        IpAddr::V6(ip.get_destination()),
        transport,
        total - at,
    )
}

/// The transport header and payload; `length` is what the IP header says they span.
fn read_transport(
    protocol: u8,
    source: IpAddr,
    destination: IpAddr,
    bytes: &[u8],
    length: usize,
) -> Option<Packet<'_>> {
    match protocol {
        PROTO_TCP => {
            let tcp = TcpPacket::new(bytes)?;
            let header = usize::from(tcp.get_data_offset()) * 4;
            if header < 20 || header > bytes.len() || length < header {
                return None;
            }
            let segment = Segment {
                seq: tcp.get_sequence(),
                ack: tcp.get_acknowledgement(),
                flags: Flags(bytes[13]),
                window: tcp.get_window(),
                // Only a SYN's are shown or used (MSS, window scale).
                options: if bytes[13] & Flags::SYN != 0 {
                    options(&bytes[20..header])
                } else {
                    Options::default()
                },
                length: length - header,
                payload: &bytes[header..],
            };
            Some(Packet {
                source: SocketAddr::new(source, tcp.get_source()),
                destination: SocketAddr::new(destination, tcp.get_destination()),
                body: Body::Tcp(segment),
            })
        }
        PROTO_UDP => {
            let udp = UdpPacket::new(bytes)?;
            if length < 8 {
                return None;
            }
            // The datagram's size is its header's: the first fragment of a larger datagram
            // holds only part of it (tcpdump says the same). A header shorter than itself
            // (0: IPv6 jumbograms) leaves the IP length.
            let said = usize::from(udp.get_length());
            let size = if said >= 8 { said - 8 } else { length - 8 };
            // The payload shown is what this packet holds of it.
            let held = (length - 8).min(size);
            Some(Packet {
                source: SocketAddr::new(source, udp.get_source()),
                destination: SocketAddr::new(destination, udp.get_destination()),
                body: Body::Udp(Datagram {
                    length: size,
                    payload: bytes.get(8..8 + held).unwrap_or(&bytes[8..]),
                }),
            })
        }
        PROTO_ICMP | PROTO_ICMPV6 => {
            let v6 = protocol == PROTO_ICMPV6;
            let Message::Error { error, quoted } = icmp::parse(v6, bytes)? else {
                return None;
            };
            let transport = match quoted.protocol {
                PROTO_TCP => Transport::Tcp,
                PROTO_UDP => Transport::Udp,
                _ => return None,
            };
            let ports = quoted.transport;
            Some(Packet {
                source: SocketAddr::new(source, 0),
                destination: SocketAddr::new(destination, 0),
                body: Body::IcmpError {
                    error,
                    transport,
                    from: SocketAddr::new(quoted.source, be16(ports, 0)?),
                    to: SocketAddr::new(quoted.destination, be16(ports, 2)?),
                    length,
                },
            })
        }
        _ => None,
    }
}

/// MSS, window scale, SACK permitted and timestamps from a TCP header's options.
fn options(mut bytes: &[u8]) -> Options {
    let mut found = Options::default();
    while let Some(&kind) = bytes.first() {
        match kind {
            0 => break,
            1 => {
                bytes = &bytes[1..];
                continue;
            }
            _ => {}
        }
        let Some(&length) = bytes.get(1) else { break };
        let length = usize::from(length);
        if length < 2 || length > bytes.len() {
            break;
        }
        let value = &bytes[2..length];
        match (kind, value.len()) {
            (2, 2) => found.mss = Some(u16::from_be_bytes([value[0], value[1]])),
            (3, 1) => found.wscale = Some(value[0]),
            (4, 0) => found.sack_ok = true,
            (8, 8) => found.timestamps = true,
            _ => {}
        }
        bytes = &bytes[length..];
    }
    found
}

/// The kernel filter (libpcap's grammar) for `watch`: TCP and UDP to or from the ports
/// (each an inclusive range; none means every port), and the ICMP and ICMPv6 errors
/// (destination unreachable, time exceeded) whose quoted datagram has one of those ports.
/// ICMP must be named: a port filter alone would drop the errors about the ports.
pub fn capture_filter(ports: &[(u16, u16)]) -> String {
    if ports.is_empty() {
        return "tcp or udp or (icmp and (icmp[0] == 3 or icmp[0] == 11)) \
                or (icmp6 and (ip6[40] == 1 or ip6[40] == 3))"
            .into();
    }
    let transport: Vec<String> = ports
        .iter()
        .map(|&(low, high)| {
            if low == high {
                format!("port {low}")
            } else {
                format!("portrange {low}-{high}")
            }
        })
        .collect();
    // The quoted datagram's ports: after the ICMP header (8 bytes) and the quoted IPv4
    // header (its length in its first byte); IPv6's quoted header is 40 bytes, after the
    // 40 of the packet itself and the 8 of the ICMPv6 header.
    let v4_source = "icmp[(8 + ((icmp[8] & 0xf) << 2)):2]";
    let v4_destination = "icmp[(10 + ((icmp[8] & 0xf) << 2)):2]";
    let quoted = |source: &str, destination: &str| -> String {
        let one = |field: &str| -> Vec<String> {
            ports
                .iter()
                .map(|&(low, high)| {
                    if low == high {
                        format!("{field} == {low}")
                    } else {
                        format!("({field} >= {low} and {field} <= {high})")
                    }
                })
                .collect()
        };
        let mut all = one(source);
        all.extend(one(destination));
        all.join(" or ")
    };
    format!(
        "((tcp or udp) and ({})) \
         or (icmp and (icmp[0] == 3 or icmp[0] == 11) and ({})) \
         or (icmp6 and (ip6[40] == 1 or ip6[40] == 3) and ({}))",
        transport.join(" or "),
        quoted(v4_source, v4_destination),
        quoted("ip6[88:2]", "ip6[90:2]"),
    )
}

/// The pcap file's header as libpcap writes it for nanosecond stamps (magic 0xa1b23c4d,
/// version 2.4, little-endian; readers take either byte order by the magic). A file names
/// its link by LINKTYPE, which is the capture's DLT but for raw IP (DLT 12 or 14 on a
/// capture, LINKTYPE_RAW 101 in a file).
pub fn pcap_file_header(dlt: i32, snaplen: u32) -> [u8; 24] {
    let link_type: u32 = match dlt {
        12 | 14 => 101,
        other => u32::try_from(other).unwrap_or(0),
    };
    let mut header = [0u8; 24];
    header[0..4].copy_from_slice(&0xa1b2_3c4d_u32.to_le_bytes());
    header[4..6].copy_from_slice(&2u16.to_le_bytes());
    header[6..8].copy_from_slice(&4u16.to_le_bytes());
    // thiszone and sigfigs stay 0.
    header[16..20].copy_from_slice(&snaplen.to_le_bytes());
    header[20..24].copy_from_slice(&link_type.to_le_bytes());
    header
}

/// A pcap record's header: when (seconds and nanoseconds since the epoch), the bytes kept
/// and the packet's length on the wire.
pub fn pcap_record_header(seconds: u32, nanos: u32, kept: u32, length: u32) -> [u8; 16] {
    let mut header = [0u8; 16];
    header[0..4].copy_from_slice(&seconds.to_le_bytes());
    header[4..8].copy_from_slice(&nanos.to_le_bytes());
    header[8..12].copy_from_slice(&kept.to_le_bytes());
    header[12..16].copy_from_slice(&length.to_le_bytes());
    header
}

/// An address as tcpdump writes an endpoint: `127.0.0.1.9000`, `::1.9000`; shown where it
/// is written, never built as a String of its own.
pub fn dotted(address: SocketAddr) -> Dotted {
    Dotted(address)
}

/// `dotted`'s address.
#[derive(Debug, Clone, Copy)]
pub struct Dotted(SocketAddr);

impl fmt::Display for Dotted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0.ip(), self.0.port())
    }
}

/// Whether an address is IPv6 (tcpdump's `IP6`).
pub fn is_v6(address: &SocketAddr) -> bool {
    matches!(address.ip(), IpAddr::V6(_))
}

/// The unspecified endpoint: an ICMP packet's ports, an address not yet known.
pub const NOWHERE: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ethernet frame on lo: zero MACs, IPv4, then `transport` under `protocol`.
    fn ethernet_v4(protocol: u8, transport: &[u8]) -> Vec<u8> {
        let mut frame = vec![0u8; 12];
        frame.extend([0x08, 0x00]);
        let total = (20 + transport.len()) as u16;
        frame.extend([0x45, 0, (total >> 8) as u8, total as u8, 0, 0, 0x40, 0, 64]);
        frame.extend([protocol, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2]);
        frame.extend(transport);
        frame
    }

    fn syn() -> Vec<u8> {
        let mut tcp = vec![0xc3, 0x50, 0x23, 0x28]; // 50000 -> 9000
        tcp.extend(1000u32.to_be_bytes());
        tcp.extend(0u32.to_be_bytes());
        tcp.extend([0xa0, Flags::SYN, 0xff, 0xd7, 0, 0, 0, 0]); // 40-byte header
        // mss 65495, sackOK, TS val/ecr, nop, wscale 7
        tcp.extend([
            2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ]);
        tcp
    }

    #[test]
    fn a_syn_on_loopback_reads_with_its_options() {
        let frame = ethernet_v4(PROTO_TCP, &syn());
        let packet = read(Link::Ethernet, &frame).unwrap_or_else(|| panic!("unread"));
        assert_eq!(packet.source, SocketAddr::from(([127, 0, 0, 1], 50000)));
        assert_eq!(packet.destination, SocketAddr::from(([127, 0, 0, 2], 9000)));
        let Body::Tcp(segment) = packet.body else {
            panic!("not tcp")
        };
        assert_eq!(
            (segment.seq, segment.flags.letters().to_string()),
            (1000, "S".into())
        );
        assert_eq!(segment.window, 65495);
        assert_eq!(
            segment.options,
            Options {
                mss: Some(65495),
                wscale: Some(7),
                sack_ok: true,
                timestamps: true
            }
        );
        assert_eq!(segment.length, 0);
    }

    #[test]
    fn the_filter_names_the_ports_and_the_icmp_errors_about_them() {
        let filter = capture_filter(&[(9000, 9000), (7000, 7010)]);
        assert!(filter.starts_with("((tcp or udp) and (port 9000 or portrange 7000-7010))"));
        assert!(filter.contains("icmp[(10 + ((icmp[8] & 0xf) << 2)):2] == 9000"));
        assert!(filter.contains("(ip6[88:2] >= 7000 and ip6[88:2] <= 7010)"));
        assert!(capture_filter(&[]).starts_with("tcp or udp or (icmp"));
    }

    #[test]
    fn pcap_headers_are_libpcaps_nanosecond_format() {
        let file = pcap_file_header(1, 262_144);
        assert_eq!(&pcap_file_header(12, 0)[20..], &[101, 0, 0, 0]);
        assert_eq!(&file[..8], &[0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0]);
        assert_eq!(&file[16..], &[0, 0, 4, 0, 1, 0, 0, 0]);
        let record = pcap_record_header(1, 2, 60, 74);
        assert_eq!(record, [1, 0, 0, 0, 2, 0, 0, 0, 60, 0, 0, 0, 74, 0, 0, 0]);
    }

    #[test]
    fn a_first_fragment_gives_the_datagrams_size_from_its_header() {
        // A 2000-byte datagram whose first fragment holds 1472 bytes of it.
        let mut udp = vec![0xc3, 0x50, 0x23, 0x28];
        udp.extend(2008u16.to_be_bytes());
        udp.extend([0, 0]);
        udp.extend([b'x'; 1472]);
        let mut frame = ethernet_v4(PROTO_UDP, &udp);
        frame[14 + 6] = 0x20; // more fragments, offset 0
        let packet = read(Link::Ethernet, &frame).unwrap_or_else(|| panic!("unread"));
        let Body::Udp(d) = packet.body else {
            panic!("not udp")
        };
        assert_eq!((d.length, d.payload.len()), (2000, 1472));
    }

    mod arbitrary {
        use proptest::prelude::*;

        use super::*;
        use crate::packet::conversation::Conversations;

        proptest! {
            /// Bytes from the network can claim anything: reading them, and following them
            /// in a conversation, never panics, whatever the link.
            #[test]
            fn any_bytes_read_and_followed_without_a_panic(
                frame in proptest::collection::vec(any::<u8>(), 0..200),
                link in prop_oneof![
                    Just(Link::Ethernet),
                    Just(Link::Cooked),
                    Just(Link::Cooked2),
                    Just(Link::Raw)
                ],
            ) {
                let mut book = Conversations::new();
                if let Some(packet) = read(link, &frame) {
                    book.see(&packet, std::time::Duration::ZERO);
                    book.see(&packet, std::time::Duration::from_millis(1));
                }
            }

            /// Random transport bytes behind a real IPv4 or IPv6 header: the UDP and ICMP
            /// paths of the book are reached too (random bytes alone rarely make an IP
            /// header that reads).
            #[test]
            fn any_transport_behind_a_real_ip_header_is_followed_without_a_panic(
                v6 in any::<bool>(),
                protocol in prop_oneof![Just(PROTO_TCP), Just(PROTO_UDP), Just(1u8), Just(58u8)],
                body in proptest::collection::vec(any::<u8>(), 0..160),
            ) {
                let frame = if v6 {
                    let mut frame = vec![0u8; 12];
                    frame.extend([0x86, 0xdd]);
                    let length = body.len() as u16;
                    frame.extend([0x60, 0, 0, 0, (length >> 8) as u8, length as u8, protocol, 64]);
                    frame.extend(std::net::Ipv6Addr::LOCALHOST.octets());
                    frame.extend(std::net::Ipv6Addr::LOCALHOST.octets());
                    frame.extend(&body);
                    frame
                } else {
                    ethernet_v4(protocol, &body)
                };
                let mut book = Conversations::new();
                for at in 0..3u64 {
                    if let Some(packet) = read(Link::Ethernet, &frame) {
                        book.see(&packet, std::time::Duration::from_millis(at));
                    }
                }
            }

            /// The same with a real IPv4/TCP header in front of random header fields.
            #[test]
            fn any_tcp_header_is_followed_without_a_panic(
                fields in proptest::collection::vec(any::<u8>(), 20..60),
                payload in proptest::collection::vec(any::<u8>(), 0..20),
            ) {
                let mut tcp = fields.clone();
                tcp.extend(&payload);
                let frame = ethernet_v4(PROTO_TCP, &tcp);
                let mut book = Conversations::new();
                for at in 0..3u64 {
                    if let Some(packet) = read(Link::Ethernet, &frame) {
                        book.see(&packet, std::time::Duration::from_millis(at));
                    }
                }
            }
        }
    }

    #[test]
    fn flags_are_written_as_tcpdump_writes_them() {
        let f = |bits| Flags(bits).letters().to_string();
        assert_eq!(f(Flags::SYN | Flags::ACK), "S.");
        assert_eq!(f(Flags::PSH | Flags::ACK), "P.");
        assert_eq!(f(Flags::FIN | Flags::ACK), "F.");
        assert_eq!(f(Flags::RST | Flags::ACK), "R.");
        assert_eq!(f(Flags::RST), "R");
        assert_eq!(f(Flags::FIN | Flags::PSH | Flags::ACK), "FP.");
        assert_eq!(f(0), "none");
    }

    #[test]
    fn a_udp_datagram_and_the_port_unreachable_about_it() {
        let mut udp = vec![0xc3, 0x50, 0x23, 0x28, 0, 13, 0, 0];
        udp.extend(b"hello");
        let frame = ethernet_v4(PROTO_UDP, &udp);
        let packet = read(Link::Ethernet, &frame).unwrap_or_else(|| panic!("unread"));
        assert_eq!(
            packet.body,
            Body::Udp(Datagram {
                length: 5,
                payload: b"hello"
            })
        );
        // The error quotes the datagram's IP header and payload.
        let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
        icmp.extend(&frame[14..]);
        let error = ethernet_v4(PROTO_ICMP, &icmp);
        let packet = read(Link::Ethernet, &error).unwrap_or_else(|| panic!("unread"));
        let Body::IcmpError {
            transport,
            from,
            to,
            ..
        } = packet.body
        else {
            panic!("not an error")
        };
        assert_eq!(transport, Transport::Udp);
        assert_eq!(from, SocketAddr::from(([127, 0, 0, 1], 50000)));
        assert_eq!(to, SocketAddr::from(([127, 0, 0, 2], 9000)));
    }

    #[test]
    fn ethernet_padding_is_not_payload_and_cut_frames_do_not_panic() {
        let mut frame = ethernet_v4(PROTO_UDP, &[0xc3, 0x50, 0x23, 0x28, 0, 8, 0, 0]);
        frame.extend([0u8; 18]); // padded to 60 bytes
        let packet = read(Link::Ethernet, &frame).unwrap_or_else(|| panic!("unread"));
        assert_eq!(
            packet.body,
            Body::Udp(Datagram {
                length: 0,
                payload: b""
            })
        );
        let whole = ethernet_v4(PROTO_TCP, &syn());
        for end in 0..whole.len() {
            let _ = read(Link::Ethernet, &whole[..end]);
            let _ = read(Link::Raw, &whole[14..end.max(14)]);
        }
    }

    #[test]
    fn ipv6_on_a_cooked_link_reads_past_a_hop_by_hop_header() {
        let mut frame = vec![0u8; 14];
        frame.extend([0x86, 0xdd]);
        let udp = [0xc3, 0x50, 0x23, 0x28, 0, 9, 0, 0, b'x'];
        let payload = (8 + udp.len()) as u16;
        frame.extend([0x60, 0, 0, 0, (payload >> 8) as u8, payload as u8, 0, 64]);
        frame.extend(std::net::Ipv6Addr::LOCALHOST.octets());
        frame.extend(std::net::Ipv6Addr::LOCALHOST.octets());
        frame.extend([PROTO_UDP, 0, 0, 0, 0, 0, 0, 0]);
        frame.extend(udp);
        let packet = read(Link::Cooked, &frame).unwrap_or_else(|| panic!("unread"));
        assert_eq!(
            packet.destination,
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 9000))
        );
        assert!(is_v6(&packet.source));
        assert_eq!(dotted(packet.destination).to_string(), "::1.9000");
    }
}
