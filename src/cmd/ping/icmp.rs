//! ping's ICMP prober: one echo socket per address family in use (net::icmp: raw, or the
//! unprivileged datagram kind), a request to every host each round, and every reply,
//! duplicate and ICMP error matched to its host and sequence number.

use std::io;
use std::time::Duration;

use super::hosts::{Pinging, Reply};
use crate::cli::{PingArgs, SocketKind};
use crate::error::Error;
use crate::net::icmp::{Echo, EchoSocket, Kind};
use crate::net::probe::Prober;
use crate::net::stamp::Stamp;
use crate::output::ping::PingReport;

/// How long to wait for replies after the last probe when none has come yet (iputils' MAXWAIT).
const DEFAULT_LINGER: Duration = Duration::from_secs(10);

/// Echo requests to every host, on a socket per family.
pub(super) struct IcmpProber<'a> {
    ping: Pinging<'a>,
    v4: Option<EchoSocket>,
    v6: Option<EchoSocket>,
    buf4: Vec<u8>,
    buf6: Vec<u8>,
    /// Each host's identifier (a raw socket sees every reply of the family).
    idents: Vec<u16>,
    /// What each request carries.
    data: Vec<u8>,
    /// -W: how long to wait after the last probe.
    timeout: Option<Duration>,
}

impl<'a> IcmpProber<'a> {
    /// Opens the sockets the hosts need, then prints the header lines (an error must come
    /// without them, as in iputils).
    pub fn open(mut ping: Pinging<'a>, args: &PingArgs) -> Result<IcmpProber<'a>, Error> {
        let kind = match args.socket {
            SocketKind::Auto => Kind::Auto,
            SocketKind::Raw => Kind::Raw,
            SocketKind::Dgram => Kind::Dgram,
        };
        let open = |v6: bool| -> Result<Option<EchoSocket>, Error> {
            if !ping.targets.iter().any(|t| t.addr.is_ipv6() == v6) {
                return Ok(None);
            }
            EchoSocket::open(v6, kind, args.ttl).map(Some)
        };
        let (v4, v6) = (open(false)?, open(true)?);
        let size = usize::from(args.size);
        ping.headers(Some(size))?;
        let idents = (0..ping.targets.len())
            .map(|i| (std::process::id() as u16) ^ (i as u16).rotate_left(8))
            .collect();
        Ok(IcmpProber {
            ping,
            v4,
            v6,
            buf4: vec![0u8; 65_536],
            buf6: vec![0u8; 65_536],
            idents,
            data: payload(size),
            timeout: args.timeout,
        })
    }

    /// The report; `elapsed` is the time from the start to the last probe sent.
    pub fn report(self, elapsed: Duration) -> PingReport {
        self.ping.report(elapsed)
    }

    /// The host `echo` answers, by address and identifier, for a probe it was sent.
    fn host_of(&self, echo: &Echo) -> Option<usize> {
        let targets = self.ping.targets.iter().zip(&self.idents);
        targets.enumerate().position(|(i, (t, &ident))| {
            echo.answers(t.addr, ident) && self.ping.tracker(i).sent_at(echo.seq).is_some()
        })
    }
}

impl Prober for IcmpProber<'_> {
    type Answer = io::Result<Option<Echo>>;

    async fn send(&mut self, round: u64) -> Result<(), Error> {
        let seq = self.ping.round(round)?;
        for (i, t) in self.ping.targets.iter().enumerate() {
            let socket = if t.addr.is_ipv6() { &self.v6 } else { &self.v4 };
            let Some(socket) = socket else { continue };
            let sent = socket.send(t.to, self.idents[i], seq, None, &self.data);
            match sent.await {
                Ok(at) => self.ping.sent(i, seq, at),
                Err(e) => {
                    self.ping.sent(i, seq, Stamp::now());
                    self.ping.send_failed(i, seq, &e)?;
                }
            }
        }
        Ok(())
    }

    async fn next(&mut self) -> Self::Answer {
        let (v4, v6) = (&self.v4, &self.v6);
        tokio::select! {
            got = recv(v4, &mut self.buf4) => got,
            got = recv(v6, &mut self.buf6) => got,
        }
    }

    fn take(&mut self, got: Self::Answer) -> Result<(), Error> {
        // A failed receive (an ICMP error queued on the socket) is not fatal: keep listening.
        let Ok(Some(echo)) = got else {
            return Ok(());
        };
        let Some(i) = self.host_of(&echo) else {
            return Ok(());
        };
        let Some(sent) = self.ping.tracker(i).sent_at(echo.seq) else {
            return Ok(());
        };
        if let Some(error) = echo.error {
            return self.ping.icmp_error(i, echo.seq, echo.from, error);
        }
        let reply = Reply::Echo {
            from: echo.from,
            ttl: echo.ttl,
            bytes: echo.bytes,
            intact: echo.payload == self.data,
        };
        let rtt = echo.time.saturating_duration_since(sent);
        self.ping.reply(i, echo.seq, rtt, reply)
    }

    fn settled(&self) -> bool {
        self.ping.settled()
    }

    fn linger(&self) -> Option<Duration> {
        Some(linger(self.ping.slowest_ms(), self.timeout))
    }
}

/// How long to wait after the last probe: twice the slowest reply once there were replies
/// (iputils' rule), else -W (10 s by default).
fn linger(slowest_ms: f64, timeout: Option<Duration>) -> Duration {
    match timeout {
        Some(w) => w,
        None if slowest_ms > 0.0 => Duration::from_secs_f64((2.0 * slowest_ms / 1000.0).max(0.01)),
        None => DEFAULT_LINGER,
    }
}

/// The next answer on a socket, or never for a family not in use.
async fn recv(socket: &Option<EchoSocket>, buf: &mut [u8]) -> io::Result<Option<Echo>> {
    match socket {
        Some(s) => s.recv(buf).await,
        None => std::future::pending().await,
    }
}

/// The data each probe carries: bytes 0, 1, 2, ... so a reply can be checked byte for byte.
fn payload(size: usize) -> Vec<u8> {
    (0..size).map(|i| i as u8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linger_follows_iputils() {
        assert_eq!(linger(0.0, None), DEFAULT_LINGER);
        assert_eq!(linger(20.0, None), Duration::from_millis(40));
        assert_eq!(
            linger(20.0, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn payload_counts_up() {
        assert_eq!(payload(4), [0, 1, 2, 3]);
        assert_eq!(payload(300)[256], 0);
    }
}
