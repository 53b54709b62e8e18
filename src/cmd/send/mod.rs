//! `netkit send`: the client for echo endpoints and for the servers students write. Each
//! message is one exchange: send, wait for the reply (bounded by --timeout), print it with its
//! round-trip time. One file per job: messages.rs (arguments or stdin lines), measure.rs
//! (--count), file.rs (--file); this file opens the link and makes one exchange.

mod file;
mod measure;
mod messages;

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::frame::{self, Deframer};
use crate::net::resolve::{Family, resolve};
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
    let addr = resolve(&args.target.host, Family::Any).await?;
    let peer = SocketAddr::new(addr, args.target.port);
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

    if let Some(path) = &args.file {
        return file::send_file(link, path, peer, args, out).await;
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
        Link::Tcp(stream, frames) if args.framed => {
            stream.write_all(&frame::encode(message)).await?;
            let deadline = Instant::now() + args.timeout;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                if let Some(frame) = frames
                    .next_frame()
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?
                {
                    return Ok(Some(frame));
                }
                let left = deadline.saturating_duration_since(Instant::now());
                match timeout(left, stream.read(&mut buf)).await {
                    Ok(Ok(0)) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
                    Ok(Ok(n)) => frames.push(&buf[..n]),
                    Ok(Err(e)) => return Err(e),
                    Err(_) => return Ok(None),
                }
            }
        }
        Link::Tcp(stream, _) => {
            stream.write_all(message).await?;
            let deadline = Instant::now() + args.timeout;
            let mut reply = Vec::new();
            let mut buf = vec![0u8; 64 * 1024];
            // An echo answers as many bytes as it got; another server may answer any amount,
            // so a pause after the first bytes also ends the reply.
            while reply.len() < message.len() || message.is_empty() {
                let wait = if reply.is_empty() {
                    deadline.saturating_duration_since(Instant::now())
                } else {
                    QUIET.min(deadline.saturating_duration_since(Instant::now()))
                };
                match timeout(wait, stream.read(&mut buf)).await {
                    Ok(Ok(0)) => break,
                    Ok(Ok(n)) => reply.extend_from_slice(&buf[..n]),
                    Ok(Err(e)) => return Err(e),
                    Err(_) => break,
                }
                if message.is_empty() {
                    break;
                }
            }
            Ok((!reply.is_empty() || message.is_empty()).then_some(reply))
        }
    }
}
