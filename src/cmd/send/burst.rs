//! `--burst`: every MESSAGE written back to back over TCP before any reply is read, with
//! Nagle's algorithm on as plain send() calls have it; then what came back, read by read. Two
//! quick sends then often arrive as one read at the server, and come back as one: the "sticky
//! packet" lesson, shown.

use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::{Link, QUIET, Session, read_buffer};
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::messages::{Burst, BurstRead, Payload};

/// Stopped while writing or reading: what came back so far, and the exit is 130.
pub(super) async fn burst(
    link: Link,
    messages: &[Vec<u8>],
    s: &mut Session<'_>,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let Link::Tcp(mut stream, _) = link else {
        return Err(Error::BadValue {
            option: "--burst",
            value: "with --udp".to_string(),
            reason: "datagrams are never glued; --burst shows what a TCP stream does".to_string(),
        });
    };
    stream.set_nodelay(false).map_err(s.fail())?;
    let began = Instant::now();
    let write_all = async {
        for message in messages {
            stream.write_all(message).await?;
        }
        Ok::<_, std::io::Error>(())
    };
    let mut tally = Burst {
        messages: messages.len(),
        sent_bytes: messages.iter().map(Vec::len).sum(),
        reads: 0,
        received_bytes: 0,
    };
    let stopped = match s.unless_stopped(write_all).await {
        Some(written) => {
            written.map_err(s.fail())?;
            !read_back(&mut stream, began, &mut tally, s, out).await?
        }
        None => true,
    };
    out.send_burst(&tally)?;
    // Nothing back is a no only when replies were asked for (--expect-reply): the bytes went.
    Ok(if stopped {
        Outcome::Interrupted
    } else if tally.reads == 0 && s.args.expect_reply {
        Outcome::Negative
    } else {
        Outcome::Success
    })
}

/// Shows what comes back, read by read: an echo sends back as much as it got; any other
/// server is done after a pause. False when the stop came first.
async fn read_back(
    stream: &mut TcpStream,
    began: Instant,
    tally: &mut Burst,
    s: &mut Session<'_>,
    out: &mut Output,
) -> Result<bool, Error> {
    let mut buf = read_buffer(s.args);
    let look = s.look();
    let deadline = began + s.args.timeout;
    let mut last: Option<Instant> = None;
    while tally.received_bytes < tally.sent_bytes {
        let until = match last {
            Some(at) => (at + QUIET).min(deadline),
            None => deadline,
        };
        let wait = until.saturating_duration_since(Instant::now());
        let Some(read) = s.unless_stopped(timeout(wait, stream.read(&mut buf))).await else {
            return Ok(false);
        };
        let Ok(read) = read else {
            break;
        };
        let n = read.map_err(s.fail())?;
        if n == 0 {
            break;
        }
        tally.reads += 1;
        tally.received_bytes += n;
        last = Some(Instant::now());
        out.send_burst_read(&BurstRead {
            read: tally.reads,
            bytes: n,
            ms: began.elapsed().as_secs_f64() * 1000.0,
            payload: Payload::of(&buf[..n], out.json(), look),
        })?;
    }
    Ok(true)
}
