//! How `ping` looks: iputils' lines and statistics, line for line, plus percentiles, a
//! sparkline on a terminal, a table when several hosts were pinged; or JSON lines, one per
//! reply and error as it comes, then one summary per host.

use std::io::Write;
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::Output;
use super::Written;
use crate::addr::HostState;
use crate::stats::RttSummary;

/// The whole run.
#[derive(Debug, Serialize)]
pub struct PingReport {
    pub hosts: Vec<HostReport>,
}

/// One host's run: counts and statistics, never a list that grows with the run (the replies
/// and errors went out as they came).
#[derive(Debug, Serialize)]
pub struct HostReport {
    pub target: String,
    pub address: IpAddr,
    pub transmitted: u64,
    pub received: u64,
    pub duplicates: u64,
    /// ICMP errors and failed sends.
    pub errors: u64,
    pub loss_percent: f64,
    pub time_ms: u64,
    pub rtt_ms: Option<RttSummary>,
    /// The name's other addresses (of the family asked for), as nmap names them: never
    /// pinged, or (--tcp) tried before `address` was chosen.
    pub other_addresses: Vec<IpAddr>,
    /// --tcp: the addresses whose connect did not answer as `address` did, in the order tried.
    pub tried: Vec<Tried>,
    /// The last RTTs (at most `SPARKLINE`), oldest first, for the sparkline.
    #[serde(skip)]
    pub recent_rtts: Vec<f64>,
}

/// An address of a name tried with a connect when ping --tcp chose among them, as a client
/// does (issue 23), and how that connect ended.
#[derive(Debug, Clone, Serialize)]
pub struct Tried {
    pub address: IpAddr,
    /// A token: "refused", "no_answer" or "error".
    pub answer: &'static str,
    /// In words, with the port: "TCP port 18888: connection refused".
    pub words: String,
}

/// How many of the last RTTs the sparkline shows.
pub const SPARKLINE: usize = 60;

/// One reply.
#[derive(Debug, Serialize)]
pub struct ReplyRecord {
    pub seq: u16,
    /// From the IPv4 header on raw sockets; null where the socket does not show it.
    pub ttl: Option<u8>,
    /// ICMP message length (8 header bytes plus data); 0 for --tcp.
    pub bytes: usize,
    pub rtt_ms: f64,
    pub duplicate: bool,
    /// Whether the data came back byte for byte as sent.
    pub intact: bool,
}

/// What happens while pinging, as it happens.
pub enum PingEvent<'a> {
    /// The header line; `size` is the data size (none for --tcp). With a name of several
    /// addresses, lines under it name the others and what was tried.
    Start {
        target: &'a str,
        addr: IpAddr,
        size: Option<usize>,
        others: &'a [IpAddr],
        tried: &'a [Tried],
    },
    Reply {
        target: &'a str,
        name: Option<&'a str>,
        from: IpAddr,
        reply: &'a ReplyRecord,
    },
    TcpReply {
        target: &'a str,
        addr: IpAddr,
        port: u16,
        /// SYN/ACK (open) or RST (closed).
        open: bool,
        reply: &'a ReplyRecord,
    },
    IcmpError {
        target: &'a str,
        from: IpAddr,
        seq: u16,
        message: &'a str,
    },
    SendError {
        target: &'a str,
        seq: u16,
        message: &'a str,
    },
    NoAnswerYet {
        target: &'a str,
        seq: u16,
    },
}

/// How much to print while running.
#[derive(Debug, Clone, Copy)]
pub struct PingView {
    /// -q: only the header and the statistics.
    pub quiet: bool,
    /// -D: a Unix timestamp before each line.
    pub timestamps: bool,
    /// Several hosts: lines that do not show the host by themselves name it.
    pub several: bool,
}

/// A JSON line of the run: a reply or an error as it comes, or a host's summary at the end.
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum JsonLine<'a> {
    Reply {
        target: &'a str,
        from: IpAddr,
        #[serde(flatten)]
        reply: &'a ReplyRecord,
    },
    TcpReply {
        target: &'a str,
        address: IpAddr,
        port: u16,
        open: bool,
        #[serde(flatten)]
        reply: &'a ReplyRecord,
    },
    IcmpError {
        target: &'a str,
        seq: u16,
        from: IpAddr,
        message: &'a str,
    },
    SendError {
        target: &'a str,
        seq: u16,
        message: &'a str,
    },
    Summary {
        #[serde(flatten)]
        host: &'a HostReport,
    },
}

impl<'a> JsonLine<'a> {
    /// The JSON line of an event; none for the header and -O's notes, which are the text's.
    fn of(event: &PingEvent<'a>) -> Option<JsonLine<'a>> {
        Some(match *event {
            PingEvent::Reply {
                target,
                from,
                reply,
                ..
            } => JsonLine::Reply {
                target,
                from,
                reply,
            },
            PingEvent::TcpReply {
                target,
                addr,
                port,
                open,
                reply,
            } => JsonLine::TcpReply {
                target,
                address: addr,
                port,
                open,
                reply,
            },
            PingEvent::IcmpError {
                target,
                from,
                seq,
                message,
            } => JsonLine::IcmpError {
                target,
                seq,
                from,
                message,
            },
            PingEvent::SendError {
                target,
                seq,
                message,
            } => JsonLine::SendError {
                target,
                seq,
                message,
            },
            PingEvent::Start { .. } | PingEvent::NoAnswerYet { .. } => return None,
        })
    }
}

impl Output {
    /// Prints one event as iputils would, or with --json its line (-q keeps only the
    /// summaries); either is flushed at once.
    pub fn ping_event(&mut self, view: PingView, event: &PingEvent) -> Written {
        if self.json() {
            return match JsonLine::of(event) {
                Some(line) if !view.quiet => {
                    self.json_line(&line)?;
                    // As it happens: a reader at the other end of a pipe sees each line now.
                    self.flush()
                }
                _ => Ok(()),
            };
        }
        if let PingEvent::Start {
            target,
            addr,
            size,
            others,
            tried,
        } = event
        {
            writeln!(self, "{}", start_line(target, *addr, *size))?;
            for line in other_lines(target, others, tried, "pinged") {
                writeln!(self, "{line}")?;
            }
            return self.flush();
        }
        if view.quiet {
            return Ok(());
        }
        if view.timestamps {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            write!(self, "[{}.{:06}] ", now.as_secs(), now.subsec_micros())?;
        }
        // Lines that do not show the host by themselves name it when several are pinged.
        let about = |words: String| if view.several { words } else { String::new() };
        let line = match event {
            PingEvent::Start { .. } => return Ok(()),
            PingEvent::Reply {
                name, from, reply, ..
            } => reply_line(*name, *from, reply),
            PingEvent::TcpReply {
                addr,
                port,
                open,
                reply,
                ..
            } => tcp_reply_line(*addr, *port, *open, reply),
            PingEvent::IcmpError {
                target,
                from,
                seq,
                message,
            } => {
                let about = about(format!(" (ping {target})"));
                format!("From {from} icmp_seq={seq} {message}{about}")
            }
            PingEvent::SendError {
                target,
                seq,
                message,
            } => format!("ping {target}: icmp_seq={seq}: {message}"),
            PingEvent::NoAnswerYet { target, seq } => {
                let about = about(format!(" from {target}"));
                format!("no answer yet for icmp_seq={seq}{about}")
            }
        };
        writeln!(self, "{line}")?;
        // Each line as it happens, as iputils flushes it, even into a pipe.
        self.flush()
    }

    /// The statistics: iputils' block per host, then a table when there were several; with
    /// --json a summary line per host.
    pub fn ping_summary(&mut self, report: &PingReport) -> Written {
        if self.json() {
            for host in &report.hosts {
                self.json_line(&JsonLine::Summary { host })?;
            }
            return Ok(());
        }
        for h in &report.hosts {
            self.host_statistics(h)?;
        }
        if report.hosts.len() > 1 {
            writeln!(self)?;
            self.hosts_table(&report.hosts)?;
        }
        Ok(())
    }

    /// One host's block, as iputils prints it, then percentiles and (on a terminal) a sparkline.
    fn host_statistics(&mut self, h: &HostReport) -> Written {
        writeln!(self, "\n--- {} ping statistics ---", h.target)?;
        let mut extra = String::new();
        if h.duplicates > 0 {
            extra.push_str(&format!("+{} duplicates, ", h.duplicates));
        }
        if h.errors > 0 {
            extra.push_str(&format!("+{} errors, ", h.errors));
        }
        writeln!(
            self,
            "{} packets transmitted, {} received, {extra}{}% packet loss, time {}ms",
            h.transmitted,
            h.received,
            super::format_g(h.loss_percent),
            h.time_ms
        )?;
        let Some(r) = &h.rtt_ms else {
            return Ok(());
        };
        writeln!(
            self,
            "rtt min/avg/max/mdev = {:.3}/{:.3}/{:.3}/{:.3} ms",
            r.min, r.avg, r.max, r.mdev
        )?;
        writeln!(
            self,
            "rtt p50/p95/p99 = {:.3}/{:.3}/{:.3} ms",
            r.p50, r.p95, r.p99
        )?;
        if self.decorated() && h.recent_rtts.len() > 1 {
            writeln!(self, "rtt {}", super::sparkline(&h.recent_rtts))?;
        }
        Ok(())
    }

    /// The table of several hosts side by side.
    fn hosts_table(&mut self, hosts: &[HostReport]) -> Written {
        let mut table = self.table(&[
            "HOST", "ADDRESS", "SENT", "RECV", "LOSS", "MIN", "AVG", "MAX", "MDEV",
        ]);
        for h in hosts {
            let ms = |f: fn(&RttSummary) -> f64| {
                h.rtt_ms
                    .as_ref()
                    .map_or("-".to_string(), |r| format!("{:.3}", f(r)))
            };
            table.add_row([
                h.target.clone(),
                h.address.to_string(),
                h.transmitted.to_string(),
                h.received.to_string(),
                format!("{}%", super::format_g(h.loss_percent)),
                ms(|r| r.min),
                ms(|r| r.avg),
                ms(|r| r.max),
                ms(|r| r.mdev),
            ]);
        }
        self.write_table(&mut table, 0)
    }
}

/// The header line: the data size (and, for IPv4, with the headers), or TCP connects.
fn start_line(target: &str, addr: IpAddr, size: Option<usize>) -> String {
    match (size, addr) {
        (Some(size), IpAddr::V4(_)) => format!(
            "PING {target} ({addr}) {size}({}) bytes of data.",
            size + 28
        ),
        (Some(size), IpAddr::V6(_)) => format!("PING {target} ({addr}) {size} data bytes"),
        (None, _) => format!("PING {target} ({addr}) with TCP connects"),
    }
}

/// The lines under a header naming a name's other addresses: those tried first and how they
/// answered, then those never probed as nmap says it ("other addresses for localhost (not
/// scanned): 127.0.0.1"); `verb` is what was not done to them.
pub fn other_lines(target: &str, others: &[IpAddr], tried: &[Tried], verb: &str) -> Vec<String> {
    let mut lines = Vec::new();
    if !tried.is_empty() {
        let each: Vec<String> = tried
            .iter()
            .map(|t| format!("{} ({})", t.address, t.words))
            .collect();
        lines.push(format!("also tried: {}", each.join("; ")));
    }
    let untried: Vec<String> = others
        .iter()
        .filter(|a| !tried.iter().any(|t| t.address == **a))
        .map(IpAddr::to_string)
        .collect();
    if !untried.is_empty() {
        lines.push(format!(
            "other addresses for {target} (not {verb}): {}",
            untried.join(", ")
        ));
    }
    lines
}

/// An echo reply's line: size, who, sequence, TTL, time, and the duplicate and bad-data marks.
fn reply_line(name: Option<&str>, from: IpAddr, reply: &ReplyRecord) -> String {
    let from = match name {
        Some(name) => format!("{name} ({from})"),
        None => from.to_string(),
    };
    let ttl = reply.ttl.map_or(String::new(), |t| format!(" ttl={t}"));
    let dup = if reply.duplicate { " (DUP!)" } else { "" };
    let bad = if reply.intact { "" } else { " (BAD DATA)" };
    format!(
        "{} bytes from {from}: icmp_seq={}{ttl} time={} ms{dup}{bad}",
        reply.bytes,
        reply.seq,
        rtt_text(reply.rtt_ms)
    )
}

/// A connect's line: SYN/ACK (open) or RST (closed), from HOST:PORT.
fn tcp_reply_line(addr: IpAddr, port: u16, open: bool, reply: &ReplyRecord) -> String {
    let (state, answer) = if open {
        ("open", "SYN/ACK")
    } else {
        ("closed", "RST")
    };
    let host = match addr {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    };
    format!(
        "{answer} from {host}: tcp_seq={} port {state} time={} ms",
        reply.seq,
        rtt_text(reply.rtt_ms)
    )
}

/// iputils' precision for a reply time: 3 decimals under 1 ms, 2 under 10, 1 under 100, none above.
fn rtt_text(ms: f64) -> String {
    let us = (ms * 1000.0).round() as u64;
    if us >= 100_000 - 50 {
        format!("{}", (us + 500) / 1000)
    } else if us >= 10_000 - 5 {
        format!("{:.1}", ms)
    } else if us >= 1_000 {
        format!("{:.2}", ms)
    } else {
        format!("{:.3}", ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_addresses_are_named_tried_or_not() {
        let (v6, v4, far) = (
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
            IpAddr::from([127, 0, 0, 1]),
            IpAddr::from([10, 0, 0, 9]),
        );
        assert!(other_lines("127.0.0.1", &[], &[], "pinged").is_empty());
        assert_eq!(
            other_lines("localhost", &[v4], &[], "pinged"),
            ["other addresses for localhost (not pinged): 127.0.0.1"]
        );
        let tried = [Tried {
            address: v6,
            answer: "refused",
            words: "TCP port 7: connection refused".into(),
        }];
        assert_eq!(
            other_lines("lab.test", &[v6, far], &tried, "pinged"),
            [
                "also tried: ::1 (TCP port 7: connection refused)",
                "other addresses for lab.test (not pinged): 10.0.0.9",
            ]
        );
    }

    #[test]
    fn reply_times_have_iputils_precision() {
        let cases = [
            (0.045, "0.045"),
            (1.234, "1.23"),
            (20.46, "20.5"),
            (123.4, "123"),
        ];
        for (ms, want) in cases {
            assert_eq!(rtt_text(ms), want, "{ms}");
        }
    }
}

/// A sweep (`ping` of a block, a range or many addresses, as fping -g): every address once,
/// with whether it answered, how, and in what time (issue 24).
#[derive(Debug, Serialize)]
pub struct SweepReport {
    /// What was typed, joined: "10.0.0.0/24".
    pub targets: String,
    /// Each address reported, in the order given (a stopped sweep holds those known so far).
    pub rows: Vec<SweepRow>,
    /// Addresses given but not reported (the sweep was stopped first).
    pub not_probed: usize,
    pub elapsed_ms: u64,
    /// How long each address was waited for.
    pub wait_ms: u64,
    /// Whether Ctrl-C ended the sweep.
    pub stopped: bool,
}

/// One address of a sweep.
#[derive(Debug, Serialize)]
pub struct SweepRow {
    pub address: IpAddr,
    /// "up" or "down".
    pub state: HostState,
    /// How it was found up, or why it is taken as down: a token.
    pub reason: &'static str,
    /// The reason in words.
    pub words: String,
    /// The answer's time, where it was measured (an echo reply, a connect).
    pub rtt_ms: Option<f64>,
}

impl SweepRow {
    pub fn new(address: IpAddr, state: HostState, rtt: Option<Duration>, wait: Duration) -> Self {
        let words = match &state {
            HostState::Up(up) => up.words(),
            HostState::Down(down) => down.words_within(wait),
        };
        SweepRow {
            address,
            reason: state.reason(),
            state,
            words,
            rtt_ms: rtt.map(|d| d.as_secs_f64() * 1000.0),
        }
    }
}

/// A sweep's JSON lines: one per address, then the summary.
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum SweepLine<'a> {
    Host {
        #[serde(flatten)]
        row: &'a SweepRow,
    },
    SweepSummary {
        targets: &'a str,
        addresses: usize,
        up: usize,
        down: usize,
        /// Refused by this machine: not asked, so neither up nor down.
        not_sent: usize,
        not_probed: usize,
        elapsed_ms: u64,
        wait_ms: u64,
        stopped: bool,
    },
}

impl SweepReport {
    pub fn up(&self) -> usize {
        self.rows.iter().filter(|r| r.state.is_up()).count()
    }

    /// The addresses this machine refused to send to.
    pub fn not_sent(&self) -> usize {
        self.rows.iter().filter(|r| r.state.not_sent()).count()
    }
}

impl Output {
    /// The start of a sweep, on stderr (stdout stays the table, or only the addresses).
    pub fn sweep_start(&mut self, targets: &str, count: usize, wait: Duration) -> Written {
        if self.json() {
            return Ok(());
        }
        self.status(&format!(
            "PING {targets}: {count} address{}, each waited for {:.1} s",
            if count == 1 { "" } else { "es" },
            wait.as_secs_f64()
        ))
    }

    /// The end of a sweep: the table (or with `alive`, only the addresses that answered, one
    /// a line, as fping -a), then the summary line and what the reasons mean.
    pub fn sweep(&mut self, report: &SweepReport, alive: bool, quiet: bool) -> Written {
        let up = report.up();
        let not_sent = report.not_sent();
        let down = report.rows.len() - up - not_sent;
        if self.json() {
            for row in report.rows.iter().filter(|r| !alive || r.state.is_up()) {
                self.json_line(&SweepLine::Host { row })?;
            }
            return self.json_line(&SweepLine::SweepSummary {
                targets: &report.targets,
                addresses: report.rows.len() + report.not_probed,
                up,
                down,
                not_sent,
                not_probed: report.not_probed,
                elapsed_ms: report.elapsed_ms,
                wait_ms: report.wait_ms,
                stopped: report.stopped,
            });
        }
        if alive {
            for row in report.rows.iter().filter(|r| r.state.is_up()) {
                writeln!(self, "{}", row.address)?;
            }
            return Ok(());
        }
        if !quiet && !report.rows.is_empty() {
            let mut table = self.table(&["ADDRESS", "STATE", "RTT", "REASON"]);
            for row in &report.rows {
                table.add_row([
                    row.address.to_string(),
                    row.state.token().to_string(),
                    row.rtt_ms
                        .map_or("-".to_string(), |ms| format!("{ms:.3} ms")),
                    row.reason.to_string(),
                ]);
            }
            self.write_table(&mut table, 0)?;
            writeln!(self)?;
        }
        let total = report.rows.len() + report.not_probed;
        let mut line = format!(
            "{total} address{} pinged in {:.1} s: {up} up, {down} down",
            if total == 1 { "" } else { "es" },
            report.elapsed_ms as f64 / 1000.0,
        );
        if not_sent > 0 {
            line.push_str(&format!(", {not_sent} not sent to (this machine refused)"));
        }
        if report.not_probed > 0 {
            line.push_str(&format!(
                ", {} not answered yet when stopped",
                report.not_probed
            ));
        }
        writeln!(self, "{line}")?;
        // Each reason once, in words: the table carries only its token.
        let mut said: Vec<&str> = Vec::new();
        for row in &report.rows {
            if !said.contains(&row.reason) {
                said.push(row.reason);
                writeln!(self, "  {}: {}", row.reason, row.words)?;
            }
        }
        Ok(())
    }
}
