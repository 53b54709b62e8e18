//! How `trace` looks: traceroute's lines (hop, address, the times, marks), each hop's address
//! classified, the line where the path leaves private space marked; or one JSON document.

use std::io::Write;
use std::net::IpAddr;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::{Output, Written};
use crate::addr::lab::Classified;

/// The whole trace.
#[derive(Debug, Serialize)]
pub struct TraceReport {
    pub target: String,
    pub address: IpAddr,
    /// The name's other addresses (of the family asked for), not traced, as nmap names them.
    pub other_addresses: Vec<IpAddr>,
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
    /// What the (first) address of the hop is. JSON: `kind` and `class` as tokens
    /// ("private", "A"), and `classification` in words ("private, class A").
    #[serde(flatten)]
    pub classification: Classification,
    /// The path leaves private (or CGN) space for public space at this hop.
    pub leaves_private: bool,
    /// Reverse lookups of the hop's addresses (without -n).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<(IpAddr, String)>,
}

/// The kind and class of a hop's first address; none for a hop nobody answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification(pub Option<Classified>);

impl Classification {
    /// In a few words: "private, class A", "public", "shared (CGNAT)".
    pub(super) fn words(self) -> Option<String> {
        self.0.map(|c| super::kind_and_class(c.kind, c.class))
    }
}

impl Serialize for Classification {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("kind", &self.0.map(|c| c.kind))?;
        map.serialize_entry("class", &self.0.and_then(|c| c.class))?;
        map.serialize_entry("classification", &self.words())?;
        map.end()
    }
}

/// One probe: who answered, how fast, and why it is unreachable (traceroute's mark).
#[derive(Debug, Serialize)]
pub struct Probe {
    pub address: Option<IpAddr>,
    pub rtt_ms: Option<f64>,
    /// An unreachable worth marking (not the destination's own port unreachable, which is the
    /// answer a UDP trace waits for). JSON: traceroute's mark, "!H".
    pub mark: Option<Unreachable>,
}

/// Why a probe's destination is unreachable, as far as traceroute marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unreachable {
    /// !H
    #[serde(rename = "!H")]
    Host,
    /// !N
    #[serde(rename = "!N")]
    Network,
    /// !P
    #[serde(rename = "!P")]
    Protocol,
    /// !X: administratively prohibited (a filter).
    #[serde(rename = "!X")]
    Prohibited,
    /// !: a port unreachable from a router, or another code.
    #[serde(rename = "!")]
    Other,
}

impl Unreachable {
    /// traceroute's mark.
    pub(crate) fn mark(self) -> &'static str {
        match self {
            Unreachable::Host => "!H",
            Unreachable::Network => "!N",
            Unreachable::Protocol => "!P",
            Unreachable::Prohibited => "!X",
            Unreachable::Other => "!",
        }
    }
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
        for line in super::ping::other_lines(&t.target, &t.other_addresses, &[], "traced") {
            writeln!(self, "{line}")?;
        }
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
                    if let Some(why) = p.mark {
                        line.push_str(&format!(" {}", why.mark()));
                    }
                }
                _ => line.push_str(" *"),
            }
        }
        if let Some(what) = hop.classification.words() {
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
