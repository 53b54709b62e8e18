//! How `scan` looks: a table of the ports that are not closed, a closing line per target, or
//! one JSON document. A scan of several addresses streams: each address as it is done, in
//! order (up hosts with their ports; down ones in JSON, and in text with -v), then a summary.

use std::io::Write;
use std::net::IpAddr;

use serde::Serialize;

use super::Output;
use super::Written;
use crate::ports::{PortState, Protocol};

/// All targets.
#[derive(Debug, Serialize)]
pub struct ScanReport {
    pub scans: Vec<TargetScan>,
}

/// One target's scan.
#[derive(Debug, Serialize)]
pub struct TargetScan {
    pub target: String,
    pub address: IpAddr,
    /// In a scan of several addresses: up or down, and how discovery (or a port) told.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub host: Option<HostFound>,
    pub protocol: Protocol,
    pub method: &'static str,
    pub ports_scanned: usize,
    pub elapsed_ms: u64,
    pub counts: Counts,
    /// Every port that is not closed; with --open, only those open or open|filtered.
    pub ports: Vec<PortResult>,
    /// Cut short by Ctrl-C.
    pub interrupted: bool,
    /// A name's other addresses, as nmap names them ("not scanned", unless in `also_scanned`).
    pub other_addresses: Vec<IpAddr>,
    /// A connect scan of a name: the addresses scanned before `address` with no port open.
    pub also_scanned: Vec<TriedAddress>,
}

/// What host discovery found of an address: "up" or "down", the reason's token and its words.
#[derive(Debug, Clone, Serialize)]
pub struct HostFound {
    pub state: &'static str,
    pub reason: &'static str,
    pub reason_text: String,
}

impl HostFound {
    pub fn is_up(&self) -> bool {
        self.state == "up"
    }
}

/// An address found down and not scanned (no -Pn).
#[derive(Debug, Serialize)]
pub struct DownHost {
    pub target: String,
    pub address: IpAddr,
    #[serde(flatten)]
    pub host: HostFound,
}

/// The closing line of a scan of several addresses, as nmap's.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Addresses given (a block's hosts: neither its network nor its broadcast address).
    pub addresses: u64,
    pub up: u64,
    pub down: u64,
    /// Cut short by Ctrl-C: the addresses not decided yet.
    pub not_scanned: u64,
    pub elapsed_ms: u64,
    pub interrupted: bool,
    /// How long discovery waited for an address to answer.
    pub discovery_wait_ms: u64,
    /// -Pn: every address scanned, down or not.
    pub scanned_down: bool,
}

/// An address of a name scanned with no port open, before the one reported.
#[derive(Debug, Serialize)]
pub struct TriedAddress {
    pub address: IpAddr,
    pub counts: Counts,
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub open: usize,
    pub closed: usize,
    pub filtered: usize,
    pub open_filtered: usize,
    /// Ports of an address found down (-Pn): only there, so other records keep their shape.
    #[serde(skip_serializing_if = "is_zero")]
    pub unreachable: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One port that is not closed.
#[derive(Debug, Serialize)]
pub struct PortResult {
    pub port: u16,
    pub state: PortState,
    /// As nmap's --reason: syn-ack, conn-refused, reset, no-response, host-unreach,
    /// port-unreach, udp-response, ...
    pub reason: &'static str,
    pub service: Option<String>,
    pub rtt_ms: Option<f64>,
}

impl Output {
    /// Writes the scans.
    pub fn scans(&mut self, report: &ScanReport) -> Written {
        if self.json() {
            return self.json_line(report);
        }
        for scan in &report.scans {
            self.scan_text(scan)?;
        }
        Ok(())
    }

    /// Opens the JSON document of a scan of several addresses (text has no opening).
    pub fn scan_begin(&mut self) -> Written {
        if self.json() {
            self.write_all(b"{\"scans\":[")?;
        }
        Ok(())
    }

    /// One address found up, or scanned anyway (-Pn), as soon as it is done and every
    /// address before it was written. `first`: the first record of the document.
    pub fn scan_host(&mut self, scan: &TargetScan, first: bool) -> Written {
        if self.json() {
            return self.json_element(scan, first);
        }
        if let Some(host) = &scan.host {
            if !first {
                writeln!(self)?;
            }
            let scanned_anyway = if host.is_up() {
                ""
            } else {
                "; scanned anyway (-Pn)"
            };
            writeln!(
                self,
                "{} is {}: {}{scanned_anyway}",
                scan.address, host.state, host.reason_text
            )?;
        }
        self.scan_text(scan)?;
        self.flush()
    }

    /// An address found down and not scanned: in JSON always, in text with -v.
    pub fn scan_down(&mut self, down: &DownHost, first: bool, verbose: bool) -> Written {
        if self.json() {
            return self.json_element(down, first);
        }
        if verbose {
            writeln!(self, "{} is down: {}", down.address, down.host.reason_text)?;
        }
        Ok(())
    }

    /// The summary: nmap's closing line ("256 addresses scanned in 3.2 s: 2 up, 254 down"),
    /// or the end of the JSON document.
    pub fn scan_end(&mut self, summary: &Summary) -> Written {
        if self.json() {
            self.write_all(b"\n],\"summary\":")?;
            let text = sonic_rs::to_string(summary).map_err(std::io::Error::other)?;
            self.write_all(text.as_bytes())?;
            self.write_all(b"}\n")?;
            return self.flush();
        }
        let s = summary;
        let cut = if s.interrupted {
            format!(" (interrupted: {} not scanned)", s.not_scanned)
        } else {
            String::new()
        };
        writeln!(
            self,
            "\n{} addresses scanned in {:.2} s{cut}: {} up, {} down",
            s.addresses,
            s.elapsed_ms as f64 / 1000.0,
            s.up,
            s.down
        )?;
        self.flush()
    }

    /// A record of the streamed array, after a comma unless it is the first.
    fn json_element<T: Serialize>(&mut self, value: &T, first: bool) -> Written {
        let text = sonic_rs::to_string(value).map_err(std::io::Error::other)?;
        self.write_all(if first { b"\n" } else { b",\n" })?;
        self.write_all(text.as_bytes())?;
        self.flush()
    }

    /// One host's ports as text: the table of the ports that are not closed, then its line.
    fn scan_text(&mut self, scan: &TargetScan) -> Written {
        // An address found down (-Pn) has only unreachable ports: its line says so.
        let all_unreachable = scan.counts.unreachable == scan.ports_scanned;
        if !scan.ports.is_empty() && !all_unreachable {
            let mut table = self.table(&["PORT", "STATE", "REASON", "SERVICE", "LATENCY"]);
            for p in &scan.ports {
                table.add_row([
                    format!("{}/{}", p.port, scan.protocol.name()),
                    p.state.name().to_string(),
                    p.reason.to_string(),
                    p.service.clone().unwrap_or_else(|| "-".to_string()),
                    p.rtt_ms.map_or("-".to_string(), |r| format!("{r:.3} ms")),
                ]);
            }
            self.write_table(&mut table, 0)?;
        }
        let c = &scan.counts;
        let cut = if scan.interrupted {
            " (interrupted)"
        } else {
            ""
        };
        // open|filtered only where it can happen (UDP), so TCP lines stay nmap-short;
        // unreachable only on an address found down.
        let mut open_filtered = if scan.protocol == Protocol::Udp {
            format!(", {} open|filtered", c.open_filtered)
        } else {
            String::new()
        };
        if c.unreachable > 0 {
            let why = scan.ports.first().map_or("", |p| p.reason);
            open_filtered.push_str(&format!(", {} unreachable ({why})", c.unreachable));
        }
        // A name is named with its address, as nmap's "scan report for localhost (::1)".
        let on = if scan.other_addresses.is_empty() {
            scan.address.to_string()
        } else {
            format!("{} ({})", scan.target, scan.address)
        };
        writeln!(
            self,
            "{} ports on {on} scanned in {:.2} s{cut}: {} open, {} closed, {} filtered{open_filtered}",
            scan.ports_scanned,
            scan.elapsed_ms as f64 / 1000.0,
            c.open,
            c.closed,
            c.filtered
        )?;
        self.other_addresses(scan)?;
        Ok(())
    }

    /// The lines naming a name's other addresses: those scanned first with nothing open, then
    /// those not scanned, as nmap says it.
    fn other_addresses(&mut self, scan: &TargetScan) -> Written {
        for t in &scan.also_scanned {
            let c = &t.counts;
            writeln!(
                self,
                "also scanned {}: nothing open ({} closed, {} filtered)",
                t.address, c.closed, c.filtered
            )?;
        }
        let untried: Vec<String> = scan
            .other_addresses
            .iter()
            .filter(|a| !scan.also_scanned.iter().any(|t| t.address == **a))
            .map(IpAddr::to_string)
            .collect();
        if !untried.is_empty() {
            writeln!(
                self,
                "other addresses for {} (not scanned): {}",
                scan.target,
                untried.join(", ")
            )?;
        }
        Ok(())
    }
}
