//! The TCP connect scan: a full connect per port, no privilege needed.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol as SockProtocol, Socket, Type};
use tokio::net::TcpStream;

use super::{
    FIRST_BACKOFF, Found, Pace, Settings, SharedPace, Started, Verdict, back_off, sweep, within,
};
use crate::error::Error;
use crate::net::connect;
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
    addr: SocketAddr,
    ports: &[u16],
    settings: &Settings,
    pace: SharedPace,
    found: &mut Found<'_>,
) -> Result<(), Error> {
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

/// One connect, answered at once when the kernel decides it before connect() returns (a
/// nearby host, loopback above all: then the socket never meets the event loop, and the
/// probe costs no task), else waited for. Out of descriptors or local ports: wait a little
/// and try the same port again.
fn connect(
    at: SocketAddr,
    pace: SharedPace,
) -> Started<Answer, impl Future<Output = Answer> + Send + 'static> {
    let began = Instant::now();
    match begin(at) {
        Begun::Decided(result) => Started::Done(answer(at, result, began, &pace)),
        Begun::Pending(socket) => Started::Waiting(finish(at, pace, Some((socket, began)))),
        Begun::Busy => Started::Waiting(finish(at, pace, None)),
    }
}

/// A connect that must be waited for (`pending`), or started again after a busy error
/// (`None`, after a backoff).
async fn finish(at: SocketAddr, pace: SharedPace, pending: Option<(Socket, Instant)>) -> Answer {
    let mut backoff = FIRST_BACKOFF;
    let mut pending = pending;
    loop {
        let (socket, began) = match pending.take() {
            Some(p) => p,
            None => {
                tokio::time::sleep(backoff).await;
                backoff = back_off(backoff);
                let began = Instant::now();
                match begin(at) {
                    Begun::Decided(result) => return answer(at, result, began, &pace),
                    Begun::Pending(socket) => (socket, began),
                    Begun::Busy => continue,
                }
            }
        };
        let Some(result) = within(&pace, began, settle(socket)).await else {
            return Answer::Silent;
        };
        if !result.as_ref().is_err_and(is_busy) {
            return answer(at, result, began, &pace);
        }
    }
}

/// A finished handshake: the local address it connected from, and the kernel's RTT of it
/// where the kernel tells (read while the socket is open, before anything is sent).
struct Connected {
    local: SocketAddr,
    rtt: Option<Duration>,
}

/// What a finished handshake or its error means. An open port's time is the kernel's RTT of
/// the handshake; a reset's, the connect's own.
fn answer(at: SocketAddr, result: io::Result<Connected>, began: Instant, pace: &Pace) -> Answer {
    let mut rtt = began.elapsed();
    if let Ok(connected) = &result {
        if connected.local == at {
            return Answer::SelfConnect;
        }
        rtt = connected.rtt.unwrap_or(rtt);
    }
    let answer = connect::Answer::of(result);
    if answer.host_is_up() {
        pace.saw(rtt);
    }
    match answer {
        connect::Answer::Open => Answer::Open(rtt),
        connect::Answer::Refused => Answer::Refused,
        connect::Answer::TimedOut => Answer::Silent,
        connect::Answer::Failed(e) => Answer::Unreachable(errno::reason_word(&e)),
    }
}

/// How a nonblocking connect began.
enum Begun {
    /// Decided already: connected, or why it failed.
    Decided(io::Result<Connected>),
    Pending(Socket),
    /// Out of descriptors or local ports: to be tried again after a while.
    Busy,
}

/// Opens a nonblocking socket and connects it. A connect in progress may be decided by the
/// time connect() returns: its error (or its peer) is read at once.
fn begin(at: SocketAddr) -> Begun {
    let decided = |result: io::Result<Connected>| match result {
        Err(e) if is_busy(&e) => Begun::Busy,
        result => Begun::Decided(result),
    };
    let socket = match crate::net::nonblocking_socket(
        Domain::for_address(at),
        Type::STREAM,
        Some(SockProtocol::TCP),
    ) {
        Ok(socket) => socket,
        Err(e) => return decided(Err(e)),
    };
    match socket.connect(&at.into()) {
        Ok(()) => decided(connected(&socket, at)),
        Err(e) if errno::is_in_progress(&e) => match socket.take_error() {
            Ok(Some(e)) | Err(e) => decided(Err(e)),
            Ok(None) if socket.peer_addr().is_ok() => decided(connected(&socket, at)),
            Ok(None) => Begun::Pending(socket),
        },
        Err(e) => decided(Err(e)),
    }
}

/// Waits on the event loop for a pending connect to finish.
async fn settle(socket: Socket) -> io::Result<Connected> {
    let stream = TcpStream::from_std(std::net::TcpStream::from(socket))?;
    stream.writable().await?;
    if let Some(e) = stream.take_error()? {
        return Err(e);
    }
    // Writable without an error is connected; peer_addr says so for certain.
    let at = stream.peer_addr()?;
    let local = stream.local_addr()?;
    Ok(Connected {
        local,
        rtt: kernel_rtt(local, at),
    })
}

/// A socket that connected at once: where from, and the kernel's RTT of its handshake.
fn connected(socket: &Socket, at: SocketAddr) -> io::Result<Connected> {
    let local = socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| io::Error::other("a TCP socket without an IP address"))?;
    Ok(Connected {
        local,
        rtt: kernel_rtt(local, at),
    })
}

/// The kernel's RTT of the handshake local → at (not asked of a connection to itself).
fn kernel_rtt(local: SocketAddr, at: SocketAddr) -> Option<Duration> {
    (local != at)
        .then(|| crate::net::diag::tcp_rtt(local, at).ok().flatten())
        .flatten()
}
