//! How `port` reports look: a table of ports, or one JSON line per input.

use serde::Serialize;

use super::Output;
use super::Written;
use crate::ports::{HandoutRange, IanaRange, Protocol, Service};

/// What one port means.
#[derive(Debug, Serialize)]
pub struct PortReport {
    /// What was typed: a number or a service name.
    pub input: String,
    pub port: u16,
    pub iana_range: IanaRange,
    pub handout_range: HandoutRange,
    pub services: Vec<Service>,
}

impl Output {
    /// Writes the answers in input order; a bad input is reported on stderr and, with
    /// --json, as {"input": ..., "error": ...} in its place.
    pub fn ports(&mut self, answers: &[Result<PortReport, (String, String)>]) -> Written {
        let mut table = self.table(&["PORT", "IANA RANGE", "HAND-OUT RANGE", "TCP", "UDP"]);
        let mut rows = 0;
        for answer in answers {
            match answer {
                Err((input, reason)) => self.input_error(input, reason)?,
                Ok(r) if self.json() => self.json_line(r)?,
                Ok(r) => {
                    let names = |protocol| {
                        let names: Vec<&str> = r
                            .services
                            .iter()
                            .filter(|s| s.protocol == protocol)
                            .map(|s| s.name.as_str())
                            .collect();
                        if names.is_empty() {
                            "-".to_string()
                        } else {
                            names.join(", ")
                        }
                    };
                    let port = if r.input == r.port.to_string() {
                        r.port.to_string()
                    } else {
                        format!("{} ({})", r.port, r.input)
                    };
                    table.add_row([
                        port,
                        format!("{} ({})", r.iana_range.label(), r.iana_range.span()),
                        r.handout_range.label().to_string(),
                        names(Protocol::Tcp),
                        names(Protocol::Udp),
                    ]);
                    rows += 1;
                }
            }
        }
        if rows > 0 {
            self.write_table(&mut table, 0)?;
        }
        Ok(())
    }
}
