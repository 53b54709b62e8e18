//! The one renderer: decides color once, and writes every report as text, a table
//! (comfy-table) or JSON lines into any writer. Commands hand it data; only this module
//! decides how the data looks. One file per command's reports beside this one.

pub mod check;
pub mod classify;
pub mod ifaces;
pub mod json;
pub mod messages;
pub mod ping;
pub mod port;
pub mod progress;
pub mod scan;
pub mod server;
pub mod subnet;
pub mod trace;
pub mod trace_rounds;
pub mod watch;

use std::borrow::Cow;
use std::ffi::OsStr;
use std::io::{self, IsTerminal, Write};

use comfy_table::{Cell, ContentArrangement, Table, presets};
use serde::Serialize;

use crate::error::WriteError;

/// What every rendering call returns: only a failed write of the results can go wrong here.
pub type Written = Result<(), WriteError>;

/// Folds `--color` (`forced`: Some for always or never, None for auto), whether stdout is a
/// terminal, `NO_COLOR` and `TERM` into one decision. `NO_COLOR` counts when set and not
/// empty (no-color.org); `--color always` overrides both.
pub fn decide_color(
    forced: Option<bool>,
    stdout_is_terminal: bool,
    no_color: Option<&OsStr>,
    term: Option<&OsStr>,
) -> bool {
    forced.unwrap_or_else(|| {
        stdout_is_terminal
            && no_color.is_none_or(|v| v.is_empty())
            && term.is_none_or(|t| t != "dumb")
    })
}

/// A text style, drawn only when color is on.
#[derive(Debug, Clone, Copy)]
pub enum Paint {
    Bold,
    Dim,
    Red,
    Green,
    Yellow,
    Magenta,
    Cyan,
}

impl Paint {
    fn code(self) -> &'static str {
        match self {
            Paint::Bold => "1",
            Paint::Dim => "2",
            Paint::Red => "31",
            Paint::Green => "32",
            Paint::Yellow => "33",
            Paint::Magenta => "35",
            Paint::Cyan => "36",
        }
    }
}

/// Where a stream of text goes.
enum Sink {
    /// Buffered here, so the many small writes of a JSON record are plain copies, not calls.
    Buffered(io::BufWriter<Box<dyn Write + Send>>),
    /// Written as it comes (stderr: a warning must not wait).
    Direct(Box<dyn Write + Send>),
    /// Kept in memory, for rendering on a worker thread (and for tests).
    Memory(Vec<u8>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Buffered(w) => w.write(buf),
            Sink::Direct(w) => w.write(buf),
            Sink::Memory(v) => v.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Buffered(w) => w.write_all(buf),
            Sink::Direct(w) => w.write_all(buf),
            Sink::Memory(v) => {
                v.extend_from_slice(buf);
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Buffered(w) => w.flush(),
            Sink::Direct(w) => w.flush(),
            Sink::Memory(_) => Ok(()),
        }
    }
}

/// Where results (stdout) and messages (stderr) go, and how they look.
pub struct Output {
    out: Sink,
    err: Sink,
    json: bool,
    color: bool,
    /// Reused for each JSON line written to a stream.
    scratch: Vec<u8>,
    /// Whether messages go to a terminal, where a progress bar may be drawn.
    err_is_terminal: bool,
    /// The peers already told their bytes read better in another encoding.
    encoding_noted: messages::Noted,
}

impl Output {
    /// Results to `out` (buffered here), messages to `err` (as they come).
    pub fn new(
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
        json: bool,
        color: bool,
    ) -> Output {
        Output {
            out: Sink::Buffered(io::BufWriter::with_capacity(64 * 1024, out)),
            err: Sink::Direct(err),
            json,
            color,
            scratch: Vec::with_capacity(2048),
            err_is_terminal: false,
            encoding_noted: messages::Noted::default(),
        }
    }

    /// An Output that renders into memory with the same look as `self`; `take_rendered`
    /// hands back what it wrote and `write_rendered` passes it on.
    pub fn in_memory(&self) -> Output {
        Output {
            out: Sink::Memory(Vec::with_capacity(64 * 1024)),
            err: Sink::Memory(Vec::new()),
            json: self.json,
            color: self.color,
            scratch: Vec::new(),
            err_is_terminal: false,
            encoding_noted: messages::Noted::default(),
        }
    }

    /// What an in-memory Output holds for stdout and stderr, leaving it empty.
    pub fn take_rendered(&mut self) -> (Vec<u8>, Vec<u8>) {
        let take = |sink: &mut Sink| match sink {
            Sink::Memory(v) => std::mem::replace(v, Vec::with_capacity(v.capacity())),
            Sink::Buffered(_) | Sink::Direct(_) => Vec::new(),
        };
        (take(&mut self.out), take(&mut self.err))
    }

    /// Writes what an in-memory Output rendered.
    pub fn write_rendered(&mut self, out: &[u8], err: &[u8]) -> Written {
        self.err.write_all(err)?;
        Ok(self.out.write_all(out)?)
    }

    /// stdout and stderr, as the binary uses them.
    pub fn stdio(json: bool, color: bool) -> Output {
        let mut out = Output::new(Box::new(io::stdout()), Box::new(io::stderr()), json, color);
        out.err_is_terminal = io::stderr().is_terminal();
        out
    }

    /// Progress over `total` steps of `unit`, drawn on stderr only when it is a terminal.
    pub fn progress(&self, total: u64, unit: &str) -> progress::Progress {
        if self.err_is_terminal {
            progress::Progress::bar(total, unit)
        } else {
            progress::Progress::none()
        }
    }

    /// Whether decoration (color, sparklines) is on: a terminal, or --color always.
    pub fn decorated(&self) -> bool {
        self.color
    }

    /// Whether reports are JSON.
    pub fn json(&self) -> bool {
        self.json
    }

    /// Pushes buffered results out (before blocking on input, and at the end).
    pub fn flush(&mut self) -> Written {
        Ok(self.out.flush()?)
    }

    /// A warning or per-input error on stderr, as `netkit: ...`.
    pub fn warn(&mut self, message: &str) -> Written {
        let prefix = self.paint(Paint::Red, "netkit:");
        Ok(writeln!(self.err, "{prefix} {message}")?)
    }

    /// A progress or status line on stderr (never on stdout, which holds results).
    pub fn status(&mut self, message: &str) -> Written {
        Ok(writeln!(self.err, "{message}")?)
    }

    /// One JSON object on its own line. With `json_written`, the only place JSON is written.
    // sonic-rs, not serde_json: the same bytes, and a faster string escaper, which is most of
    // the cost of a classify record.
    pub fn json_line<T: Serialize + ?Sized>(&mut self, value: &T) -> Written {
        self.json_written(|line| sonic_rs::to_writer(line, value).map_err(io::Error::other))
    }

    /// One JSON object on its own line, as `write` puts it into the buffer.
    fn json_written(&mut self, write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> Written {
        let line = match &mut self.out {
            Sink::Memory(v) => v,
            Sink::Buffered(_) | Sink::Direct(_) => {
                self.scratch.clear();
                &mut self.scratch
            }
        };
        write(&mut *line)?;
        line.push(b'\n');
        if !matches!(self.out, Sink::Memory(_)) {
            self.out.write_all(&self.scratch)?;
        }
        Ok(())
    }

    /// A bad input: a line on stderr naming it, and with --json a record in its place.
    pub fn input_error(&mut self, input: &str, reason: &str) -> Written {
        let shown = if input.is_empty() { "(empty)" } else { input };
        self.warn(&format!("{shown}: {reason}"))?;
        if self.json() {
            #[derive(Serialize)]
            struct InputError<'a> {
                input: &'a str,
                error: &'a str,
            }
            self.json_line(&InputError {
                input,
                error: reason,
            })?;
        }
        Ok(())
    }

    /// `text` in `paint` when color is on.
    pub fn paint<'a>(&self, paint: Paint, text: &'a str) -> Cow<'a, str> {
        if self.color {
            Cow::Owned(format!("\x1b[{}m{text}\x1b[0m", paint.code()))
        } else {
            Cow::Borrowed(text)
        }
    }

    /// A table with netkit's look: a header, no inner borders, wrapped to a terminal's width.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table
            .load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if self.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        // A terminal that reports no size (a pty nobody sized, as `script` makes) says 0
        // columns: squeezing to that would put one letter per line.
        if table.width().is_some_and(|w| w < 40) {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
        let header = header.iter().map(|h| {
            let cell = Cell::new(h);
            if self.color {
                cell.add_attribute(comfy_table::Attribute::Bold)
            } else {
                cell
            }
        });
        table.set_header(header);
        table
    }

    /// Writes a table indented by `indent` spaces, with trailing blanks trimmed.
    pub fn write_table(&mut self, table: &mut Table, indent: usize) -> Written {
        // Two spaces between columns and none before the first, as ip(8) and ss(8) print.
        for column in table.column_iter_mut() {
            column.set_padding((0, 2));
        }
        for line in table.lines() {
            writeln!(self.out, "{:indent$}{}", "", line.trim_end())?;
        }
        Ok(())
    }
}

/// An address in a few words, as ifaces and trace show it: "private, class A"; IPv6 has no
/// class ("link-local").
pub fn kind_and_class(kind: crate::addr::Kind, class: Option<crate::addr::class::Class>) -> String {
    match class {
        Some(class) => format!("{}, class {}", kind.label(), class.letter()),
        None => kind.label().to_string(),
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `16777214` -> `16,777,214`, as people read large counts.
pub fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// C's `%g`: six significant digits, trailing zeros dropped (iputils prints loss this way).
pub fn format_g(value: f64) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let digits = 6i32 - 1 - value.abs().log10().floor() as i32;
    let text = format!("{:.*}", digits.max(0) as usize, value);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A sparkline of the samples, one block per sample (scaled between min and max).
pub fn sparkline(samples: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (lo, hi) = samples
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(*x), hi.max(*x))
        });
    samples
        .iter()
        .map(|x| {
            let level = if hi > lo {
                (x - lo) / (hi - lo) * 7.0
            } else {
                0.0
            };
            BARS[(level.round() as usize).min(7)]
        })
        .collect()
}

/// `yes`, `no`, or `n/a` for a registry column that does not apply.
pub fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "n/a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_g_is_c_percent_g() {
        for (value, text) in [
            (0.0, "0"),
            (12.5, "12.5"),
            (100.0, "100"),
            (100.0 / 3.0, "33.3333"),
            (0.001_234_567, "0.00123457"),
            (99.999_999, "100"),
            (-2.5, "-2.5"),
            (123_456.0, "123456"),
        ] {
            assert_eq!(format_g(value), text, "{value}");
        }
    }

    #[test]
    fn color_decision() {
        let os = |s: &'static str| Some(OsStr::new(s));
        let (auto, always, never) = (None, Some(true), Some(false));
        let cases = [
            (auto, true, None, os("xterm"), true),
            (auto, false, None, os("xterm"), false),
            (auto, true, os("1"), os("xterm"), false),
            (auto, true, os(""), os("xterm"), true),
            (auto, true, None, os("dumb"), false),
            (auto, true, None, None, true),
            (always, false, os("1"), os("dumb"), true),
            (never, true, None, os("xterm"), false),
        ];
        for (choice, tty, no_color, term, want) in cases {
            assert_eq!(
                decide_color(choice, tty, no_color, term),
                want,
                "{choice:?} tty={tty} NO_COLOR={no_color:?} TERM={term:?}"
            );
        }
    }

    #[test]
    fn digits_are_grouped_in_threes() {
        let cases = [
            ("0", "0"),
            ("254", "254"),
            ("1000", "1,000"),
            ("16777214", "16,777,214"),
        ];
        for (input, want) in cases {
            assert_eq!(group_digits(input), want, "{input}");
        }
    }

    #[test]
    fn loss_and_its_printed_form() {
        let cases = [
            (4, 4, "0"),
            (4, 3, "25"),
            (3, 2, "33.3333"),
            (3, 0, "100"),
            (7, 6, "14.2857"),
        ];
        for (sent, got, want) in cases {
            assert_eq!(
                format_g(crate::stats::loss_percent(sent, got)),
                want,
                "{got}/{sent}"
            );
        }
    }

    #[test]
    fn sparkline_scales_between_min_and_max() {
        assert_eq!(sparkline(&[1.0, 2.0, 3.0]), "▁▅█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▁▁");
    }
}
