//! trace's ICMP probes: echo requests on one echo socket (net::icmp), each sent with its TTL,
//! many TTLs at once within the window; an answer (the echo reply, or the time exceeded or
//! unreachable about a request) is matched to its probe by sequence number.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::path::{Path, Updates};
use crate::cli::TraceArgs;
use crate::error::Error;
use crate::net::icmp::{Echo, EchoSocket, Kind};
use crate::net::probe::ttl::Hit;
use crate::net::stamp::Stamp;

/// What each request carries.
const DATA: [u8; 32] = [0; 32];

/// The probes out and the answers in.
struct IcmpTrace<'a> {
    addr: IpAddr,
    /// Where the requests go: `addr` with the scope of its %zone.
    to: SocketAddr,
    args: &'a TraceArgs,
    socket: EchoSocket,
    path: Path<'a>,
    ident: u16,
    /// Sequence number -> (ttl, probe, when it went out).
    sent: BTreeMap<u16, (u32, u32, Stamp)>,
    next_ttl: u32,
    last_send: Stamp,
}

/// Runs the ICMP probes to `to` until the path is done.
pub(super) async fn probes(
    to: SocketAddr,
    args: &TraceArgs,
    updates: Updates,
) -> Result<(), Error> {
    let addr = to.ip();
    let mut trace = IcmpTrace {
        addr,
        to,
        args,
        socket: EchoSocket::open(addr.is_ipv6(), Kind::Auto, None)?,
        path: Path::new(addr, args, updates),
        ident: (std::process::id() as u16) ^ 0x7472,
        sent: BTreeMap::new(),
        next_ttl: 1,
        last_send: Stamp::now(),
    };
    let mut buf = vec![0u8; 65_536];
    loop {
        trace.send_while_room().await?;
        trace.expire();
        if trace.path.done() {
            break;
        }
        let wait = trace.until_oldest_expires();
        let got = tokio::time::timeout(wait, trace.socket.recv(&mut buf)).await;
        if let Ok(Ok(Some(echo))) = got {
            trace.take(echo);
        }
        if trace.path.done() {
            break;
        }
    }
    Ok(())
}

impl IcmpTrace<'_> {
    fn fail(&self, source: std::io::Error) -> Error {
        Error::Connect {
            what: format!("{} with ICMP probes", self.addr),
            source,
        }
    }

    /// The probes sent and not yet answered (nor given up).
    fn out(&self) -> impl Iterator<Item = &(u32, u32, Stamp)> {
        self.sent
            .values()
            .filter(|(t, q, _)| !self.path.has(*t, *q))
    }

    /// Sends the next hops' probes while the window has room.
    async fn send_while_room(&mut self) -> Result<(), Error> {
        let queries = self.args.queries;
        let mut out = self.out().count();
        while self.next_ttl <= self.args.max_hops && super::room(out, queries) {
            let ttl = self.next_ttl;
            for q in 0..queries {
                let seq = ((ttl - 1) * queries + q) as u16;
                let sent = self.socket.send(self.to, self.ident, seq, Some(ttl), &DATA);
                let at = sent.await.map_err(|e| self.fail(e))?;
                self.last_send = at;
                self.sent.insert(seq, (ttl, q, at));
                out += 1;
            }
            self.next_ttl += 1;
        }
        Ok(())
    }

    /// Probes past their wait count as unanswered.
    fn expire(&mut self) {
        let now = Stamp::now();
        for &(ttl, q, at) in self.sent.values() {
            if now.saturating_duration_since(at) >= self.args.wait {
                self.path.answer((ttl, q), None);
            }
        }
    }

    /// How long until the oldest probe out is given up.
    fn until_oldest_expires(&self) -> Duration {
        let oldest = self.out().map(|(_, _, at)| *at).min();
        let waited = oldest.unwrap_or(self.last_send).elapsed();
        self.args.wait.saturating_sub(waited)
    }

    /// An answer: the probe it is about gets it, if it is ours and still waiting.
    fn take(&mut self, echo: Echo) {
        if !echo.answers(self.addr, self.ident) {
            return;
        }
        let Some(&(ttl, q, at)) = self.sent.get(&echo.seq) else {
            return;
        };
        if self.path.has(ttl, q) {
            return;
        }
        let hit = Hit {
            from: echo.from,
            rtt: echo.time.saturating_duration_since(at),
            at: Some(echo.time),
            error: echo.error,
        };
        self.path.answer((ttl, q), Some(hit));
    }
}
