//! MESSAGE arguments: one exchange each, repeated --count times at --interval (0: until
//! Ctrl-C, the timed resend of the Windows test tools), then a summary.

use std::time::Duration;

use super::exchange::{Ended, Got, exchange};
use super::{Link, Session, Totals, open_link, too_long};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::messages::{BodyFile, Exchange, HeaderGuess, Payload};

/// The pause between rounds of MESSAGEs with --count when --interval is not given.
const RESEND_INTERVAL: Duration = Duration::from_secs(1);

/// The hand-outs' trap: send(b"") over TCP puts nothing on the wire, so the server never
/// hears of it, and client and server would both wait. A datagram or a frame of no bytes is
/// real, so those are sent.
pub(super) fn skipped(message: &[u8], tcp: bool, args: &SendArgs) -> bool {
    message.is_empty() && tcp && args.wire.writes_framed().is_none()
}

/// Each message is one exchange; with --count, every message that many rounds, until the
/// count, the stop, or the server's close.
pub(super) async fn messages(
    link: &mut Link,
    messages: &[Vec<u8>],
    s: &mut Session<'_>,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let rounds = s.args.count.unwrap_or(1);
    let interval = s.args.interval.unwrap_or(RESEND_INTERVAL);
    let mut totals = Totals::default();
    let mut round = 0;
    while rounds == 0 || round < rounds {
        if round > 0
            && s.unless_stopped(tokio::time::sleep(interval))
                .await
                .is_none()
        {
            break;
        }
        round += 1;
        if !one_round(link, messages, s, &mut totals, out).await? {
            break;
        }
        // A closed connection takes nothing more: the rounds left are not sent.
        if totals.ended {
            let left = if rounds == 0 { 0 } else { rounds - round };
            totals.not_sent += left
                * messages
                    .iter()
                    .filter(|m| !skipped(m, true, s.args))
                    .count() as u64;
            break;
        }
    }
    totals.sum_up(s, out)
}

/// One exchange per message, each shown as it ends; false once the stop came.
async fn one_round(
    link: &mut Link,
    messages: &[Vec<u8>],
    s: &mut Session<'_>,
    totals: &mut Totals,
    out: &mut Output,
) -> Result<bool, Error> {
    let look = s.look();
    let tcp = matches!(link, Link::Tcp(..));
    // The last message that went out: what a close is said to come after.
    let mut last: Option<(u64, &[u8])> = None;
    for message in messages {
        if totals.ended {
            totals.not_sent += 1;
            continue;
        }
        if skipped(message, tcp, s.args) {
            totals.empty(out)?;
            continue;
        }
        if !tcp {
            // A fallback to the next address may have changed the family, and its limit.
            too_long(message.len(), s.peer).map_err(|reason| Error::BadValue {
                option: "MESSAGE",
                value: (totals.sent + 1).to_string(),
                reason,
            })?;
        }
        let Some(got) = exchange_or_next(link, message, s, totals, out).await? else {
            // Sent, and nothing came back before the stop.
            totals.sent += 1;
            totals.no_reply += 1;
            return Ok(false);
        };
        if got.sent {
            totals.sent += 1;
            last = Some((totals.sent, message));
        } else {
            totals.not_sent += 1;
        }
        if let Some(reply) = got.reply {
            totals.replies += 1;
            let rtt = reply.rtt.as_secs_f64() * 1000.0;
            totals.rtts.push(rtt);
            // With --recv-size over TCP, each recv as it came.
            let reads =
                (tcp && s.args.wire.recv_size.is_some() && s.args.wire.reads_framed().is_none())
                    .then(|| {
                        let mut at = 0;
                        reply
                            .reads
                            .iter()
                            .map(|&n| {
                                let piece = &reply.bytes[at..(at + n).min(reply.bytes.len())];
                                at += n;
                                Payload::of(piece, true, look)
                            })
                            .collect()
                    });
            let got_body = reply.body.is_some();
            // Answers to a broadcast or a group come from the hosts that answer.
            let answer = Exchange {
                seq: totals.sent,
                sent_bytes: message.len(),
                received_bytes: reply.bytes.len(),
                reply_bytes: reply.size,
                truncated: reply.size > reply.bytes.len(),
                rtt_ms: Some(rtt),
                identical: reply.bytes == *message,
                reply: Payload::of(&reply.bytes, true, look),
                reads,
                wait: s.args.timeout,
                noun: "message",
                header_guess: (tcp && s.args.wire.reads_framed().is_none())
                    .then(|| crate::frame::guess_header(&reply.bytes))
                    .flatten()
                    .map(|(header, length)| HeaderGuess {
                        header: header.name(),
                        length,
                    }),
                header: reply.header,
                body: reply.body,
                body_file: s.args.save_body.as_ref().and_then(|path| {
                    got_body.then(|| BodyFile {
                        to: path.display().to_string(),
                        not_saved: reply.not_saved,
                    })
                }),
            };
            out.send_exchange(reply.from, &answer)?;
        } else if got.sent && got.ended.is_none() {
            totals.no_reply(totals.sent, message.len(), s, out)?;
        } else if got.sent {
            // Closed or reset while waiting: no reply came, and the close line says why.
            totals.no_reply += 1;
        }
        if let Some(ended) = got.ended {
            let last = last.map(|(seq, bytes)| (seq, Payload::of(bytes, true, look)));
            totals.ended(ended == Ended::Reset, last, got.sent, look, out)?;
        }
        out.flush()?;
    }
    Ok(true)
}

/// One exchange; over UDP, a port unreachable before any reply moves on to the name's next
/// address (a new socket) and sends the message there. `None` once the stop came.
async fn exchange_or_next(
    link: &mut Link,
    message: &[u8],
    s: &mut Session<'_>,
    totals: &Totals,
    out: &mut Output,
) -> Result<Option<Got>, Error> {
    loop {
        let args = s.args;
        let Some(got) = s.unless_stopped(exchange(link, message, args)).await else {
            return Ok(None);
        };
        match got {
            Err(e)
                if matches!(link, Link::Udp { .. })
                    && e.kind() == std::io::ErrorKind::ConnectionRefused
                    && totals.replies == 0
                    && s.move_on(Error::PortUnreachable { to: s.peer }.to_string()) =>
            {
                let Some(next) = open_link(s, false).await else {
                    return Ok(None);
                };
                *link = next?;
                s.reached(out)?;
            }
            got => return got.map(Some).map_err(s.fail()),
        }
    }
}
