//! `--count`: N numbered messages, each checked byte for byte; loss, reordering and RTTs.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{Link, exchange, link_error, send_datagram};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::Written;
use crate::output::messages::{Measured, SendSummary};
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
pub(super) async fn measure(
    link: &mut Link,
    count: u64,
    peer: SocketAddr,
    args: &SendArgs,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let size = usize::from(args.size.unwrap_or(64));
    let interval = args.interval.unwrap_or(MEASURE_INTERVAL);
    let fail = link_error(args, peer);
    let mut tally = Tally::default();
    match link {
        Link::Udp {
            socket,
            peer: to,
            connected,
        } => {
            let start = Instant::now();
            let mut next = 0u64;
            let mut buf = vec![0u8; 65_536];
            let mut flight = Flight::default();
            loop {
                let now = Instant::now();
                flight.expire(now, args.timeout);
                let sending = next < count;
                if !sending && flight.is_empty() {
                    break;
                }
                let room = flight.len() < WINDOW;
                let due = tokio::time::Instant::from_std(start + interval.mul_f64(next as f64));
                let expiry = flight.oldest().map(|at| at + args.timeout);
                tokio::select! {
                    _ = tokio::time::sleep_until(due), if sending && room => {
                        flight.sent(next, Instant::now());
                        send_datagram(socket, *to, *connected, &probe(next, size)).await.map_err(&fail)?;
                        next += 1;
                    }
                    got = socket.recv_from(&mut buf) => {
                        let (n, _) = got.map_err(&fail)?;
                        if let Some(seq) = buf.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
                            && let Some(at) = flight.answered(seq)
                        {
                            tally.record(seq, &buf[..n], at, size, peer, out)?;
                        }
                    }
                    _ = tokio::time::sleep_until(expiry.unwrap_or(now).into()), if expiry.is_some() => {}
                }
            }
        }
        Link::Tcp(..) => {
            for seq in 0..count {
                if seq > 0 {
                    tokio::time::sleep(interval).await;
                }
                let at = Instant::now();
                if let Some((_, reply)) = exchange(link, &probe(seq, size), args)
                    .await
                    .map_err(&fail)?
                {
                    tally.record(seq, &reply, at, size, peer, out)?;
                }
            }
        }
    }
    let replies = tally.rtts.len();
    out.send_summary(&SendSummary {
        sent: count,
        replies,
        timeouts: count - replies,
        loss_percent: stats::loss_percent(count, replies),
        reordered: tally.reordered,
        corrupted: tally.corrupted,
        rtt_ms: tally.rtts.summary(),
    })?;
    Ok(if replies < count || tally.corrupted > 0 {
        Outcome::Negative
    } else {
        Outcome::Success
    })
}

/// The UDP messages sent and not yet settled, oldest first: (sequence number, sent at, and
/// whether answered). Sequence numbers are consecutive, so a reply finds its message by
/// subtraction; the front is popped once answered or past the timeout.
#[derive(Default)]
struct Flight {
    messages: VecDeque<(u64, Instant, bool)>,
}

impl Flight {
    fn sent(&mut self, seq: u64, at: Instant) {
        self.messages.push_back((seq, at, false));
    }

    fn len(&self) -> usize {
        self.messages.len()
    }

    fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// When the oldest unsettled message was sent.
    fn oldest(&self) -> Option<Instant> {
        self.messages.front().map(|&(_, at, _)| at)
    }

    /// The reply to `seq`: when it was sent, unless it was answered already or is not ours.
    fn answered(&mut self, seq: u64) -> Option<Instant> {
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
    fn expire(&mut self, now: Instant, timeout: std::time::Duration) {
        self.settle_front(Some((now, timeout)));
    }

    fn settle_front(&mut self, expiry: Option<(Instant, std::time::Duration)>) {
        while let Some(&(_, at, answered)) = self.messages.front() {
            let expired = expiry.is_some_and(|(now, timeout)| now.duration_since(at) >= timeout);
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
        at: Instant,
        size: usize,
        peer: SocketAddr,
        out: &mut Output,
    ) -> Written {
        let rtt_ms = at.elapsed().as_secs_f64() * 1000.0;
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
        let t0 = Instant::now();
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
