//! Interactive mode, full duplex: a chat, not a measurement. Each line of stdin is sent
//! (`sent line 3: 5 bytes`), and whatever arrives is shown when it arrives, from any peer,
//! with who sent it and the local time it came: over UDP with its source address (so two
//! `send --udp --bind` make the hand-outs' UDP chat), over TCP whatever the server sends (a
//! relay's messages from other clients too). The local address and port the run sends from
//! are said at the start, and again when they change.
//!
//! netkit cannot know whether bytes answer a line. It says what it saw: an arrival while a
//! line sent before it still waits for its first answer, within --timeout, is shown with the
//! time since that line (`0.231 ms after line 3`, the RTT the summary's statistics count);
//! a datagram or a frame answers one line, the oldest waiting, and an unframed TCP read every
//! line waiting (quick lines come back in one read). Anything else is a message from the
//! peer, with no RTT. A line that gets nothing within --timeout is said to have had no reply
//! (exit 1 only with --expect-reply). The server's close or reset ends the session, said as
//! such.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Instant;

use tokio::io::{AsyncWriteExt, Interest};
use tokio::net::UdpSocket;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;

use super::exchange::on_the_wire;
use super::messages::skipped;
use super::{Link, QUIET, Session, Totals, send_datagram, too_long};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::frame::Deframer;
use crate::net::stamp::{self, Read, Stamp};
use crate::net::stop::{Line, MAX_TCP_LINE, MAX_UDP_LINE};
use crate::output::messages::{Answers, Arrival, Local, Look, Payload, SentLine};
use crate::output::server::WallClock;
use crate::output::{Output, Written};

/// Lines waiting for the TCP writer; typing faster than the server reads waits here.
const WRITE_QUEUE: usize = 64;

/// Where arrivals come from: the TCP read half (the writer task has the other), or the UDP
/// socket, which sends the lines too.
enum Reader {
    Tcp {
        half: OwnedReadHalf,
        frames: Option<Deframer>,
        peer: SocketAddr,
    },
    Udp {
        socket: UdpSocket,
        /// Connected to the server alone.
        connected: bool,
    },
}

/// What one turn of the session did: go on, or end the session.
enum Turn {
    On,
    End,
}

pub(super) async fn interactive(
    link: Link,
    s: &mut Session<'_>,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let (mut duplex, writer) = Duplex::open(link, s);
    duplex.say_local(s, out)?;
    let mut lines = crate::net::stop::stdin_lines(duplex.most);
    // The writer (TCP) is done once it has written every line; until then, and for a short
    // pause after the last arrival, what comes back is still read and shown.
    let writer = async move {
        match writer {
            Some(task) => task
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string()))),
            None => std::future::pending().await,
        }
    };
    tokio::pin!(writer);
    loop {
        let finished = duplex.finished();
        if finished && duplex.last_activity.elapsed() >= QUIET {
            break;
        }
        let expiry = duplex
            .waiting
            .front()
            .map(|&(_, _, at)| Instant::now() + s.args.timeout.saturating_sub(at.elapsed()));
        let linger = finished.then(|| duplex.last_activity + QUIET);
        let turn = tokio::select! {
            got = lines.recv(), if duplex.reading => duplex.line(got, s, out).await?,
            arrived = duplex.receive() => match arrived {
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused
                    && duplex.next_address(s, out).await? => Turn::On,
                arrived => duplex.arrived(arrived, s, out)?,
            },
            _ = sleep_until(expiry), if expiry.is_some() => duplex.expired(s, out)?,
            written = &mut writer, if !duplex.writer_done => duplex.written(written, s, out)?,
            _ = sleep_until(linger), if linger.is_some() => Turn::On,
            () = &mut s.stop => Turn::End,
        };
        if let Turn::End = turn {
            break;
        }
    }
    duplex.end(s, out)
}

/// Sleeps until `at` (at once without one; such a branch is disabled).
async fn sleep_until(at: Option<Instant>) {
    tokio::time::sleep_until(at.unwrap_or_else(Instant::now).into()).await;
}

/// The session's state: where arrivals come from, where lines go, and the lines sent and not
/// answered yet.
struct Duplex {
    reader: Reader,
    /// TCP: the lines for the writer task; dropped at the end of stdin, so the writer ends.
    lines_tx: Option<mpsc::Sender<Vec<u8>>>,
    /// stdin is still open.
    reading: bool,
    writer_done: bool,
    /// The write half, handed back by the writer: kept open until the session ends.
    write_half: Option<OwnedWriteHalf>,
    /// Lines read from stdin.
    number: u64,
    /// Lines sent and not answered yet: (line number on stdin, size, sent at on the stamps'
    /// clock).
    waiting: VecDeque<(u64, usize, Stamp)>,
    totals: Totals,
    /// The last line that went out, its number and as the log shows it: what a close comes
    /// after.
    last_line: Option<(u64, Payload)>,
    /// Over UDP, that line's bytes (one datagram at most), to send again to a name's next
    /// address.
    resend: Option<Vec<u8>>,
    buf: Vec<u8>,
    last_activity: Instant,
    look: Look,
    /// The longest line taken from stdin: a datagram's most (UDP), or a stated most (TCP).
    most: usize,
    /// This machine's offset from UTC (seconds east), found at the start: arrival times are
    /// shown in local time.
    utc_offset: i32,
    /// Unframed TCP: one read may hold the answers to several lines.
    stream: bool,
}

/// What one read brought, each piece with who sent it, and when it came (the kernel's stamp);
/// `None` when the server closed the connection.
type Arrivals = Option<(Vec<(SocketAddr, Vec<u8>)>, Stamp)>;

/// The TCP writer task: it hands the write half back when every line is written.
type Writer = tokio::task::JoinHandle<std::io::Result<OwnedWriteHalf>>;

impl Duplex {
    /// TCP: the writing runs on a task of its own, so a long line is sent while what comes
    /// back is read (a client that writes before it reads deadlocks on a large message).
    fn open(link: Link, s: &Session<'_>) -> (Duplex, Option<Writer>) {
        let udp = matches!(link, Link::Udp { .. });
        let (reader, lines_tx, writer) = match link {
            Link::Tcp(stream, _) => {
                let (half, write_half) = stream.into_split();
                let (tx, rx) = mpsc::channel(WRITE_QUEUE);
                let writer = tokio::spawn(write_lines(write_half, rx));
                let wire = &s.args.wire;
                let frames = wire
                    .reads_framed()
                    .map(|h| Deframer::new(h, wire.max_frame).named(wire.reads_option()));
                let peer = s.peer;
                let reader = Reader::Tcp { half, frames, peer };
                (reader, Some(tx), Some(writer))
            }
            Link::Udp {
                socket, connected, ..
            } => (Reader::Udp { socket, connected }, None, None),
        };
        let duplex = Duplex {
            reader,
            lines_tx,
            reading: true,
            writer_done: writer.is_none(),
            write_half: None,
            number: 0,
            waiting: VecDeque::new(),
            totals: Totals {
                typed: true,
                ..Totals::default()
            },
            last_line: None,
            resend: None,
            buf: super::read_buffer(s.args),
            last_activity: Instant::now(),
            look: s.look(),
            most: if udp { MAX_UDP_LINE } else { MAX_TCP_LINE },
            utc_offset: crate::net::clock::utc_offset_now(),
            stream: !udp && s.args.wire.framed.is_none(),
        };
        (duplex, writer)
    }

    /// The next arrivals: one datagram (with its source), one TCP read, or the whole frames a
    /// read completed. `None` when the server closed the connection.
    async fn receive(&mut self) -> std::io::Result<Arrivals> {
        let buf = &mut self.buf;
        let either = Interest::READABLE | Interest::ERROR;
        let (half, frames, peer) = match &mut self.reader {
            Reader::Udp { socket, .. } => {
                let fd = socket.as_raw_fd();
                let got = socket
                    .async_io(either, || stamp::recv(fd, buf, Read::default()))
                    .await?;
                let n = got.bytes.min(buf.len());
                let from = got
                    .address
                    .ok_or_else(|| std::io::Error::other("a datagram without a sender"))?;
                return Ok(Some((vec![(from, buf[..n].to_vec())], got.time)));
            }
            Reader::Tcp { half, frames, peer } => (half, frames, *peer),
        };
        let stream: &tokio::net::TcpStream = half.as_ref();
        let fd = stream.as_raw_fd();
        let got = stream
            .async_io(either, || stamp::recv(fd, buf, Read::default()))
            .await?;
        let n = got.bytes.min(buf.len());
        if n == 0 {
            return Ok(None);
        }
        let Some(frames) = frames else {
            return Ok(Some((vec![(peer, buf[..n].to_vec())], got.time)));
        };
        frames.push(&buf[..n]);
        let mut whole = Vec::new();
        while let Some(frame) = frames
            .next_frame()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?
        {
            whole.push((peer, frame));
        }
        Ok(Some((whole, got.time)))
    }

    /// stdin has ended, every line is answered or has waited --timeout, and the writer is done.
    fn finished(&self) -> bool {
        !self.reading && self.waiting.is_empty() && self.writer_done
    }

    /// A line of stdin, sent; or the end of stdin.
    async fn line(
        &mut self,
        got: Option<std::io::Result<Line>>,
        s: &mut Session<'_>,
        out: &mut Output,
    ) -> Result<Turn, Error> {
        let Some(line) = got else {
            self.reading = false;
            // No more lines: the writer may finish.
            self.lines_tx = None;
            return Ok(Turn::On);
        };
        let line = line.map_err(|source| Error::Read {
            what: "stdin".to_string(),
            source,
        })?;
        self.number += 1;
        if line.cut {
            let (number, most) = (self.number, self.most);
            out.warn(&format!(
                "line {number} is longer than {most} bytes, the most a typed line can be here: its first {most} bytes are taken, the rest up to its line ending is skipped"
            ))?;
        }
        let Some(message) = self.message(&line.bytes, s.args, s.peer, out)? else {
            return Ok(Turn::On);
        };
        let mut at = Stamp::now();
        if let Reader::Udp { socket, connected } = &self.reader {
            send_datagram(socket, s.peer, *connected, &message)
                .await
                .map_err(s.fail())?;
        } else if let Some(tx) = &self.lines_tx {
            let bytes = match on_the_wire(&message, s.args) {
                Ok(bytes) => bytes.into_owned(),
                Err(e) => {
                    out.warn(&format!("line {} not sent: {e}", self.number))?;
                    return Ok(Turn::On);
                }
            };
            // The writer falls behind a server that does not read: wait for it, or the stop.
            match s.unless_stopped(tx.send(bytes)).await {
                Some(Ok(())) => {}
                Some(Err(_)) | None => return Ok(Turn::End),
            }
            // Handed to the writer, which writes at once unless the server stops reading.
            at = Stamp::now();
        }
        self.totals.sent += 1;
        self.last_activity = Instant::now();
        // A TCP line may be megabytes: the log keeps what it shows of it (JSON: lines up to
        // one datagram's size whole).
        let whole = out.json() && message.len() <= 65_536;
        self.last_line = Some((self.number, Payload::of(&message, whole, self.look)));
        if matches!(self.reader, Reader::Udp { .. }) {
            self.resend = Some(message.clone());
        }
        let sent = (self.number, message.len(), at);
        self.waiting.push_back(sent);
        // Its number, for the arrivals that come after it; its size, not its text (the text
        // is what was typed, and a long paste stays one short line per line).
        out.send_sent(&SentLine {
            line: self.number,
            bytes: message.len(),
        })?;
        out.flush()?;
        Ok(Turn::On)
    }

    /// A typed line as the message to send; `None`, with a warning, for one that is not sent.
    fn message(
        &mut self,
        line: &[u8],
        args: &SendArgs,
        peer: SocketAddr,
        out: &mut Output,
    ) -> Result<Option<Vec<u8>>, Error> {
        let message = match typed(line, args) {
            Ok(message) => message,
            Err(reason) => {
                out.warn(&format!("line {} not sent: {reason}", self.number))?;
                return Ok(None);
            }
        };
        let tcp = matches!(self.reader, Reader::Tcp { .. });
        if skipped(&message, tcp, args) {
            self.totals.empty(out)?;
            return Ok(None);
        }
        if !tcp && let Err(reason) = too_long(message.len(), peer) {
            out.warn(&format!("line {} not sent: {reason}", self.number))?;
            return Ok(None);
        }
        Ok(Some(message))
    }

    /// Over UDP, a port unreachable before any reply: the name's next address, on a socket
    /// of its own family, and the last line sent again there. False when there is no other
    /// address (or the stop came): the port unreachable is then the answer.
    async fn next_address(&mut self, s: &mut Session<'_>, out: &mut Output) -> Result<bool, Error> {
        if self.totals.replies > 0 || !matches!(self.reader, Reader::Udp { .. }) {
            return Ok(false);
        }
        if !s.move_on(Error::PortUnreachable { to: s.peer }.to_string()) {
            return Ok(false);
        }
        let Some(link) = super::open_link(s, true).await else {
            return Ok(false);
        };
        let Link::Udp {
            socket, connected, ..
        } = link?
        else {
            return Ok(false);
        };
        s.reached(out)?;
        self.reader = Reader::Udp { socket, connected };
        // A new socket: a new local port (and maybe another family's address).
        self.say_local(s, out)?;
        if let (Some(line), Reader::Udp { socket, connected }) = (&self.resend, &self.reader) {
            let at = Stamp::now();
            send_datagram(socket, s.peer, *connected, line)
                .await
                .map_err(s.fail())?;
            // Its reply's time runs from this send.
            if let Some(waiting) = self.waiting.back_mut() {
                waiting.2 = at;
            }
        }
        Ok(true)
    }

    /// The local address and port this run sends from, and who chose the port. An unconnected
    /// UDP socket is bound to the wildcard address: the address is the one the kernel routes
    /// from to the server (looked up, nothing sent).
    fn say_local(&self, s: &Session<'_>, out: &mut Output) -> Result<(), Error> {
        let local = match &self.reader {
            Reader::Tcp { half, .. } => half.local_addr(),
            Reader::Udp { socket, .. } => socket.local_addr(),
        };
        let Ok(mut address) = local else {
            return Ok(());
        };
        if address.ip().is_unspecified()
            && let Ok(ip) = crate::net::source_for(s.peer.ip())
        {
            address.set_ip(ip);
        }
        let fixed = s.args.bind.is_some_and(|b| b.port != 0);
        out.send_local(&Local {
            address,
            port_chosen_by: if fixed { "bind" } else { "os" },
        })?;
        Ok(())
    }

    /// What arrived, shown; the server's close ends the session.
    fn arrived(
        &mut self,
        arrived: std::io::Result<Arrivals>,
        s: &Session<'_>,
        out: &mut Output,
    ) -> Result<Turn, Error> {
        let look = self.look;
        let last = self.last_line.clone();
        let arrived = match arrived {
            Err(e)
                if super::exchange::is_reset(&e) && matches!(self.reader, Reader::Tcp { .. }) =>
            {
                // Lines still out when the reset came were not taken.
                let waiting = !self.waiting.is_empty();
                self.totals.ended(true, last, waiting, look, out)?;
                return Ok(Turn::End);
            }
            arrived => arrived.map_err(s.fail())?,
        };
        let Some((arrivals, time)) = arrived else {
            let waiting = !self.waiting.is_empty();
            self.totals.ended(false, last, waiting, look, out)?;
            return Ok(Turn::End);
        };
        self.last_activity = Instant::now();
        // A line sent more than --timeout before these bytes came waited in vain: it is said
        // so first (the timer may not have fired yet), and they are not its answer.
        while let Some(&(_, _, at)) = self.waiting.front()
            && time.saturating_duration_since(at) > s.args.timeout
        {
            self.expired(s, out)?;
        }
        for (from, data) in arrivals {
            self.show(from, &data, time, out)?;
        }
        out.flush()?;
        Ok(Turn::On)
    }

    /// What arrived, with who sent it and when. It is taken to answer the oldest line still
    /// waiting that went out before it came (an unframed TCP read: every such line, as two
    /// quick lines may well come back in one read); with none waiting it is a message from
    /// the peer, and has no RTT.
    fn show(&mut self, from: SocketAddr, data: &[u8], time: Stamp, out: &mut Output) -> Written {
        let since = |at: Stamp| time.saturating_duration_since(at).as_secs_f64() * 1000.0;
        let mut answers = None;
        if let Some(&(line, _, at)) = self.waiting.front()
            && at <= time
        {
            self.waiting.pop_front();
            let rtt_ms = since(at);
            self.totals.rtts.push(rtt_ms);
            self.totals.replies += 1;
            let mut also: Option<(u64, u64, u64)> = None;
            while self.stream
                && let Some(&(later, _, at)) = self.waiting.front()
                && at <= time
            {
                self.waiting.pop_front();
                self.totals.rtts.push(since(at));
                also = Some(match also {
                    None => (1, later, later),
                    Some((n, first, _)) => (n + 1, first, later),
                });
            }
            answers = Some(Answers { line, rtt_ms, also });
        }
        out.send_arrival(&Arrival {
            from,
            bytes: data.len(),
            at: WallClock {
                since_epoch: time.since_epoch(),
                utc_offset: self.utc_offset,
            },
            answers,
            payload: Payload::of(data, out.json(), self.look),
        })
    }

    /// The oldest line waited --timeout in vain.
    fn expired(&mut self, s: &Session<'_>, out: &mut Output) -> Result<Turn, Error> {
        if let Some((seq, size, _)) = self.waiting.pop_front() {
            self.totals.no_reply(seq, size, s, out)?;
        }
        Ok(Turn::On)
    }

    /// The writer wrote every line, or stopped on the server's reset.
    fn written(
        &mut self,
        written: std::io::Result<OwnedWriteHalf>,
        s: &Session<'_>,
        out: &mut Output,
    ) -> Result<Turn, Error> {
        self.writer_done = true;
        match written {
            Ok(half) => self.write_half = Some(half),
            Err(e) if super::exchange::is_reset(&e) => {
                // A line could not be written: the server had reset the connection.
                let last = self.last_line.clone();
                self.totals.ended(true, last, true, self.look, out)?;
                return Ok(Turn::End);
            }
            Err(e) => return Err(s.fail()(e)),
        }
        Ok(Turn::On)
    }

    /// Lines still waiting when the session ended got nothing back (after the server's
    /// close, its line has said why); then the summary.
    fn end(mut self, s: &Session<'_>, out: &mut Output) -> Result<Outcome, Error> {
        for (seq, size, _) in self.waiting.drain(..) {
            if self.totals.ended {
                self.totals.no_reply += 1;
            } else {
                self.totals.no_reply(seq, size, s, out)?;
            }
        }
        drop(self.write_half);
        self.totals.sum_up(s, out)
    }
}

/// A typed line as the bytes to send, its line ending taken off; or why it cannot be sent.
pub(super) fn typed(line: &[u8], args: &SendArgs) -> Result<Vec<u8>, String> {
    crate::text::typed(line, args.text.encoding, args.text.hex)
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
