//! One exchange: a message sent, and its reply waited for within --timeout (a datagram, the
//! next frame, or over unframed TCP as many bytes as went out, or what came before a pause).
//! The reply's time is the kernel's: its receive stamp (of the datagram, or of the first
//! segment of a TCP reply) minus the send time read on the same clock just before the send.
//! Over TCP an exchange also says whether the server closed (FIN) or reset (RST) the
//! connection meanwhile, and a message is not written to a server that has already closed.
//! A framed reply that is a JSON object with a size field (the lessons' file header) is
//! followed by that many bare bytes: they are read as its body, counted and hashed, not kept.

use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use tokio::io::Interest;
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::body::read_body;
use super::{Link, QUIET, read_buffer, send_datagram};
use crate::cli::SendArgs;
use crate::frame::{Announced, BodyCheck, BodySum, Deframer, FrameError};
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
    /// Over TCP, the size of each read it came in (each at most --recv-size bytes).
    pub reads: Vec<usize>,
    /// A framed reply that is a JSON object: the object.
    pub header: Option<sonic_rs::Value>,
    /// The body its size field announced: size and checksum.
    pub body: Option<BodySum>,
    /// With --save-body, why the body could not be written (the checksum is still taken).
    pub not_saved: Option<String>,
}

/// How the server ended a TCP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ended {
    /// A FIN: the program closed its socket after reading what it was sent.
    Closed,
    /// A reset: its socket was closed with data unread, or before the data came.
    Reset,
}

/// What came of one exchange.
pub(super) struct Got {
    /// Whether the message went out (not when the server had already closed).
    pub sent: bool,
    /// The reply, if one came in time.
    pub reply: Option<Reply>,
    /// Over TCP: the server ended the connection (before the message, or during the wait).
    pub ended: Option<Ended>,
}

/// A socket error that is the server ending the connection.
pub(super) fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    )
}

/// Whether the server has already ended the connection: a FIN waiting to be read (with no
/// data before it), or a reset. Data waiting (the rest of an earlier reply) is left there.
fn ended_already(stream: &TcpStream) -> Option<Ended> {
    let mut one = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    // The socket is nonblocking: WouldBlock says the connection is open and nothing waits.
    match socket2::SockRef::from(stream).peek(&mut one) {
        Ok(0) => Some(Ended::Closed),
        Err(e) if is_reset(&e) => Some(Ended::Reset),
        _ => None,
    }
}

/// Sends one message and waits for its reply within --timeout.
pub(super) async fn exchange(link: &mut Link, message: &[u8], args: &SendArgs) -> io::Result<Got> {
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
            let reply = match timeout(args.timeout, got).await {
                Ok(Ok(got)) => Some(Reply {
                    from: got.address.unwrap_or(*peer),
                    bytes: buf[..got.bytes.min(buf.len())].to_vec(),
                    size: got.bytes,
                    rtt: got.time.saturating_duration_since(sent),
                    reads: Vec::new(),
                    header: None,
                    body: None,
                    not_saved: None,
                }),
                Ok(Err(e)) => return Err(e),
                Err(_) => None,
            };
            Ok(Got {
                sent: true,
                reply,
                ended: None,
            })
        }
        Link::Tcp(stream, frames) => {
            if let Some(ended) = ended_already(stream) {
                return Ok(Got {
                    sent: false,
                    reply: None,
                    ended: Some(ended),
                });
            }
            let from = stream.peer_addr()?;
            let (reply, mut ended) = tcp_exchange(stream, frames, message, args).await?;
            let Some((bytes, rtt, reads)) = reply else {
                return Ok(Got {
                    sent: true,
                    reply: None,
                    ended,
                });
            };
            let announced = args.wire.reads_framed().and_then(|_| Announced::of(&bytes));
            let mut body = None;
            let mut not_saved = None;
            if let Some(check) = announced.as_ref().and_then(BodyCheck::of) {
                if check.left() > args.wire.max_frame as u64 {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "the JSON header announces a body of {} bytes, above --max-frame \
                             ({}); give a larger --max-frame to read it",
                            check.left(),
                            args.wire.max_frame
                        ),
                    ));
                }
                let read = read_body(stream, frames, check, args, ended).await?;
                body = Some(read.sum);
                not_saved = read.not_saved;
                ended = ended.or(read.ended);
            }
            Ok(Got {
                sent: true,
                reply: Some(Reply {
                    from,
                    size: bytes.len(),
                    bytes,
                    rtt,
                    reads,
                    header: announced.map(|a| a.json),
                    body,
                    not_saved,
                }),
                ended,
            })
        }
    }
}

/// A TCP reply: its bytes, its time, the size of each read.
type TcpReply = (Vec<u8>, Duration, Vec<usize>);

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
) -> io::Result<(Option<TcpReply>, Option<Ended>)> {
    let outgoing = on_the_wire(message, args)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let mut x = TcpExchange {
        outgoing: &outgoing,
        message_len: message.len(),
        framed: args.wire.reads_framed().is_some(),
        written: 0,
        wrote_at: Instant::now(),
        reply: Vec::new(),
        reads: Vec::new(),
        last_byte: None,
        sent: Stamp::now(),
        first_arrival: None,
    };
    let stream = &*stream;
    let fd = stream.as_raw_fd();
    let mut buf = read_buffer(args);
    let mut ended = None;
    loop {
        let writing = x.writing();
        if !writing {
            if let Some(frame) = x.whole_frame(frames)? {
                let size = frame.len();
                return Ok((Some((frame, x.rtt(), vec![size])), None));
            }
            if x.echoed() {
                break;
            }
        }
        let until = x.until(args.timeout);
        let done = tokio::select! {
            sent = write_some(stream, &x.outgoing[x.written..]), if writing => match sent {
                Ok(n) => x.wrote(n)?,
                Err(e) if is_reset(&e) => { ended = Some(Ended::Reset); true }
                Err(e) => return Err(e),
            },
            got = stream.async_io(Interest::READABLE | Interest::ERROR, || stamp::recv(fd, &mut buf, Read::default())) => match got {
                // The end of the stream: the server closed (an unframed reply ends there).
                Ok(got) if got.bytes == 0 => { ended = Some(Ended::Closed); true }
                Ok(got) => {
                    x.first_arrival.get_or_insert(got.time);
                    x.read(&buf[..got.bytes.min(buf.len())], frames)
                }
                Err(e) if is_reset(&e) => { ended = Some(Ended::Reset); true }
                Err(e) => return Err(e),
            },
            _ = tokio::time::sleep_until(until.into()) => x.quiet(writing)?,
        };
        if done {
            break;
        }
    }
    if ended.is_some()
        && let Some(frame) = x.whole_frame(frames)?
    {
        let size = frame.len();
        return Ok((Some((frame, x.rtt(), vec![size])), ended));
    }
    let rtt = x.rtt();
    Ok((x.reply().map(|(reply, reads)| (reply, rtt, reads)), ended))
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
    /// The size of each read the reply came in.
    reads: Vec<usize>,
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

    /// What a read brought (never empty: the end of the stream is the caller's).
    fn read(&mut self, got: &[u8], frames: &mut Deframer) -> bool {
        if self.framed {
            frames.push(got);
            return false;
        }
        self.reply.extend_from_slice(got);
        self.reads.push(got.len());
        self.last_byte = Some(Instant::now());
        // To an empty message, any bytes are the answer.
        self.message_len == 0
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
    fn reply(self) -> Option<(Vec<u8>, Vec<usize>)> {
        if self.framed {
            return None;
        }
        (!self.reply.is_empty() || self.message_len == 0).then_some((self.reply, self.reads))
    }
}

/// A message as it goes on the wire: in its frame with --framed or --framed-out, else as it is.
pub(super) fn on_the_wire<'m>(
    message: &'m [u8],
    args: &SendArgs,
) -> Result<Cow<'m, [u8]>, FrameError> {
    Ok(match args.wire.writes_framed() {
        Some(header) => Cow::Owned(header.encode(message)?),
        None => Cow::Borrowed(message),
    })
}
