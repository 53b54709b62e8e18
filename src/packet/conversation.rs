//! What each captured packet means in a socket lesson: a state machine per TCP connection
//! (the handshake, data, acknowledgements, the close, resets, a SYN sent again, a full
//! receive window, retransmissions and duplicate ACKs by Wireshark's rules) and a book per
//! UDP pair (datagrams, and the ICMP port unreachable that answers one to a closed port).
//! It says only what the packets show: a SYN sent again means no answer came, not why.
//! Pure: packets and their times in, meanings and counts out; no I/O.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::SocketAddr;
use std::time::Duration;

use super::frame::{Body, Datagram, Flags, Packet, Segment, Transport};
use super::icmp::{IcmpError, Reason};

/// The most connections and UDP pairs followed at once; past it, ended ones are forgotten
/// first, and a new one that still does not fit is shown without a meaning.
pub const MOST_FOLLOWED: usize = 100_000;

/// How soon after the furthest segment one behind it counts as out of order when the
/// handshake's time is not known (Wireshark's default).
const OUT_OF_ORDER_WITHOUT_RTT: Duration = Duration::from_millis(3);

/// A side of a conversation: the client sent the first SYN (or, for a connection already
/// open when the capture began, the side with the higher port is taken as the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Client,
    Server,
}

impl Role {
    fn index(self) -> usize {
        match self {
            Role::Client => 0,
            Role::Server => 1,
        }
    }

    pub fn other(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }
}

/// What one packet means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// Handshake 1/3: the client asks to connect.
    Connect,
    /// The same SYN again: the client's kernel had no answer it took.
    ConnectAgain {
        /// 2 for the first resend.
        attempt: u32,
        /// Since the first SYN, and since the one before.
        since_first: Duration,
        since_last: Duration,
        /// A SYN/ACK was seen before it (so an answer came, and the client did not take it).
        answered: bool,
    },
    /// Handshake 2/3: the server's kernel accepts.
    Accept,
    /// The server's SYN/ACK again: it did not get (or did not keep) the client's ACK;
    /// `acked` when that ACK was seen (the client's connect() has returned).
    AcceptAgain { attempt: u32, acked: bool },
    /// The client's ACK of the SYN/ACK again, answering the SYN/ACK sent again (for the
    /// client the connection was open already).
    ConnectedAgain,
    /// Handshake 3/3: connected; the handshake took this long (SYN to this ACK), when the
    /// SYN was captured.
    Connected { handshake: Option<Duration> },
    /// New bytes from one side: how many, and where they sit in its stream (first byte 1).
    Data { bytes: usize, first: u32 },
    /// Bytes sent before, sent again (Wireshark's rule: the segment starts behind the next
    /// byte expected); `new` of them, at its end, go past what was sent before.
    Retransmission {
        bytes: usize,
        first: u32,
        new: usize,
    },
    /// Bytes behind later ones, soon after them (Wireshark's rule: within the handshake's
    /// time, else 3 ms, of the furthest segment, and not a repeat of it): reordered on the
    /// way rather than sent again.
    OutOfOrder { bytes: usize, first: u32 },
    /// The peer acknowledges bytes up to (not including) `upto`: `bytes` of them new.
    Ack { upto: u32, bytes: u64 },
    /// An ACK that acknowledges nothing new and is no duplicate by Wireshark's rules.
    Plain,
    /// The same ACK again while data is missing: the `count`th duplicate.
    DupAck { count: u32, waiting_for: u32 },
    /// The sender's receive window is zero: its buffer is full.
    ZeroWindow,
    /// One byte sent into a zero window, to learn when it opens.
    ZeroWindowProbe,
    /// The window opens again after being zero (its new size in bytes, scaled; `None` when
    /// the scale was set in a handshake not seen).
    WindowOpen { window: Option<u64> },
    /// The window changed, nothing else did.
    WindowUpdate { window: Option<u64> },
    /// An empty segment one byte behind: is the peer still there?
    KeepAlive,
    /// A FIN: this side closed (`first`) or closed too; `bytes` it carried.
    Close { first: bool, bytes: usize },
    /// The same FIN again.
    CloseAgain,
    /// The ACK of the first FIN: the peer's kernel took it (its recv() returns 0 after the
    /// data).
    CloseAcked,
    /// The ACK of the second FIN: closed; the side that closed first waits in TIME_WAIT, both
    /// do (`both_wait`) when the FINs crossed (a simultaneous close).
    Closed { time_wait: Role, both_wait: bool },
    /// A reset answering a SYN: nothing listens on the port.
    Refused { port: u16 },
    /// A reset during the handshake that does not acknowledge the SYN: the client's kernel
    /// drops it (RFC 9293 §3.10.7.3).
    StrayReset,
    /// A reset on an open connection; `after_close` when its sender had sent its FIN.
    Reset { after_close: bool },
    /// The first packet of a connection that was open before the capture began.
    Midstream,
    /// A UDP datagram of this many bytes.
    Datagram { bytes: usize },
    /// An ICMP port unreachable about a datagram: nothing listens on that port.
    PortUnreachable {
        transport: Transport,
        address: SocketAddr,
    },
    /// Another ICMP error about a datagram of a watched port.
    Icmp { error: IcmpError },
    /// More conversations than netkit follows at once: shown, not explained.
    Untracked,
}

/// A lesson told once where it first shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The first data of a connection: TCP keeps no message boundaries.
    ByteStream,
    /// A segment of the receiver's full MSS: a larger write goes out in pieces.
    FullSegment { mss: u16 },
    /// Bytes before this segment were not seen (lost, or not captured).
    Gap { missing: u32 },
    /// The first datagram of a UDP pair: one sendto() is one datagram.
    WholeDatagram,
    /// The first packet of a connection open before the capture began, when it says more
    /// than that (a FIN).
    Midstream,
}

/// One packet's place in its conversation: the conversation's number (#1, #2, ... in the
/// order first seen), which side sent it, its sequence numbers relative to each side's first
/// (tcpdump's relative numbers: the SYN is 0, the first byte 1), and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub number: Option<usize>,
    pub from: Option<Role>,
    pub seq: u32,
    pub ack: u32,
    /// The receive window in bytes (the field scaled by the sender's window scale, once
    /// both sides offered one in the handshake).
    pub window: Option<u64>,
    pub meaning: Meaning,
    pub notes: Vec<Note>,
}

/// How a connection ended, as far as the packets show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// A reset answered the SYN.
    Refused,
    /// A reset from this side.
    Reset { by: Role },
    /// FIN from `first`; `both` once the other closed too; `done` once the last FIN is
    /// acknowledged.
    Closing { first: Role, both: bool, done: bool },
}

/// One direction's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sent {
    /// Every segment, the handshake's and the bare ACKs included.
    pub segments: u64,
    /// The segments that carried payload (sent again or not).
    pub data_segments: u64,
    /// New payload bytes (retransmitted ones counted once).
    pub bytes: u64,
    pub retransmitted: u64,
}

/// A TCP connection as the summary shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub number: usize,
    pub client: SocketAddr,
    pub server: SocketAddr,
    /// Whether the SYN was seen (else the roles are guessed by port).
    pub roles_known: bool,
    /// SYN to the handshake's last ACK (Wireshark's iRTT).
    pub handshake: Option<Duration>,
    /// A SYN/ACK was seen.
    pub accepted: bool,
    /// The handshake's last ACK was seen (whether or not it could be timed).
    pub connected: bool,
    /// How many times the client sent its SYN.
    pub syns: u32,
    /// Client to server, then server to client.
    pub sent: [Sent; 2],
    pub end: Option<End>,
    /// The FINs crossed (a simultaneous close): both sides wait in TIME_WAIT.
    pub closed_at_once: bool,
}

/// A UDP pair as the summary shows it: `a` sent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpPair {
    pub number: usize,
    pub a: SocketAddr,
    pub b: SocketAddr,
    /// Datagrams and bytes a to b, then b to a.
    pub sent: [(u64, u64); 2],
    /// ICMP port unreachables about the pair's datagrams.
    pub unreachable: u64,
}

/// One side of a TCP connection.
#[derive(Debug, Clone, Default)]
struct Side {
    address: Option<SocketAddr>,
    /// Its first sequence number (relative 0): the SYN's, or one before the first seen.
    base: Option<u32>,
    /// The next sequence number expected from it (after its highest byte, SYN or FIN).
    next: Option<u32>,
    /// When `next` last moved on.
    next_at: Duration,
    /// The last ACK it sent (of the other side's stream), and the window with it.
    acked: Option<u32>,
    window: Option<u16>,
    wscale: Option<u8>,
    mss: Option<u16>,
    dup_acks: u32,
    /// The byte its latest probe of a zero window carried at the next number (the receiver
    /// drops it; sent with the rest once the window opens, it is not "sent again").
    probe_byte: Option<u32>,
    /// The sequence number its FIN occupies.
    fin: Option<u32>,
    fin_acked: bool,
    syns: u32,
    first_syn: Duration,
    last_syn: Duration,
    spoke: bool,
    sent: Sent,
}

#[derive(Debug, Clone)]
struct Tcp {
    number: usize,
    sides: [Side; 2],
    roles_known: bool,
    /// Both sides offered a window scale in the handshake, so it applies.
    scaled: bool,
    /// The SYN/ACK was seen, so whether windows are scaled is known.
    scale_known: bool,
    /// Both FINs were sent before either was acknowledged.
    crossed: bool,
    syn_at: Option<Duration>,
    handshake: Option<Duration>,
    accepted: bool,
    /// The handshake's last ACK was seen (timed or not: its SYN may not have been captured).
    connected: bool,
    /// A full-size segment was noted (told once).
    full_noted: bool,
    end: Option<End>,
}

#[derive(Debug, Clone)]
struct Udp {
    number: usize,
    a: SocketAddr,
    b: SocketAddr,
    sent: [(u64, u64); 2],
    unreachable: u64,
}

/// A conversation's two endpoints in a fixed order.
type Key = (SocketAddr, SocketAddr);

/// Conversations by their endpoints, the one seen last held apart: a burst is one
/// conversation's packets one after another (both directions share the key), and those
/// find theirs with a comparison, no hashing. Another conversation's packet moves the
/// held one back into the table.
struct Book<V> {
    table: HashMap<Key, V, BuildHasherDefault<Quick>>,
    last: Option<(Key, V)>,
}

impl<V> Default for Book<V> {
    fn default() -> Book<V> {
        Book {
            table: HashMap::default(),
            last: None,
        }
    }
}

impl<V> Book<V> {
    fn len(&self) -> usize {
        self.table.len() + usize::from(self.last.is_some())
    }

    /// The conversation of `key`, held apart from now on.
    fn get_mut(&mut self, key: &Key) -> Option<&mut V> {
        let held = matches!(&self.last, Some((last, _)) if last == key);
        if !held {
            let found = self.table.remove(key)?;
            if let Some((last, value)) = self.last.take() {
                self.table.insert(last, value);
            }
            self.last = Some((*key, found));
        }
        self.last.as_mut().map(|(_, value)| value)
    }

    fn remove(&mut self, key: &Key) -> Option<V> {
        match &self.last {
            Some((last, _)) if last == key => self.last.take().map(|(_, value)| value),
            _ => self.table.remove(key),
        }
    }

    /// A new conversation, held apart as the latest.
    fn insert(&mut self, key: Key, value: V) -> &mut V {
        if let Some((last, held)) = self.last.take() {
            self.table.insert(last, held);
        }
        &mut self.last.insert((key, value)).1
    }

    fn values(&self) -> impl Iterator<Item = &V> {
        self.table
            .values()
            .chain(self.last.iter().map(|(_, value)| value))
    }

    fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.table.retain(|_, value| keep(value));
        if self.last.as_ref().is_some_and(|(_, value)| !keep(value)) {
            self.last = None;
        }
    }
}

/// The multiply-and-rotate hash rustc uses for its own tables: one lookup per packet of a
/// burst is most of watch's own cost with SipHash (measured: 1.7x tcpdump -w's CPU against
/// 1.3x with this). Not proof against chosen collisions, which could only slow the book
/// down: it holds at most `MOST_FOLLOWED` conversations.
#[derive(Default)]
struct Quick(u64);

impl Quick {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Quick {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut rest = [0u8; 8];
        let tail = chunks.remainder();
        rest[..tail.len()].copy_from_slice(tail);
        self.add(u64::from_le_bytes(rest) ^ tail.len() as u64);
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The key of a conversation: its two endpoints in a fixed order.
fn key(one: SocketAddr, other: SocketAddr) -> Key {
    if one <= other {
        (one, other)
    } else {
        (other, one)
    }
}

/// Whether `a` comes after `b` in sequence space (RFC 1982 arithmetic).
fn after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// Every conversation seen, in the order first seen.
#[derive(Default)]
pub struct Conversations {
    tcp: Book<Tcp>,
    /// Ended connections whose ports a new connection took: kept for the summary.
    replaced: Vec<Tcp>,
    udp: Book<Udp>,
    /// Conversations numbered so far.
    numbered: usize,
    /// Ended connections forgotten to make room, and conversations never followed.
    pub forgotten: u64,
    pub untracked: u64,
    /// New conversations to turn away before the next sweep of a full book.
    skip_sweeps: u32,
}

impl Conversations {
    pub fn new() -> Conversations {
        Conversations::default()
    }

    /// What `packet`, seen `at` (since the capture's first packet), means.
    pub fn see(&mut self, packet: &Packet<'_>, at: Duration) -> Seen {
        match packet.body {
            Body::Tcp(segment) => self.tcp(packet.source, packet.destination, &segment, at),
            Body::Udp(datagram) => self.datagram(packet.source, packet.destination, &datagram),
            Body::IcmpError {
                error,
                transport,
                from,
                to,
                ..
            } => self.icmp(error, transport, from, to),
        }
    }

    fn next_number(&mut self) -> usize {
        self.numbered += 1;
        self.numbered
    }

    /// Whether a new conversation fits, forgetting ended connections when it would not.
    fn room(&mut self) -> bool {
        if self.tcp.len() + self.udp.len() + self.replaced.len() < MOST_FOLLOWED {
            return true;
        }
        // A sweep is a pass over the whole table: after one that freed too little, the next
        // waits for 1,024 more new conversations (a flood would else sweep per packet).
        if self.skip_sweeps > 0 {
            self.skip_sweeps -= 1;
            return false;
        }
        self.forgotten += self.replaced.len() as u64;
        self.replaced = Vec::new();
        let before = self.tcp.len();
        self.tcp.retain(|c| {
            !matches!(
                c.end,
                Some(End::Refused | End::Reset { .. } | End::Closing { done: true, .. })
            )
        });
        self.forgotten += (before - self.tcp.len()) as u64;
        let fits = self.tcp.len() + self.udp.len() < MOST_FOLLOWED;
        if !fits {
            self.skip_sweeps = 1024;
        }
        fits
    }

    fn untracked(&mut self) -> Seen {
        self.untracked += 1;
        Seen {
            number: None,
            from: None,
            seq: 0,
            ack: 0,
            window: None,
            meaning: Meaning::Untracked,
            notes: Vec::new(),
        }
    }

    fn tcp(
        &mut self,
        source: SocketAddr,
        destination: SocketAddr,
        s: &Segment,
        at: Duration,
    ) -> Seen {
        let k = key(source, destination);
        let is_syn = s.flags.has(Flags::SYN) && !s.flags.has(Flags::ACK);
        // One lookup, unless the ports are used again.
        if let Some(c) = self.tcp.get_mut(&k) {
            let client = &c.sides[0];
            // A SYN's number is fixed for its connection: another one on these ports starts
            // a new connection, whether or not the old one's end was seen; so does any SYN
            // on a connection caught midstream.
            let reused = is_syn
                && (!c.roles_known
                    || client.address == Some(source)
                        && client.base.is_some_and(|base| base != s.seq));
            if !reused {
                let from = if client.address == Some(source) {
                    Role::Client
                } else {
                    Role::Server
                };
                return c.segment(from, s, at);
            }
            if let Some(old) = self.tcp.remove(&k) {
                self.replaced.push(old);
            }
        }
        if !self.room() {
            return self.untracked();
        }
        let number = self.next_number();
        // Without the SYN, the side on the lower port is taken as the server.
        let (client, server) = if is_syn || source.port() > destination.port() {
            (source, destination)
        } else {
            (destination, source)
        };
        let mut c = Tcp {
            number,
            sides: [Side::default(), Side::default()],
            roles_known: is_syn,
            scaled: false,
            scale_known: false,
            crossed: false,
            syn_at: None,
            handshake: None,
            connected: false,
            full_noted: false,
            accepted: false,
            end: None,
        };
        c.sides[0].address = Some(client);
        c.sides[1].address = Some(server);
        let from = if client == source {
            Role::Client
        } else {
            Role::Server
        };
        self.tcp.insert(k, c).segment(from, s, at)
    }

    fn datagram(&mut self, source: SocketAddr, destination: SocketAddr, d: &Datagram) -> Seen {
        let k = key(source, destination);
        if let Some(pair) = self.udp.get_mut(&k) {
            return pair.count(source, d, Vec::new());
        }
        if !self.room() {
            return self.untracked();
        }
        let number = self.next_number();
        self.udp
            .insert(
                k,
                Udp {
                    number,
                    a: source,
                    b: destination,
                    sent: [(0, 0); 2],
                    unreachable: 0,
                },
            )
            .count(source, d, vec![Note::WholeDatagram])
    }

    fn icmp(
        &mut self,
        error: IcmpError,
        transport: Transport,
        from: SocketAddr,
        to: SocketAddr,
    ) -> Seen {
        let k = key(from, to);
        let meaning = match error {
            IcmpError::Unreachable(u) if u.reason() == Reason::PortUnreach => {
                Meaning::PortUnreachable {
                    transport,
                    address: to,
                }
            }
            _ => Meaning::Icmp { error },
        };
        let port_unreachable = matches!(meaning, Meaning::PortUnreachable { .. });
        let number = match transport {
            Transport::Udp => self.udp.get_mut(&k).map(|pair| {
                if port_unreachable {
                    pair.unreachable += 1;
                }
                pair.number
            }),
            Transport::Tcp => self.tcp.get_mut(&k).map(|c| c.number),
        };
        Seen {
            number,
            from: None,
            seq: 0,
            ack: 0,
            window: None,
            meaning,
            notes: Vec::new(),
        }
    }

    /// The TCP connections, in the order first seen.
    pub fn connections(&self) -> Vec<Connection> {
        let mut all: Vec<Connection> = self
            .tcp
            .values()
            .chain(&self.replaced)
            .map(Tcp::summary)
            .collect();
        all.sort_by_key(|c| c.number);
        all
    }

    /// The UDP pairs, in the order first seen.
    pub fn udp_pairs(&self) -> Vec<UdpPair> {
        let mut all: Vec<UdpPair> = self
            .udp
            .values()
            .map(|u| UdpPair {
                number: u.number,
                a: u.a,
                b: u.b,
                sent: u.sent,
                unreachable: u.unreachable,
            })
            .collect();
        all.sort_by_key(|p| p.number);
        all
    }
}

impl Udp {
    /// One datagram of the pair, from `source`.
    fn count(&mut self, source: SocketAddr, d: &Datagram, notes: Vec<Note>) -> Seen {
        let (from, way) = if self.a == source {
            (Role::Client, 0)
        } else {
            (Role::Server, 1)
        };
        self.sent[way].0 += 1;
        self.sent[way].1 += d.length as u64;
        Seen {
            number: Some(self.number),
            from: Some(from),
            seq: 0,
            ack: 0,
            window: None,
            meaning: Meaning::Datagram { bytes: d.length },
            notes,
        }
    }
}

impl Tcp {
    fn summary(&self) -> Connection {
        let address = |side: &Side| side.address.unwrap_or(super::frame::NOWHERE);
        Connection {
            number: self.number,
            client: address(&self.sides[0]),
            server: address(&self.sides[1]),
            roles_known: self.roles_known,
            handshake: self.handshake,
            accepted: self.accepted,
            connected: self.connected,
            syns: self.sides[0].syns,
            sent: [self.sides[0].sent, self.sides[1].sent],
            end: self.end,
            closed_at_once: self.crossed,
        }
    }

    fn window_bytes(&self, from: Role, window: u16) -> u64 {
        let shift = if self.scaled {
            self.sides[from.index()].wscale.unwrap_or(0).min(14)
        } else {
            0
        };
        u64::from(window) << shift
    }

    /// One segment from `from`: the books updated, and what it means.
    fn segment(&mut self, from: Role, s: &Segment, at: Duration) -> Seen {
        let (me, other) = (from.index(), from.other().index());
        let flags = s.flags;
        let syn = flags.has(Flags::SYN);
        let fin = flags.has(Flags::FIN);
        let rst = flags.has(Flags::RST);
        let has_ack = flags.has(Flags::ACK);
        let first_packet = !self.sides[0].spoke && !self.sides[1].spoke;
        self.sides[me].spoke = true;
        self.sides[me].sent.segments += 1;
        if s.length > 0 {
            self.sides[me].sent.data_segments += 1;
        }

        // Relative numbers: a side's base is its SYN's sequence number, or one before the
        // first byte seen of a connection already open.
        if syn {
            if self.sides[me].base.is_none() {
                self.sides[me].base = Some(s.seq);
                self.sides[me].wscale = s.options.wscale;
                self.sides[me].mss = s.options.mss;
            }
        } else if self.sides[me].base.is_none() && !rst {
            self.sides[me].base = Some(s.seq.wrapping_sub(1));
        }
        if has_ack && self.sides[other].base.is_none() && !syn {
            self.sides[other].base = Some(s.ack.wrapping_sub(1));
        }
        let base = self.sides[me].base.unwrap_or(s.seq);
        let rel_seq = s.seq.wrapping_sub(base);
        let rel_ack = if has_ack {
            s.ack.wrapping_sub(self.sides[other].base.unwrap_or(s.ack))
        } else {
            0
        };
        // Known only from both halves: without the client's SYN, whether it offered a scale
        // is not seen, and the windows stay unknown as midstream.
        if syn && has_ack && !self.scale_known && self.sides[0].syns > 0 {
            self.scaled = self.sides[0].wscale.is_some() && s.options.wscale.is_some();
            self.scale_known = true;
        }
        // A SYN's window is never scaled (RFC 7323 2.2), the SYN/ACK's included; without the
        // handshake the scale is not known, nor so the window in bytes.
        let window = if syn {
            Some(u64::from(s.window))
        } else if self.scale_known {
            Some(self.window_bytes(from, s.window))
        } else {
            None
        };
        let number = self.number;
        let seen = |meaning: Meaning, notes: Vec<Note>| Seen {
            number: Some(number),
            from: Some(from),
            seq: rel_seq,
            ack: rel_ack,
            window,
            meaning,
            notes,
        };

        if rst {
            // A reset answers a SYN when it acknowledges exactly the SYN (RFC 9293 §3.10.7.3),
            // not a late segment of an earlier connection on the same ports.
            let in_handshake = !self.accepted && from == Role::Server && self.sides[0].syns > 0;
            let answers_syn = self.sides[0]
                .base
                .is_some_and(|isn| has_ack && s.ack == isn.wrapping_add(1));
            if in_handshake && !answers_syn {
                return seen(Meaning::StrayReset, Vec::new());
            }
            let refused = in_handshake;
            let after_close = self.sides[me].fin.is_some();
            if self.end.is_none() || matches!(self.end, Some(End::Closing { .. })) {
                self.end = Some(if refused {
                    End::Refused
                } else {
                    End::Reset { by: from }
                });
            }
            let address = self.sides[me].address.unwrap_or(super::frame::NOWHERE);
            let meaning = if refused {
                Meaning::Refused {
                    port: address.port(),
                }
            } else {
                Meaning::Reset { after_close }
            };
            return seen(meaning, Vec::new());
        }

        if syn && !has_ack {
            let side = &mut self.sides[me];
            side.syns += 1;
            // The handshake is timed from the latest SYN (Wireshark's iRTT does the same): the
            // one that was answered.
            self.syn_at = Some(at);
            let meaning = if side.syns == 1 {
                side.first_syn = at;
                Meaning::Connect
            } else {
                let since_last = at.saturating_sub(side.last_syn);
                side.sent.retransmitted += 1;
                Meaning::ConnectAgain {
                    attempt: side.syns,
                    since_first: at.saturating_sub(side.first_syn),
                    since_last,
                    answered: self.accepted,
                }
            };
            side.last_syn = at;
            side.next = Some(s.seq.wrapping_add(1));
            return seen(meaning, Vec::new());
        }
        if syn {
            let side = &mut self.sides[me];
            side.syns += 1;
            side.next = Some(s.seq.wrapping_add(1));
            side.acked = Some(s.ack);
            side.window = Some(s.window);
            let meaning = if side.syns == 1 {
                self.accepted = true;
                Meaning::Accept
            } else {
                side.sent.retransmitted += 1;
                Meaning::AcceptAgain {
                    attempt: side.syns,
                    acked: self.connected,
                }
            };
            return seen(meaning, Vec::new());
        }

        let mut notes = Vec::new();
        // Where this segment's bytes sit against what this side sent before.
        let length = s.length as u32;
        let end = s.seq.wrapping_add(length);
        let expected = self.sides[me].next;
        // Starts behind the next byte expected: sent before, at least in part (the byte a
        // zero-window probe carried aside).
        let only_the_probe_byte = self.sides[me].probe_byte == Some(s.seq)
            && expected == Some(s.seq.wrapping_add(1))
            && length > 1;
        let old_bytes = match expected {
            Some(next) if length > 0 => after(next, s.seq) && !only_the_probe_byte,
            _ => false,
        };
        let keep_alive = match expected {
            Some(next) => length <= 1 && !fin && s.seq == next.wrapping_sub(1),
            None => false,
        };
        // A probe of a zero window: one byte sent at the expected number, or again one
        // behind it; Linux probes with an empty segment one byte behind (what would
        // otherwise look like a keep-alive).
        let probe = self.sides[other].window == Some(0)
            && expected.is_some_and(|next| {
                (length == 1 && (s.seq == next || s.seq == next.wrapping_sub(1)))
                    || (length == 0 && !fin && s.seq == next.wrapping_sub(1))
            });
        if probe && length == 1 && expected == Some(s.seq) {
            self.sides[me].probe_byte = Some(s.seq);
        }
        if let Some(next) = expected
            && length > 0
            && after(s.seq, next)
        {
            notes.push(Note::Gap {
                missing: s.seq.wrapping_sub(next),
            });
        }
        // New bytes: counted once.
        let new_bytes = match expected {
            Some(next) if after(end, next) => {
                if after(s.seq, next) {
                    length
                } else {
                    end.wrapping_sub(next)
                }
            }
            Some(_) => 0,
            None => length,
        };
        // Wireshark's out-of-order segment: behind the furthest one, soon after it, and
        // not a repeat of it.
        let threshold = self.handshake.unwrap_or(OUT_OF_ORDER_WITHOUT_RTT);
        let out_of_order = old_bytes
            && !keep_alive
            && !probe
            && expected.is_some_and(|next| next != end && !after(end, next))
            && at.saturating_sub(self.sides[me].next_at) < threshold;
        let fin_end = if fin { end.wrapping_add(1) } else { end };
        if expected.is_none_or(|next| after(fin_end, next)) {
            self.sides[me].next = Some(fin_end);
            self.sides[me].next_at = at;
        }
        // The summary counts how far the stream went: bytes of a gap were sent too, and
        // when they show up later (sent again) they are not new.
        let gap = match expected {
            Some(next) if length > 0 && after(s.seq, next) => s.seq.wrapping_sub(next),
            _ => 0,
        };
        self.sides[me].sent.bytes += u64::from(new_bytes) + u64::from(gap);
        if old_bytes && !keep_alive && !probe && !out_of_order {
            self.sides[me].sent.retransmitted += 1;
        }

        // What its ACK says about the other side's stream.
        let previous_ack = self.sides[me].acked;
        let previous_window = self.sides[me].window;
        let ack_advanced = has_ack && previous_ack.is_none_or(|a| after(s.ack, a));
        let acked_new = match previous_ack {
            Some(a) if ack_advanced => u64::from(s.ack.wrapping_sub(a)),
            // This side's first ACK seen (midstream): new are the other's bytes seen.
            // An ACK behind the first byte seen (a late one) acknowledges none of them.
            None if has_ack => self.sides[other].base.map_or(0, |b| {
                let first = b.wrapping_add(1);
                if after(s.ack, first) {
                    u64::from(s.ack.wrapping_sub(first))
                } else {
                    0
                }
            }),
            _ => 0,
        };
        if has_ack {
            if ack_advanced {
                self.sides[me].acked = Some(s.ack);
            }
            self.sides[me].window = Some(s.window);
        }
        let acks_fin = has_ack
            && self.sides[other]
                .fin
                .is_some_and(|f| s.ack == f.wrapping_add(1));
        let fin_newly_acked = acks_fin && !self.sides[other].fin_acked;
        if acks_fin {
            self.sides[other].fin_acked = true;
        }

        // The handshake's last ACK.
        if self.accepted
            && !self.connected
            && from == Role::Client
            && has_ack
            && self.sides[1]
                .base
                .is_some_and(|b| s.ack == b.wrapping_add(1))
        {
            let took = self.syn_at.map(|syn| at.saturating_sub(syn));
            self.handshake = took;
            self.connected = true;
            if length == 0 && !fin {
                self.sides[me].dup_acks = 0;
                return seen(Meaning::Connected { handshake: took }, notes);
            }
        }

        // A connection caught open; its first packet's FIN is still a close, said as one
        // (with the note that the roles are guessed), or the close would read backwards.
        if first_packet && !self.roles_known {
            if !fin {
                return seen(Meaning::Midstream, notes);
            }
            notes.push(Note::Midstream);
        }

        if fin {
            let side_fin = self.sides[me].fin;
            if side_fin.is_some_and(|f| f == end) {
                // A bare FIN sent again (one with bytes was counted with them).
                if length == 0 {
                    self.sides[me].sent.retransmitted += 1;
                }
                return seen(Meaning::CloseAgain, notes);
            }
            self.sides[me].fin = Some(end);
            let first = !matches!(self.end, Some(End::Closing { .. }));
            // The second FIN sent before the first was acknowledged: a simultaneous close,
            // after which both sides wait in TIME_WAIT.
            if !first && !self.sides[other].fin_acked {
                self.crossed = true;
            }
            self.end = match self.end {
                Some(End::Closing { first: who, .. }) => Some(End::Closing {
                    first: who,
                    both: true,
                    done: false,
                }),
                None => Some(End::Closing {
                    first: from,
                    both: false,
                    done: false,
                }),
                other => other,
            };
            if new_bytes > 0 {
                self.note_data(from, &mut notes, s.length);
            }
            return seen(
                Meaning::Close {
                    first,
                    bytes: new_bytes as usize,
                },
                notes,
            );
        }

        if length > 0 {
            if probe {
                return seen(Meaning::ZeroWindowProbe, notes);
            }
            if keep_alive {
                return seen(Meaning::KeepAlive, notes);
            }
            if out_of_order {
                return seen(
                    Meaning::OutOfOrder {
                        bytes: s.length,
                        first: rel_seq,
                    },
                    notes,
                );
            }
            if old_bytes {
                return seen(
                    Meaning::Retransmission {
                        bytes: s.length,
                        first: rel_seq,
                        new: new_bytes as usize,
                    },
                    notes,
                );
            }
            self.note_data(from, &mut notes, s.length);
            self.sides[me].dup_acks = 0;
            return seen(
                Meaning::Data {
                    bytes: new_bytes as usize,
                    first: end.wrapping_sub(new_bytes).wrapping_sub(base),
                },
                notes,
            );
        }

        // An empty segment.
        if probe {
            return seen(Meaning::ZeroWindowProbe, notes);
        }
        if keep_alive {
            return seen(Meaning::KeepAlive, notes);
        }
        if fin_newly_acked
            && let Some(End::Closing {
                first, both: true, ..
            }) = self.end
            && self.sides[first.index()].fin_acked
            && self.sides[first.other().index()].fin_acked
        {
            self.end = Some(End::Closing {
                first,
                both: true,
                done: true,
            });
            return seen(
                Meaning::Closed {
                    time_wait: first,
                    both_wait: self.crossed,
                },
                notes,
            );
        }
        if fin_newly_acked {
            self.sides[me].dup_acks = 0;
            return seen(Meaning::CloseAcked, notes);
        }
        if s.window == 0 {
            return seen(Meaning::ZeroWindow, notes);
        }
        // An ACK behind the first byte seen of a connection caught midstream says nothing
        // about the bytes seen.
        let behind = self.sides[other].base.is_some_and(|b| !after(s.ack, b));
        if ack_advanced && !behind {
            self.sides[me].dup_acks = 0;
            let upto = s.ack.wrapping_sub(self.sides[other].base.unwrap_or(0));
            if previous_window == Some(0) {
                return seen(Meaning::WindowOpen { window }, notes);
            }
            return seen(
                Meaning::Ack {
                    upto,
                    bytes: acked_new,
                },
                notes,
            );
        }
        if previous_window == Some(0) {
            return seen(Meaning::WindowOpen { window }, notes);
        }
        // The client acknowledging the SYN/ACK once more: the answer to one sent again.
        if from == Role::Client
            && self.connected
            && self.sides[1].syns > 1
            && self.sides[1]
                .base
                .is_some_and(|b| s.ack == b.wrapping_add(1))
        {
            return seen(Meaning::ConnectedAgain, notes);
        }
        // Wireshark's duplicate ACK: empty, window unchanged and not zero, the same ACK as
        // before, at the expected sequence number, no SYN, FIN or RST.
        if has_ack
            && previous_ack == Some(s.ack)
            && previous_window == Some(s.window)
            && expected == Some(s.seq)
            && self.sides[other].next.is_some_and(|n| after(n, s.ack))
        {
            self.sides[me].dup_acks += 1;
            return seen(
                Meaning::DupAck {
                    count: self.sides[me].dup_acks,
                    waiting_for: rel_ack,
                },
                notes,
            );
        }
        if has_ack && previous_window.is_some_and(|w| w != s.window) && previous_ack == Some(s.ack)
        {
            return seen(Meaning::WindowUpdate { window }, notes);
        }
        seen(Meaning::Plain, notes)
    }

    /// The lessons data first shows: no message boundaries, and a full-size segment.
    fn note_data(&mut self, from: Role, notes: &mut Vec<Note>, length: usize) {
        // Once per connection, with its first data.
        let sent = self.sides[0].sent.bytes + self.sides[1].sent.bytes;
        if sent == length as u64 {
            notes.push(Note::ByteStream);
        }
        // The receiver announced the MSS it takes; a full segment is that less the
        // options each segment carries (at most 40 bytes).
        if let Some(mss) = self.sides[from.other().index()].mss
            && !self.full_noted
            && length <= usize::from(mss)
            && length + 40 >= usize::from(mss)
            && length >= 536
        {
            notes.push(Note::FullSegment { mss });
            self.full_noted = true;
        }
    }
}

#[cfg(test)]
mod tests;
