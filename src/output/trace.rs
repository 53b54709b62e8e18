//! How `trace` looks: traceroute's lines (hop, address, the times, marks), each hop's address
//! classified, the line where the path leaves private space marked; or one JSON document.

use std::io::Write;
use std::net::IpAddr;

use serde::Serialize;

use super::{Output, Written};
use crate::addr::{Facts, Kind};

/// The whole trace.
#[derive(Debug, Serialize)]
pub struct TraceReport {
    pub target: String,
    pub address: IpAddr,
    pub protocol: &'static str,
    pub max_hops: u32,
    pub hops: Vec<Hop>,
    pub reached: bool,
}

/// One TTL's probes.
#[derive(Debug, Serialize)]
pub struct Hop {
    pub ttl: u32,
    pub probes: Vec<Probe>,
    /// What the (first) address of the hop is: "private, class A".
    pub classification: Option<String>,
    /// The path leaves private (or CGN) space for public space at this hop.
    pub leaves_private: bool,
    /// Reverse lookups of the hop's addresses (without -n).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<(IpAddr, String)>,
}

/// One probe: who answered, how fast, and traceroute's mark for an unreachable.
#[derive(Debug, Serialize)]
pub struct Probe {
    pub address: Option<IpAddr>,
    pub rtt_ms: Option<f64>,
    pub mark: Option<&'static str>,
}

/// What an address is, in a few words: "private, class A", "public", "shared (CGNAT)".
pub fn what_it_is(addr: IpAddr) -> String {
    let facts = Facts::of(addr);
    super::kind_and_class(facts.kind, facts.class)
}

/// Whether an address belongs to a network that is not the internet's: private, CGN shared
/// space, link-local, loopback.
pub fn inside_a_lab(addr: IpAddr) -> bool {
    matches!(
        Facts::of(addr).kind,
        Kind::Private | Kind::Shared | Kind::LinkLocal | Kind::Loopback
    )
}

impl Output {
    /// The first line, before any probe is answered (nothing in JSON mode).
    pub fn trace_start(&mut self, t: &TraceReport) -> Written {
        if self.json() {
            return Ok(());
        }
        writeln!(
            self,
            "trace to {} ({}), {} hops max, {} probes",
            t.target, t.address, t.max_hops, t.protocol
        )?;
        Output::flush(self)
    }

    /// One hop's line, as traceroute prints it, as soon as the hop is complete.
    pub fn trace_hop(&mut self, hop: &Hop) -> Written {
        if self.json() {
            return Ok(());
        }
        let mut line = format!("{:>2} ", hop.ttl);
        let mut last: Option<IpAddr> = None;
        for p in &hop.probes {
            match (p.address, p.rtt_ms) {
                (Some(addr), Some(ms)) => {
                    if last != Some(addr) {
                        let name = hop.names.iter().find(|(a, _)| *a == addr);
                        match name {
                            Some((_, name)) => line.push_str(&format!(" {name} ({addr})")),
                            None => line.push_str(&format!(" {addr}")),
                        }
                        last = Some(addr);
                    }
                    line.push_str(&format!("  {ms:.3} ms"));
                    if let Some(mark) = p.mark {
                        line.push_str(&format!(" {mark}"));
                    }
                }
                _ => line.push_str(" *"),
            }
        }
        if let Some(what) = &hop.classification {
            line.push_str(&format!("  {what}"));
        }
        if hop.leaves_private {
            line.push_str("  <- the path leaves private space here");
        }
        writeln!(self, "{line}")?;
        Output::flush(self)
    }

    /// The end: whether the destination was reached, or the whole trace as one JSON document.
    pub fn trace_end(&mut self, t: &TraceReport) -> Written {
        if self.json() {
            return self.json_line(t);
        }
        if !t.reached {
            writeln!(self, "{} not reached within {} hops", t.address, t.max_hops)?;
        }
        Ok(())
    }
}
