//! `netkit classify`: parse each input, gather its facts from addr/, hand them to the renderer.
//! Streams (stdin, --file) are read line by line in constant memory, rendered on every core.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::sync::mpsc::{self, TryRecvError};
use std::thread;

use crate::addr::parse::{self, ParseError};
use crate::addr::{Facts, subnet};
use crate::cli::ClassifyArgs;
use crate::error::{Error, Outcome, WriteError};
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
fn one(input: &str, view: View, out: &mut Output) -> Result<bool, WriteError> {
    match classify(input) {
        Ok(c) => out.classified(&c, view).map(|()| true),
        Err(e) => out.input_error(input, &e.to_string()).map(|()| false),
    }
}

/// Lines per batch handed from the reading thread to a rendering worker. Each hand-off wakes
/// a thread, so batches are large (256 spent an eighth of the time switching); 1,024 JSON
/// records are about 1.3 MB, which with one batch queued each way keeps the peak near 11 MB.
const BATCH: usize = 1024;
/// Most input bytes per batch, so long lines (up to MAX_LINE each) keep batches small too.
const BATCH_BYTES: usize = 64 * 1024;
/// Most rendering workers. Rendering (JSON above all) is most of the work, so there is one
/// per core; past eight the single writer thread is the limit.
const MAX_WORKERS: usize = 8;
/// Batches queued per worker, each way: bounds memory however long the stream.
const QUEUED: usize = 1;

/// Raw lines read from a stream, back to back in one buffer.
#[derive(Default)]
struct Batch {
    text: Vec<u8>,
    lines: Vec<Raw>,
    /// Reading failed after these lines; nothing follows.
    failed: Option<io::Error>,
}

enum Raw {
    Line(Range<usize>),
    /// A line over MAX_LINE bytes, skipped; its start, for the message.
    TooLong(String),
}

/// A batch as a worker rendered it.
struct Rendered {
    out: Vec<u8>,
    err: Vec<u8>,
    all_good: bool,
    failed: Option<io::Error>,
}

/// Classifies a stream, one input per line; blank lines and `#` comments are skipped.
/// Returns false when any line was bad.
///
/// A reader thread cuts the input into batches; workers classify and render alternate batches
/// into memory with the same renderer; this thread writes them out in input order. Memory is
/// bounded by the queues; a partial batch is sent before a read would block and output is
/// flushed before waiting, so interactive use answers line by line.
fn stream(
    source: impl Read + Send + 'static,
    what: &str,
    view: View,
    out: &mut Output,
) -> Result<bool, Error> {
    let workers = crate::net::cores(MAX_WORKERS);
    let mut to_workers = Vec::with_capacity(workers);
    let mut from_workers = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (batch_tx, batch_rx) = mpsc::sync_channel(QUEUED);
        let (done_tx, done_rx) = mpsc::sync_channel(QUEUED);
        let worker_out = out.in_memory();
        thread::spawn(move || render_batches(&batch_rx, &done_tx, worker_out, view));
        to_workers.push(batch_tx);
        from_workers.push(done_rx);
    }
    // Not scoped: if writing fails (a closed stdout), the process may end while the reader
    // still waits on its input.
    thread::spawn(move || read_batches(source, &to_workers));
    let mut all_good = true;
    for rx in from_workers.iter().cycle() {
        let rendered = match rx.try_recv() {
            Ok(rendered) => rendered,
            Err(TryRecvError::Empty) => {
                out.flush()?;
                match rx.recv() {
                    Ok(rendered) => rendered,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        out.write_rendered(&rendered.out, &rendered.err)?;
        all_good &= rendered.all_good;
        if let Some(source) = rendered.failed {
            return Err(Error::Read {
                what: what.to_string(),
                source,
            });
        }
    }
    Ok(all_good)
}

/// The reading thread: batches of lines, round-robin to the workers, until the input ends or
/// the workers are gone.
fn read_batches(source: impl Read, workers: &[mpsc::SyncSender<Batch>]) {
    let mut reader = BufReader::with_capacity(64 * 1024, source);
    let mut turn = workers.iter().cycle();
    let mut send = |batch| turn.next().is_some_and(|w| w.send(batch).is_ok());
    let mut batch = Batch::default();
    loop {
        let start = batch.text.len();
        match (&mut reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut batch.text)
        {
            Ok(0) => break,
            Ok(n) if n as u64 == MAX_LINE && batch.text.last() != Some(&b'\n') => {
                let shown = String::from_utf8_lossy(&batch.text[start..start + 40]).into_owned();
                batch.text.truncate(start);
                batch.lines.push(Raw::TooLong(shown));
                if let Err(e) = reader.skip_until(b'\n') {
                    batch.failed = Some(e);
                    break;
                }
            }
            Ok(_) => batch.lines.push(Raw::Line(start..batch.text.len())),
            Err(e) => {
                batch.failed = Some(e);
                break;
            }
        }
        // Send when full, and before the next read may block (interactive input).
        if (batch.lines.len() == BATCH
            || batch.text.len() >= BATCH_BYTES
            || reader.buffer().is_empty())
            && !send(std::mem::take(&mut batch))
        {
            return;
        }
    }
    if !batch.lines.is_empty() || batch.failed.is_some() {
        send(batch);
    }
}

/// A worker: renders each batch into memory and hands it back.
fn render_batches(
    batches: &mpsc::Receiver<Batch>,
    done: &mpsc::SyncSender<Rendered>,
    mut out: Output,
    view: View,
) {
    for batch in batches {
        // Rendering into memory cannot fail; a failure would only mean a bad line.
        let all_good = render_batch(&batch, &mut out, view).unwrap_or(false);
        let (rendered_out, rendered_err) = out.take_rendered();
        let rendered = Rendered {
            out: rendered_out,
            err: rendered_err,
            all_good,
            failed: batch.failed,
        };
        if done.send(rendered).is_err() {
            return;
        }
    }
}

fn render_batch(batch: &Batch, out: &mut Output, view: View) -> Result<bool, WriteError> {
    let mut all_good = true;
    for raw in &batch.lines {
        let line = match raw {
            Raw::TooLong(start) => {
                out.input_error(&format!("{start}..."), "line longer than 4096 bytes")?;
                all_good = false;
                continue;
            }
            Raw::Line(range) => &batch.text[range.clone()],
        };
        let Ok(text) = std::str::from_utf8(line) else {
            let shown = String::from_utf8_lossy(line).trim().to_string();
            out.input_error(&shown, "not valid UTF-8 text")?;
            all_good = false;
            continue;
        };
        let text = match text.find('#') {
            Some(i) => &text[..i],
            None => text,
        }
        .trim();
        if !text.is_empty() {
            all_good &= one(text, view, out)?;
        }
    }
    Ok(all_good)
}
