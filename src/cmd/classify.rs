//! `netkit classify`: parse each input, gather its facts from addr/, hand them to the renderer.
//! Streams (stdin, --file) are read line by line in constant memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

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

/// Classifies a stream, one input per line; blank lines and `#` comments are skipped.
/// Returns false when any line was bad.
fn stream(source: impl Read, what: &str, view: View, out: &mut Output) -> Result<bool, Error> {
    let mut reader = BufReader::with_capacity(64 * 1024, source);
    let mut line = Vec::with_capacity(128);
    let mut all_good = true;
    let read_error = |source| Error::Read {
        what: what.to_string(),
        source,
    };
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)
            .map_err(read_error)?;
        if n == 0 {
            break;
        }
        if line.last() != Some(&b'\n') && n as u64 == MAX_LINE {
            reader.skip_until(b'\n').map_err(read_error)?;
            let start = String::from_utf8_lossy(&line[..40]).into_owned();
            out.input_error(&format!("{start}..."), "line longer than 4096 bytes")?;
            all_good = false;
            continue;
        }
        match std::str::from_utf8(&line) {
            Ok(text) => {
                let text = text.split('#').next().unwrap_or_default().trim();
                if !text.is_empty() {
                    all_good &= one(text, view, out)?;
                }
            }
            Err(_) => {
                let shown = String::from_utf8_lossy(&line).trim().to_string();
                out.input_error(&shown, "not valid UTF-8 text")?;
                all_good = false;
            }
        }
        // Before the next read may block, let what is done so far reach the reader.
        if reader.buffer().is_empty() {
            out.flush()?;
        }
    }
    Ok(all_good)
}
