//! The probe engine: rounds of probes sent on a fixed schedule (start + n·interval, so a slow
//! round never pushes the next ones back), at most `count` rounds, until a deadline, with the
//! answers taken in as they come, a linger for late answers after the last round, and Ctrl-C or
//! SIGTERM ending it all. What a round sends and what an answer means is a `Prober`'s (ping's
//! ICMP echo and TCP connects); `Tracker` is the book of one target's probes (sent, answered,
//! duplicates, and the RTTs as statistics that do not grow with the run). `ttl` holds trace's single probes with a TTL.

pub mod others;
pub mod ttl;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::{Duration, Instant};

use tokio::time::{Instant as TokioInstant, sleep_until};

use crate::error::Error;
use crate::net::stamp::Stamp;
use crate::stats::Samples;

/// When rounds go out.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Round n goes out at start + n·interval.
    pub interval: Duration,
    /// At most this many rounds (open-ended without).
    pub count: Option<u64>,
    /// Everything ends this long after the start, answered or not.
    pub deadline: Option<Duration>,
}

/// What sends the probes of a round and takes in their answers. The engine polls `next` beside
/// its timers and hands what it yields to `take`, so `next` only waits (cancel-safe) and
/// `take` does the bookkeeping.
pub trait Prober {
    /// One answer, as `next` yields it.
    type Answer;
    /// Sends round `round` (0-based): a probe to each target (ping), or one per TTL.
    fn send(&mut self, round: u64) -> impl Future<Output = Result<(), Error>>;
    /// Waits for the next answer; never ready while nothing can come.
    fn next(&mut self) -> impl Future<Output = Self::Answer>;
    /// Takes one answer in.
    fn take(&mut self, answer: Self::Answer) -> Result<(), Error>;
    /// Whether every probe sent so far is answered (or given up): once all rounds are out,
    /// nothing is left to wait for.
    fn settled(&self) -> bool;
    /// How long to wait after the last round for late answers; `None` to wait until settled
    /// (probes that end by themselves, such as connects with a timeout).
    fn linger(&self) -> Option<Duration>;
}

/// What woke the engine.
enum Wake<A> {
    Send,
    Answer(A),
    End,
}

/// Runs `prober` on `schedule` until the rounds are out and settled (or the linger is over),
/// the deadline passes or `stop` fires. Returns the time from the start to the last round sent
/// (as iputils counts a run's "time").
pub async fn run<P: Prober>(
    schedule: &Schedule,
    prober: &mut P,
    stop: &mut (impl Future<Output = ()> + Unpin),
) -> Result<Duration, Error> {
    let start = Instant::now();
    let deadline = schedule.deadline.map(|d| TokioInstant::from_std(start + d));
    let mut rounds: u64 = 0;
    let mut last_send = start;
    loop {
        let sending = schedule.count.is_none_or(|c| rounds < c);
        if !sending && prober.settled() {
            break;
        }
        let next_send = TokioInstant::from_std(start + schedule.interval.mul_f64(rounds as f64));
        let linger = prober.linger().filter(|_| !sending);
        let stop_waiting = linger.map(|l| TokioInstant::from_std(last_send + l));
        let wake = tokio::select! {
            _ = sleep_until(next_send), if sending => Wake::Send,
            answer = prober.next() => Wake::Answer(answer),
            _ = sleep_until(stop_waiting.unwrap_or(next_send)), if stop_waiting.is_some() => Wake::End,
            _ = sleep_until(deadline.unwrap_or(next_send)), if deadline.is_some() => Wake::End,
            _ = &mut *stop => Wake::End,
        };
        match wake {
            Wake::Send => {
                prober.send(rounds).await?;
                last_send = Instant::now();
                rounds += 1;
            }
            Wake::Answer(answer) => prober.take(answer)?,
            Wake::End => break,
        }
    }
    Ok(last_send - start)
}

/// The book of one target's probes, by sequence number.
#[derive(Debug, Default)]
pub struct Tracker {
    /// When each probe went out, on the stamps' clock (net::stamp).
    sent: HashMap<u16, Stamp>,
    answered: HashSet<u16>,
    /// Probes that got a reply, an error or were given up: no more to wait for (iputils stops
    /// on received + errors).
    settled: HashSet<u16>,
    /// Probes settled so far, counted as they settle: `settled` forgets a sequence number
    /// that is sent again once the numbers wrap, the count does not.
    settled_count: u64,
    /// Probes sent.
    pub transmitted: u64,
    /// Replies to a probe already answered.
    pub duplicates: u64,
    /// The RTTs of first replies, in milliseconds: running statistics and a fixed-size
    /// sketch for the percentiles, so an open-ended run does not grow.
    pub rtts: Samples,
}

impl Tracker {
    /// Probe `seq` went out `at` (a wrapped sequence number starts afresh).
    pub fn sent(&mut self, seq: u16, at: Stamp) {
        self.sent.insert(seq, at);
        self.answered.remove(&seq);
        self.settled.remove(&seq);
        self.transmitted += 1;
    }

    /// When probe `seq` went out; `None` for one never sent.
    pub fn sent_at(&self, seq: u16) -> Option<Stamp> {
        self.sent.get(&seq).copied()
    }

    /// A reply to `seq` after `rtt`: whether it is a duplicate. Only first replies count in
    /// the RTTs.
    pub fn reply(&mut self, seq: u16, rtt: Duration) -> bool {
        let duplicate = !self.answered.insert(seq);
        self.settle(seq);
        if duplicate {
            self.duplicates += 1;
        } else {
            self.rtts.push(rtt.as_secs_f64() * 1000.0);
        }
        duplicate
    }

    /// Probe `seq` is over without a reply: an ICMP error, a failed send, silence.
    pub fn failed(&mut self, seq: u16) {
        self.settle(seq);
    }

    fn settle(&mut self, seq: u16) {
        if self.settled.insert(seq) {
            self.settled_count += 1;
        }
    }

    /// Whether probe `seq` has had its reply.
    pub fn answered(&self, seq: u16) -> bool {
        self.answered.contains(&seq)
    }

    /// Whether every probe sent has had its reply or error.
    pub fn settled(&self) -> bool {
        self.settled_count >= self.transmitted
    }

    /// Probes that are over (answered, failed or given up): sent − in flight, what mtr
    /// counts loss against.
    pub fn settled_count(&self) -> u64 {
        self.settled_count
    }

    /// Replies received (duplicates aside).
    pub fn received(&self) -> u64 {
        self.rtts.len()
    }

    /// The slowest reply so far, in milliseconds (0 without one).
    pub fn slowest_ms(&self) -> f64 {
        self.rtts.max().unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracker_counts_replies_duplicates_and_errors() {
        let mut t = Tracker::default();
        t.sent(1, Stamp::now());
        t.sent(2, Stamp::now());
        assert!(!t.settled());
        assert!(!t.reply(1, Duration::from_millis(20)));
        assert!(t.reply(1, Duration::from_millis(30)), "a second reply");
        t.failed(2);
        assert!(t.settled());
        assert_eq!((t.transmitted, t.received(), t.duplicates), (2, 1, 1));
        assert_eq!(t.slowest_ms(), 20.0);
        assert!(t.answered(1) && !t.answered(2));
        // The sequence number wraps: the same number sent again is waited for again.
        t.sent(1, Stamp::now());
        assert!(!t.answered(1) && !t.settled());
        t.failed(1);
        assert!(t.settled(), "the wrapped probe settles the run again");
    }

    #[test]
    fn a_long_run_keeps_statistics_not_samples() {
        // More rounds than sequence numbers: the book stays bounded and still settles.
        let mut t = Tracker::default();
        for round in 0..200_000u32 {
            let seq = round as u16;
            t.sent(seq, Stamp::now());
            t.reply(seq, Duration::from_micros(50 + u64::from(round % 100)));
        }
        assert!(t.settled());
        assert_eq!(
            (t.transmitted, t.received(), t.duplicates),
            (200_000, 200_000, 0)
        );
        let s = t.rtts.summary().unwrap_or_else(|| panic!("samples"));
        assert!((s.min - 0.05).abs() < 1e-9 && (s.max - 0.149).abs() < 1e-9);
        assert!((s.avg - 0.0995).abs() < 1e-6, "{}", s.avg);
        assert_eq!(t.slowest_ms(), s.max);
    }

    /// A prober of one target that answers every round after `delay`, counting what it saw.
    struct Counter {
        tracker: Tracker,
        waiting: Vec<u16>,
    }

    impl Prober for Counter {
        type Answer = u16;
        async fn send(&mut self, round: u64) -> Result<(), Error> {
            self.tracker.sent(round as u16, Stamp::now());
            self.waiting.push(round as u16);
            Ok(())
        }
        async fn next(&mut self) -> u16 {
            match self.waiting.first().copied() {
                Some(seq) => {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    self.waiting.remove(0);
                    seq
                }
                None => std::future::pending().await,
            }
        }
        fn take(&mut self, seq: u16) -> Result<(), Error> {
            self.tracker.reply(seq, Duration::from_millis(5));
            Ok(())
        }
        fn settled(&self) -> bool {
            self.tracker.settled()
        }
        fn linger(&self) -> Option<Duration> {
            Some(Duration::from_secs(10))
        }
    }

    #[test]
    fn the_engine_sends_count_rounds_and_ends_when_settled() {
        let Ok(runtime) = crate::net::runtime(1) else {
            return;
        };
        let schedule = Schedule {
            interval: Duration::from_millis(20),
            count: Some(3),
            deadline: None,
        };
        let mut prober = Counter {
            tracker: Tracker::default(),
            waiting: Vec::new(),
        };
        let began = Instant::now();
        let ran = runtime.block_on(async {
            let mut never = std::pin::pin!(std::future::pending::<()>());
            run(&schedule, &mut prober, &mut never).await
        });
        let ran = ran.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(prober.tracker.received(), 3);
        assert!(ran >= Duration::from_millis(40), "{ran:?}");
        assert!(
            began.elapsed() < Duration::from_secs(5),
            "ended when settled"
        );
    }
}
