//! `netkit send`: the client for echo endpoints and for the servers students write. Each
//! message is one exchange: send, wait for the reply (bounded by --timeout), print it with its
//! round-trip time. One file per job: messages.rs (MESSAGE arguments, repeated with --count),
//! interactive.rs (stdin lines, and whatever arrives when it arrives), measure.rs (--count of
//! generated messages), file.rs (--file), burst.rs (--burst), exchange.rs (one message and
//! its reply); this file opens the link and holds what the modes share.
//!
//! One stop (Ctrl-C or SIGTERM) is armed before the first wait and kept in the `Session` for
//! every wait after. Messages and interactive mode end with their summary and its outcome
//! (Ctrl-C is their normal end); --count, --burst and --file show what was done and exit 130;
//! a stop before the link is open exits 130 at once.

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
use crate::net::resolve::resolve_endpoint;
use crate::net::stop::{self, Stop};
use crate::output::Output;
use crate::output::messages::{Exchange, Look, Payload};
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
    refuse_conflicts(args, &messages)?;
    let mut stop = stop::stop();
    let Some(peer) = stop::unless_stopped(&mut stop, resolve_endpoint(&args.target)).await else {
        return Ok(Outcome::Interrupted);
    };
    let mut session = Session {
        args,
        peer: peer?,
        stop,
    };
    let interactive = messages.is_empty() && args.file.is_none() && args.count.is_none();
    let Some(link) = session
        .unless_stopped(open_link(args, session.peer, interactive))
        .await
    else {
        return Ok(Outcome::Interrupted);
    };
    let mut link = link?;
    let s = &mut session;
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
    if args.udp && args.wire.framed.is_some() {
        return Err(Error::BadValue {
            option: "--framed",
            value: "with --udp".to_string(),
            reason: "frames keep messages apart in a TCP stream; UDP datagrams keep their own \
                     boundaries"
                .to_string(),
        });
    }
    Ok(())
}

/// One run of `send`: what was asked, the server, and the stop, armed once before the first
/// wait and selected on at every one after.
struct Session<'a> {
    args: &'a SendArgs,
    peer: SocketAddr,
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
}

/// Opens the socket: bound to --bind, allowed to broadcast, with the TTL asked for.
async fn open_link(args: &SendArgs, peer: SocketAddr, interactive: bool) -> Result<Link, Error> {
    let local = args.bind.map(|b| {
        let any = crate::net::any_of_family(peer.ip());
        SocketAddr::new(b.addr.unwrap_or(any.ip()), b.port)
    });
    if args.udp {
        open_udp(args, peer, local, interactive).await
    } else {
        open_tcp(args, peer, local).await
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
        Deframer::new(args.wire.framed.unwrap_or_default(), args.wire.max_frame),
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

/// What a run of exchanges has seen: messages sent, those that got nothing back, the RTTs.
#[derive(Default)]
struct Totals {
    sent: u64,
    timeouts: u64,
    rtts: crate::stats::Samples,
}

impl Totals {
    /// The closing line (no reordering or corruption is judged there), and its outcome: 1
    /// when a message got nothing back.
    fn sum_up(&self, out: &mut Output) -> Result<Outcome, Error> {
        let replies = self.sent - self.timeouts;
        out.send_summary(&crate::output::messages::SendSummary {
            sent: self.sent,
            replies,
            timeouts: self.timeouts,
            loss_percent: crate::stats::loss_percent(self.sent, replies),
            reordered: 0,
            corrupted: 0,
            rtt_ms: self.rtts.summary(),
        })?;
        Ok(if self.timeouts > 0 {
            Outcome::Negative
        } else {
            Outcome::Success
        })
    }
}

/// The report of a message that got nothing back.
fn unanswered(seq: u64, size: usize, look: Look) -> Exchange {
    Exchange {
        seq,
        sent_bytes: size,
        received_bytes: 0,
        reply_bytes: 0,
        truncated: false,
        rtt_ms: None,
        identical: false,
        reply: Payload::absent(look),
    }
}

/// Turns a socket error into the error that names the link ("cannot reach TCP 127.0.0.1:9").
fn link_error(udp: bool, peer: SocketAddr) -> impl Fn(io::Error) -> Error {
    let what = format!("{} {peer}", if udp { "UDP" } else { "TCP" });
    move |source| Error::Connect {
        what: what.clone(),
        source,
    }
}
