//! What a TCP connect says about a host, decided once: a handshake (open) and a reset
//! (refused) both prove the host is up; silence and other errors do not. Used by ping --tcp,
//! check, trace --tcp and the connect scan (which keeps its own nonblocking shape and shares
//! only the classification), and one timed connect for those that simply wait.

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
}
