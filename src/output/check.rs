//! How `check` looks: one line per step of the ladder (number, name, result, time, what was
//! found), a failing step's meaning under it, and a closing verdict; or one JSON document.

use std::io::Write;

use serde::Serialize;

use super::{Output, Written};

/// The whole ladder.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub host: Option<String>,
    pub steps: Vec<Step>,
    /// Every step passed (skipped ones do not count against it).
    pub passed: bool,
}

/// One step of the ladder.
#[derive(Debug, Serialize)]
pub struct Step {
    pub step: u8,
    pub name: &'static str,
    pub status: Status,
    /// How long the step's answer took (None for a step that sends nothing).
    pub ms: Option<f64>,
    /// What was found: "10.200.6.2 answers ping".
    pub detail: String,
    /// On failure, what it points to, and which later steps cannot work.
    pub meaning: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Not run: nothing to do (no HOST given), or an earlier failure leaves nothing to test.
    Skip,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Pass => "ok",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        }
    }
}

impl Output {
    /// The ladder, a line per step, or one JSON document.
    pub fn check(&mut self, report: &CheckReport) -> Written {
        if self.json() {
            return self.json_line(report);
        }
        for step in &report.steps {
            let time = step.ms.map(|ms| format!("{ms:.3} ms")).unwrap_or_default();
            writeln!(
                self,
                "{:>2}  {:<16} {:<5} {:>11}  {}",
                step.step,
                step.name,
                step.status.word(),
                time,
                step.detail
            )?;
            if let Some(meaning) = &step.meaning {
                writeln!(self, "{:>39}{meaning}", "-> ")?;
            }
        }
        let failed = report
            .steps
            .iter()
            .filter(|s| s.status == Status::Fail)
            .count();
        if failed == 0 {
            writeln!(self, "every step passed")?;
        } else {
            let first = report.steps.iter().find(|s| s.status == Status::Fail);
            let name = first.map(|s| s.name).unwrap_or_default();
            writeln!(
                self,
                "{failed} step{} failed; start with the first: {name}",
                if failed == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}
