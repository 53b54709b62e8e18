//! `--count`: N numbered messages, each checked byte for byte; loss, reordering and RTTs.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use tokio::io::Interest;
use tokio::net::UdpSocket;

use super::exchange::{Ended, exchange};
use super::{Link, Session, send_datagram};
use crate::error::{Error, Outcome};
use crate::net::stamp::{self, Read, Stamp};
use crate::output::Output;
use crate::output::Written;
use crate::output::messages::{Closed, Measured, Payload, SendSummary};
use crate::stats;

/// Message `seq` of --count: the sequence number, then a pattern, `size` bytes in all.
fn probe(seq: u64, size: usize) -> Vec<u8> {
    let mut p = seq.to_be_bytes().to_vec();
    p.extend((8..size).map(|i| (i as u64).wrapping_add(seq) as u8));
    p
}

/// The pause between generated messages when --interval is not given.
const MEASURE_INTERVAL: Duration = Duration::from_millis(10);

/// Most messages in flight with --count over UDP: sending waits for a reply or a timeout
/// beyond it, so memory is bounded by what is in flight, whatever --count asks for.
const WINDOW: usize = 1 << 16;

/// `--count`: N messages, each checked byte for byte. UDP keeps them in flight on the
/// --interval schedule (so loss and reordering show); TCP, an ordered stream, takes turns.
/// Stopped, the summary covers the messages sent so far, and the exit is 130.
pub(super) async fn measure(
    link: &mut Link,
    count: u64,
    s: &mut Session<'_>,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let mut run = Measure {
        count,
        size: usize::from(s.args.size.unwrap_or(64)),
        interval: s.args.interval.unwrap_or(MEASURE_INTERVAL),
        sent: 0,
        stopped: false,
        ended: false,
        tally: Tally::default(),
    };
    match link {
        Link::Udp {
            socket,
            peer: to,
            connected,
        } => run.over_udp(socket, *to, *connected, s, out).await?,
        Link::Tcp(..) => run.over_tcp(link, s, out).await?,
    }
    run.sum_up(out)
}

/// A run of --count: what is asked, how far it got, and what came back.
struct Measure {
    count: u64,
    size: usize,
    interval: Duration,
    /// Messages sent so far.
    sent: u64,
    /// Cut short by the stop.
    stopped: bool,
    /// Cut short by the server, which ended the connection.
    ended: bool,
    tally: Tally,
}

impl Measure {
    /// Every message in flight on the schedule, each reply matched by its sequence number,
    /// until all are answered or past --timeout.
    async fn over_udp(
        &mut self,
        socket: &UdpSocket,
        to: SocketAddr,
        connected: bool,
        s: &mut Session<'_>,
        out: &mut Output,
    ) -> Result<(), Error> {
        let start = Instant::now();
        let mut buf = vec![0u8; 65_536];
        let fd = socket.as_raw_fd();
        let mut flight = Flight::default();
        loop {
            flight.expire(Stamp::now(), s.args.timeout);
            let sending = self.sent < self.count;
            if !sending && flight.is_empty() {
                return Ok(());
            }
            let room = flight.len() < WINDOW;
            let due = start + self.interval.mul_f64(self.sent as f64);
            let left = flight.oldest().map_or(Duration::ZERO, |at| {
                s.args.timeout.saturating_sub(at.elapsed())
            });
            let expiry = Instant::now() + left;
            let arrival = socket.async_io(Interest::READABLE | Interest::ERROR, || {
                stamp::recv(fd, &mut buf, Read::default())
            });
            tokio::select! {
                _ = tokio::time::sleep_until(due.into()), if sending && room => {
                    let probe = probe(self.sent, self.size);
                    flight.sent(self.sent, Stamp::now());
                    send_datagram(socket, to, connected, &probe).await.map_err(s.fail())?;
                    self.sent += 1;
                }
                got = arrival => {
                    let got = got.map_err(s.fail())?;
                    let n = got.bytes.min(buf.len());
                    self.heard(&buf[..n], got.time, &mut flight, s.peer, out)?;
                }
                _ = tokio::time::sleep_until(expiry.into()), if !flight.is_empty() => {}
                () = &mut s.stop => {
                    self.stopped = true;
                    return Ok(());
                }
            }
        }
    }

    /// A datagram that came back: the reply to a message in flight, or nothing of ours.
    fn heard(
        &mut self,
        reply: &[u8],
        arrived: Stamp,
        flight: &mut Flight,
        peer: SocketAddr,
        out: &mut Output,
    ) -> Written {
        if let Some(seq) = reply
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            && let Some(at) = flight.answered(seq)
        {
            let rtt = arrived.saturating_duration_since(at);
            self.tally.record(seq, reply, rtt, self.size, peer, out)?;
        }
        Ok(())
    }

    /// One exchange at a time, --interval apart.
    async fn over_tcp(
        &mut self,
        link: &mut Link,
        s: &mut Session<'_>,
        out: &mut Output,
    ) -> Result<(), Error> {
        let args = s.args;
        for seq in 0..self.count {
            if seq > 0
                && s.unless_stopped(tokio::time::sleep(self.interval))
                    .await
                    .is_none()
            {
                self.stopped = true;
                return Ok(());
            }
            self.sent += 1;
            let probe = probe(seq, self.size);
            let Some(reply) = s.unless_stopped(exchange(link, &probe, args)).await else {
                self.stopped = true;
                return Ok(());
            };
            let got = reply.map_err(s.fail())?;
            if !got.sent {
                self.sent -= 1;
            }
            if let Some(reply) = got.reply {
                let rtt = reply.rtt;
                self.tally
                    .record(seq, &reply.bytes, rtt, self.size, s.peer, out)?;
            }
            if let Some(ended) = got.ended {
                // Nothing more can be measured on a connection the server ended.
                self.ended = true;
                out.send_closed(&Closed {
                    by: if ended == Ended::Reset {
                        "reset"
                    } else {
                        "close"
                    },
                    replies: self.tally.rtts.len(),
                    message: (self.sent > 0).then_some(self.sent),
                    waiting: got.sent,
                    payload: Payload::absent(s.look()),
                    noun: "message",
                })?;
                return Ok(());
            }
        }
        Ok(())
    }

    /// The summary of what was sent; 1 when a message was lost or came back changed, 130
    /// when the stop cut the run short.
    fn sum_up(&self, out: &mut Output) -> Result<Outcome, Error> {
        let replies = self.tally.rtts.len();
        out.send_summary(&SendSummary {
            sent: self.sent,
            replies,
            timeouts: self.sent - replies,
            no_reply: self.sent - replies,
            loss_percent: Some(stats::loss_percent(self.sent, replies)),
            reordered: self.tally.reordered,
            corrupted: self.tally.corrupted,
            not_sent: if self.ended {
                self.count.saturating_sub(self.sent)
            } else {
                0
            },
            empty_not_sent: 0,
            rtt_ms: self.tally.rtts.summary(),
        })?;
        Ok(if self.stopped {
            Outcome::Interrupted
        } else if replies < self.count || self.tally.corrupted > 0 {
            Outcome::Negative
        } else {
            Outcome::Success
        })
    }
}

/// The UDP messages sent and not yet settled, oldest first: (sequence number, sent at, and
/// whether answered). Sequence numbers are consecutive, so a reply finds its message by
/// subtraction; the front is popped once answered or past the timeout.
#[derive(Default)]
struct Flight {
    /// Each message in flight: its number, when it went (on the stamps' clock), answered.
    messages: VecDeque<(u64, Stamp, bool)>,
}

impl Flight {
    fn sent(&mut self, seq: u64, at: Stamp) {
        self.messages.push_back((seq, at, false));
    }

    fn len(&self) -> usize {
        self.messages.len()
    }

    fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// When the oldest unsettled message was sent.
    fn oldest(&self) -> Option<Stamp> {
        self.messages.front().map(|&(_, at, _)| at)
    }

    /// The reply to `seq`: when it was sent, unless it was answered already or is not ours.
    fn answered(&mut self, seq: u64) -> Option<Stamp> {
        let first = self.messages.front()?.0;
        let index = usize::try_from(seq.checked_sub(first)?).ok()?;
        let (_, at, answered) = self.messages.get_mut(index)?;
        if std::mem::replace(answered, true) {
            return None;
        }
        let at = *at;
        self.settle_front(None);
        Some(at)
    }

    /// Lets go of the messages past `timeout` (lost) and the answered ones at the front.
    fn expire(&mut self, now: Stamp, timeout: Duration) {
        self.settle_front(Some((now, timeout)));
    }

    fn settle_front(&mut self, expiry: Option<(Stamp, Duration)>) {
        while let Some(&(_, at, answered)) = self.messages.front() {
            let expired =
                expiry.is_some_and(|(now, timeout)| now.saturating_duration_since(at) >= timeout);
            if !answered && !expired {
                break;
            }
            self.messages.pop_front();
        }
    }
}

/// What `--count` has seen so far.
#[derive(Default)]
struct Tally {
    rtts: stats::Samples,
    reordered: u64,
    corrupted: u64,
    highest: Option<u64>,
}

impl Tally {
    /// Notes the reply to message `seq`, sent at `at`, and prints it.
    fn record(
        &mut self,
        seq: u64,
        reply: &[u8],
        rtt: Duration,
        size: usize,
        peer: SocketAddr,
        out: &mut Output,
    ) -> Written {
        let rtt_ms = rtt.as_secs_f64() * 1000.0;
        let identical = reply == probe(seq, size).as_slice();
        let late = self.highest.is_some_and(|h| seq < h);
        self.highest = Some(self.highest.map_or(seq, |h| h.max(seq)));
        self.rtts.push(rtt_ms);
        self.reordered += u64::from(late);
        self.corrupted += u64::from(!identical);
        out.send_measured(
            peer,
            &Measured {
                seq: seq + 1,
                bytes: reply.len(),
                rtt_ms,
                identical,
                reordered: late,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_reply_settles_its_message_once() {
        let t0 = Stamp::now();
        let mut flight = Flight::default();
        for seq in 0..4 {
            flight.sent(seq, t0 + Duration::from_millis(seq));
        }
        assert_eq!(flight.answered(2), Some(t0 + Duration::from_millis(2)));
        assert_eq!(flight.answered(2), None, "a duplicate is not counted twice");
        assert_eq!(flight.answered(9), None, "not ours");
        assert_eq!(flight.len(), 4, "0 and 1 are still out");
        assert!(flight.answered(0).is_some());
        assert_eq!(
            flight.len(),
            3,
            "0 settled; 1 is still out, with 2 (answered) and 3 behind it"
        );
        flight.expire(t0 + Duration::from_secs(10), Duration::from_secs(5));
        assert!(flight.is_empty(), "1 and 3 timed out");
        assert_eq!(
            flight.answered(1),
            None,
            "a reply after the timeout is lost"
        );
    }
}
