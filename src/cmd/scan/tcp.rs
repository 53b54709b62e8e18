//! The TCP connect scan: a full connect per port, no privilege needed.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol as SockProtocol, Socket, Type};
use tokio::net::TcpStream;

use super::{FIRST_BACKOFF, Found, Pace, Settings, SharedPace, Verdict, back_off, sweep, within};
use crate::error::Error;
use crate::net::errno::{self, is_busy};
use crate::ports::PortState;

/// How one connect ended.
enum Answer {
    Open(Duration),
    Refused,
    Silent,
    Unreachable(&'static str),
    /// Connected to itself (TCP simultaneous open on loopback): nothing listens there.
    SelfConnect,
}

/// Every port, then once more the ones that stayed silent; what is silent twice is filtered.
pub(super) async fn scan(
    addr: IpAddr,
    ports: &[u16],
    settings: &Settings,
    found: &mut Found<'_>,
) -> Result<(), Error> {
    let pace: SharedPace = Arc::new(Pace::new(settings.max_wait));
    let mut round = ports.to_vec();
    for attempt in 0..2 {
        let mut silent = Vec::new();
        sweep(
            addr,
            round,
            settings,
            None,
            connect,
            &pace,
            |port, answer| {
                let verdict = match answer {
                    Answer::Silent if attempt == 0 => {
                        silent.push(port);
                        return;
                    }
                    Answer::Open(rtt) => Verdict::new(PortState::Open, "syn-ack", Some(rtt)),
                    Answer::Refused => Verdict::new(PortState::Closed, "conn-refused", None),
                    Answer::SelfConnect => Verdict::new(PortState::Closed, "self-connect", None),
                    Answer::Silent => Verdict::new(PortState::Filtered, "no-response", None),
                    Answer::Unreachable(why) => Verdict::new(PortState::Filtered, why, None),
                };
                found.record(port, verdict);
            },
        )
        .await;
        silent.sort_unstable();
        round = silent;
        if round.is_empty() {
            break;
        }
    }
    Ok(())
}

/// One connect. Out of descriptors or local ports: wait a little and try the same port again.
async fn connect(at: SocketAddr, pace: SharedPace) -> Answer {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let began = Instant::now();
        let Some(handshake) = within(&pace, began, handshake(at)).await else {
            return Answer::Silent;
        };
        let rtt = began.elapsed();
        return match handshake {
            Ok(own) if own == at => Answer::SelfConnect,
            Ok(_) => {
                pace.saw(rtt);
                Answer::Open(rtt)
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                pace.saw(rtt);
                Answer::Refused
            }
            Err(e) if is_busy(&e) => {
                tokio::time::sleep(backoff).await;
                backoff = back_off(backoff);
                continue;
            }
            Err(e) => Answer::Unreachable(errno::reason_word(&e)),
        };
    }
}

/// One TCP handshake; the local address it connected from. A nonblocking connect to a
/// nearby host (loopback above all) is often decided before connect() returns: then the
/// answer is read at once, and the socket never goes through the event loop (registering
/// and deregistering it were two epoll_ctl calls per port, on a path where the kernel's
/// work is the limit).
async fn handshake(at: SocketAddr) -> io::Result<SocketAddr> {
    let socket = Socket::new(
        Domain::for_address(at),
        Type::STREAM,
        Some(SockProtocol::TCP),
    )?;
    socket.set_nonblocking(true)?;
    match socket.connect(&at.into()) {
        Ok(()) => return own_address(&socket),
        Err(e) if errno::is_in_progress(&e) => {}
        Err(e) => return Err(e),
    }
    if let Some(e) = socket.take_error()? {
        return Err(e);
    }
    if socket.peer_addr().is_ok() {
        return own_address(&socket);
    }
    let stream = TcpStream::from_std(std::net::TcpStream::from(socket))?;
    stream.writable().await?;
    if let Some(e) = stream.take_error()? {
        return Err(e);
    }
    // Writable without an error is connected; peer_addr says so for certain.
    stream.peer_addr()?;
    stream.local_addr()
}

fn own_address(socket: &Socket) -> io::Result<SocketAddr> {
    socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| io::Error::other("a TCP socket without an IP address"))
}
