//! What a TCP connect says about a host, decided once: a handshake (open) and a reset
//! (refused) both prove the host is up; silence and other errors do not. Used by ping --tcp,
//! check, trace --tcp and the connect scan (which keeps its own nonblocking shape and shares
//! only the classification), one timed connect for those that simply wait, and `in_turn`:
//! a name's addresses tried one after another, as a client connects (issue 23).

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

use super::stamp::Stamp;

/// How one connect ended.
#[derive(Debug)]
pub enum Answer {
    /// SYN/ACK: something listens.
    Open,
    /// RST: nothing listens, but the host answered.
    Refused,
    /// No answer within the wait.
    TimedOut,
    /// Any other error (unreachable, no route, a local refusal ...).
    Failed(io::Error),
}

impl Answer {
    /// What a finished connect's result means (a connect cut short by a timer is `TimedOut`,
    /// which only the waiter knows).
    pub fn of<T>(result: io::Result<T>) -> Answer {
        match result {
            Ok(_) => Answer::Open,
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => Answer::Refused,
            Err(e) => Answer::Failed(e),
        }
    }

    /// A stable token for JSON: "open", "refused", "no_answer", "error".
    pub fn token(&self) -> &'static str {
        match self {
            Answer::Open => "open",
            Answer::Refused => "refused",
            Answer::TimedOut => "no_answer",
            Answer::Failed(_) => "error",
        }
    }

    /// In words, for a connect that waited at most `wait`: only a reset is called refused.
    pub fn words(&self, wait: Duration) -> String {
        match self {
            Answer::Open => "connected".to_string(),
            Answer::Refused => "connection refused".to_string(),
            Answer::TimedOut if wait.subsec_millis() == 0 => {
                format!("no answer within {} s", wait.as_secs())
            }
            Answer::TimedOut => format!("no answer within {} ms", wait.as_millis()),
            Answer::Failed(e) => crate::error::io_reason(e),
        }
    }

    /// Whether the host answered: a SYN/ACK or a reset both come from it.
    pub fn host_is_up(&self) -> bool {
        matches!(self, Answer::Open | Answer::Refused)
    }
}

/// A connect to `to` within `wait`: how it ended, and how long that took. A handshake is
/// timed by the kernel (its RTT of the SYN → SYN/ACK); a reset, which leaves no socket to ask,
/// by the connect itself, on the stamps' clock.
pub async fn timed(to: SocketAddr, wait: Duration) -> (Answer, Duration) {
    let began = Stamp::now();
    let (answer, rtt) = match tokio::time::timeout(wait, TcpStream::connect(to)).await {
        Ok(Ok(stream)) => (Answer::Open, handshake_rtt(&stream)),
        Ok(result) => (Answer::of(result), None),
        Err(_) => (Answer::TimedOut, None),
    };
    (answer, rtt.unwrap_or_else(|| began.elapsed()))
}

/// One address tried by `in_turn`: where, how the connect ended, how long it took.
#[derive(Debug)]
pub struct Attempt {
    pub to: SocketAddr,
    pub answer: Answer,
    pub took: Duration,
}

/// Connects as Python's `socket.create_connection` (and curl, and every getaddrinfo client)
/// does: each address in turn, the next after a refusal, an error or no answer within
/// `wait`, until one accepts. Every attempt is kept in order, the accepting one last; an
/// accepted connection is closed at once (only the answer is wanted).
pub async fn in_turn(addrs: &[SocketAddr], wait: Duration) -> Vec<Attempt> {
    let mut attempts = Vec::with_capacity(addrs.len());
    for &to in addrs {
        let (answer, took) = timed(to, wait).await;
        let open = matches!(answer, Answer::Open);
        attempts.push(Attempt { to, answer, took });
        if open {
            break;
        }
    }
    attempts
}

/// Which attempt speaks for the host: the first that accepted, else the first that was
/// refused (the host is up, the port closed), else none.
pub fn answering(attempts: &[Attempt]) -> Option<usize> {
    let first = |up: fn(&Answer) -> bool| attempts.iter().position(|a| up(&a.answer));
    first(|a| matches!(a, Answer::Open)).or_else(|| first(Answer::host_is_up))
}

/// The kernel's RTT of a connected socket's handshake (read before any data is sent); `None`
/// where the kernel does not tell.
pub fn handshake_rtt(stream: &TcpStream) -> Option<Duration> {
    let (local, peer) = (stream.local_addr().ok()?, stream.peer_addr().ok()?);
    super::diag::tcp_rtt(local, peer).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_proves_the_host_is_up_and_other_errors_do_not() {
        let kinds = [
            (Ok(()), true),
            (Err(io::ErrorKind::ConnectionRefused), true),
            (Err(io::ErrorKind::HostUnreachable), false),
            (Err(io::ErrorKind::PermissionDenied), false),
        ];
        for (result, up) in kinds {
            let answer = Answer::of(result.map_err(io::Error::from));
            assert_eq!(answer.host_is_up(), up, "{answer:?}");
        }
        assert!(!Answer::TimedOut.host_is_up());
    }

    #[test]
    fn a_timed_connect_to_loopback_is_answered() {
        let Ok(runtime) = crate::net::runtime(1) else {
            return;
        };
        runtime.block_on(async {
            let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
                return;
            };
            let Ok(at) = listener.local_addr() else {
                return;
            };
            let (answer, _) = timed(at, Duration::from_secs(2)).await;
            assert!(matches!(answer, Answer::Open), "{answer:?}");
            drop(listener);
            let (answer, _) = timed(at, Duration::from_secs(2)).await;
            assert!(matches!(answer, Answer::Refused), "{answer:?}");
        });
    }

    #[test]
    fn addresses_are_tried_in_turn_until_one_accepts() {
        let Ok(runtime) = crate::net::runtime(1) else {
            return;
        };
        runtime.block_on(async {
            let Ok(open) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
                return;
            };
            let Ok(listening) = open.local_addr() else {
                return;
            };
            // A port just freed on another loopback address refuses.
            let Ok(closed) = tokio::net::TcpListener::bind("127.0.0.2:0").await else {
                return;
            };
            let Ok(refusing) = closed.local_addr() else {
                return;
            };
            drop(closed);
            let wait = Duration::from_secs(2);
            let tried = in_turn(&[refusing, listening, refusing], wait).await;
            let answers: Vec<_> = tried
                .iter()
                .map(|a| (a.to, a.answer.host_is_up()))
                .collect();
            assert_eq!(answers, [(refusing, true), (listening, true)], "{tried:?}");
            assert_eq!(answering(&tried), Some(1));
            let refused = in_turn(&[refusing], wait).await;
            assert_eq!(answering(&refused), Some(0));
        });
    }

    #[test]
    fn the_answering_attempt_is_an_open_one_before_a_refused_one() {
        let at = |n: u8| SocketAddr::from(([127, 0, 0, n], 1));
        let attempt = |n, answer| Attempt {
            to: at(n),
            answer,
            took: Duration::ZERO,
        };
        let silent = [attempt(1, Answer::TimedOut)];
        assert_eq!(answering(&silent), None);
        let mixed = [
            attempt(1, Answer::TimedOut),
            attempt(2, Answer::Refused),
            attempt(3, Answer::Open),
        ];
        assert_eq!(answering(&mixed), Some(2));
        assert_eq!(answering(&mixed[..2]), Some(1));
    }
}
