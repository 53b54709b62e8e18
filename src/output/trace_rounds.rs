//! How `trace --rounds` looks: mtr's report columns (HOP HOST LOSS% SNT RCV LAST AVG BEST WRST
//! STDEV, JTTR with --jitter), each responder of a hop on its own line with its share, each
//! hop classified, the private → public boundary marked, and the verdict in words under the
//! table; or one JSON document with the verdict as tokens naming their hops.

use std::io::Write;
use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

use super::server::{WallClock, clock};
use super::trace::{Classification, Unreachable};
use super::{Output, Written};
use crate::path_verdict::Finding;

/// The whole measurement.
#[derive(Debug, Clone, Serialize)]
pub struct RoundsReport {
    pub target: String,
    pub address: IpAddr,
    pub protocol: &'static str,
    /// Since the Unix epoch; JSON: RFC 3339 (ISO 8601) in UTC.
    #[serde(serialize_with = "iso")]
    pub start: Duration,
    #[serde(serialize_with = "iso")]
    pub end: Duration,
    /// Rounds sent.
    pub rounds: u64,
    pub interval_s: f64,
    /// Whether the flow changed every round ("round") or stayed ("fixed").
    pub flow: &'static str,
    pub hops: Vec<RoundsHop>,
    pub reached: bool,
    /// JSON: written beside the report with the hops' addresses (`ReportJson`).
    #[serde(skip)]
    pub verdict: Vec<Finding>,
    /// The JTTR column (JSON always carries `jitter_ms`).
    #[serde(skip)]
    pub jitter: bool,
}

/// One TTL over the rounds.
#[derive(Debug, Clone, Serialize)]
pub struct RoundsHop {
    pub ttl: u32,
    /// Who answered, most answers first.
    pub responders: Vec<Responder>,
    /// Probes whose wait is over (sent − in flight, as mtr counts loss).
    pub sent: u64,
    pub received: u64,
    pub loss_percent: f64,
    pub last_ms: Option<f64>,
    pub avg_ms: Option<f64>,
    pub best_ms: Option<f64>,
    pub worst_ms: Option<f64>,
    pub stdev_ms: Option<f64>,
    /// The mean difference between consecutive RTTs.
    pub jitter_ms: Option<f64>,
    /// The hop's main responder: `kind`, `class`, `classification`.
    #[serde(flatten)]
    pub classification: Classification,
    /// The path leaves private (or CGN) space for public space at this hop.
    pub leaves_private: bool,
    /// The unreachables this hop's answers reported, as traceroute marks them ("!H", "!N",
    /// "!P", "!X", "!"), each once; empty when none.
    pub marks: Vec<Unreachable>,
}

/// One address that answered for a hop.
#[derive(Debug, Clone, Serialize)]
pub struct Responder {
    pub address: IpAddr,
    pub hostname: Option<String>,
    pub answers: u64,
}

fn iso<S: serde::Serializer>(at: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&stamp(*at))
}

/// A moment as RFC 3339 in UTC.
fn stamp(at: Duration) -> String {
    clock(WallClock {
        since_epoch: at,
        utc_offset: 0,
    })
    .1
}

/// A finding in JSON: its token, the hops it names (address and hostname apart), its words.
#[derive(Serialize)]
struct FindingJson {
    finding: &'static str,
    hops: Vec<NamedHop>,
    text: String,
}

#[derive(Serialize)]
struct NamedHop {
    ttl: u32,
    address: Option<IpAddr>,
    hostname: Option<String>,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    #[serde(flatten)]
    report: &'a RoundsReport,
    #[serde(rename = "verdict")]
    words: Vec<FindingJson>,
}

impl RoundsReport {
    fn hop(&self, ttl: u32) -> Option<&RoundsHop> {
        self.hops.iter().find(|h| h.ttl == ttl)
    }

    /// "hop 3 (10.0.2.1)", "hop 3 (router.lab, 10.0.2.1)", or "hop 3" for a silent one.
    fn named(&self, ttl: u32) -> String {
        match self.hop(ttl).and_then(|h| h.responders.first()) {
            Some(Responder {
                address,
                hostname: Some(name),
                ..
            }) => format!("hop {ttl} ({name}, {address})"),
            Some(r) => format!("hop {ttl} ({})", r.address),
            None => format!("hop {ttl}"),
        }
    }

    /// A finding in words.
    fn words(&self, f: &Finding) -> String {
        match *f {
            Finding::NoLoss { probes } => format!(
                "no loss on the path: the destination answered every probe ({probes} of {probes})"
            ),
            Finding::LossFrom {
                ttl,
                after,
                destination_loss_percent,
            } => {
                let from = after.map_or("this machine".to_string(), |a| self.named(a));
                format!(
                    "loss starts at hop {ttl} and holds to the destination: packets go missing between {from} and {}; the destination's answers to {destination_loss_percent:.1}% of the probes did not come",
                    self.named(ttl)
                )
            }
            Finding::DestinationLoss { lost, settled } => format!(
                "no answer from the destination to {lost} of {settled} probes: too few, or too scattered, to say where"
            ),
            Finding::NotReached { last: Some(last) } => format!(
                "the destination never answered; the last hop that did is {}",
                self.named(last)
            ),
            Finding::NotReached { last: None } => {
                "nothing answered: neither a router nor the destination".to_string()
            }
            Finding::RateLimited { ttl, loss_percent } => format!(
                "{} misses {loss_percent:.1}% of its answers but later hops do not: that router limits its ICMP replies, traffic is not lost there",
                self.named(ttl)
            ),
            Finding::Silent { ttl } => format!(
                "{} never answered while later hops did: it does not answer probes, traffic passes it",
                self.named(ttl)
            ),
            Finding::LatencyStep {
                ttl,
                after,
                added_ms,
            } => {
                let from = after.map_or("this machine".to_string(), |a| self.named(a));
                format!(
                    "+{added_ms:.1} ms at hop {ttl}, held to the destination: latency is added on the link from {from} into {}",
                    self.named(ttl)
                )
            }
            Finding::SlowHop { ttl, extra_ms } => format!(
                "{} answers {extra_ms:.1} ms slower than the hop before, later hops do not: that router is slow to answer, not the path",
                self.named(ttl)
            ),
            Finding::IcmpErrorLimit { interval_s } => format!(
                "UDP rounds {interval_s} s apart: the kernel limits the ICMP errors it sends (Linux: a burst of 6, then 1 a second, net.ipv4.icmp_ratelimit), the destination's port unreachable too, so its loss can be rate limiting (also when two traces run at once); --icmp or --tcp PORT confirms"
            ),
        }
    }

    fn json_findings(&self) -> Vec<FindingJson> {
        self.verdict
            .iter()
            .map(|f| FindingJson {
                finding: f.token(),
                hops: f
                    .hops()
                    .into_iter()
                    .map(|ttl| {
                        let main = self.hop(ttl).and_then(|h| h.responders.first());
                        NamedHop {
                            ttl,
                            address: main.map(|r| r.address),
                            hostname: main.and_then(|r| r.hostname.clone()),
                        }
                    })
                    .collect(),
                text: self.words(f),
            })
            .collect()
    }
}

/// An RTT in the table's columns.
fn ms(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.2}"))
}

impl Output {
    /// The first line: what is measured, how.
    pub fn rounds_start(&mut self, r: &RoundsReport, rounds: Option<u64>) -> Written {
        if self.json() {
            return Ok(());
        }
        let count = match rounds {
            Some(n) => format!("{n} rounds"),
            None => "rounds until Ctrl-C".to_string(),
        };
        writeln!(
            self,
            "trace to {} ({}), {count} of {} probes, {} s apart",
            r.target, r.address, r.protocol, r.interval_s
        )?;
        Output::flush(self)
    }

    /// The table (and, with `done`, the verdict) as lines.
    pub fn rounds_table(r: &RoundsReport) -> Vec<String> {
        let host = |resp: &Responder, hop: &RoundsHop| {
            let mut h = match &resp.hostname {
                Some(name) => format!("{name} ({})", resp.address),
                None => resp.address.to_string(),
            };
            if hop.responders.len() > 1 && hop.received > 0 {
                let share = resp.answers as f64 * 100.0 / hop.received as f64;
                h.push_str(&format!(" {share:.0}%"));
            }
            h
        };
        // The hop's marks follow its first host, as traceroute puts them after the address.
        let first = |hop: &RoundsHop| {
            let mut h = hop
                .responders
                .first()
                .map_or("???".to_string(), |resp| host(resp, hop));
            for mark in &hop.marks {
                h.push(' ');
                h.push_str(mark.mark());
            }
            h
        };
        let width = r
            .hops
            .iter()
            .flat_map(|hop| {
                let others = hop.responders.iter().skip(1);
                std::iter::once(first(hop).len())
                    .chain(others.map(move |resp| host(resp, hop).len()))
            })
            .max()
            .unwrap_or(0)
            .max(4);
        let mut lines = Vec::new();
        let mut head = format!(
            "{:>3}  {:<width$}  {:>6} {:>5} {:>5} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "HOP", "HOST", "LOSS%", "SNT", "RCV", "LAST", "AVG", "BEST", "WRST", "STDEV"
        );
        if r.jitter {
            head.push_str(&format!(" {:>7}", "JTTR"));
        }
        lines.push(head);
        for hop in &r.hops {
            let first = first(hop);
            let mut line = format!(
                "{:>3}  {first:<width$}  {:>5.1}% {:>5} {:>5} {:>7} {:>7} {:>7} {:>7} {:>7}",
                hop.ttl,
                hop.loss_percent,
                hop.sent,
                hop.received,
                ms(hop.last_ms),
                ms(hop.avg_ms),
                ms(hop.best_ms),
                ms(hop.worst_ms),
                ms(hop.stdev_ms),
            );
            if r.jitter {
                line.push_str(&format!(" {:>7}", ms(hop.jitter_ms)));
            }
            if let Some(what) = hop.classification.words() {
                line.push_str(&format!("  {what}"));
            }
            if hop.leaves_private {
                line.push_str("  <- the path leaves private space here");
            }
            lines.push(line);
            for resp in hop.responders.iter().skip(1) {
                lines.push(format!("{:>3}  {}", "", host(resp, hop)));
            }
        }
        lines
    }

    /// The final report: the table and the verdict, or the JSON document.
    pub fn rounds_end(&mut self, r: &RoundsReport) -> Written {
        if self.json() {
            return self.json_line(&ReportJson {
                report: r,
                words: r.json_findings(),
            });
        }
        for line in Output::rounds_table(r) {
            writeln!(self, "{line}")?;
        }
        writeln!(self, "verdict:")?;
        for f in &r.verdict {
            writeln!(self, "  {}", r.words(f))?;
        }
        Output::flush(self)
    }
}

/// One probe over, for --stream.
#[derive(Debug, Serialize)]
pub struct StreamLine {
    /// Since the Unix epoch: an answer's kernel receive stamp; for silence, or a TCP
    /// handshake (timed by the kernel's RTT estimate, which has no stamp), when netkit took
    /// it. JSON: RFC 3339 in UTC.
    #[serde(serialize_with = "iso")]
    pub time: Duration,
    /// From 1.
    pub round: u64,
    pub ttl: u32,
    /// Who answered; `None`: nothing within the wait.
    pub address: Option<IpAddr>,
    pub rtt_ms: Option<f64>,
}

impl Output {
    /// One --stream line: `TIME round R hop T ADDRESS RTT ms`, or `* (no answer)`.
    pub fn rounds_stream(&mut self, line: &StreamLine) -> Written {
        if self.json() {
            self.json_line(line)?;
            return Output::flush(self);
        }
        let what = match (line.address, line.rtt_ms) {
            (Some(a), Some(ms)) => format!("{a}  {ms:.3} ms"),
            _ => "*  no answer within the wait".to_string(),
        };
        writeln!(
            self,
            "{}  round {}  hop {:>2}  {what}",
            stamp(line.time),
            line.round,
            line.ttl
        )?;
        Output::flush(self)
    }

    /// The live table on a terminal, drawn over the previous one (`drawn` lines), in the
    /// normal screen so the last one stays in the scrollback; returns the lines drawn.
    pub fn rounds_redraw(
        &mut self,
        r: &RoundsReport,
        drawn: usize,
    ) -> Result<usize, crate::error::WriteError> {
        let mut lines = vec![format!("round {}", r.rounds)];
        lines.extend(Output::rounds_table(r));
        self.rounds_erase(drawn)?;
        for line in &lines {
            writeln!(self, "{line}")?;
        }
        Output::flush(self)?;
        Ok(lines.len())
    }

    /// Erases the live table (`drawn` lines) before the final report.
    pub fn rounds_erase(&mut self, drawn: usize) -> Written {
        if drawn > 0 {
            // Up `drawn` lines to the start of the first, then clear to the end of the screen.
            write!(self, "\x1b[{drawn}F\x1b[J")?;
        }
        Ok(())
    }
}
