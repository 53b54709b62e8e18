//! Interactive mode, full duplex: each line of stdin is sent, and whatever arrives is shown
//! when it arrives, from any peer: over UDP with its source address (so two `send --udp
//! --bind` make the hand-outs' UDP chat), over TCP whatever the server sends (a relay's
//! messages from other clients too). A line's RTT runs to the first bytes that arrive after
//! it; a line that gets nothing within --timeout is counted as lost (exit 1).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;

use super::messages::{EMPTY_OVER_TCP, skipped};
use super::{Link, QUIET, link_error, look, send_datagram};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::frame::Deframer;
use crate::output::Output;
use crate::output::messages::{Arrival, Exchange, Payload};
use crate::stats;

/// Lines waiting for the TCP writer; typing faster than the server reads waits here.
const WRITE_QUEUE: usize = 64;

/// Where arrivals come from.
enum Reader {
    Tcp {
        half: OwnedReadHalf,
        frames: Option<Deframer>,
        peer: SocketAddr,
    },
    Udp,
}

pub(super) async fn interactive(
    link: Link,
    peer: SocketAddr,
    args: &SendArgs,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let fail = link_error(args, peer);
    let look = look(args);
    let is_tcp = matches!(link, Link::Tcp(..));
    // TCP: the writing runs on a task of its own, so a long line is sent while what comes
    // back is read (a client that writes before it reads deadlocks on a large message).
    let (mut reader, udp, mut lines_tx, writer) = match link {
        Link::Tcp(stream, _) => {
            let (half, write_half) = stream.into_split();
            let (tx, rx) = mpsc::channel(WRITE_QUEUE);
            let writer = tokio::spawn(write_lines(write_half, rx));
            let frames = args
                .wire
                .framed
                .map(|h| Deframer::new(h, args.wire.max_frame));
            (
                Reader::Tcp { half, frames, peer },
                None,
                Some(tx),
                Some(writer),
            )
        }
        Link::Udp {
            socket, connected, ..
        } => (Reader::Udp, Some((socket, connected)), None, None),
    };
    let mut lines = crate::net::stop::stdin_lines();
    let mut reading = true;
    let mut number = 0u64;
    // Lines sent and not answered yet: (sequence number, size, sent at).
    let mut waiting: VecDeque<(u64, usize, Instant)> = VecDeque::new();
    let mut rtts = stats::Samples::default();
    let (mut sent, mut timeouts) = (0u64, 0u64);
    let mut buf = super::read_buffer(args);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    // The writer (TCP) is done once it has written every line; until then, and for a short
    // pause after the last arrival, what comes back is still read and shown.
    let mut writer_done = writer.is_none();
    let writer = async move {
        match writer {
            Some(task) => task
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string()))),
            None => std::future::pending().await,
        }
    };
    tokio::pin!(writer);
    // Kept open until the session ends.
    let mut write_half = None;
    let mut last_activity = Instant::now();
    loop {
        let finished = !reading && waiting.is_empty() && writer_done;
        if finished && last_activity.elapsed() >= QUIET {
            break;
        }
        let expiry = waiting.front().map(|&(_, _, at)| at + args.timeout);
        let linger = finished.then(|| last_activity + QUIET);
        tokio::select! {
            got = lines.recv(), if reading => {
                let Some(line) = got else {
                    reading = false;
                    // No more lines: the writer may finish.
                    lines_tx = None;
                    continue;
                };
                let line = line.map_err(|source| Error::Read { what: "stdin".to_string(), source })?;
                number += 1;
                let message = match typed(&line, args) {
                    Ok(message) => message,
                    Err(reason) => {
                        out.warn(&format!("line {number} not sent: {reason}"))?;
                        continue;
                    }
                };
                if skipped(&message, is_tcp, args) {
                    out.warn(EMPTY_OVER_TCP)?;
                    continue;
                }
                let size = message.len();
                if let Some((socket, connected)) = &udp {
                    send_datagram(socket, peer, *connected, &message).await.map_err(&fail)?;
                } else if let Some(tx) = &lines_tx {
                    let bytes = match args.wire.framed {
                        Some(header) => match header.encode(&message) {
                            Ok(framed) => framed,
                            Err(e) => {
                                out.warn(&format!("line {number} not sent: {e}"))?;
                                continue;
                            }
                        },
                        None => message,
                    };
                    if tx.send(bytes).await.is_err() {
                        break;
                    }
                }
                sent += 1;
                last_activity = Instant::now();
                waiting.push_back((sent, size, last_activity));
            }
            arrived = receive(&mut reader, udp.as_ref().map(|(s, _)| s), &mut buf) => {
                let Some(arrivals) = arrived.map_err(&fail)? else {
                    out.status("the server closed the connection")?;
                    break;
                };
                last_activity = Instant::now();
                for (from, data) in arrivals {
                    // The first bytes after a line answer it, and every line sent before them
                    // (two quick lines over TCP may well come back in one read).
                    let answered = waiting.front().copied();
                    for (_, _, at) in waiting.drain(..) {
                        rtts.push(at.elapsed().as_secs_f64() * 1000.0);
                    }
                    let rtt = answered.map(|(_, _, at)| at.elapsed().as_secs_f64() * 1000.0);
                    out.send_arrival(&Arrival {
                        from,
                        bytes: data.len(),
                        seq: answered.map(|(seq, _, _)| seq),
                        rtt_ms: rtt,
                        payload: Payload::of(&data, out.json(), look),
                    })?;
                }
                out.flush()?;
            }
            _ = tokio::time::sleep_until(expiry.unwrap_or_else(Instant::now).into()), if expiry.is_some() => {
                if let Some((seq, size, _)) = waiting.pop_front() {
                    timeouts += 1;
                    out.send_exchange(peer, &unanswered(seq, size, look))?;
                }
            }
            written = &mut writer, if !writer_done => {
                writer_done = true;
                write_half = Some(written.map_err(&fail)?);
            }
            _ = tokio::time::sleep_until(linger.unwrap_or_else(Instant::now).into()), if linger.is_some() => {}
            _ = &mut ctrl_c => break,
        }
    }
    // Lines still waiting when the session ended got nothing back.
    for (seq, size, _) in waiting.drain(..) {
        timeouts += 1;
        out.send_exchange(peer, &unanswered(seq, size, look))?;
    }
    drop(write_half);
    super::sum_up(out, sent, timeouts, &rtts)
}

/// The report of a line that got nothing back.
fn unanswered(seq: u64, size: usize, look: crate::output::messages::Look) -> Exchange {
    Exchange {
        seq,
        sent_bytes: size,
        received_bytes: 0,
        rtt_ms: None,
        identical: false,
        reply: Payload::absent(look),
    }
}

/// A typed line as the bytes to send, its line ending taken off; or why it cannot be sent.
pub(super) fn typed(line: &[u8], args: &SendArgs) -> Result<Vec<u8>, String> {
    crate::text::typed(line, args.text.encoding, args.text.hex)
}

/// The next arrivals: one datagram (with its source), one TCP read, or the whole frames a
/// read completed. `None` when the server closed the connection.
async fn receive(
    reader: &mut Reader,
    udp: Option<&tokio::net::UdpSocket>,
    buf: &mut [u8],
) -> std::io::Result<Option<Vec<(SocketAddr, Vec<u8>)>>> {
    match (reader, udp) {
        (Reader::Udp, Some(socket)) => {
            let (n, from) = socket.recv_from(buf).await?;
            Ok(Some(vec![(from, buf[..n].to_vec())]))
        }
        (Reader::Tcp { half, frames, peer }, _) => {
            let n = half.read(buf).await?;
            if n == 0 {
                return Ok(None);
            }
            let Some(frames) = frames else {
                return Ok(Some(vec![(*peer, buf[..n].to_vec())]));
            };
            frames.push(&buf[..n]);
            let mut whole = Vec::new();
            while let Some(frame) = frames
                .next_frame()
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?
            {
                whole.push((*peer, frame));
            }
            Ok(Some(whole))
        }
        (Reader::Udp, None) => std::future::pending().await,
    }
}

/// Writes the lines handed to it, in order, until the channel closes; then hands the half
/// back, so the connection is not half-closed while replies are still awaited (dropping a
/// write half shuts it down, and many servers end the connection then).
async fn write_lines(
    mut half: OwnedWriteHalf,
    mut lines: mpsc::Receiver<Vec<u8>>,
) -> std::io::Result<OwnedWriteHalf> {
    while let Some(bytes) = lines.recv().await {
        half.write_all(&bytes).await?;
    }
    Ok(half)
}
