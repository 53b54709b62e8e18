//! The end of a command's waiting, and what a person types: one `stop()` future (Ctrl-C or
//! SIGTERM) that every waiting command selects on, and stdin's lines read on a thread of their
//! own. Once the runtime has a Ctrl-C handler the default action is gone for the whole
//! process, so a command arms `stop()` once, before its first wait, and selects on it at every
//! wait after (between hosts, during a connect, while reading).

use std::future::Future;
use std::io;
use std::pin::Pin;

use tokio::sync::mpsc;

/// The stop signal as `stop()` arms it, kept by a command for all of its waits.
pub type Stop = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Ctrl-C or SIGTERM, whichever comes first. Armed when called (the handlers are registered
/// then), so a signal between two waits is not lost: keep the one future and poll it again.
pub fn stop() -> Stop {
    // Unix
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let ctrl_c = signal(SignalKind::interrupt());
        let term = signal(SignalKind::terminate());
        Box::pin(async move {
            match (ctrl_c, term) {
                (Ok(mut ctrl_c), Ok(mut term)) => {
                    tokio::select! {
                        _ = ctrl_c.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                (Ok(mut ctrl_c), Err(_)) => {
                    ctrl_c.recv().await;
                }
                (Err(_), _) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        })
    }
    // Elsewhere
    #[cfg(not(unix))]
    {
        Box::pin(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// `work`'s result, or `None` when the stop comes first (`work` is dropped then). Once it has
/// said `None` the stop has fired: a command ends then, and does not wait on it again.
pub async fn unless_stopped<F: Future>(stop: &mut Stop, work: F) -> Option<F::Output> {
    tokio::select! {
        done = work => Some(done),
        () = stop => None,
    }
}

/// The longest typed line that goes over TCP whole: 16 MiB. A bound on memory when stdin never
/// ends a line (`< /dev/zero` would otherwise grow one line until the allocation fails).
pub const MAX_TCP_LINE: usize = 16 << 20;

/// The longest typed line for UDP: one datagram's most (65,535 bytes with its headers; what
/// the payload may be is said when the line is sent).
pub const MAX_UDP_LINE: usize = u16::MAX as usize;

/// A line of stdin, line ending included; `cut` when it was longer than the reader's most: the
/// first that many bytes are here and the rest, up to the next line ending, is skipped.
pub struct Line {
    pub bytes: Vec<u8>,
    pub cut: bool,
}

/// The lines of stdin as they are typed, read on a thread of their own: a blocked terminal
/// read must not hold the runtime when the session ends (tokio's stdin would). Each line is at
/// most `max` bytes, its line ending aside. The channel closes at end of input.
pub fn stdin_lines(max: usize) -> mpsc::Receiver<io::Result<Line>> {
    let (tx, rx) = mpsc::channel(16);
    std::thread::spawn(move || {
        let input = io::stdin().lock();
        let mut lines = Lines {
            input,
            max,
            skipping: false,
        };
        loop {
            let line = lines.next();
            let end = !matches!(line, Ok(Some(_)));
            let sent = match line {
                Ok(Some(line)) => tx.blocking_send(Ok(line)),
                Ok(None) => return,
                Err(e) => tx.blocking_send(Err(e)),
            };
            if end || sent.is_err() {
                return;
            }
        }
    });
    rx
}

/// Reads lines of at most `max` bytes, their line endings aside. A longer line is handed over as soon as `max` bytes
/// of it are in (an endless line must not wait for its end), and the rest of it, up to its
/// ending, is read and dropped piece by piece: memory stays bounded however long it is.
struct Lines<R> {
    input: R,
    max: usize,
    /// Inside the rest of a cut line.
    skipping: bool,
}

impl<R: io::BufRead> Lines<R> {
    /// The next line (`None` at end of input).
    fn next(&mut self) -> io::Result<Option<Line>> {
        let mut bytes = Vec::new();
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                // End of input: a last line without its ending still counts.
                let cut = false;
                return Ok((!bytes.is_empty()).then_some(Line { bytes, cut }));
            }
            let (piece, ended) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..=i], true),
                None => (buf, false),
            };
            let used = piece.len();
            if self.skipping {
                self.skipping = !ended;
                self.input.consume(used);
                continue;
            }
            let room = self.max - bytes.len();
            if used - usize::from(ended) > room {
                bytes.extend_from_slice(&piece[..room]);
                self.input.consume(room);
                self.skipping = true;
                return Ok(Some(Line { bytes, cut: true }));
            }
            bytes.extend_from_slice(piece);
            self.input.consume(used);
            if ended {
                return Ok(Some(Line { bytes, cut: false }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines<R: io::BufRead>(input: R, max: usize) -> Lines<R> {
        let skipping = false;
        Lines {
            input,
            max,
            skipping,
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_is_cut_and_the_rest_up_to_its_end_skipped() {
        let input = b"hello\nabcdefghij\nend".to_vec();
        // A small reader buffer, so a line spans several fills.
        let input = io::BufReader::with_capacity(3, &input[..]);
        let mut reader = lines(input, 4);
        let mut got = Vec::new();
        while let Some(line) = reader.next().unwrap_or_else(|e| panic!("{e}")) {
            got.push((String::from_utf8_lossy(&line.bytes).into_owned(), line.cut));
        }
        assert_eq!(
            got,
            [
                ("hell".to_string(), true),
                ("abcd".to_string(), true),
                ("end".to_string(), false),
            ]
        );
        let mut whole = lines(io::BufReader::new(&b"ok\n\nlast"[..]), 4);
        let mut got = Vec::new();
        while let Some(line) = whole.next().unwrap_or_else(|e| panic!("{e}")) {
            got.push(line.bytes);
        }
        assert_eq!(got, [b"ok\n".to_vec(), b"\n".to_vec(), b"last".to_vec()]);
        // The line ending does not count: a line of exactly the most is whole.
        let mut exact = lines(io::BufReader::new(&b"abcd\n"[..]), 4);
        let line = exact.next().unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(line, Some(Line { ref bytes, cut: false }) if bytes == b"abcd\n"));
    }
}
