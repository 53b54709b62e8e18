//! `--burst`: every MESSAGE written back to back over TCP before any reply is read, with
//! Nagle's algorithm on as plain send() calls have it; then what came back, read by read. Two
//! quick sends then often arrive as one read at the server, and come back as one: the "sticky
//! packet" lesson, shown.

use std::net::SocketAddr;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use super::{Link, QUIET, link_error, look, read_buffer};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::messages::{Burst, BurstRead, Payload};

pub(super) async fn burst(
    link: Link,
    messages: &[Vec<u8>],
    peer: SocketAddr,
    args: &SendArgs,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let fail = link_error(args, peer);
    let Link::Tcp(mut stream, _) = link else {
        return Err(Error::BadValue {
            option: "--burst",
            value: "with --udp".to_string(),
            reason: "datagrams are never glued; --burst shows what a TCP stream does".to_string(),
        });
    };
    stream.set_nodelay(false).map_err(&fail)?;
    let began = Instant::now();
    for message in messages {
        stream.write_all(message).await.map_err(&fail)?;
    }
    let sent_bytes: usize = messages.iter().map(Vec::len).sum();
    let mut buf = read_buffer(args);
    let (mut reads, mut received) = (0u64, 0usize);
    let look = look(args);
    let deadline = began + args.timeout;
    let mut last: Option<Instant> = None;
    // An echo sends back as much as it got; any other server is done after a pause.
    while received < sent_bytes {
        let until = match last {
            Some(at) => (at + QUIET).min(deadline),
            None => deadline,
        };
        let wait = until.saturating_duration_since(Instant::now());
        let Ok(read) = timeout(wait, stream.read(&mut buf)).await else {
            break;
        };
        let n = read.map_err(&fail)?;
        if n == 0 {
            break;
        }
        reads += 1;
        received += n;
        last = Some(Instant::now());
        out.send_burst_read(&BurstRead {
            read: reads,
            bytes: n,
            ms: began.elapsed().as_secs_f64() * 1000.0,
            payload: Payload::of(&buf[..n], out.json(), look),
        })?;
    }
    out.send_burst(&Burst {
        messages: messages.len(),
        sent_bytes,
        reads,
        received_bytes: received,
    })?;
    Ok(if reads > 0 {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}
