//! How `port` reports look: a table of ports, or one JSON line per input.

use std::io::Write;
use std::net::SocketAddr;

use serde::Serialize;

use super::Output;
use super::Written;
use crate::ports::{HandoutRange, Holder, IanaRange, LocalRange, Protocol, Service};

/// What one port means, and what holds it on this machine.
#[derive(Debug, Serialize)]
pub struct PortReport {
    /// What was typed: a number or a service name.
    pub input: String,
    pub port: u16,
    pub iana_range: IanaRange,
    pub handout_range: HandoutRange,
    /// The ports this machine's kernel chooses for a socket that binds port 0 or none
    /// (net.ipv4.ip_local_port_range); null where it was not read.
    pub local_port_range: Option<LocalRange>,
    /// Whether this port is one of those: a client's port, likely; null where unknown.
    pub in_local_port_range: Option<bool>,
    pub services: Vec<Service>,
    /// The listening TCP and bound UDP sockets on it, with their processes.
    pub held_by: Vec<Holder>,
}

/// One listening TCP or bound UDP socket of this machine, and what its port means. Where it
/// can be reached from is worded from its address when written.
#[derive(Debug)]
pub struct Listening {
    pub holder: Holder,
    pub port: u16,
    pub iana_range: IanaRange,
    pub services: Vec<Service>,
}

/// A `Listening` as its JSON line: the holder's fields, then the reach in words.
#[derive(Serialize)]
struct ListeningLine<'a> {
    #[serde(flatten)]
    holder: &'a Holder,
    port: u16,
    /// "every interface", "loopback only", or "one address".
    reach: &'static str,
    iana_range: IanaRange,
    services: &'a [Service],
}

/// Where a socket bound to `address` can be reached from.
fn reach(address: SocketAddr) -> &'static str {
    let ip = address.ip();
    if ip.is_unspecified() {
        "every interface"
    } else if ip.is_loopback() {
        "loopback only"
    } else {
        "one address"
    }
}

/// A port's row: the port (and what was typed for it), its ranges, its service names, and
/// what holds it.
fn port_row(r: &PortReport) -> [String; 6] {
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
    [
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
    ]
}

/// `tcp 0.0.0.0 sshd (pid 812)`.
fn held(h: &Holder) -> String {
    format!("{} {} {}", h.protocol.name(), h.address.ip(), h.who())
}

impl Output {
    /// Writes the answers in input order; a bad input is reported on stderr and, with
    /// --json, as {"input": ..., "error": ...} in its place. Under the table: what port 0
    /// means, the ports this machine chooses for clients (`local`), and why the two range
    /// columns differ.
    pub fn ports(
        &mut self,
        answers: &[Result<PortReport, (String, String)>],
        local: Option<LocalRange>,
    ) -> Written {
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
                    table.add_row(port_row(r));
                    rows += 1;
                }
            }
        }
        if rows > 0 {
            self.write_table(&mut table, 0)?;
            let ports: Vec<u16> = answers.iter().flatten().map(|r| r.port).collect();
            self.port_notes(&ports, local)?;
        }
        Ok(())
    }

    /// The notes under the port table (issue 23): port 0, the OS-chosen ports, the columns.
    fn port_notes(&mut self, ports: &[u16], local: Option<LocalRange>) -> Written {
        let chosen_from = local.map_or_else(
            || "by the OS".to_string(),
            |range| format!("from {range} here"),
        );
        if ports.contains(&0) {
            writeln!(
                self,
                "port 0 is no port to connect to: binding port 0 asks the OS for a free port, chosen {chosen_from}"
            )?;
        }
        match local {
            Some(range) => {
                let mut inside: Vec<String> = ports
                    .iter()
                    .filter(|&&p| range.contains(p))
                    .map(ToString::to_string)
                    .collect();
                inside.dedup();
                let which = match inside.len() {
                    0 => String::new(),
                    1 => format!(" ({} is one of them)", inside[0]),
                    2..=5 => format!(" ({} are some of them)", inside.join(", ")),
                    n => format!(" ({n} of the ports above are among them)"),
                };
                writeln!(
                    self,
                    "client ports here: {range} (net.ipv4.ip_local_port_range); a client that binds no port gets one when it connects or sends, usually a new one each run{which}"
                )?;
            }
            None => writeln!(
                self,
                "this system's range for OS-chosen client ports was not read (Linux's default: {})",
                LocalRange::LINUX_DEFAULT
            )?,
        }
        writeln!(
            self,
            "the two range columns differ on 1024-49151: IANA registers services there (RFC 6335), hand-outs call every port above 1023 dynamic"
        )?;
        Ok(writeln!(
            self,
            "IANA's dynamic range, never assigned, is {}; Linux chooses client ports from {} by default",
            LocalRange::IANA_DYNAMIC,
            LocalRange::LINUX_DEFAULT
        )?)
    }

    /// `port --listening`: every listening TCP and bound UDP socket, ss -lntup-like.
    pub fn listening(&mut self, sockets: &[Listening]) -> Written {
        if self.json() {
            for s in sockets {
                self.json_line(&ListeningLine {
                    holder: &s.holder,
                    port: s.port,
                    reach: reach(s.holder.address),
                    iana_range: s.iana_range,
                    services: &s.services,
                })?;
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
                reach(s.holder.address).to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_and_who_are_worded_from_facts() {
        let at = |s: &str| {
            s.parse()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
        };
        assert_eq!(reach(at("0.0.0.0:22")), "every interface");
        assert_eq!(reach(at("[::]:22")), "every interface");
        assert_eq!(reach(at("127.0.0.53:53")), "loopback only");
        assert_eq!(reach(at("10.0.0.5:80")), "one address");
        let mut h = Holder {
            protocol: Protocol::Tcp,
            address: at("0.0.0.0:8080"),
            pid: Some(4242),
            program: Some("python3".into()),
            privileged: false,
        };
        assert_eq!(held(&h), "tcp 0.0.0.0 python3 (pid 4242)");
        h.program = None;
        assert_eq!(held(&h), "tcp 0.0.0.0 pid 4242");
    }
}
