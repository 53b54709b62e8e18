//! `netkit send`: the client for echo endpoints and for the servers students write. Each
//! message is one exchange: send, wait for the reply (bounded by --timeout), print it with its
//! round-trip time. One file per job: messages.rs (MESSAGE arguments, repeated with --count),
//! interactive.rs (stdin lines, and whatever arrives when it arrives), measure.rs (--count of
//! generated messages), file.rs (--file); this file opens the link and makes one exchange.

mod burst;
mod file;
mod interactive;
mod measure;
mod messages;

use std::borrow::Cow;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream, UdpSocket};
use tokio::time::timeout;

use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::frame::Deframer;
use crate::net::resolve::resolve_endpoint;
use crate::output::Output;
use crate::output::messages::Look;
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
    if connected {
        socket.send(bytes).await?;
    } else {
        socket.send_to(bytes, peer).await?;
    }
    Ok(())
}

/// How messages look, from the --encoding and --hex options.
fn look(args: &SendArgs) -> Look {
    args.text.look()
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
    let messages = args
        .messages
        .iter()
        .map(|m| {
            bytes_of(m, args).map_err(|reason| Error::BadValue {
                option: "MESSAGE",
                value: m.clone(),
                reason,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
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
    let peer = resolve_endpoint(&args.target).await?;
    let interactive = messages.is_empty() && args.file.is_none() && args.count.is_none();
    let mut link = open_link(args, peer, interactive).await?;
    if let (Some(path), Some(size)) = (&args.file, file_size) {
        return file::send_file(link, path, size, peer, args, out).await;
    }
    if messages.is_empty()
        && let Some(count) = args.count
    {
        return measure::measure(&mut link, count, peer, args, out).await;
    }
    if interactive {
        return interactive::interactive(link, peer, args, out).await;
    }
    if args.burst {
        return burst::burst(link, &messages, peer, args, out).await;
    }
    messages::messages(&mut link, &messages, peer, args, out).await
}

/// Opens the socket: bound to --bind, allowed to broadcast, with the TTL asked for.
async fn open_link(args: &SendArgs, peer: SocketAddr, interactive: bool) -> Result<Link, Error> {
    let fail = link_error(args, peer);
    let local = args.bind.map(|b| {
        let any = crate::net::any_of_family(peer.ip());
        SocketAddr::new(b.addr.unwrap_or(any.ip()), b.port)
    });
    let protocol = if args.udp {
        Protocol::Udp
    } else {
        Protocol::Tcp
    };
    let bind_error =
        |at: SocketAddr| move |source| crate::net::owners::bind_error(protocol, at, source);
    if args.udp {
        let at = local.unwrap_or_else(|| crate::net::any_of_family(peer.ip()));
        let socket = UdpSocket::bind(at).await.map_err(bind_error(at))?;
        let broadcast = is_broadcast(peer.ip());
        if broadcast && !args.broadcast {
            return Err(Error::BadValue {
                option: "HOST:PORT",
                value: args.target.host.given().to_string(),
                reason: "it is a broadcast address: add --broadcast to send to every host \
                         of the network"
                    .to_string(),
            });
        }
        socket.set_broadcast(args.broadcast).map_err(&fail)?;
        set_ttl(&socket, peer.ip(), args.ttl).map_err(&fail)?;
        // Answers to a broadcast or a group come from the hosts' own addresses.
        let connected = !(interactive || broadcast || peer.ip().is_multicast());
        if connected {
            socket.connect(peer).await.map_err(&fail)?;
        }
        return Ok(Link::Udp {
            socket,
            peer,
            connected,
        });
    }
    let socket = if peer.is_ipv6() {
        TcpSocket::new_v6()
    } else {
        TcpSocket::new_v4()
    }
    .map_err(&fail)?;
    if let Some(at) = local {
        // A fixed client port may still be in TIME_WAIT from the last run.
        socket.set_reuseaddr(true).map_err(&fail)?;
        socket.bind(at).map_err(bind_error(at))?;
    }
    let stream = timeout(args.timeout, socket.connect(peer))
        .await
        .map_err(|_| fail(io::Error::from(io::ErrorKind::TimedOut)))?
        .map_err(&fail)?;
    let _ = stream.set_nodelay(true);
    if let Some(ttl) = args.ttl {
        stream.set_ttl(ttl).map_err(&fail)?;
    }
    Ok(Link::Tcp(
        stream,
        Deframer::new(args.wire.framed.unwrap_or_default(), args.wire.max_frame),
    ))
}

/// 255.255.255.255, or the broadcast address of a network of this machine.
fn is_broadcast(ip: IpAddr) -> bool {
    let IpAddr::V4(v4) = ip else {
        return false;
    };
    v4.is_broadcast()
        || crate::net::interfaces::snapshot()
            .is_ok_and(|s| s.addresses.iter().any(|a| a.broadcast == Some(v4)))
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

/// The closing line of a run of exchanges (no reordering or corruption is judged there), and
/// its outcome: 1 when a message got nothing back.
fn sum_up(
    out: &mut Output,
    sent: u64,
    timeouts: u64,
    rtts: &crate::stats::Samples,
) -> Result<Outcome, Error> {
    out.send_summary(&crate::output::messages::SendSummary {
        sent,
        replies: sent - timeouts,
        timeouts,
        loss_percent: crate::stats::loss_percent(sent, sent - timeouts),
        reordered: 0,
        corrupted: 0,
        rtt_ms: rtts.summary(),
    })?;
    Ok(if timeouts > 0 {
        Outcome::Negative
    } else {
        Outcome::Success
    })
}

/// Turns a socket error into the error that names the link ("cannot reach TCP 127.0.0.1:9").
fn link_error(args: &SendArgs, peer: SocketAddr) -> impl Fn(io::Error) -> Error {
    let what = format!("{} {peer}", if args.udp { "UDP" } else { "TCP" });
    move |source| Error::Connect {
        what: what.clone(),
        source,
    }
}

/// Sends one message and waits for its reply: who answered, and what; `None` when nothing
/// came in time.
async fn exchange(
    link: &mut Link,
    message: &[u8],
    args: &SendArgs,
) -> io::Result<Option<(SocketAddr, Vec<u8>)>> {
    match link {
        Link::Udp {
            socket,
            peer,
            connected,
        } => {
            send_datagram(socket, *peer, *connected, message).await?;
            let mut buf = read_buffer(args);
            match timeout(args.timeout, socket.recv_from(&mut buf)).await {
                Ok(Ok((n, from))) => Ok(Some((from, buf[..n].to_vec()))),
                Ok(Err(e)) => Err(e),
                Err(_) => Ok(None),
            }
        }
        Link::Tcp(stream, frames) => {
            let peer = stream.peer_addr()?;
            Ok(tcp_exchange(stream, frames, message, args)
                .await?
                .map(|reply| (peer, reply)))
        }
    }
}

/// One TCP exchange. The reply is read while the message is written: a message larger than
/// the socket buffers is echoed before it is all sent, and a client that wrote first and
/// read later would wait on a server that waits on it. Framed: the reply is the next frame.
/// Unframed: an echo answers as many bytes as it got, another server any amount, so a pause
/// after the first bytes also ends the reply. Every wait is bounded by --timeout: for the
/// reply after the last byte went out, and for each write while the server does not read.
async fn tcp_exchange(
    stream: &mut TcpStream,
    frames: &mut Deframer,
    message: &[u8],
    args: &SendArgs,
) -> io::Result<Option<Vec<u8>>> {
    let outgoing: Cow<[u8]> = match args.wire.framed {
        Some(header) => Cow::Owned(
            header
                .encode(message)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?,
        ),
        None => Cow::Borrowed(message),
    };
    let (mut rd, mut wr) = stream.split();
    let mut written = 0;
    // The last time writing got on, and once it is done, when it ended.
    let mut wrote_at = Instant::now();
    let mut reply = Vec::new();
    let mut last_byte: Option<Instant> = None;
    let mut buf = read_buffer(args);
    loop {
        let writing = written < outgoing.len();
        if !writing {
            if args.wire.framed.is_some() {
                let frame = frames
                    .next_frame()
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                if frame.is_some() {
                    return Ok(frame);
                }
            } else if !message.is_empty() && reply.len() >= message.len() {
                break;
            }
        }
        let deadline = wrote_at + args.timeout;
        let until = match last_byte {
            Some(at) if !writing && args.wire.framed.is_none() => (at + QUIET).min(deadline),
            _ => deadline,
        };
        tokio::select! {
            sent = wr.write(&outgoing[written..]), if writing => {
                match sent? {
                    0 => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                    n => written += n,
                }
                wrote_at = Instant::now();
            }
            got = rd.read(&mut buf) => match got? {
                0 if args.wire.framed.is_some() => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
                0 => break,
                n if args.wire.framed.is_some() => frames.push(&buf[..n]),
                n => {
                    reply.extend_from_slice(&buf[..n]);
                    last_byte = Some(Instant::now());
                    if message.is_empty() {
                        break;
                    }
                }
            },
            _ = tokio::time::sleep_until(until.into()) => {
                if writing {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the server stopped reading: nothing more could be sent within the --timeout",
                    ));
                }
                break;
            }
        }
    }
    if args.wire.framed.is_some() {
        return Ok(None);
    }
    Ok((!reply.is_empty() || message.is_empty()).then_some(reply))
}
