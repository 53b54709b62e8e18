//! MESSAGE arguments: one exchange each, repeated --count times at --interval (0: until
//! Ctrl-C, the timed resend of the Windows test tools), then a summary.

use std::time::Duration;

use super::exchange::exchange;
use super::{Link, Session, Totals, unanswered};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::messages::{Exchange, Payload};

/// The pause between rounds of MESSAGEs with --count when --interval is not given.
const RESEND_INTERVAL: Duration = Duration::from_secs(1);

/// Said once for each empty message not sent over unframed TCP.
pub(super) const EMPTY_OVER_TCP: &str = "empty message not sent: over TCP an empty send() puts \
     nothing on the wire, so the server would never see it and both sides would wait (an \
     empty UDP datagram, --udp, or an empty frame, --framed, is sent)";

/// The hand-outs' trap: send(b"") over TCP puts nothing on the wire, so the server never
/// hears of it, and client and server would both wait. A datagram or a frame of no bytes is
/// real, so those are sent.
pub(super) fn skipped(message: &[u8], tcp: bool, args: &SendArgs) -> bool {
    message.is_empty() && tcp && args.wire.framed.is_none()
}

/// Each message is one exchange; with --count, every message that many rounds, until the
/// count or the stop.
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
    }
    totals.sum_up(out)
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
    for message in messages {
        if skipped(message, matches!(link, Link::Tcp(..)), s.args) {
            out.warn(EMPTY_OVER_TCP)?;
            continue;
        }
        totals.sent += 1;
        let args = s.args;
        let Some(reply) = s.unless_stopped(exchange(link, message, args)).await else {
            // Sent, and nothing came back before the stop.
            totals.timeouts += 1;
            return Ok(false);
        };
        match reply.map_err(s.fail())? {
            Some(reply) => {
                let rtt = reply.rtt.as_secs_f64() * 1000.0;
                totals.rtts.push(rtt);
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
                };
                out.send_exchange(reply.from, &answer)?;
            }
            None => {
                totals.timeouts += 1;
                out.send_exchange(s.peer, &unanswered(totals.sent, message.len(), look))?;
            }
        }
        out.flush()?;
    }
    Ok(true)
}
