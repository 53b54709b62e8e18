//! `netkit send`: the client for echo endpoints and for the servers students write. Each
//! message is one exchange: send, wait for the reply (bounded by --timeout), print it with its
//! round-trip time.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::frame::{self, Deframer};
use crate::output::Output;
use crate::output::echo::{Exchange, SendSummary, preview};
use crate::stats;

/// After the first bytes of an unframed TCP reply, how long a pause ends it.
const QUIET: Duration = Duration::from_millis(200);

pub fn run(args: &SendArgs, out: &mut Output) -> Result<Outcome, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Kernel {
            what: "start the async runtime",
            source,
        })?;
    runtime.block_on(send(args, out))
}

/// `HOST:PORT` or `[IPv6]:PORT`, split.
pub fn split_target(text: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("'{text}': a '[' without its ']'"))?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| format!("'{text}': give the port after the ']', as [::1]:7788"))?;
        (host, port)
    } else {
        let (host, port) = text.rsplit_once(':').ok_or_else(|| {
            format!("'{text}': give the server as HOST:PORT, e.g. 127.0.0.1:7788")
        })?;
        if host.contains(':') {
            return Err(format!(
                "'{text}': write an IPv6 address in brackets, as [::1]:7788"
            ));
        }
        (host, port)
    };
    if host.is_empty() {
        return Err(format!("'{text}': the host is missing"));
    }
    let port: u16 = port
        .parse()
        .map_err(|_| format!("'{port}' is not a port number (0-65535)"))?;
    if port == 0 {
        return Err("port 0 cannot be sent to".to_string());
    }
    Ok((host.to_string(), port))
}

enum Link {
    Tcp(TcpStream, Deframer),
    Udp(UdpSocket),
}

async fn send(args: &SendArgs, out: &mut Output) -> Result<Outcome, Error> {
    let (host, port) = split_target(&args.target).map_err(Error::Usage)?;
    let peer = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| Error::Resolve {
            name: host.clone(),
            reason: crate::error::io_reason(&e),
        })?
        .next()
        .ok_or_else(|| Error::Resolve {
            name: host.clone(),
            reason: "it has no address".to_string(),
        })?;
    let what = format!("{} {peer}", if args.udp { "UDP" } else { "TCP" });
    let connect_error = |source| Error::Connect {
        what: what.clone(),
        source,
    };
    let mut link = if args.udp {
        let local: SocketAddr = if peer.is_ipv6() {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        }
        .parse()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let socket = UdpSocket::bind(local).await.map_err(connect_error)?;
        socket.connect(peer).await.map_err(connect_error)?;
        Link::Udp(socket)
    } else {
        let stream = timeout(args.timeout, TcpStream::connect(peer))
            .await
            .map_err(|_| connect_error(io::Error::from(io::ErrorKind::TimedOut)))?
            .map_err(connect_error)?;
        let _ = stream.set_nodelay(true);
        Link::Tcp(stream, Deframer::default())
    };

    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut given = args.messages.iter();
    let mut rtts = Vec::new();
    let (mut sent, mut timeouts) = (0u64, 0u64);
    loop {
        let message = if args.messages.is_empty() {
            match stdin.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(source) => {
                    return Err(Error::Read {
                        what: "stdin".to_string(),
                        source,
                    });
                }
            }
        } else {
            match given.next() {
                Some(m) => m.clone(),
                None => break,
            }
        };
        sent += 1;
        let began = Instant::now();
        let reply = exchange(&mut link, message.as_bytes(), args)
            .await
            .map_err(connect_error)?;
        let exchange = match reply {
            Some(reply) => {
                let rtt = began.elapsed().as_secs_f64() * 1000.0;
                rtts.push(rtt);
                Exchange {
                    seq: sent,
                    sent_bytes: message.len(),
                    received_bytes: reply.len(),
                    rtt_ms: Some(rtt),
                    identical: reply == message.as_bytes(),
                    reply: if out.json() {
                        String::from_utf8_lossy(&reply).into_owned()
                    } else {
                        preview(&reply)
                    },
                }
            }
            None => {
                timeouts += 1;
                Exchange {
                    seq: sent,
                    sent_bytes: message.len(),
                    received_bytes: 0,
                    rtt_ms: None,
                    identical: false,
                    reply: String::new(),
                }
            }
        };
        out.send_exchange(peer, &exchange)?;
        out.flush()?;
    }
    out.send_summary(&SendSummary {
        sent,
        replies: sent - timeouts,
        timeouts,
        rtt_ms: stats::summarize(&rtts),
    })?;
    Ok(if timeouts > 0 {
        Outcome::Negative
    } else {
        Outcome::Success
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_into_host_and_port() {
        let ok = [
            ("127.0.0.1:7788", ("127.0.0.1", 7788)),
            ("[::1]:9000", ("::1", 9000)),
            ("localhost:80", ("localhost", 80)),
        ];
        for (text, (host, port)) in ok {
            assert_eq!(split_target(text), Ok((host.to_string(), port)), "{text}");
        }
        let bad = [
            ("127.0.0.1", "give the server as HOST:PORT"),
            ("::1:80", "write an IPv6 address in brackets"),
            ("[::1]", "give the port after the ']'"),
            ("127.0.0.1:70000", "'70000' is not a port number"),
            (":80", "the host is missing"),
            ("127.0.0.1:0", "port 0 cannot be sent to"),
        ];
        for (text, reason) in bad {
            let got = split_target(text);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(reason)),
                "{text}: {got:?}"
            );
        }
    }
}
