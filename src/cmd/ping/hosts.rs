//! What ping knows and says about each host, whichever prober runs: the book of its probes
//! (net::probe::Tracker), its replies and errors printed as they come (and then forgotten:
//! only counts, statistics and the sparkline's last RTTs are kept), and the report at the end.

use std::collections::VecDeque;
use std::io;
use std::net::IpAddr;
use std::time::Duration;

use super::Target;
use crate::error::{Error, ping_reason};
use crate::net::probe::Tracker;
use crate::net::stamp::Stamp;
use crate::output::Output;
use crate::output::ping::{HostReport, PingEvent, PingReport, PingView, ReplyRecord, SPARKLINE};
use crate::packet::icmp::IcmpError;
use crate::stats;

/// One host's probes and what came back, in memory that does not grow with the run.
#[derive(Default)]
struct Host {
    tracker: Tracker,
    /// The last RTTs, for the sparkline.
    recent: VecDeque<f64>,
    /// ICMP errors and failed sends.
    errors: u64,
}

/// How a reply came: an echo reply (its TTL, size and whether the data came back intact) or a
/// connect (the port, open or closed).
pub(super) enum Reply {
    Echo {
        from: IpAddr,
        ttl: Option<u8>,
        bytes: usize,
        intact: bool,
    },
    Connect {
        port: u16,
        open: bool,
    },
}

/// Every host of the run, and where their lines go.
pub(super) struct Pinging<'a> {
    pub targets: &'a [Target],
    hosts: Vec<Host>,
    out: &'a mut Output,
    view: PingView,
    /// -O: say so when a probe is still unanswered as the next goes out.
    report_outstanding: bool,
}

impl<'a> Pinging<'a> {
    pub fn new(
        targets: &'a [Target],
        out: &'a mut Output,
        view: PingView,
        report_outstanding: bool,
    ) -> Pinging<'a> {
        Pinging {
            targets,
            hosts: targets.iter().map(|_| Host::default()).collect(),
            out,
            view,
            report_outstanding,
        }
    }

    /// The header lines: the data size, or none for TCP connects.
    pub fn headers(&mut self, size: Option<usize>) -> Result<(), Error> {
        for t in self.targets {
            let start = PingEvent::Start {
                target: &t.given,
                addr: t.addr,
                size,
                others: &t.others,
                tried: &t.tried,
            };
            self.out.ping_event(self.view, &start)?;
        }
        Ok(())
    }

    /// Round `round` is about to go out: its sequence number, once -O has named the hosts
    /// that have not answered the last one.
    pub fn round(&mut self, round: u64) -> Result<u16, Error> {
        if self.report_outstanding && round > 0 {
            self.outstanding(round)?;
        }
        Ok(super::sequence(round))
    }

    /// -O: the hosts that have not answered the probe before round `round`.
    fn outstanding(&mut self, round: u64) -> Result<(), Error> {
        let seq = super::sequence(round - 1);
        for (t, host) in self.targets.iter().zip(&self.hosts) {
            if !host.tracker.answered(seq) {
                let event = PingEvent::NoAnswerYet {
                    target: &t.given,
                    seq,
                };
                self.out.ping_event(self.view, &event)?;
            }
        }
        Ok(())
    }

    /// Probe `seq` went out to host `i` `at`.
    pub fn sent(&mut self, i: usize, seq: u16, at: Stamp) {
        self.hosts[i].tracker.sent(seq, at);
    }

    /// The book of host `i`.
    pub fn tracker(&self, i: usize) -> &Tracker {
        &self.hosts[i].tracker
    }

    /// Whether every probe sent has had its reply or error.
    pub fn settled(&self) -> bool {
        self.hosts.iter().all(|h| h.tracker.settled())
    }

    /// The slowest reply of any host, in milliseconds.
    pub fn slowest_ms(&self) -> f64 {
        self.hosts
            .iter()
            .map(|h| h.tracker.slowest_ms())
            .fold(0.0, f64::max)
    }

    /// A reply from host `i` to probe `seq` after `rtt`, printed and kept.
    pub fn reply(&mut self, i: usize, seq: u16, rtt: Duration, reply: Reply) -> Result<(), Error> {
        let host = &mut self.hosts[i];
        let duplicate = host.tracker.reply(seq, rtt);
        let rtt_ms = rtt.as_secs_f64() * 1000.0;
        let (ttl, bytes, intact) = match reply {
            Reply::Echo {
                ttl, bytes, intact, ..
            } => (ttl, bytes, intact),
            Reply::Connect { .. } => (None, 0, true),
        };
        let record = ReplyRecord {
            seq,
            ttl,
            bytes,
            rtt_ms,
            duplicate,
            intact,
        };
        if !duplicate {
            if host.recent.len() == SPARKLINE {
                host.recent.pop_front();
            }
            host.recent.push_back(rtt_ms);
        }
        let target = &self.targets[i];
        let event = match reply {
            Reply::Echo { from, .. } => PingEvent::Reply {
                target: &target.given,
                name: target.name.as_deref(),
                from,
                reply: &record,
            },
            Reply::Connect { port, open } => PingEvent::TcpReply {
                target: &target.given,
                addr: target.addr,
                port,
                open,
                reply: &record,
            },
        };
        self.out.ping_event(self.view, &event)?;
        Ok(())
    }

    /// An ICMP error from `from` about probe `seq` to host `i`.
    pub fn icmp_error(
        &mut self,
        i: usize,
        seq: u16,
        from: IpAddr,
        error: IcmpError,
    ) -> Result<(), Error> {
        let message = error.text();
        let event = PingEvent::IcmpError {
            target: &self.targets[i].given,
            from,
            seq,
            message,
        };
        self.out.ping_event(self.view, &event)?;
        self.failed(i, seq);
        Ok(())
    }

    /// Probe `seq` to host `i` could not go out, or its connect failed.
    pub fn send_failed(&mut self, i: usize, seq: u16, e: &io::Error) -> Result<(), Error> {
        let message = ping_reason(e);
        let event = PingEvent::SendError {
            target: &self.targets[i].given,
            seq,
            message: &message,
        };
        self.out.ping_event(self.view, &event)?;
        self.failed(i, seq);
        Ok(())
    }

    /// Probe `seq` to host `i` got no answer in its time (a connect that timed out).
    pub fn lost(&mut self, i: usize, seq: u16) {
        self.hosts[i].tracker.failed(seq);
    }

    fn failed(&mut self, i: usize, seq: u16) {
        let host = &mut self.hosts[i];
        host.tracker.failed(seq);
        host.errors += 1;
    }

    /// The report; `elapsed` is the time from the start to the last probe sent (iputils').
    pub fn report(self, elapsed: Duration) -> PingReport {
        let hosts = self
            .targets
            .iter()
            .zip(self.hosts)
            .map(|(t, host)| {
                let tr = host.tracker;
                let received = tr.received();
                HostReport {
                    target: t.given.clone(),
                    address: t.addr,
                    transmitted: tr.transmitted,
                    received,
                    duplicates: tr.duplicates,
                    errors: host.errors,
                    loss_percent: stats::loss_percent(tr.transmitted, received),
                    time_ms: elapsed.as_millis() as u64,
                    rtt_ms: tr.rtts.summary(),
                    other_addresses: t.others.clone(),
                    tried: t.tried.clone(),
                    recent_rtts: host.recent.into(),
                }
            })
            .collect();
        PingReport { hosts }
    }
}
