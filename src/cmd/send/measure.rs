//! `--count`: N numbered messages, each checked byte for byte; loss, reordering and RTTs.

use std::net::SocketAddr;
use std::time::Instant;

use super::{Link, exchange, link_error};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::Written;
use crate::output::echo::{Measured, SendSummary};
use crate::stats;

/// Message `seq` of --count: the sequence number, then a pattern, `size` bytes in all.
fn probe(seq: u64, size: usize) -> Vec<u8> {
    let mut p = seq.to_be_bytes().to_vec();
    p.extend((8..size).map(|i| (i as u64).wrapping_add(seq) as u8));
    p
}

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
    let fail = link_error(args, peer);
    let mut sent_at: Vec<Option<Instant>> = vec![None; count as usize];
    let mut tally = Tally {
        answered: vec![false; count as usize],
        ..Tally::default()
    };
    match link {
        Link::Udp(socket) => {
            let start = Instant::now();
            let mut next = 0u64;
            let mut buf = vec![0u8; 65_536];
            let mut last_send = start;
            loop {
                let sending = next < count;
                let due =
                    tokio::time::Instant::from_std(start + args.interval.mul_f64(next as f64));
                let give_up = tokio::time::Instant::from_std(last_send + args.timeout);
                tokio::select! {
                    _ = tokio::time::sleep_until(due), if sending => {
                        sent_at[next as usize] = Some(Instant::now());
                        socket.send(&probe(next, size)).await.map_err(&fail)?;
                        last_send = Instant::now();
                        next += 1;
                    }
                    got = socket.recv(&mut buf) => {
                        let n = got.map_err(&fail)?;
                        if n >= 8 {
                            let seq = u64::from_be_bytes(buf[..8].try_into().unwrap_or([0; 8]));
                            tally.record(seq, &buf[..n], &sent_at, size, peer, out)?;
                        }
                        if !sending && tally.rtts.len() as u64 == count {
                            break;
                        }
                    }
                    _ = tokio::time::sleep_until(give_up), if !sending => break,
                }
            }
        }
        Link::Tcp(..) => {
            for seq in 0..count {
                if seq > 0 {
                    tokio::time::sleep(args.interval).await;
                }
                sent_at[seq as usize] = Some(Instant::now());
                if let Some(reply) = exchange(link, &probe(seq, size), args)
                    .await
                    .map_err(&fail)?
                {
                    tally.record(seq, &reply, &sent_at, size, peer, out)?;
                }
            }
        }
    }
    let replies = tally.rtts.len() as u64;
    out.send_summary(&SendSummary {
        sent: count,
        replies,
        timeouts: count - replies,
        loss_percent: stats::loss_percent(count, replies),
        reordered: tally.reordered,
        corrupted: tally.corrupted,
        rtt_ms: stats::summarize(&tally.rtts),
    })?;
    Ok(if replies < count || tally.corrupted > 0 {
        Outcome::Negative
    } else {
        Outcome::Success
    })
}

/// What `--count` has seen so far.
#[derive(Default)]
struct Tally {
    answered: Vec<bool>,
    rtts: Vec<f64>,
    reordered: u64,
    corrupted: u64,
    highest: Option<u64>,
}

impl Tally {
    /// Notes the reply to message `seq` (a repeat is ignored) and prints it.
    fn record(
        &mut self,
        seq: u64,
        reply: &[u8],
        sent_at: &[Option<Instant>],
        size: usize,
        peer: SocketAddr,
        out: &mut Output,
    ) -> Written {
        let Some(Some(at)) = sent_at.get(seq as usize) else {
            return Ok(());
        };
        if std::mem::replace(&mut self.answered[seq as usize], true) {
            return Ok(());
        }
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
