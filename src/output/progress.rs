//! Progress on long work: a bar with an ETA on stderr, only when stderr is a terminal, and only
//! once the work has taken longer than a second (a quick scan should not flash a bar).

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before its bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A bar that may never be drawn: `Progress::none()` costs a branch per step.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: bool,
}

impl Progress {
    /// No bar at all (stderr is not a terminal, or JSON to a pipe).
    pub fn none() -> Progress {
        Progress {
            bar: None,
            started: Instant::now(),
            shown: false,
        }
    }

    /// A bar over `total` steps of `unit` (e.g. "ports"), drawn from one second on.
    pub(super) fn bar(total: u64, unit: &str) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{elapsed}} gone, ETA {{eta}}");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Progress {
            bar: Some(bar),
            started: Instant::now(),
            shown: false,
        }
    }

    /// `n` more steps done.
    pub fn advance(&mut self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
            if !self.shown && self.started.elapsed() >= SHOW_AFTER {
                self.shown = true;
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar.enable_steady_tick(Duration::from_millis(250));
            }
        }
    }

    /// Removes the bar (before the results are printed).
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
