//! `ping --tcp PORT`: times a TCP handshake instead of an echo. A SYN/ACK (port open) and a
//! RST (port closed) both prove the host is up, and a connect needs no privilege.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::{Instant as TokioInstant, sleep_until, timeout};

use super::Target;
use crate::cli::PingArgs;
use crate::error::{Error, io_reason};
use crate::output::Output;
use crate::output::ping::{ErrorRecord, HostReport, PingEvent, PingReport, ReplyRecord};
use crate::stats;

/// How long one connect may take when -W is not given.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How one handshake ended.
enum Answer {
    /// SYN/ACK: something listens.
    Open,
    /// RST: nothing listens, but the host answered.
    Closed,
    /// No answer in time.
    Silent,
    Failed(io::Error),
}

pub async fn ping(
    targets: &[Target],
    port: u16,
    args: &PingArgs,
    out: &mut Output,
) -> Result<PingReport, Error> {
    let view = super::view(args);
    super::headers(targets, args, out)?;
    let limit = args.timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let mut transmitted = vec![0u64; targets.len()];
    let mut rtts: Vec<Vec<f64>> = vec![Vec::new(); targets.len()];
    let mut replies: Vec<Vec<ReplyRecord>> = targets.iter().map(|_| Vec::new()).collect();
    let mut errors: Vec<Vec<ErrorRecord>> = targets.iter().map(|_| Vec::new()).collect();
    let mut pending = JoinSet::new();
    let start = Instant::now();
    let deadline = args.deadline.map(|d| TokioInstant::from_std(start + d));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut probes: u64 = 0;
    let mut last_send = start;
    loop {
        let sending = args.count.is_none_or(|c| probes < c);
        if !sending && pending.is_empty() {
            break;
        }
        let next_send = TokioInstant::from_std(start + args.interval.mul_f64(probes as f64));
        tokio::select! {
            _ = sleep_until(next_send), if sending => {
                let seq = super::sequence(probes);
                for (i, t) in targets.iter().enumerate() {
                    transmitted[i] += 1;
                    let addr = SocketAddr::new(t.addr, port);
                    pending.spawn(async move {
                        let began = Instant::now();
                        let answer = match timeout(limit, TcpStream::connect(addr)).await {
                            Ok(Ok(_)) => Answer::Open,
                            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => Answer::Closed,
                            Ok(Err(e)) => Answer::Failed(e),
                            Err(_) => Answer::Silent,
                        };
                        (i, seq, answer, began.elapsed())
                    });
                }
                probes += 1;
                last_send = Instant::now();
            }
            Some(Ok((i, seq, answer, took))) = pending.join_next(), if !pending.is_empty() => {
                let rtt_ms = took.as_secs_f64() * 1000.0;
                match answer {
                    Answer::Open | Answer::Closed => {
                        let open = matches!(answer, Answer::Open);
                        rtts[i].push(rtt_ms);
                        let record = ReplyRecord { seq, ttl: None, bytes: 0, rtt_ms, duplicate: false, intact: true };
                        out.ping_event(view, &PingEvent::TcpReply { addr: targets[i].addr, port, seq, open, rtt_ms })?;
                        replies[i].push(record);
                    }
                    Answer::Silent => {}
                    Answer::Failed(e) => {
                        let message = io_reason(&e);
                        out.ping_event(view, &PingEvent::SendError { target: &targets[i].given, seq, message: &message })?;
                        errors[i].push(ErrorRecord { seq, from: None, message });
                    }
                }
            }
            _ = sleep_until(deadline.unwrap_or(next_send)), if deadline.is_some() => break,
            _ = &mut ctrl_c => break,
        }
    }
    // As iputils counts it: from the start to the last probe sent.
    let elapsed = last_send - start;
    let hosts = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let received = rtts[i].len() as u64;
            HostReport {
                target: t.given.clone(),
                address: t.addr,
                transmitted: transmitted[i],
                received,
                duplicates: 0,
                loss_percent: stats::loss_percent(transmitted[i], received),
                time_ms: elapsed.as_millis() as u64,
                rtt_ms: stats::summarize(&rtts[i]),
                rtt_samples: std::mem::take(&mut rtts[i]),
                replies: std::mem::take(&mut replies[i]),
                errors: std::mem::take(&mut errors[i]),
            }
        })
        .collect();
    Ok(PingReport { hosts })
}
