//! Messages given as arguments, or each line of stdin: one exchange each, then a summary.

use tokio::io::{AsyncBufReadExt, BufReader};

use std::net::SocketAddr;
use std::time::Instant;

use super::{Link, exchange, link_error};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::echo::{Exchange, Reply, SendSummary};
use crate::stats;

/// Said once for each empty message not sent over unframed TCP.
const EMPTY_OVER_TCP: &str = "empty line not sent: over TCP an empty send() puts nothing on \
     the wire, so the server would never see it and both sides would wait (an empty UDP \
     datagram, --udp, or an empty frame, --framed, is sent)";

/// Each message (or stdin line) is one exchange.
pub(super) async fn messages(
    link: &mut Link,
    peer: SocketAddr,
    args: &SendArgs,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let connect_error = link_error(args, peer);
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut given = args.messages.iter();
    let mut rtts = Vec::new();
    let (mut sent, mut timeouts) = (0u64, 0u64);
    loop {
        let message = if args.messages.is_empty() {
            match stdin.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(source) => {
                    return Err(Error::Read {
                        what: "stdin".to_string(),
                        source,
                    });
                }
            }
        } else {
            match given.next() {
                Some(m) => m.clone(),
                None => break,
            }
        };
        // The hand-outs' trap: send(b"") over TCP puts nothing on the wire, so the server
        // never hears of it, and client and server would both wait. A datagram or a frame of
        // no bytes is real, so those are sent.
        if message.is_empty() && matches!(link, Link::Tcp(..)) && !args.framed {
            out.warn(EMPTY_OVER_TCP)?;
            continue;
        }
        sent += 1;
        let began = Instant::now();
        let reply = exchange(link, message.as_bytes(), args)
            .await
            .map_err(&connect_error)?;
        let exchange = match reply {
            Some(reply) => {
                let rtt = began.elapsed().as_secs_f64() * 1000.0;
                rtts.push(rtt);
                Exchange {
                    seq: sent,
                    sent_bytes: message.len(),
                    received_bytes: reply.len(),
                    rtt_ms: Some(rtt),
                    identical: reply == message.as_bytes(),
                    reply: Reply(reply),
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
                    reply: Reply(Vec::new()),
                }
            }
        };
        out.send_exchange(peer, &exchange)?;
        out.flush()?;
    }
    out.send_summary(&SendSummary {
        sent,
        replies: sent - timeouts,
        timeouts,
        loss_percent: stats::loss_percent(sent, sent - timeouts),
        reordered: 0,
        corrupted: 0,
        rtt_ms: stats::summarize(&rtts),
    })?;
    Ok(if timeouts > 0 {
        Outcome::Negative
    } else {
        Outcome::Success
    })
}
