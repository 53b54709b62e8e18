//! How `scan` looks: a table of the ports that are not closed, a closing line per target, or
//! one JSON document.

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
            if !scan.ports.is_empty() {
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
            // open|filtered only where it can happen (UDP), so TCP lines stay nmap-short.
            let open_filtered = if scan.protocol == Protocol::Udp {
                format!(", {} open|filtered", c.open_filtered)
            } else {
                String::new()
            };
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
        }
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
