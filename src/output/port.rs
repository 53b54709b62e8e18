//! How `port` reports look: a table of ports, or one JSON line per input.

use std::io::Write;

use serde::Serialize;

use super::Output;
use super::Written;
use crate::net::owners::Holder;
use crate::ports::{HandoutRange, IanaRange, Protocol, Service};

/// What one port means, and what holds it on this machine.
#[derive(Debug, Serialize)]
pub struct PortReport {
    /// What was typed: a number or a service name.
    pub input: String,
    pub port: u16,
    pub iana_range: IanaRange,
    pub handout_range: HandoutRange,
    pub services: Vec<Service>,
    /// The listening TCP and bound UDP sockets on it, with their processes.
    pub held_by: Vec<Holder>,
}

/// One listening TCP or bound UDP socket of this machine, and what its port means.
#[derive(Debug, Serialize)]
pub struct Listening {
    #[serde(flatten)]
    pub holder: Holder,
    pub port: u16,
    /// "every interface", "loopback only", or "one address".
    pub reach: &'static str,
    pub iana_range: IanaRange,
    pub services: Vec<Service>,
}

/// Where a socket bound to `address` can be reached from.
pub fn reach(address: std::net::SocketAddr) -> &'static str {
    let ip = address.ip();
    if ip.is_unspecified() {
        "every interface"
    } else if ip.is_loopback() {
        "loopback only"
    } else {
        "one address"
    }
}

/// `tcp 0.0.0.0 sshd (pid 812)`.
fn held(h: &Holder) -> String {
    format!("{} {} {}", h.protocol.name(), h.address.ip(), h.who())
}

impl Output {
    /// Writes the answers in input order; a bad input is reported on stderr and, with
    /// --json, as {"input": ..., "error": ...} in its place.
    pub fn ports(&mut self, answers: &[Result<PortReport, (String, String)>]) -> Written {
        let mut table = self.table(&[
            "PORT",
            "IANA RANGE",
            "HAND-OUT RANGE",
            "TCP",
            "UDP",
            "HELD BY",
        ]);
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
                        if r.held_by.is_empty() {
                            "-".to_string()
                        } else {
                            r.held_by.iter().map(held).collect::<Vec<_>>().join(", ")
                        },
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

    /// `port --listening`: every listening TCP and bound UDP socket, ss -lntup-like.
    pub fn listening(&mut self, sockets: &[Listening]) -> Written {
        if self.json() {
            for s in sockets {
                self.json_line(s)?;
            }
            return Ok(());
        }
        let mut table = self.table(&[
            "PROTO",
            "ADDRESS",
            "REACH",
            "PORT",
            "SERVICE",
            "IANA RANGE",
            "PROGRAM",
            "PID",
        ]);
        for s in sockets {
            let service = s
                .services
                .iter()
                .find(|x| x.protocol == s.holder.protocol)
                .map_or("-".to_string(), |x| x.name.clone());
            table.add_row([
                s.holder.protocol.name().to_string(),
                s.holder.address.ip().to_string(),
                s.reach.to_string(),
                s.port.to_string(),
                service,
                s.iana_range.label().to_string(),
                s.holder
                    .program
                    .clone()
                    .unwrap_or_else(|| "(not visible)".to_string()),
                s.holder.pid.map_or("-".to_string(), |p| p.to_string()),
            ]);
        }
        if sockets.is_empty() {
            return Ok(writeln!(
                self,
                "nothing listens on this machine (in this network namespace)"
            )?);
        }
        self.write_table(&mut table, 0)
    }
}
