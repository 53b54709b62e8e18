//! One exchange: a message sent, and its reply waited for within --timeout (a datagram, the
//! next frame, or over unframed TCP as many bytes as went out, or what came before a pause).
//! The reply's time is the kernel's: its receive stamp (of the datagram, or of the first
//! segment of a TCP reply) minus the send time read on the same clock just before the send.

use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use tokio::io::Interest;
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::{Link, QUIET, read_buffer, send_datagram};
use crate::cli::SendArgs;
use crate::frame::{Deframer, FrameError};
use crate::net::stamp::{self, Read, Stamp};

/// What came back for a message.
pub(super) struct Reply {
    /// Who sent it (to a broadcast or a group, the host that answered).
    pub from: SocketAddr,
    /// What was read of it.
    pub bytes: Vec<u8>,
    /// Its size as it was sent: more than `bytes` when --recv-size cut a datagram.
    pub size: usize,
    /// From the send to its arrival, on the kernel's clock.
    pub rtt: Duration,
}

/// Sends one message and waits for its reply; `None` when nothing came in time.
pub(super) async fn exchange(
    link: &mut Link,
    message: &[u8],
    args: &SendArgs,
) -> io::Result<Option<Reply>> {
    match link {
        Link::Udp {
            socket,
            peer,
            connected,
        } => {
            let sent = Stamp::now();
            send_datagram(socket, *peer, *connected, message).await?;
            let mut buf = read_buffer(args);
            let fd = socket.as_raw_fd();
            // The datagram's real size too, when --recv-size is smaller (as recv(N) cuts it).
            let how = Read {
                whole_size: true,
                ..Read::default()
            };
            let got = socket.async_io(Interest::READABLE | Interest::ERROR, || {
                stamp::recv(fd, &mut buf, how)
            });
            match timeout(args.timeout, got).await {
                Ok(Ok(got)) => Ok(Some(Reply {
                    from: got.address.unwrap_or(*peer),
                    bytes: buf[..got.bytes.min(buf.len())].to_vec(),
                    size: got.bytes,
                    rtt: got.time.saturating_duration_since(sent),
                })),
                Ok(Err(e)) => Err(e),
                Err(_) => Ok(None),
            }
        }
        Link::Tcp(stream, frames) => {
            let from = stream.peer_addr()?;
            Ok(tcp_exchange(stream, frames, message, args)
                .await?
                .map(|(bytes, rtt)| Reply {
                    from,
                    size: bytes.len(),
                    bytes,
                    rtt,
                }))
        }
    }
}

/// Writes what the socket takes now of `bytes`, waiting until it takes some.
async fn write_some(stream: &TcpStream, bytes: &[u8]) -> io::Result<usize> {
    loop {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            done => return done,
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
) -> io::Result<Option<(Vec<u8>, Duration)>> {
    let outgoing = on_the_wire(message, args)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let mut x = TcpExchange {
        outgoing: &outgoing,
        message_len: message.len(),
        framed: args.wire.framed.is_some(),
        written: 0,
        wrote_at: Instant::now(),
        reply: Vec::new(),
        last_byte: None,
        sent: Stamp::now(),
        first_arrival: None,
    };
    let stream = &*stream;
    let fd = stream.as_raw_fd();
    let mut buf = read_buffer(args);
    loop {
        let writing = x.writing();
        if !writing {
            if let Some(frame) = x.whole_frame(frames)? {
                return Ok(Some((frame, x.rtt())));
            }
            if x.echoed() {
                break;
            }
        }
        let until = x.until(args.timeout);
        let ended = tokio::select! {
            sent = write_some(stream, &x.outgoing[x.written..]), if writing => x.wrote(sent?)?,
            got = stream.async_io(Interest::READABLE | Interest::ERROR, || stamp::recv(fd, &mut buf, Read::default())) => {
                let got = got?;
                x.first_arrival.get_or_insert(got.time);
                x.read(&buf[..got.bytes.min(buf.len())], frames)?
            }
            _ = tokio::time::sleep_until(until.into()) => x.quiet(writing)?,
        };
        if ended {
            break;
        }
    }
    let rtt = x.rtt();
    Ok(x.reply().map(|reply| (reply, rtt)))
}

/// A TCP exchange under way: how much of the message went out, and what came back. Each
/// step says whether the exchange has ended.
struct TcpExchange<'m> {
    outgoing: &'m [u8],
    message_len: usize,
    framed: bool,
    written: usize,
    /// The last time writing got on, and once it is done, when it ended.
    wrote_at: Instant,
    reply: Vec<u8>,
    last_byte: Option<Instant>,
    /// When the first write began, and when the reply's first segment arrived (the kernel's
    /// stamp), on one clock.
    sent: Stamp,
    first_arrival: Option<Stamp>,
}

impl TcpExchange<'_> {
    /// From the send to the reply's first segment.
    fn rtt(&self) -> Duration {
        self.first_arrival
            .unwrap_or_else(Stamp::now)
            .saturating_duration_since(self.sent)
    }

    fn writing(&self) -> bool {
        self.written < self.outgoing.len()
    }

    /// Framed: the reply, once a whole frame has come.
    fn whole_frame(&self, frames: &mut Deframer) -> io::Result<Option<Vec<u8>>> {
        if !self.framed {
            return Ok(None);
        }
        frames
            .next_frame()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
    }

    /// Unframed: as many bytes came back as went out (an echo is done).
    fn echoed(&self) -> bool {
        !self.framed && self.message_len > 0 && self.reply.len() >= self.message_len
    }

    /// How long to wait now: --timeout from the last write; unframed, also a pause after the
    /// reply's last byte once the message is out.
    fn until(&self, timeout: Duration) -> Instant {
        let deadline = self.wrote_at + timeout;
        match self.last_byte {
            Some(at) if !self.writing() && !self.framed => (at + QUIET).min(deadline),
            _ => deadline,
        }
    }

    fn wrote(&mut self, n: usize) -> io::Result<bool> {
        if n == 0 {
            return Err(io::Error::from(io::ErrorKind::WriteZero));
        }
        self.written += n;
        self.wrote_at = Instant::now();
        Ok(false)
    }

    /// What a read brought; the end of the stream ends an unframed reply.
    fn read(&mut self, got: &[u8], frames: &mut Deframer) -> io::Result<bool> {
        if got.is_empty() {
            return if self.framed {
                Err(io::Error::from(io::ErrorKind::UnexpectedEof))
            } else {
                Ok(true)
            };
        }
        if self.framed {
            frames.push(got);
            return Ok(false);
        }
        self.reply.extend_from_slice(got);
        self.last_byte = Some(Instant::now());
        // To an empty message, any bytes are the answer.
        Ok(self.message_len == 0)
    }

    /// The wait ran out: while writing, the server stopped reading; after, the reply is over.
    fn quiet(&self, writing: bool) -> io::Result<bool> {
        if writing {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the server stopped reading: nothing more could be sent within the --timeout",
            ));
        }
        Ok(true)
    }

    /// The reply once the exchange ended without a whole frame: what came, if anything came
    /// (an empty message wants no bytes back).
    fn reply(self) -> Option<Vec<u8>> {
        if self.framed {
            return None;
        }
        (!self.reply.is_empty() || self.message_len == 0).then_some(self.reply)
    }
}

/// A message as it goes on the wire: in its frame with --framed, else as it is.
pub(super) fn on_the_wire<'m>(
    message: &'m [u8],
    args: &SendArgs,
) -> Result<Cow<'m, [u8]>, FrameError> {
    Ok(match args.wire.framed {
        Some(header) => Cow::Owned(header.encode(message)?),
        None => Cow::Borrowed(message),
    })
}
