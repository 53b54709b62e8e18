//! `netkit send`: the client for echo endpoints and for the servers students write. Each
//! message is one exchange: send, wait for the reply (bounded by --timeout), print it with its
//! round-trip time. One file per job: messages.rs (MESSAGE arguments, repeated with --count),
//! interactive.rs (stdin lines, and whatever arrives when it arrives), measure.rs (--count of
//! generated messages), file.rs (--file), burst.rs (--burst), exchange.rs (one message and
//! its reply), body.rs (the body a JSON header announces, with --framed-in); this file
//! opens the link and holds what the modes share.
//!
//! A name is tried address by address, as Python's socket.create_connection tries them: TCP
//! moves on when a connect fails, UDP when its first message draws an ICMP port unreachable;
//! which address is in use, and what the others said, is shown.
//!
//! What a run says is what it saw (issue 23): a message without a reply within --timeout is
//! "no reply", not a loss (only the measure mode, --count without MESSAGEs, counts losses), and
//! exits 0 unless --expect-reply asks for replies; a server that closes or resets after
//! replying is said to have done so, not called unreachable.
//!
//! One stop (Ctrl-C or SIGTERM) is armed before the first wait and kept in the `Session` for
//! every wait after. Messages and interactive mode end with their summary and its outcome
//! (Ctrl-C is their normal end); --count, --burst and --file show what was done and exit 130;
//! a stop before the link is open exits 130 at once.

mod body;
mod burst;
mod exchange;
mod file;
mod interactive;
mod measure;
mod messages;

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpSocket, TcpStream, UdpSocket};
use tokio::time::timeout;

use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::frame::Deframer;
use crate::net::resolve::{Family, resolve_all_scoped, resolve_endpoint};
use crate::net::stop::{self, Stop};
use crate::output::Output;
use crate::output::messages::{Closed, Exchange, Look, Payload, Reached, SendNote};
use crate::ports::Protocol;

/// After the first bytes of an unframed TCP reply, how long a pause ends it.
const QUIET: Duration = Duration::from_millis(200);
/// The TTL of datagrams to a multicast group unless --ttl says otherwise: this link only.
const MULTICAST_TTL: u32 = 1;

pub fn run(args: &SendArgs, out: &mut Output) -> Result<Outcome, Error> {
    let runtime = crate::net::runtime(1)?;
    runtime.block_on(send(args, out))
}

/// The connection to the server: a TCP stream (with its frame buffer), or a UDP socket,
/// connected to the server alone (then a closed port answers with a refusal) or open to
/// datagrams from any peer (interactive mode, broadcast and multicast, where the answers
/// come from other addresses than the one sent to).
enum Link {
    Tcp(TcpStream, Deframer),
    Udp {
        socket: UdpSocket,
        peer: SocketAddr,
        connected: bool,
    },
}

/// The buffer replies are read into: --recv-size bytes (recv(N)), or room for the largest
/// datagram.
fn read_buffer(args: &SendArgs) -> Vec<u8> {
    vec![0u8; args.wire.recv_size.map_or(65_536, |n| n as usize)]
}

/// Sends one datagram to the server, on a connected socket or not.
async fn send_datagram(
    socket: &UdpSocket,
    peer: SocketAddr,
    connected: bool,
    bytes: &[u8],
) -> io::Result<()> {
    // At once where the socket takes it: a fresh socket would first wait for the event loop
    // to call it writable, and the reply's time would count that wait.
    let now = if connected {
        socket.try_send(bytes)
    } else {
        socket.try_send_to(bytes, peer)
    };
    match now {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        done => return done.map(drop),
    }
    if connected {
        socket.send(bytes).await?;
    } else {
        socket.send_to(bytes, peer).await?;
    }
    Ok(())
}

/// A message given as an argument, as bytes: hex digits with --hex, else the text in
/// --encoding.
fn bytes_of(text: &str, args: &SendArgs) -> Result<Vec<u8>, String> {
    crate::text::to_bytes(text, args.text.encoding, args.text.hex)
}

async fn send(args: &SendArgs, out: &mut Output) -> Result<Outcome, Error> {
    // What cannot be sent is refused before anything goes on the wire.
    let file_size = match &args.file {
        Some(path) => Some(file::size_of(path).await?),
        None => None,
    };
    let messages = messages_of(args)?;
    if let Some(path) = &args.save_body {
        body::empty_body_file(path)?;
    }
    refuse_conflicts(args, &messages)?;
    let mut stop = stop::stop();
    let Some(candidates) = stop::unless_stopped(&mut stop, candidates(args)).await else {
        return Ok(Outcome::Interrupted);
    };
    let mut candidates = candidates?;
    // A --bind address speaks one family: the name's addresses of the other are no use.
    if let Some(local) = args.bind.and_then(|b| b.addr)
        && candidates.iter().any(|c| c.is_ipv4() == local.is_ipv4())
    {
        candidates.retain(|c| c.is_ipv4() == local.is_ipv4());
    }
    let mut session = Session {
        args,
        peer: candidates[0],
        candidates,
        next: 1,
        tried: Vec::new(),
        stop,
    };
    let interactive = messages.is_empty() && args.file.is_none() && args.count.is_none();
    let s = &mut session;
    let Some(link) = open_link(s, interactive).await else {
        return Ok(Outcome::Interrupted);
    };
    let mut link = link?;
    s.reached(out)?;
    if args.udp {
        for (i, message) in messages.iter().enumerate() {
            too_long(message.len(), s.peer).map_err(|reason| Error::BadValue {
                option: "MESSAGE",
                value: (i + 1).to_string(),
                reason,
            })?;
        }
    }
    if let (Some(path), Some(size)) = (&args.file, file_size) {
        return file::send_file(link, path, size, s, out).await;
    }
    if messages.is_empty()
        && let Some(count) = args.count
    {
        return measure::measure(&mut link, count, s, out).await;
    }
    if interactive {
        return interactive::interactive(link, s, out).await;
    }
    if args.burst {
        return burst::burst(link, &messages, s, out).await;
    }
    messages::messages(&mut link, &messages, s, out).await
}

/// The most payload one UDP datagram carries: an IPv4 packet's 65,535 bytes less its 20-byte
/// header and UDP's 8; IPv6's payload length leaves its own header out, so 65,535 − 8.
fn datagram_limit(peer: SocketAddr) -> usize {
    if peer.is_ipv4() { 65_507 } else { 65_527 }
}

/// Why a message of `size` bytes cannot go to `peer` in one datagram, if it cannot.
fn too_long(size: usize, peer: SocketAddr) -> Result<(), String> {
    let limit = datagram_limit(peer);
    if size <= limit {
        return Ok(());
    }
    let (most, family, other) = if peer.is_ipv4() {
        ("65,507", "IPv4", "65,527 over IPv6")
    } else {
        ("65,527", "IPv6", "65,507 over IPv4")
    };
    Err(format!(
        "{size} bytes is more than one UDP datagram carries: at most {most} bytes of payload \
         over {family} ({other}); send it over TCP, or in pieces"
    ))
}

/// The server's addresses to try in turn: an address as typed (with its %zone's scope), or
/// every address of a name in the resolver's order.
async fn candidates(args: &SendArgs) -> Result<Vec<SocketAddr>, Error> {
    if args.target.host.addr().is_some() {
        return Ok(vec![resolve_endpoint(&args.target).await?]);
    }
    let mut all = resolve_all_scoped(&args.target.host, Family::Any).await?;
    for addr in &mut all {
        addr.set_port(args.target.port);
    }
    Ok(all)
}

/// The MESSAGE arguments as bytes: hex digits with --hex, else the text in --encoding.
fn messages_of(args: &SendArgs) -> Result<Vec<Vec<u8>>, Error> {
    args.messages
        .iter()
        .map(|m| {
            bytes_of(m, args).map_err(|reason| Error::BadValue {
                option: "MESSAGE",
                value: m.clone(),
                reason,
            })
        })
        .collect()
}

/// Options that ask for what cannot be done.
fn refuse_conflicts(args: &SendArgs, messages: &[Vec<u8>]) -> Result<(), Error> {
    if args.count == Some(0) && messages.is_empty() {
        return Err(Error::BadValue {
            option: "--count",
            value: "0".to_string(),
            reason: "0 repeats the MESSAGEs until Ctrl-C; give a MESSAGE, or a count of \
                     generated messages"
                .to_string(),
        });
    }
    if args.udp && args.wire.any_framing() {
        return Err(Error::BadValue {
            option: framing_option(args),
            value: "with --udp".to_string(),
            reason: "frames keep messages apart in a TCP stream; UDP datagrams keep their own \
                     boundaries"
                .to_string(),
        });
    }
    // --file, --burst and the measure mode compare what comes back with what went: that
    // needs the same framing both ways.
    let measuring = args.count.is_some() && messages.is_empty();
    let compared = [
        (args.file.is_some(), "--file"),
        (args.burst, "--burst"),
        (measuring, "--count"),
    ];
    if !args.wire.same_both_ways()
        && let Some(&(_, mode)) = compared.iter().find(|(on, _)| *on)
    {
        return Err(Error::BadValue {
            option: framing_option(args),
            value: format!("with {mode}"),
            reason: format!(
                "{mode} checks that what comes back is what went out, which needs the same \
                 framing both ways (--framed); framing one way is for MESSAGEs and typed lines"
            ),
        });
    }
    Ok(())
}

/// The framing option given, for an error about it.
fn framing_option(args: &SendArgs) -> &'static str {
    match (args.wire.framed_in, args.wire.framed_out) {
        (Some(_), None) => "--framed-in",
        (None, Some(_)) => "--framed-out",
        _ => "--framed",
    }
}

/// One run of `send`: what was asked, the server, and the stop, armed once before the first
/// wait and selected on at every one after.
struct Session<'a> {
    args: &'a SendArgs,
    /// The address in use.
    peer: SocketAddr,
    /// Every address of the server's name, in the resolver's order; `next` is the first not
    /// tried yet.
    candidates: Vec<SocketAddr>,
    next: usize,
    /// Addresses tried before `peer`, each with what it said.
    tried: Vec<(SocketAddr, String)>,
    stop: Stop,
}

impl Session<'_> {
    /// `work`'s result, or `None` once Ctrl-C or SIGTERM came first (the session ends then).
    async fn unless_stopped<F: Future>(&mut self, work: F) -> Option<F::Output> {
        stop::unless_stopped(&mut self.stop, work).await
    }

    /// Turns a socket error into the error that names the link.
    fn fail(&self) -> impl Fn(io::Error) -> Error + use<> {
        link_error(self.args.udp, self.peer)
    }

    /// How messages look, from the --encoding and --hex options.
    fn look(&self) -> Look {
        self.args.text.look()
    }

    /// Moves on to the name's next address, noting what the one in use said; false when
    /// there is none left.
    fn move_on(&mut self, said: String) -> bool {
        let Some(&next) = self.candidates.get(self.next) else {
            return false;
        };
        self.tried.push((self.peer, said));
        self.peer = next;
        self.next += 1;
        true
    }

    /// For a name: which of its addresses is in use, what the ones before said, and the
    /// others. An address as typed needs no such line.
    fn reached(&self, out: &mut Output) -> Result<(), Error> {
        if self.args.target.host.addr().is_some() || self.candidates.len() < 2 {
            return Ok(());
        }
        out.send_reached(&Reached {
            name: self.args.target.host.given().to_string(),
            udp: self.args.udp,
            to: self.peer,
            tried: self.tried.clone(),
            others: self.candidates[self.next..]
                .iter()
                .map(SocketAddr::ip)
                .collect(),
        })?;
        Ok(())
    }
}

/// Opens the link to the first address that takes it, each in turn until one does (a TCP
/// connect refused, unreachable or timed out, a UDP socket that cannot be connected there);
/// when all fail, the error names each. Over UDP a port unreachable moves on later, at the
/// first message. `None` once the stop came.
async fn open_link(s: &mut Session<'_>, interactive: bool) -> Option<Result<Link, Error>> {
    let args = s.args;
    loop {
        let peer = s.peer;
        let local = args.bind.map(|b| {
            let any = crate::net::any_of_family(peer.ip());
            SocketAddr::new(b.addr.unwrap_or(any.ip()), b.port)
        });
        let opened = if args.udp {
            s.unless_stopped(open_udp(args, peer, local, interactive))
                .await?
        } else {
            s.unless_stopped(open_tcp(args, peer, local)).await?
        };
        match opened {
            Err(Error::Connect { source, .. })
                if s.move_on(crate::error::socket_reason(&source)) => {}
            Err(Error::Connect { source, .. }) if !s.tried.is_empty() => {
                return Some(Err(all_failed(s, source)));
            }
            done => return Some(done),
        }
    }
}

/// The error once every address of a name failed: each with what it said.
fn all_failed(s: &Session<'_>, last: io::Error) -> Error {
    let mut said: Vec<String> = s
        .tried
        .iter()
        .map(|(at, why)| format!("{at} ({why})"))
        .collect();
    said.push(format!(
        "{} ({})",
        s.peer,
        crate::error::socket_reason(&last)
    ));
    let protocol = if s.args.udp { "UDP" } else { "TCP" };
    Error::Connect {
        what: format!(
            "{protocol} {}:{}",
            s.args.target.host.given(),
            s.args.target.port
        ),
        source: io::Error::new(last.kind(), format!("tried {}", said.join(", "))),
    }
}

/// The error of a bind to `at`, with who holds the port.
fn bind_error(protocol: Protocol, at: SocketAddr) -> impl Fn(io::Error) -> Error {
    move |source| crate::net::owners::bind_error(protocol, at, source)
}

/// A UDP socket, connected to the server unless the answers may come from elsewhere.
async fn open_udp(
    args: &SendArgs,
    peer: SocketAddr,
    local: Option<SocketAddr>,
    interactive: bool,
) -> Result<Link, Error> {
    let fail = link_error(true, peer);
    let at = local.unwrap_or_else(|| crate::net::any_of_family(peer.ip()));
    let socket = UdpSocket::bind(at)
        .await
        .map_err(bind_error(Protocol::Udp, at))?;
    let broadcast = is_broadcast(peer.ip());
    if broadcast && !args.broadcast {
        return Err(Error::BadValue {
            option: "HOST:PORT",
            value: args.target.host.given().to_string(),
            reason: "it is a broadcast address: add --broadcast to send to every host of the \
                     network"
                .to_string(),
        });
    }
    socket.set_broadcast(args.broadcast).map_err(&fail)?;
    crate::net::stamp::enable(&socket).map_err(&fail)?;
    set_ttl(&socket, peer.ip(), args.ttl).map_err(&fail)?;
    // Answers to a broadcast or a group come from the hosts' own addresses.
    let connected = !(interactive || broadcast || peer.ip().is_multicast());
    if connected {
        socket.connect(peer).await.map_err(&fail)?;
    } else {
        // An unconnected socket hears of a port unreachable only with the error queue on
        // (then its next receive fails as a connected one's would). Where there is none,
        // a closed port stays silent.
        let _ = crate::net::errqueue::enable(&socket, peer.is_ipv6());
    }
    Ok(Link::Udp {
        socket,
        peer,
        connected,
    })
}

/// A TCP connection to the server, within --timeout.
async fn open_tcp(
    args: &SendArgs,
    peer: SocketAddr,
    local: Option<SocketAddr>,
) -> Result<Link, Error> {
    let fail = link_error(false, peer);
    let socket = if peer.is_ipv6() {
        TcpSocket::new_v6()
    } else {
        TcpSocket::new_v4()
    }
    .map_err(&fail)?;
    if let Some(at) = local {
        // A fixed client port may still be in TIME_WAIT from the last run.
        socket.set_reuseaddr(true).map_err(&fail)?;
        socket.bind(at).map_err(bind_error(Protocol::Tcp, at))?;
    }
    let stream = timeout(args.timeout, socket.connect(peer))
        .await
        .map_err(|_| fail(io::Error::from(io::ErrorKind::TimedOut)))?
        .map_err(&fail)?;
    let _ = stream.set_nodelay(true);
    crate::net::stamp::enable(&stream).map_err(&fail)?;
    if let Some(ttl) = args.ttl {
        stream.set_ttl(ttl).map_err(&fail)?;
    }
    Ok(Link::Tcp(
        stream,
        Deframer::new(
            args.wire.reads_framed().unwrap_or_default(),
            args.wire.max_frame,
        )
        .named(args.wire.reads_option()),
    ))
}

/// 255.255.255.255, or the broadcast address of a network of this machine (as the kernel
/// knows them, with or without a `brd` attribute).
fn is_broadcast(ip: IpAddr) -> bool {
    let IpAddr::V4(v4) = ip else {
        return false;
    };
    v4.is_broadcast()
        || crate::net::interfaces::broadcast_addresses().is_ok_and(|b| b.contains(&v4))
}

/// The TTL or hop limit: --ttl, or 1 for a multicast group (this link only, as ping and
/// most multicast senders default to).
fn set_ttl(socket: &UdpSocket, to: IpAddr, ttl: Option<u32>) -> io::Result<()> {
    let sock = socket2::SockRef::from(socket);
    match (to, to.is_multicast()) {
        (IpAddr::V4(_), true) => sock.set_multicast_ttl_v4(ttl.unwrap_or(MULTICAST_TTL)),
        (IpAddr::V6(_), true) => sock.set_multicast_hops_v6(ttl.unwrap_or(MULTICAST_TTL)),
        (IpAddr::V4(_), false) => ttl.map_or(Ok(()), |t| socket.set_ttl(t)),
        (IpAddr::V6(_), false) => ttl.map_or(Ok(()), |t| sock.set_unicast_hops_v6(t)),
    }
}

/// What a run of exchanges has seen: messages sent, replies, those that got nothing back, the
/// RTTs, what was not sent, and how the server ended.
#[derive(Default)]
struct Totals {
    sent: u64,
    replies: u64,
    no_reply: u64,
    rtts: crate::stats::Samples,
    /// Messages not sent because the server had closed the connection.
    not_sent: u64,
    /// Empty messages not sent over unframed TCP.
    empty_not_sent: u64,
    /// Something went wrong for a message that was sent: a reset came before the server took
    /// it.
    failed: bool,
    /// The note on what "no reply" means was given.
    noted_no_reply: bool,
    /// The server ended the connection.
    ended: bool,
    /// Interactive mode: what is counted are typed lines, numbered as stdin has them.
    typed: bool,
}

impl Totals {
    /// What a number of this run counts, in words.
    fn noun(&self) -> &'static str {
        if self.typed { "line" } else { "message" }
    }

    /// A message that got nothing back within --timeout: its line, and once the note of what
    /// that can mean.
    fn no_reply(
        &mut self,
        seq: u64,
        size: usize,
        s: &Session<'_>,
        out: &mut Output,
    ) -> Result<(), Error> {
        self.no_reply += 1;
        out.send_exchange(s.peer, &unanswered(seq, size, self.noun(), s))?;
        if !std::mem::replace(&mut self.noted_no_reply, true) {
            out.send_note(SendNote::NoReply {
                udp: s.args.udp,
                wait: s.args.timeout,
            })?;
        }
        Ok(())
    }

    /// An empty message not sent over TCP: the note once, the rest counted.
    fn empty(&mut self, out: &mut Output) -> Result<(), Error> {
        self.empty_not_sent += 1;
        if self.empty_not_sent == 1 {
            out.send_note(SendNote::EmptyNotSent)?;
        }
        Ok(())
    }

    /// The server ended the connection: after how many replies, at which message.
    /// `waiting`: that message still awaited its reply (a reset then means it was not
    /// taken, and the run is not a success).
    fn ended(
        &mut self,
        reset: bool,
        message: Option<(u64, Payload)>,
        waiting: bool,
        look: Look,
        out: &mut Output,
    ) -> Result<(), Error> {
        self.ended = true;
        self.failed |= reset && waiting;
        let (message, payload) = match message {
            Some((seq, payload)) => (Some(seq), payload),
            None => (None, Payload::absent(look)),
        };
        out.send_closed(&Closed {
            by: if reset { "reset" } else { "close" },
            replies: self.replies,
            message,
            waiting,
            payload,
            noun: self.noun(),
        })?;
        Ok(())
    }

    /// The closing line, and its outcome: 0 when every message went out and nothing reported
    /// an error; 1 when one could not be sent, was reset before it was taken, or, with
    /// --expect-reply, got no reply.
    fn sum_up(&self, s: &Session<'_>, out: &mut Output) -> Result<Outcome, Error> {
        out.send_summary(&crate::output::messages::SendSummary {
            sent: self.sent,
            replies: self.replies,
            timeouts: self.no_reply,
            no_reply: self.no_reply,
            loss_percent: None,
            reordered: 0,
            corrupted: 0,
            not_sent: self.not_sent,
            empty_not_sent: self.empty_not_sent,
            rtt_ms: self.rtts.summary(),
        })?;
        let missing = s.args.expect_reply && self.no_reply > 0;
        Ok(if self.failed || self.not_sent > 0 || missing {
            Outcome::Negative
        } else {
            Outcome::Success
        })
    }
}

/// The report of a message that got nothing back.
fn unanswered(seq: u64, size: usize, noun: &'static str, s: &Session<'_>) -> Exchange {
    Exchange {
        seq,
        sent_bytes: size,
        received_bytes: 0,
        reply_bytes: 0,
        truncated: false,
        rtt_ms: None,
        identical: false,
        reply: Payload::absent(s.look()),
        reads: None,
        wait: s.args.timeout,
        noun,
        header: None,
        body: None,
        body_file: None,
        header_guess: None,
    }
}

/// Turns a socket error into the error that names the link ("cannot reach TCP 127.0.0.1:9");
/// over UDP a refusal is an ICMP port unreachable: the host is there, no program has the port.
fn link_error(udp: bool, peer: SocketAddr) -> impl Fn(io::Error) -> Error {
    let what = format!("{} {peer}", if udp { "UDP" } else { "TCP" });
    move |source| {
        if udp && source.kind() == io::ErrorKind::ConnectionRefused {
            return Error::PortUnreachable { to: peer };
        }
        // A reply that cannot be read (a bad frame header) came from a server that was
        // reached: say so, not "cannot reach".
        if source.kind() == io::ErrorKind::InvalidData {
            return Error::BadValue {
                option: "reply",
                value: format!("from {what}"),
                reason: source.to_string(),
            };
        }
        Error::Connect {
            what: what.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_datagram_too_long_says_its_size_and_the_limit() {
        let v4: SocketAddr = "127.0.0.1:9".parse().unwrap_or_else(|e| panic!("{e}"));
        let v6: SocketAddr = "[::1]:9".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(too_long(65_507, v4), Ok(()));
        assert_eq!(too_long(65_527, v6), Ok(()));
        let said = too_long(65_508, v4).err().unwrap_or_default();
        assert!(
            said.starts_with("65508 bytes is more than one UDP datagram carries: at most 65,507 bytes of payload over IPv4"),
            "{said}"
        );
        let said = too_long(70_000, v6).err().unwrap_or_default();
        assert!(
            said.contains("at most 65,527 bytes of payload over IPv6"),
            "{said}"
        );
    }
}
