//! ping's TCP prober (`ping --tcp PORT`): times a TCP handshake instead of an echo. A SYN/ACK
//! (port open) and a RST (port closed) both prove the host is up (net::connect), and a
//! connect needs no privilege.

use std::time::Duration;

use tokio::task::{JoinError, JoinSet};

use super::hosts::{Pinging, Reply};
use crate::error::Error;
use crate::net::connect::{self, Answer};
use crate::net::probe::Prober;
use crate::net::stamp::Stamp;
use crate::output::ping::PingReport;

/// How long one connect may take when -W is not given.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// One connect's end: the host, the sequence number, how it ended and how long it took.
type Ended = (usize, u16, Answer, Duration);

/// A timed connect to every host each round, each on a task of its own.
pub(super) struct TcpProber<'a> {
    ping: Pinging<'a>,
    port: u16,
    /// How long one connect may take.
    limit: Duration,
    pending: JoinSet<Ended>,
}

/// How long one connect may take: -W, or DEFAULT_CONNECT_TIMEOUT.
pub(super) fn limit(timeout: Option<Duration>) -> Duration {
    timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT)
}

impl<'a> TcpProber<'a> {
    /// The prober, once the header lines are printed.
    pub fn new(
        mut ping: Pinging<'a>,
        port: u16,
        timeout: Option<Duration>,
    ) -> Result<TcpProber<'a>, Error> {
        ping.headers(None)?;
        Ok(TcpProber {
            ping,
            port,
            limit: limit(timeout),
            pending: JoinSet::new(),
        })
    }

    /// The report; `elapsed` is the time from the start to the last probe sent.
    pub fn report(self, elapsed: Duration) -> PingReport {
        self.ping.report(elapsed)
    }
}

impl Prober for TcpProber<'_> {
    type Answer = Option<Result<Ended, JoinError>>;

    async fn send(&mut self, round: u64) -> Result<(), Error> {
        let seq = self.ping.round(round)?;
        for (i, t) in self.ping.targets.iter().enumerate() {
            self.ping.sent(i, seq, Stamp::now());
            let (mut to, limit) = (t.to, self.limit);
            to.set_port(self.port);
            self.pending.spawn(async move {
                let (answer, took) = connect::timed(to, limit).await;
                (i, seq, answer, took)
            });
        }
        Ok(())
    }

    async fn next(&mut self) -> Self::Answer {
        if self.pending.is_empty() {
            return std::future::pending().await;
        }
        self.pending.join_next().await
    }

    fn take(&mut self, ended: Self::Answer) -> Result<(), Error> {
        let Some(Ok((i, seq, answer, took))) = ended else {
            return Ok(());
        };
        match answer {
            Answer::Open | Answer::Refused => {
                let open = matches!(answer, Answer::Open);
                let reply = Reply::Connect {
                    port: self.port,
                    open,
                };
                self.ping.reply(i, seq, took, reply)
            }
            Answer::TimedOut => {
                self.ping.lost(i, seq);
                Ok(())
            }
            Answer::Failed(e) => self.ping.send_failed(i, seq, &e),
        }
    }

    /// Every connect ends by itself (answered, failed or timed out).
    fn settled(&self) -> bool {
        self.pending.is_empty()
    }

    fn linger(&self) -> Option<Duration> {
        None
    }
}
