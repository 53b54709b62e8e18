//! `netkit send`: the client for echo endpoints and for the servers students write. Each
//! message is one exchange: send, wait for the reply (bounded by --timeout), print it with its
//! round-trip time. One file per job: messages.rs (arguments or stdin lines), measure.rs
//! (--count), file.rs (--file); this file opens the link and makes one exchange.

mod file;
mod measure;
mod messages;

use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::frame::{self, Deframer};
use crate::net::resolve::resolve_endpoint;
use crate::output::Output;

/// After the first bytes of an unframed TCP reply, how long a pause ends it.
const QUIET: Duration = Duration::from_millis(200);

pub fn run(args: &SendArgs, out: &mut Output) -> Result<Outcome, Error> {
    let runtime = crate::net::runtime(1)?;
    runtime.block_on(send(args, out))
}

/// The connection to the server: a TCP stream (with its frame buffer) or a connected UDP socket.
enum Link {
    Tcp(TcpStream, Deframer),
    Udp(UdpSocket),
}

async fn send(args: &SendArgs, out: &mut Output) -> Result<Outcome, Error> {
    // A file that cannot be sent is refused before anything goes on the wire.
    let file_size = match &args.file {
        Some(path) => Some(file::size_of(path).await?),
        None => None,
    };
    let peer = resolve_endpoint(&args.target).await?;
    let addr = peer.ip();
    let connect_error = link_error(args, peer);
    let mut link = if args.udp {
        let socket = UdpSocket::bind(crate::net::any_of_family(addr))
            .await
            .map_err(&connect_error)?;
        socket.connect(peer).await.map_err(&connect_error)?;
        Link::Udp(socket)
    } else {
        let stream = timeout(args.timeout, TcpStream::connect(peer))
            .await
            .map_err(|_| connect_error(io::Error::from(io::ErrorKind::TimedOut)))?
            .map_err(&connect_error)?;
        let _ = stream.set_nodelay(true);
        Link::Tcp(stream, Deframer::default())
    };

    if let (Some(path), Some(size)) = (&args.file, file_size) {
        return file::send_file(link, path, size, peer, args, out).await;
    }
    if let Some(count) = args.count {
        return measure::measure(&mut link, count, peer, args, out).await;
    }
    messages::messages(&mut link, peer, args, out).await
}

/// Turns a socket error into the error that names the link ("cannot reach TCP 127.0.0.1:9").
fn link_error(args: &SendArgs, peer: SocketAddr) -> impl Fn(io::Error) -> Error {
    let what = format!("{} {peer}", if args.udp { "UDP" } else { "TCP" });
    move |source| Error::Connect {
        what: what.clone(),
        source,
    }
}

/// Sends one message and waits for its reply; `None` when none came in time.
async fn exchange(link: &mut Link, message: &[u8], args: &SendArgs) -> io::Result<Option<Vec<u8>>> {
    match link {
        Link::Udp(socket) => {
            socket.send(message).await?;
            let mut buf = vec![0u8; 65_536];
            match timeout(args.timeout, socket.recv(&mut buf)).await {
                Ok(Ok(n)) => Ok(Some(buf[..n].to_vec())),
                Ok(Err(e)) => Err(e),
                Err(_) => Ok(None),
            }
        }
        Link::Tcp(stream, frames) => tcp_exchange(stream, frames, message, args).await,
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
    let outgoing: Cow<[u8]> = if args.framed {
        Cow::Owned(frame::encode(message))
    } else {
        Cow::Borrowed(message)
    };
    let (mut rd, mut wr) = stream.split();
    let mut written = 0;
    // The last time writing got on, and once it is done, when it ended.
    let mut wrote_at = Instant::now();
    let mut reply = Vec::new();
    let mut last_byte: Option<Instant> = None;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let writing = written < outgoing.len();
        if !writing {
            if args.framed {
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
            Some(at) if !writing && !args.framed => (at + QUIET).min(deadline),
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
                0 if args.framed => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
                0 => break,
                n if args.framed => frames.push(&buf[..n]),
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
    if args.framed {
        return Ok(None);
    }
    Ok((!reply.is_empty() || message.is_empty()).then_some(reply))
}
