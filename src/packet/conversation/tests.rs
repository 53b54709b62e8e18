//! The state machine of `watch` on recorded lesson exchanges (the pcap files under
//! tests/fixtures/watch, made by record.sh there) and on hand-built edge cases.

use super::*;
use crate::packet::frame::{self, Link, Options};
use Meaning::*;
use Role::{Client, Server};

/// A pcap file's link type and its records: the time since the first, and the frame.
struct Capture {
    link: Link,
    records: Vec<(Duration, &'static [u8])>,
}

/// Reads a classic pcap file: the 24-byte header (microsecond or nanosecond magic, either
/// byte order), then 16-byte record headers each before its frame.
fn pcap(bytes: &'static [u8]) -> Capture {
    let magic = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let (little, nanos) = match magic {
        0xa1b2_c3d4 => (true, false),
        0xd4c3_b2a1 => (false, false),
        0xa1b2_3c4d => (true, true),
        0x4d3c_b2a1 => (false, true),
        other => panic!("not a pcap file: magic {other:#x}"),
    };
    let word = |at: usize| {
        let four = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        if little {
            u32::from_le_bytes(four)
        } else {
            u32::from_be_bytes(four)
        }
    };
    let dlt = word(20) as i32;
    let link = Link::from_dlt(dlt).unwrap_or_else(|| panic!("link type {dlt} unread"));
    let mut records = Vec::new();
    let mut at = 24;
    let mut first = None;
    while at + 16 <= bytes.len() {
        let (secs, fraction, kept) = (word(at), word(at + 4), word(at + 8) as usize);
        let time = Duration::new(
            u64::from(secs),
            if nanos { fraction } else { fraction * 1000 },
        );
        let start = *first.get_or_insert(time);
        let frame = &bytes[at + 16..at + 16 + kept];
        records.push((time - start, frame));
        at += 16 + kept;
    }
    assert_eq!(at, bytes.len(), "a record runs past the file's end");
    Capture { link, records }
}

/// Each frame of a recording read and seen, in order.
fn replay(bytes: &'static [u8]) -> (Conversations, Vec<(Duration, Packet<'static>, Seen)>) {
    let capture = pcap(bytes);
    let mut conversations = Conversations::new();
    let mut seen = Vec::new();
    for (at, bytes) in capture.records {
        let packet = frame::read(capture.link, bytes)
            .unwrap_or_else(|| panic!("frame at {at:?} unread: {bytes:02x?}"));
        let said = conversations.see(&packet, at);
        seen.push((at, packet, said));
    }
    (conversations, seen)
}

macro_rules! fixture {
    ($name:literal) => {
        replay(include_bytes!(concat!(
            "../../../tests/fixtures/watch/",
            $name,
            ".pcap"
        )))
    };
}

/// Who said what, packet by packet.
fn said(seen: &[(Duration, Packet<'static>, Seen)]) -> Vec<(Option<Role>, Meaning)> {
    seen.iter().map(|(_, _, s)| (s.from, s.meaning)).collect()
}

/// The meanings of one side's packets.
fn from(seen: &[(Duration, Packet<'static>, Seen)], role: Role) -> Vec<Meaning> {
    said(seen)
        .into_iter()
        .filter(|(from, _)| *from == Some(role))
        .map(|(_, meaning)| meaning)
        .collect()
}

/// The seed lesson's exchange, over IPv4 or IPv6: the handshake, "hello" and "HELLO", the
/// server closing first.
fn assert_seed_exchange(conversations: &Conversations, seen: &[(Duration, Packet<'static>, Seen)]) {
    let handshake = seen[2].0 - seen[0].0;
    assert_eq!(
        said(seen),
        vec![
            (Some(Client), Connect),
            (Some(Server), Accept),
            (
                Some(Client),
                Connected {
                    handshake: Some(handshake)
                }
            ),
            (Some(Client), Data { bytes: 5, first: 1 }),
            (Some(Server), Ack { upto: 6, bytes: 5 }),
            (Some(Server), Data { bytes: 5, first: 1 }),
            (Some(Client), Ack { upto: 6, bytes: 5 }),
            (
                Some(Server),
                Close {
                    first: true,
                    bytes: 0
                }
            ),
            (
                Some(Client),
                Close {
                    first: false,
                    bytes: 0
                }
            ),
            (
                Some(Server),
                Closed {
                    time_wait: Server,
                    both_wait: false
                }
            ),
        ]
    );
    assert!(seen.iter().all(|(_, _, s)| s.number == Some(1)));
    // The data's lesson is told once per connection, with its first bytes.
    assert_eq!(seen[3].2.notes, vec![Note::ByteStream]);
    assert!(seen[5].2.notes.is_empty());
    // tcpdump's relative numbers: the client's FIN at 6 acknowledging the server's at 6.
    assert_eq!((seen[8].2.seq, seen[8].2.ack), (6, 7));
    let connections = conversations.connections();
    assert_eq!(connections.len(), 1);
    let c = &connections[0];
    assert_eq!(c.server.port(), 9000);
    assert_eq!(c.client.ip(), c.server.ip());
    assert!(c.roles_known);
    assert_eq!(c.handshake, Some(handshake));
    assert_eq!(c.syns, 1);
    let sent = |segments, bytes| Sent {
        segments,
        data_segments: 1,
        bytes,
        retransmitted: 0,
    };
    // Client: SYN, ACK, "hello", ACK, FIN; server: SYN/ACK, ACK, "HELLO", FIN, ACK.
    assert_eq!(c.sent, [sent(5, 5), sent(5, 5)]);
    assert_eq!(
        c.end,
        Some(End::Closing {
            first: Server,
            both: true,
            done: true
        })
    );
    assert!(conversations.udp_pairs().is_empty());
}

#[test]
fn the_seed_exchange_is_handshake_data_close_and_time_wait_on_the_server() {
    let (conversations, seen) = fixture!("handshake_data_close");
    assert_seed_exchange(&conversations, &seen);
}

#[test]
fn the_seed_exchange_over_ipv6_reads_the_same() {
    let (conversations, seen) = fixture!("ipv6_exchange");
    assert!(frame::is_v6(&seen[0].1.source));
    assert_seed_exchange(&conversations, &seen);
}

#[test]
fn a_file_written_with_watchs_headers_reads_back_with_its_link_and_nanoseconds() {
    // What watch --pcap writes: its file header, then a record header before each frame.
    for (dlt, link) in [(1, Link::Ethernet), (12, Link::Raw)] {
        let frame = [0u8; 60];
        let mut file = frame::pcap_file_header(dlt, 262_144).to_vec();
        for (seconds, nanos) in [(100, 5), (101, 999_999_999)] {
            file.extend(frame::pcap_record_header(seconds, nanos, 60, 60));
            file.extend(frame);
        }
        let read = pcap(Box::leak(file.into_boxed_slice()));
        assert_eq!(read.link, link);
        let times: Vec<Duration> = read.records.iter().map(|(at, _)| *at).collect();
        assert_eq!(
            times,
            [Duration::ZERO, Duration::new(1, 999_999_994)],
            "dlt {dlt}"
        );
    }
}

#[test]
fn a_syn_and_syn_ack_window_is_not_scaled() {
    // RFC 7323: the window of a SYN or SYN/ACK is never scaled; tcpdump shows 65483.
    let (_, seen) = fixture!("handshake_data_close");
    assert_eq!(
        (seen[0].2.window, seen[1].2.window),
        (Some(65495), Some(65483))
    );
    // After the handshake both offered scale 10: "win 64" is 64 KiB.
    assert_eq!(seen[2].2.window, Some(64 << 10));
}

#[test]
fn a_connect_to_a_closed_port_is_refused_by_a_reset() {
    let (conversations, seen) = fixture!("refused");
    assert_eq!(
        said(&seen),
        vec![
            (Some(Client), Connect),
            (Some(Server), Refused { port: 9001 })
        ]
    );
    let c = &conversations.connections()[0];
    assert_eq!((c.handshake, c.end), (None, Some(End::Refused)));
}

#[test]
fn a_datagram_to_a_closed_port_gets_a_port_unreachable() {
    let (conversations, seen) = fixture!("udp_closed_port");
    let port = "127.0.0.1:9002".parse().unwrap_or(frame::NOWHERE);
    assert_eq!(
        said(&seen),
        vec![
            (Some(Client), Meaning::Datagram { bytes: 7 }),
            (
                None,
                PortUnreachable {
                    transport: Transport::Udp,
                    address: port
                }
            ),
        ]
    );
    assert_eq!(seen[0].2.notes, vec![Note::WholeDatagram]);
    // The error belongs to the pair of the datagram it quotes.
    assert_eq!(seen[1].2.number, Some(1));
    let pairs = conversations.udp_pairs();
    assert_eq!(pairs.len(), 1);
    assert_eq!((pairs[0].b, pairs[0].sent), (port, [(1, 7), (0, 0)]));
    assert_eq!(pairs[0].unreachable, 1);
    assert!(conversations.connections().is_empty());
}

#[test]
fn a_datagram_to_a_closed_ipv6_port_gets_an_icmpv6_port_unreachable() {
    let (conversations, seen) = fixture!("udp_closed_port_v6");
    let port = "[::1]:9002".parse().unwrap_or(frame::NOWHERE);
    assert_eq!(
        said(&seen),
        vec![
            (Some(Client), Meaning::Datagram { bytes: 7 }),
            (
                None,
                PortUnreachable {
                    transport: Transport::Udp,
                    address: port
                }
            ),
        ]
    );
    assert_eq!(seen[1].2.number, Some(1));
    assert_eq!(conversations.udp_pairs()[0].unreachable, 1);
}

#[test]
fn a_udp_echo_is_datagrams_each_way_in_one_pair() {
    let (conversations, seen) = fixture!("udp_exchange");
    assert_eq!(
        said(&seen),
        vec![
            (Some(Client), Meaning::Datagram { bytes: 4 }),
            (Some(Server), Meaning::Datagram { bytes: 4 }),
            (Some(Client), Meaning::Datagram { bytes: 15 }),
            (Some(Server), Meaning::Datagram { bytes: 15 }),
        ]
    );
    let notes: Vec<_> = seen.iter().map(|(_, _, s)| s.notes.len()).collect();
    assert_eq!(notes, vec![1, 0, 0, 0]);
    let pairs = conversations.udp_pairs();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].b.port(), 9003);
    assert_eq!(pairs[0].sent, [(2, 19), (2, 19)]);
    assert_eq!(pairs[0].unreachable, 0);
}

#[test]
fn three_quick_writes_go_out_in_fewer_segments() {
    // Recorded with delayed ACKs: Nagle held "two" while "one" was unacknowledged, and
    // "three" joined it in the segment that also carries the FIN (then sent again).
    let (conversations, seen) = fixture!("three_quick_writes");
    let client = from(&seen, Client);
    let carrying: Vec<usize> = client
        .iter()
        .filter_map(|m| match *m {
            Data { bytes, .. } | Close { bytes, .. } if bytes > 0 => Some(bytes),
            _ => None,
        })
        .collect();
    assert!(carrying.len() < 3, "{client:?}");
    assert_eq!(carrying.iter().sum::<usize>(), 11, "{client:?}");
    assert_eq!(
        client,
        vec![
            Connect,
            Connected {
                handshake: Some(seen[2].0)
            },
            Data { bytes: 3, first: 1 },
            Close {
                first: true,
                bytes: 8
            },
            CloseAgain,
            Closed {
                time_wait: Client,
                both_wait: false
            },
        ]
    );
    assert_eq!(
        from(&seen, Server),
        vec![
            Accept,
            CloseAcked,
            Close {
                first: false,
                bytes: 0
            }
        ]
    );
    let c = &conversations.connections()[0];
    assert_eq!((c.sent[0].bytes, c.sent[0].retransmitted), (11, 1));
}

#[test]
fn a_full_accept_queue_makes_the_clients_send_their_syn_again() {
    // listen(1), never accept(): two connections complete in the kernel, the other two
    // clients' SYNs get no answer and are sent again (about a second apart here).
    let (conversations, seen) = fixture!("backlog_full");
    let connections = conversations.connections();
    assert_eq!(connections.len(), 4);
    for c in &connections[..2] {
        assert!(c.handshake.is_some(), "{c:?}");
        assert_eq!(c.syns, 1);
        // The client closed after its timeout; the listener's close reset the connection.
        assert_eq!(c.end, Some(End::Reset { by: Server }));
    }
    for c in &connections[2..] {
        assert_eq!((c.handshake, c.end), (None, None), "{c:?}");
        assert_eq!(c.syns, 4);
        assert_eq!(c.sent[0].retransmitted, 3);
    }
    for number in [3, 4] {
        let again: Vec<(u32, Duration, Duration)> = seen
            .iter()
            .filter(|(_, _, s)| s.number == Some(number))
            .filter_map(|(_, _, s)| match s.meaning {
                ConnectAgain {
                    attempt,
                    since_first,
                    since_last,
                    answered,
                } => {
                    assert!(!answered, "no SYN/ACK came to these");
                    Some((attempt, since_first, since_last))
                }
                _ => None,
            })
            .collect();
        let attempts: Vec<u32> = again.iter().map(|a| a.0).collect();
        assert_eq!(attempts, vec![2, 3, 4], "#{number}");
        let (_, since_first, since_last) = again[0];
        assert_eq!(since_first, since_last);
        assert!(
            since_last > Duration::from_millis(900) && since_last < Duration::from_millis(1500),
            "#{number}: {since_last:?}"
        );
        assert!(again[2].1 > again[1].1 && again[1].1 > again[0].1);
        let answered = seen
            .iter()
            .any(|(_, _, s)| s.number == Some(number) && s.from == Some(Server));
        assert!(!answered, "#{number}");
    }
}

#[test]
fn a_receiver_that_does_not_read_closes_its_window_and_is_probed() {
    let (conversations, seen) = fixture!("zero_window");
    let meanings: Vec<Meaning> = said(&seen).into_iter().map(|(_, m)| m).collect();
    let zero = meanings.iter().position(|m| *m == ZeroWindow);
    let probe = meanings.iter().position(|m| *m == ZeroWindowProbe);
    let open = meanings.iter().position(|m| matches!(m, WindowOpen { .. }));
    let (Some(zero), Some(probe), Some(open)) = (zero, probe, open) else {
        panic!("{meanings:?}")
    };
    assert!(zero < probe && probe < open, "{meanings:?}");
    // Linux probes with an empty segment one byte behind: a probe, not a keep-alive.
    assert!(!meanings.contains(&KeepAlive), "{meanings:?}");
    assert_eq!(seen[probe].2.from, Some(Client));
    assert_eq!(seen[zero].2.from, Some(Server));
    assert_eq!(seen[open].2.meaning, WindowOpen { window: Some(2048) });
    // Every probe falls between the window closing and opening.
    let probes: Vec<usize> = (0..meanings.len())
        .filter(|&i| meanings[i] == ZeroWindowProbe)
        .collect();
    assert_eq!(probes.len(), 3, "{meanings:?}");
    assert!(probes.iter().all(|&i| zero < i && i < open));
    assert!(matches!(meanings[open + 1], Data { bytes: 2048, .. }));
    let c = &conversations.connections()[0];
    assert_eq!((c.sent[0].bytes, c.sent[0].retransmitted), (20_000, 0));
    assert_eq!(
        meanings.last(),
        Some(&Closed {
            time_wait: Client,
            both_wait: false
        })
    );
}

#[test]
fn a_server_closing_with_unread_bytes_resets_the_connection() {
    let (conversations, seen) = fixture!("server_closes_unread");
    assert_eq!(
        said(&seen)[3..],
        [
            (
                Some(Client),
                Data {
                    bytes: 12,
                    first: 1
                }
            ),
            (
                Some(Server),
                Ack {
                    upto: 13,
                    bytes: 12
                }
            ),
            (Some(Server), Reset { after_close: false }),
        ]
    );
    let c = &conversations.connections()[0];
    assert_eq!(c.end, Some(End::Reset { by: Server }));
}

#[test]
fn bytes_sent_after_the_peer_closed_are_answered_by_a_reset() {
    let (conversations, seen) = fixture!("close_then_data");
    assert_eq!(
        said(&seen)[3..],
        [
            (Some(Client), Data { bytes: 5, first: 1 }),
            (Some(Server), Ack { upto: 6, bytes: 5 }),
            (
                Some(Server),
                Close {
                    first: true,
                    bytes: 0
                }
            ),
            (Some(Client), CloseAcked),
            (
                Some(Client),
                Data {
                    bytes: 15,
                    first: 6
                }
            ),
            (Some(Server), Reset { after_close: true }),
        ]
    );
    let c = &conversations.connections()[0];
    assert_eq!(c.end, Some(End::Reset { by: Server }));
}

#[test]
fn a_gbk_payload_is_four_bytes_of_data() {
    let (_, seen) = fixture!("gbk_payload");
    assert_eq!(seen[3].2.meaning, Data { bytes: 4, first: 1 });
    let Body::Tcp(segment) = seen[3].1.body else {
        panic!("not tcp")
    };
    assert_eq!(segment.payload, &[0xc4, 0xe3, 0xba, 0xc3]);
    assert_eq!(
        from(&seen, Server)[1..],
        [
            Ack { upto: 5, bytes: 4 },
            Close {
                first: true,
                bytes: 0
            },
            Closed {
                time_wait: Server,
                both_wait: false
            }
        ]
    );
}

// Hand-built edge cases.

const CLIENT: &str = "127.0.0.1:50000";
const SERVER: &str = "127.0.0.1:9000";

/// A hand-built exchange between CLIENT and SERVER, a millisecond per packet.
struct Wire {
    conversations: Conversations,
    at: Duration,
    client: SocketAddr,
    server: SocketAddr,
}

impl Wire {
    fn new() -> Wire {
        Wire {
            conversations: Conversations::new(),
            at: Duration::ZERO,
            client: CLIENT.parse().unwrap_or(frame::NOWHERE),
            server: SERVER.parse().unwrap_or(frame::NOWHERE),
        }
    }

    /// One segment from `role`: flags, absolute seq and ack, window, payload length.
    fn send(
        &mut self,
        role: Role,
        flags: u8,
        seq: u32,
        ack: u32,
        window: u16,
        length: usize,
    ) -> Seen {
        let (source, destination) = match role {
            Client => (self.client, self.server),
            Server => (self.server, self.client),
        };
        let syn = flags & Flags::SYN != 0;
        let packet = Packet {
            source,
            destination,
            body: Body::Tcp(Segment {
                seq,
                ack,
                flags: Flags(flags),
                window,
                options: Options {
                    mss: syn.then_some(65495),
                    ..Options::default()
                },
                length,
                payload: &[],
            }),
        };
        let seen = self.conversations.see(&packet, self.at);
        self.at += Duration::from_millis(1);
        seen
    }

    /// SYN, SYN/ACK, ACK with these first sequence numbers.
    fn handshake(&mut self, client_isn: u32, server_isn: u32) {
        let ack = Flags::ACK;
        assert_eq!(
            self.send(Client, Flags::SYN, client_isn, 0, 65495, 0)
                .meaning,
            Connect
        );
        let accept = self.send(
            Server,
            Flags::SYN | ack,
            server_isn,
            client_isn.wrapping_add(1),
            65483,
            0,
        );
        assert_eq!(accept.meaning, Accept);
        let connected = self.send(
            Client,
            ack,
            client_isn.wrapping_add(1),
            server_isn.wrapping_add(1),
            512,
            0,
        );
        assert!(
            matches!(connected.meaning, Connected { .. }),
            "{connected:?}"
        );
    }
}

const A: u8 = Flags::ACK;
const PA: u8 = Flags::PSH | Flags::ACK;
const FA: u8 = Flags::FIN | Flags::ACK;

#[test]
fn a_data_segment_sent_again_is_a_retransmission_counted_once() {
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    assert_eq!(
        w.send(Client, PA, 1001, 5001, 512, 100).meaning,
        Data {
            bytes: 100,
            first: 1
        }
    );
    let again = w.send(Client, PA, 1001, 5001, 512, 100);
    assert_eq!(
        again.meaning,
        Retransmission {
            bytes: 100,
            first: 1,
            new: 0
        }
    );
    assert_eq!(
        w.send(Server, A, 5001, 1101, 512, 0).meaning,
        Ack {
            upto: 101,
            bytes: 100
        }
    );
    let c = &w.conversations.connections()[0];
    assert_eq!(
        c.sent[0],
        Sent {
            segments: 4,
            data_segments: 2,
            bytes: 100,
            retransmitted: 1
        }
    );
    assert_eq!(c.sent[1].retransmitted, 0);
}

#[test]
fn the_same_ack_while_bytes_are_missing_is_a_duplicate_ack_counted() {
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    assert_eq!(
        w.send(Client, PA, 1001, 5001, 512, 100).meaning,
        Data {
            bytes: 100,
            first: 1
        }
    );
    assert_eq!(
        w.send(Server, A, 5001, 1101, 512, 0).meaning,
        Ack {
            upto: 101,
            bytes: 100
        }
    );
    // 1101..1201 is lost; the three after it each draw the same ACK.
    let mut dups = Vec::new();
    for n in 0..3u32 {
        let data = w.send(Client, PA, 1201 + n * 100, 5001, 512, 100);
        if n == 0 {
            assert_eq!(data.notes, vec![Note::Gap { missing: 100 }]);
        }
        dups.push(w.send(Server, A, 5001, 1101, 512, 0).meaning);
    }
    assert_eq!(
        dups,
        (1..=3)
            .map(|count| DupAck {
                count,
                waiting_for: 101
            })
            .collect::<Vec<_>>()
    );
    // The missing bytes sent again, then acknowledged with the rest.
    assert_eq!(
        w.send(Client, PA, 1101, 5001, 512, 100).meaning,
        Retransmission {
            bytes: 100,
            first: 101,
            new: 0
        }
    );
    assert_eq!(
        w.send(Server, A, 5001, 1501, 512, 0).meaning,
        Ack {
            upto: 501,
            bytes: 400
        }
    );
    // An ACK of the same number with nothing missing is no duplicate.
    assert_eq!(w.send(Server, A, 5001, 1501, 512, 0).meaning, Plain);
    // The stream went 500 bytes: the missing 100 count once, their resend as a resend.
    let c = &w.conversations.connections()[0];
    assert_eq!((c.sent[0].bytes, c.sent[0].retransmitted), (500, 1));
}

#[test]
fn a_connection_first_seen_midstream_takes_the_lower_port_as_the_server() {
    let mut w = Wire::new();
    let first = w.send(Client, PA, 7_000_000, 9_000_000, 512, 10);
    assert_eq!(
        (first.meaning, first.from, first.seq),
        (Midstream, Some(Client), 1)
    );
    assert_eq!(
        w.send(Server, A, 9_000_000, 7_000_010, 512, 0).meaning,
        Ack {
            upto: 11,
            bytes: 10
        }
    );
    let next = w.send(Client, PA, 7_000_010, 9_000_000, 512, 5);
    assert_eq!(
        next.meaning,
        Data {
            bytes: 5,
            first: 11
        }
    );
    let c = &w.conversations.connections()[0];
    assert!(!c.roles_known);
    assert_eq!((c.client, c.server), (w.client, w.server));
    assert_eq!(c.handshake, None);

    // Seen first from the server's side: still the lower port is the server.
    let mut w = Wire::new();
    let first = w.send(Server, PA, 100, 200, 512, 10);
    assert_eq!((first.meaning, first.from), (Midstream, Some(Server)));
    let c = &w.conversations.connections()[0];
    assert_eq!((c.client, c.server), (w.client, w.server));
}

#[test]
fn sequence_numbers_wrap_around_two_to_the_32() {
    let mut w = Wire::new();
    let isn = u32::MAX - 5;
    w.handshake(isn, 40);
    // The bytes 1..=20 sit at u32::MAX-4 ..= 15: across the wrap.
    let data = w.send(Client, PA, isn.wrapping_add(1), 41, 512, 20);
    assert_eq!(
        (data.meaning, data.seq),
        (
            Data {
                bytes: 20,
                first: 1
            },
            1
        )
    );
    let ack = w.send(Server, A, 41, isn.wrapping_add(21), 512, 0);
    assert_eq!(
        (ack.meaning, ack.ack),
        (
            Ack {
                upto: 21,
                bytes: 20
            },
            21
        )
    );
    assert_eq!(
        w.send(Client, PA, isn.wrapping_add(1), 41, 512, 20).meaning,
        Retransmission {
            bytes: 20,
            first: 1,
            new: 0
        }
    );
    assert_eq!(
        w.send(Client, PA, isn.wrapping_add(21), 41, 512, 10)
            .meaning,
        Data {
            bytes: 10,
            first: 21
        }
    );
    let fin = isn.wrapping_add(31);
    assert_eq!(
        w.send(Client, FA, fin, 41, 512, 0).meaning,
        Close {
            first: true,
            bytes: 0
        }
    );
    assert_eq!(
        w.send(Server, FA, 41, fin.wrapping_add(1), 512, 0).meaning,
        Close {
            first: false,
            bytes: 0
        }
    );
    assert_eq!(
        w.send(Client, A, fin.wrapping_add(1), 42, 512, 0).meaning,
        Closed {
            time_wait: Client,
            both_wait: false
        }
    );
    let c = &w.conversations.connections()[0];
    assert_eq!((c.sent[0].bytes, c.sent[0].retransmitted), (30, 1));
}

#[test]
fn a_new_syn_on_the_ports_of_a_closed_connection_starts_another() {
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    w.send(Client, FA, 1001, 5001, 512, 0);
    w.send(Server, FA, 5001, 1002, 512, 0);
    assert_eq!(
        w.send(Client, A, 1002, 5002, 512, 0).meaning,
        Closed {
            time_wait: Client,
            both_wait: false
        }
    );
    // The same client port again, another first sequence number.
    let syn = w.send(Client, Flags::SYN, 777_000, 0, 65495, 0);
    assert_eq!((syn.meaning, syn.number), (Connect, Some(2)));
    let accept = w.send(Server, Flags::SYN | A, 888_000, 777_001, 65483, 0);
    assert_eq!(
        (accept.meaning, accept.number, accept.ack),
        (Accept, Some(2), 1)
    );
    let connections = w.conversations.connections();
    assert_eq!(connections.len(), 2);
    assert_eq!(connections[1].syns, 1);
    assert_eq!(connections[1].end, None);
}

#[test]
fn a_syn_ack_sent_again_is_an_accept_again() {
    let mut w = Wire::new();
    assert_eq!(
        w.send(Client, Flags::SYN, 1000, 0, 65495, 0).meaning,
        Connect
    );
    assert_eq!(
        w.send(Server, Flags::SYN | A, 5000, 1001, 65483, 0).meaning,
        Accept
    );
    let again = w.send(Server, Flags::SYN | A, 5000, 1001, 65483, 0);
    assert_eq!(
        again.meaning,
        AcceptAgain {
            attempt: 2,
            acked: false
        }
    );
    let connected = w.send(Client, A, 1001, 5001, 512, 0);
    assert_eq!(
        connected.meaning,
        Connected {
            handshake: Some(Duration::from_millis(3))
        }
    );
    let c = &w.conversations.connections()[0];
    assert_eq!(c.sent[1].retransmitted, 1);
}

#[test]
fn a_handshake_ack_dropped_by_a_firewall_draws_the_syn_ack_again() {
    // record.sh dropped the client's pure ACKs for 1.3 s: the server's kernel sent its
    // SYN/ACK again after about a second; the client's data then completed the handshake.
    let (conversations, seen) = fixture!("syn_ack_again");
    let handshake = seen[2].0;
    assert_eq!(
        said(&seen)[..7],
        [
            (Some(Client), Connect),
            (Some(Server), Accept),
            (
                Some(Client),
                Connected {
                    handshake: Some(handshake)
                }
            ),
            (
                Some(Server),
                AcceptAgain {
                    attempt: 2,
                    acked: true
                }
            ),
            // The client's ACK of the SYN/ACK again: no duplicate ACK (nothing is missing).
            (Some(Client), ConnectedAgain),
            (Some(Client), Data { bytes: 5, first: 1 }),
            (Some(Server), Ack { upto: 6, bytes: 5 }),
        ]
    );
    let gap = seen[3].0 - seen[1].0;
    assert!(
        gap > Duration::from_millis(900) && gap < Duration::from_millis(1500),
        "{gap:?}"
    );
    assert_eq!(seen[3].2.window, Some(65483));
    let c = &conversations.connections()[0];
    assert_eq!((c.syns, c.sent[1].retransmitted), (1, 1));
    assert_eq!(
        said(&seen).last(),
        Some(&(
            Some(Server),
            Closed {
                time_wait: Server,
                both_wait: false
            }
        ))
    );
}

#[test]
fn an_empty_segment_one_byte_behind_is_a_keep_alive_unless_the_window_is_zero() {
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    assert_eq!(
        w.send(Client, PA, 1001, 5001, 512, 10).meaning,
        Data {
            bytes: 10,
            first: 1
        }
    );
    assert_eq!(
        w.send(Server, A, 5001, 1011, 512, 0).meaning,
        Ack {
            upto: 11,
            bytes: 10
        }
    );
    assert_eq!(w.send(Client, A, 1010, 5001, 512, 0).meaning, KeepAlive);
    assert_eq!(w.send(Server, A, 5001, 1011, 512, 0).meaning, Plain);
    // The server's buffer fills: the same kind of segment is now a probe.
    assert_eq!(
        w.send(Client, PA, 1011, 5001, 512, 100).meaning,
        Data {
            bytes: 100,
            first: 11
        }
    );
    assert_eq!(w.send(Server, A, 5001, 1111, 0, 0).meaning, ZeroWindow);
    assert_eq!(
        w.send(Client, A, 1110, 5001, 512, 0).meaning,
        ZeroWindowProbe
    );
    assert_eq!(w.send(Server, A, 5001, 1111, 0, 0).meaning, ZeroWindow);
    assert_eq!(
        w.send(Server, A, 5001, 1111, 300, 0).meaning,
        WindowOpen { window: Some(300) }
    );
    assert_eq!(
        w.send(Server, A, 5001, 1111, 400, 0).meaning,
        WindowUpdate { window: Some(400) }
    );
}

#[test]
fn a_one_byte_probe_of_a_zero_window_is_a_probe_and_no_retransmission() {
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    w.send(Client, PA, 1001, 5001, 512, 100);
    assert_eq!(w.send(Server, A, 5001, 1101, 0, 0).meaning, ZeroWindow);
    // The first probe carries the next byte, the later ones the same byte again.
    assert_eq!(
        w.send(Client, A, 1101, 5001, 512, 1).meaning,
        ZeroWindowProbe
    );
    assert_eq!(w.send(Server, A, 5001, 1101, 0, 0).meaning, ZeroWindow);
    assert_eq!(
        w.send(Client, A, 1101, 5001, 512, 1).meaning,
        ZeroWindowProbe
    );
    assert_eq!(
        w.send(Server, A, 5001, 1101, 300, 0).meaning,
        WindowOpen { window: Some(300) }
    );
    // Sent with the rest once the window opens: the probed byte is not new.
    assert_eq!(
        w.send(Client, PA, 1101, 5001, 512, 50).meaning,
        Data {
            bytes: 49,
            first: 102
        }
    );
    let c = &w.conversations.connections()[0];
    assert_eq!((c.sent[0].bytes, c.sent[0].retransmitted), (150, 0));
}

#[test]
fn a_new_syn_after_a_refused_connect_on_the_same_port_is_another_connection() {
    let mut w = Wire::new();
    assert_eq!(
        w.send(Client, Flags::SYN, 1000, 0, 65495, 0).meaning,
        Connect
    );
    let refused = w.send(Server, Flags::RST | A, 0, 1001, 0, 0);
    assert_eq!(refused.meaning, Refused { port: 9000 });
    let syn = w.send(Client, Flags::SYN, 3000, 0, 65495, 0);
    assert_eq!((syn.meaning, syn.number), (Connect, Some(2)));
    let ends: Vec<Option<End>> = w
        .conversations
        .connections()
        .iter()
        .map(|c| c.end)
        .collect();
    assert_eq!(ends, vec![Some(End::Refused), None]);
}

#[test]
fn bytes_behind_later_ones_soon_after_them_are_out_of_order_not_sent_again() {
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    // 1101..1201 is overtaken by 1201..1301, and comes 1 ms later: within the handshake's
    // 2 ms, and not a repeat of the furthest segment.
    w.send(Client, PA, 1001, 5001, 512, 100);
    let ahead = w.send(Client, PA, 1201, 5001, 512, 100);
    assert_eq!(ahead.notes, vec![Note::Gap { missing: 100 }]);
    assert_eq!(
        w.send(Client, PA, 1101, 5001, 512, 100).meaning,
        OutOfOrder {
            bytes: 100,
            first: 101
        }
    );
    let c = &w.conversations.connections()[0];
    assert_eq!((c.sent[0].bytes, c.sent[0].retransmitted), (300, 0));
}

#[test]
fn the_book_holds_the_last_conversation_apart_and_loses_none() {
    let mut book: Book<u32> = Book::default();
    let k = |port: u16| {
        key(
            SocketAddr::from(([127, 0, 0, 1], 9000)),
            SocketAddr::from(([127, 0, 0, 1], port)),
        )
    };
    *book.insert(k(1), 10) += 1;
    book.insert(k(2), 20);
    // Back and forth between the two: each found, the other kept.
    for _ in 0..3 {
        *book.get_mut(&k(1)).unwrap_or_else(|| panic!("1 lost")) += 1;
        *book.get_mut(&k(2)).unwrap_or_else(|| panic!("2 lost")) += 1;
    }
    assert_eq!(book.len(), 2);
    let mut values: Vec<u32> = book.values().copied().collect();
    values.sort_unstable();
    assert_eq!(values, vec![14, 23]);
    assert!(book.get_mut(&k(3)).is_none());
    book.retain(|v| *v != 23);
    assert_eq!((book.len(), book.remove(&k(1))), (1, Some(14)));
    assert_eq!(book.len(), 0);
}

// The review's cases.

#[test]
fn only_a_port_unreachable_counts_as_one_and_other_errors_keep_their_words() {
    use crate::packet::icmp::Unreachable;
    let mut book = Conversations::new();
    let (a, b): (SocketAddr, SocketAddr) = (
        "10.200.1.1:40000".parse().unwrap_or(frame::NOWHERE),
        "10.200.9.9:9000".parse().unwrap_or(frame::NOWHERE),
    );
    let datagram = Packet {
        source: a,
        destination: b,
        body: Body::Udp(frame::Datagram {
            length: 3,
            payload: b"abc",
        }),
    };
    book.see(&datagram, Duration::ZERO);
    let error = |code| Packet {
        source: SocketAddr::new("10.200.1.254".parse().unwrap_or(a.ip()), 0),
        destination: SocketAddr::new(a.ip(), 0),
        body: Body::IcmpError {
            error: IcmpError::Unreachable(Unreachable { v6: false, code }),
            transport: Transport::Udp,
            from: a,
            to: b,
            length: 39,
        },
    };
    // A router's host unreachable (code 1), then a port unreachable (code 3).
    let host = book.see(&error(1), Duration::from_millis(1));
    assert!(matches!(host.meaning, Icmp { .. }), "{host:?}");
    let port = book.see(&error(3), Duration::from_millis(2));
    assert!(matches!(port.meaning, PortUnreachable { .. }), "{port:?}");
    assert_eq!(book.udp_pairs()[0].unreachable, 1);
}

#[test]
fn a_reset_that_does_not_acknowledge_the_syn_is_no_refusal() {
    let mut w = Wire::new();
    w.send(Client, Flags::SYN, 1000, 0, 65495, 0);
    // A late segment of an earlier connection on these ports drew this reset.
    let stray = w.send(Server, Flags::RST | A, 0, 777, 0, 0);
    assert_eq!(stray.meaning, StrayReset);
    assert_eq!(w.conversations.connections()[0].end, None);
    let refused = w.send(Server, Flags::RST | A, 0, 1001, 0, 0);
    assert_eq!(refused.meaning, Refused { port: 9000 });
}

#[test]
fn a_syn_sent_again_after_an_answer_says_the_answer_came_and_the_handshake_counts_from_it() {
    let mut w = Wire::new();
    w.send(Client, Flags::SYN, 1000, 0, 65495, 0);
    w.send(Server, Flags::SYN | A, 5000, 1001, 65483, 0);
    // The SYN/ACK did not reach the client: its SYN again, 1 ms later here.
    let again = w.send(Client, Flags::SYN, 1000, 0, 65495, 0);
    assert!(
        matches!(again.meaning, ConnectAgain { answered: true, .. }),
        "{again:?}"
    );
    let answer = w.send(Server, Flags::SYN | A, 5000, 1001, 65483, 0);
    assert_eq!(
        answer.meaning,
        AcceptAgain {
            attempt: 2,
            acked: false
        }
    );
    // Timed from the latest SYN (at 2 ms) to this ACK (at 4 ms), as Wireshark's iRTT.
    let connected = w.send(Client, A, 1001, 5001, 512, 0);
    assert_eq!(
        connected.meaning,
        Connected {
            handshake: Some(Duration::from_millis(2))
        }
    );
}

#[test]
fn midstream_a_late_ack_is_no_wrapped_count_and_the_window_scale_is_unknown() {
    let mut w = Wire::new();
    // The capture begins with the server's data at 9000.
    w.send(Server, PA, 9000, 1001, 512, 100);
    // The client's ACK of earlier bytes, behind the first byte seen.
    let late = w.send(Client, A, 1001, 8000, 512, 0);
    assert_eq!(late.meaning, Plain);
    assert_eq!(late.window, None);
    let update = w.send(Client, A, 1001, 8000, 600, 0);
    assert_eq!(update.meaning, WindowUpdate { window: None });
}

#[test]
fn fins_that_cross_leave_both_sides_in_time_wait() {
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    let first = w.send(Client, FA, 1001, 5001, 512, 0);
    assert_eq!(
        first.meaning,
        Close {
            first: true,
            bytes: 0
        }
    );
    // The server's FIN leaves before the client's arrives: it does not acknowledge it.
    let second = w.send(Server, FA, 5001, 1001, 512, 0);
    assert_eq!(
        second.meaning,
        Close {
            first: false,
            bytes: 0
        }
    );
    assert_eq!(w.send(Server, A, 5002, 1002, 512, 0).meaning, CloseAcked);
    assert_eq!(
        w.send(Client, A, 1002, 5002, 512, 0).meaning,
        Closed {
            time_wait: Client,
            both_wait: true
        }
    );
    assert!(w.conversations.connections()[0].closed_at_once);
}

#[test]
fn a_full_book_turns_new_conversations_away_without_sweeping_each_time() {
    let mut book = Conversations::new();
    let to: SocketAddr = SERVER.parse().unwrap_or(frame::NOWHERE);
    let datagram = |i: usize| Packet {
        source: SocketAddr::from(([10, (i >> 16) as u8, (i >> 8) as u8, i as u8], 40000)),
        destination: to,
        body: Body::Udp(frame::Datagram {
            length: 0,
            payload: b"",
        }),
    };
    for i in 0..MOST_FOLLOWED {
        book.see(&datagram(i), Duration::ZERO);
    }
    assert_eq!(book.untracked, 0);
    for i in MOST_FOLLOWED..MOST_FOLLOWED + 3000 {
        assert_eq!(book.see(&datagram(i), Duration::ZERO).meaning, Untracked);
    }
    assert_eq!(book.untracked, 3000);
    // A sweep (which frees nothing: UDP pairs never end), then 1,024 turned away without
    // one, and so on: sweeps at the 1st, 1,026th and 2,051st; 949 of the next 1,024 used.
    assert_eq!(book.skip_sweeps, 1024 - 949);
    assert_eq!(book.udp_pairs().len(), MOST_FOLLOWED);
}

#[test]
fn another_syn_on_an_open_connection_whose_close_was_missed_starts_a_new_one() {
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    w.send(Client, PA, 1001, 5001, 512, 10);
    // The close was not captured; the client's port is used again with a new ISN.
    let syn = w.send(Client, Flags::SYN, 90_000, 0, 65495, 0);
    assert_eq!((syn.meaning, syn.number), (Connect, Some(2)));
    // A SYN on a connection caught midstream starts one too.
    let mut m = Wire::new();
    m.send(Server, PA, 9000, 1001, 512, 100);
    let syn = m.send(Client, Flags::SYN, 777, 0, 65495, 0);
    assert_eq!((syn.meaning, syn.number), (Connect, Some(2)));
}

#[test]
fn a_capture_begun_after_the_syn_connects_once_with_no_time_and_no_window_guessed() {
    let mut w = Wire::new();
    assert_eq!(
        w.send(Server, Flags::SYN | A, 5000, 1001, 65483, 0).meaning,
        Accept
    );
    let connected = w.send(Client, A, 1001, 5001, 512, 0);
    assert_eq!(connected.meaning, Connected { handshake: None });
    // Whether the client offered a window scale is not seen: no window in bytes.
    assert_eq!(connected.window, None);
    // Later ACKs of the SYN/ACK are not the handshake again.
    let update = w.send(Client, A, 1001, 5001, 600, 0);
    assert_ne!(update.meaning, Connected { handshake: None });
    assert_eq!(
        w.send(Server, Flags::SYN | A, 5000, 1001, 65483, 0).meaning,
        AcceptAgain {
            attempt: 2,
            acked: true
        }
    );
    assert_eq!(w.conversations.connections()[0].handshake, None);
}

#[test]
fn a_capture_begun_on_a_fin_says_the_close_in_its_order() {
    let mut w = Wire::new();
    let first = w.send(Client, FA, 7_000_000, 9_000_000, 512, 0);
    assert_eq!(
        first.meaning,
        Close {
            first: true,
            bytes: 0
        }
    );
    assert_eq!(first.notes, vec![Note::Midstream]);
    assert_eq!(
        w.send(Server, A, 9_000_000, 7_000_001, 512, 0).meaning,
        CloseAcked
    );
    assert_eq!(
        w.send(Server, FA, 9_000_000, 7_000_001, 512, 0).meaning,
        Close {
            first: false,
            bytes: 0
        }
    );
    assert_eq!(
        w.send(Client, A, 7_000_001, 9_000_001, 512, 0).meaning,
        Closed {
            time_wait: Client,
            both_wait: false
        }
    );
}

#[test]
fn a_full_size_segment_is_noted_once_per_connection() {
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    let first = w.send(Client, PA, 1001, 5001, 512, 65_483);
    assert!(first.notes.contains(&Note::FullSegment { mss: 65495 }));
    let second = w.send(Client, PA, 1001 + 65_483, 5001, 512, 65_483);
    assert!(matches!(second.meaning, Data { .. }));
    assert!(second.notes.is_empty(), "{:?}", second.notes);
}

#[test]
fn a_segment_overlapping_bytes_sent_before_is_sent_again_with_its_new_bytes() {
    // Wireshark's rule: a segment that starts behind the next byte expected is a
    // retransmission, also when it carries new bytes past it (Linux collapses
    // retransmissions so).
    let mut w = Wire::new();
    w.handshake(1000, 5000);
    assert_eq!(
        w.send(Client, PA, 1001, 5001, 512, 100).meaning,
        Data {
            bytes: 100,
            first: 1
        }
    );
    w.at += Duration::from_millis(200);
    assert_eq!(
        w.send(Client, PA, 1051, 5001, 512, 100).meaning,
        Retransmission {
            bytes: 100,
            first: 51,
            new: 50
        }
    );
    // A FIN sent again is a retransmission too.
    w.send(Client, FA, 1151, 5001, 512, 0);
    w.at += Duration::from_millis(200);
    assert_eq!(w.send(Client, FA, 1151, 5001, 512, 0).meaning, CloseAgain);
    let c = &w.conversations.connections()[0];
    assert_eq!(c.sent[0].bytes, 150);
    assert_eq!(c.sent[0].retransmitted, 2);
}
