//! `netkit classify`: parse each input, gather its facts from addr/, hand them to the renderer.
//! Streams (stdin, --file) are read line by line in constant memory, on a second core.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::mpsc::{self, TryRecvError};
use std::thread;

use crate::addr::parse::{self, ParseError};
use crate::addr::{Facts, subnet};
use crate::cli::ClassifyArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::classify::{Classified, View};

/// Longest line a stream may hold; longer ones are reported and skipped, so memory stays flat.
const MAX_LINE: u64 = 4096;

pub fn run(args: &ClassifyArgs, out: &mut Output) -> Result<Outcome, Error> {
    if args.classes {
        out.classes()?;
        return Ok(Outcome::Success);
    }
    if args.registry {
        out.registry()?;
        return Ok(Outcome::Success);
    }
    let (given, streamed) = match (args.explain, args.brief) {
        (true, _) => (View::Explain, View::Explain),
        (_, true) => (View::Line, View::Line),
        _ => (View::Card, View::Line),
    };
    let mut all_good = true;
    for input in &args.inputs {
        all_good &= if input == "-" {
            stream(io::stdin(), "stdin", streamed, out)?
        } else {
            one(input, given, out)?
        };
    }
    if let Some(path) = &args.file {
        let what = path.display().to_string();
        let file = File::open(path).map_err(|source| Error::Read {
            what: what.clone(),
            source,
        })?;
        all_good &= stream(file, &what, streamed, out)?;
    }
    Ok(if all_good {
        Outcome::Success
    } else {
        Outcome::BadInput
    })
}

/// Classifies one input.
pub fn classify(input: &str) -> Result<Classified, ParseError> {
    let target = parse::parse(input)?;
    Ok(Classified {
        input: input.to_string(),
        facts: Facts::of(target.addr),
        zone: target.zone,
        subnet: target.net.map(subnet::subnet),
    })
}

/// Classifies and writes one input; false when it was bad (and reported in its place).
fn one(input: &str, view: View, out: &mut Output) -> io::Result<bool> {
    match classify(input) {
        Ok(c) => out.classified(&c, view).map(|()| true),
        Err(e) => out.input_error(input, &e.to_string()).map(|()| false),
    }
}

/// One streamed line's result.
#[expect(
    clippy::large_enum_variant,
    reason = "the large variant is the common one: boxing it would allocate once per line"
)]
enum Line {
    Classified(Classified),
    Bad {
        shown: String,
        reason: String,
    },
    /// The stream could not be read; nothing follows.
    Failed(io::Error),
}

/// Lines per batch handed from the reading thread to the rendering one.
const BATCH: usize = 256;
/// Batches in flight: bounds memory however long the stream.
const IN_FLIGHT: usize = 8;

/// Classifies a stream, one input per line; blank lines and `#` comments are skipped.
/// Returns false when any line was bad.
///
/// A helper thread reads, parses and classifies while this thread renders, so the two halves
/// of the work each get a core (rendering JSON is the larger half). Results keep their order.
fn stream(
    source: impl Read + Send + 'static,
    what: &str,
    view: View,
    out: &mut Output,
) -> Result<bool, Error> {
    let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
    // Not scoped: if rendering fails (a closed stdout), the process may end while the reader
    // still waits on its input.
    thread::spawn(move || read_lines(source, &tx));
    let mut all_good = true;
    loop {
        let batch: Vec<Line> = match rx.try_recv() {
            Ok(batch) => batch,
            Err(TryRecvError::Empty) => {
                // Nothing ready: let what is done reach the reader before waiting.
                out.flush()?;
                match rx.recv() {
                    Ok(batch) => batch,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        for line in batch {
            match line {
                Line::Classified(c) => out.classified(&c, view)?,
                Line::Bad { shown, reason } => {
                    out.input_error(&shown, &reason)?;
                    all_good = false;
                }
                Line::Failed(source) => {
                    return Err(Error::Read {
                        what: what.to_string(),
                        source,
                    });
                }
            }
        }
    }
    Ok(all_good)
}

/// The reading half of `stream`: sends batches of classified lines until the input ends or
/// the receiver is gone.
fn read_lines(source: impl Read, tx: &mpsc::SyncSender<Vec<Line>>) {
    let mut reader = BufReader::with_capacity(64 * 1024, source);
    let mut raw = Vec::with_capacity(128);
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        raw.clear();
        let line = match read_line(&mut reader, &mut raw) {
            Ok(None) => break,
            Ok(Some(line)) => line,
            Err(e) => {
                batch.push(Line::Failed(e));
                break;
            }
        };
        if let Some(line) = line {
            batch.push(line);
        }
        // Send when full, and before the next read may block (interactive input).
        if batch.len() == BATCH || reader.buffer().is_empty() {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if !full.is_empty() && tx.send(full).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
}

/// Reads one line (at most MAX_LINE bytes) and classifies it. `Ok(None)` at the end of the
/// input; `Ok(Some(None))` for a blank or comment line.
fn read_line(
    reader: &mut BufReader<impl Read>,
    raw: &mut Vec<u8>,
) -> io::Result<Option<Option<Line>>> {
    let n = reader.take(MAX_LINE).read_until(b'\n', raw)?;
    if n == 0 {
        return Ok(None);
    }
    if raw.last() != Some(&b'\n') && n as u64 == MAX_LINE {
        reader.skip_until(b'\n')?;
        let start = String::from_utf8_lossy(&raw[..40]);
        return Ok(Some(Some(Line::Bad {
            shown: format!("{start}..."),
            reason: "line longer than 4096 bytes".to_string(),
        })));
    }
    let Ok(text) = std::str::from_utf8(raw) else {
        return Ok(Some(Some(Line::Bad {
            shown: String::from_utf8_lossy(raw).trim().to_string(),
            reason: "not valid UTF-8 text".to_string(),
        })));
    };
    let text = match text.find('#') {
        Some(i) => &text[..i],
        None => text,
    }
    .trim();
    if text.is_empty() {
        return Ok(Some(None));
    }
    Ok(Some(Some(match classify(text) {
        Ok(c) => Line::Classified(c),
        Err(e) => Line::Bad {
            shown: text.to_string(),
            reason: e.to_string(),
        },
    })))
}
