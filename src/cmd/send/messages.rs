//! MESSAGE arguments: one exchange each, repeated --count times at --interval (0: until
//! Ctrl-C, the timed resend of the Windows test tools), then a summary.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{Link, exchange, link_error, look};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::messages::{Exchange, Payload};
use crate::stats;

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

/// Each message is one exchange; with --count, every message that many rounds.
pub(super) async fn messages(
    link: &mut Link,
    messages: &[Vec<u8>],
    peer: SocketAddr,
    args: &SendArgs,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let connect_error = link_error(args, peer);
    let look = look(args);
    let rounds = args.count.unwrap_or(1);
    let interval = args.interval.unwrap_or(RESEND_INTERVAL);
    let mut rtts = stats::Samples::default();
    let (mut sent, mut timeouts) = (0u64, 0u64);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut round = 0;
    'rounds: while rounds == 0 || round < rounds {
        if round > 0 {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = &mut ctrl_c => break 'rounds,
            }
        }
        round += 1;
        for message in messages {
            if skipped(message, matches!(link, Link::Tcp(..)), args) {
                out.warn(EMPTY_OVER_TCP)?;
                continue;
            }
            sent += 1;
            let began = Instant::now();
            let reply = tokio::select! {
                reply = exchange(link, message, args) => reply.map_err(&connect_error)?,
                _ = &mut ctrl_c => break 'rounds,
            };
            // Answers to a broadcast or a group come from the hosts that answer.
            let from = reply.as_ref().map_or(peer, |(from, _)| *from);
            let exchange = match reply {
                Some((_, reply)) => {
                    let rtt = began.elapsed().as_secs_f64() * 1000.0;
                    rtts.push(rtt);
                    Exchange {
                        seq: sent,
                        sent_bytes: message.len(),
                        received_bytes: reply.len(),
                        rtt_ms: Some(rtt),
                        identical: reply == *message,
                        reply: Payload::of(&reply, true, look),
                    }
                }
                None => {
                    timeouts += 1;
                    Exchange {
                        seq: sent,
                        sent_bytes: message.len(),
                        received_bytes: 0,
                        rtt_ms: None,
                        identical: false,
                        reply: Payload::absent(look),
                    }
                }
            };
            out.send_exchange(from, &exchange)?;
            out.flush()?;
        }
    }
    super::sum_up(out, sent, timeouts, &rtts)
}
