//! watch: capture the packets of the given ports and say what each one means. The capture
//! is read on a thread of its own (each packet read, explained by the conversation book and
//! shown there); this thread waits for Ctrl-C, SIGTERM or --duration and then ends the
//! capture's wait; the summary follows.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use crate::cli::WatchArgs;
use crate::error::{Error, Outcome};
use crate::net::capture::{self, Batch, Capture, Counts};
use crate::net::services::{self, Source};
use crate::output::Output;
use crate::output::watch::{Shown, Start, Summary};
use crate::packet::conversation::Conversations;
use crate::packet::frame::{self, Link};
use crate::ports::PortSet;
use crate::text::Look;

/// The most port ranges one filter holds: each becomes a few BPF instructions for TCP/UDP
/// and ICMP alike, and the kernel takes at most 4,096.
const MOST_RANGES: usize = 64;

/// What the capture thread found.
struct Watched {
    book: Conversations,
    shown: u64,
    counts: Counts,
    /// How writing the pcap file ended: said after the summary, which comes first.
    saved: Result<(), Error>,
}

/// `netkit watch` in the binary without libpcap: `netkit-watch`, beside it, is run in its place
/// with the same arguments.
pub fn in_sibling(_: &WatchArgs, out: &mut Output) -> Result<Outcome, Error> {
    out.flush()?;
    Err(crate::net::run_sibling(SIBLING))
}

/// The binary that captures (the one that links libpcap).
const SIBLING: &str = "netkit-watch";

/// Captures and explains, until the count, the duration or a stop.
pub fn run(args: &WatchArgs, out: &mut Output) -> Result<Outcome, Error> {
    let ranges = ports(&args.ports)?;
    let filter = frame::capture_filter(&ranges);
    let mut capture = capture::open(&args.iface, &filter)?;
    let link = Link::from_dlt(capture.link_type()).ok_or_else(|| Error::BadValue {
        option: "--iface",
        value: args.iface.clone(),
        reason: format!(
            "its link type (pcap's {}) is not one netkit reads: Ethernet, Linux cooked or raw IP",
            capture.link_type()
        ),
    })?;
    let pcap = args
        .pcap
        .as_deref()
        .map(Path::display)
        .map(|p| p.to_string());
    if let Some(path) = &args.pcap {
        capture.save_to(path)?;
    }
    if !args.json {
        out.watch_start(&Start {
            interface: &args.iface,
            ports: &args.ports,
            pcap: pcap.as_deref(),
        })?;
    }

    let runtime = crate::net::runtime(1)?;
    // The stop signal is armed before the first packet is read.
    let mut stop = {
        let _inside = runtime.enter();
        crate::net::stop::stop()
    };
    let breaker = capture.breaker();
    let settings = Settings {
        link,
        look: args.look(),
        count: args.count,
        quiet: args.quiet,
        live: args.line_buffered || std::io::stdout().is_terminal(),
    };
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let watched = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let watched = read(&mut capture, &settings, out);
            let _ = done_tx.send(());
            watched
        });
        let duration = args.duration;
        runtime.block_on(async {
            let until = async {
                match duration {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut stop => {}
                () = until => {}
                _ = done_rx => {}
            }
        });
        breaker.stop();
        reader.join().unwrap_or_else(|_| {
            Err(Error::Kernel {
                what: "read captured packets",
                source: std::io::Error::other("the capture thread panicked"),
            })
        })
    })?;
    let connections = watched.book.connections();
    let udp = watched.book.udp_pairs();
    out.watch_summary(&Summary {
        interface: &args.iface,
        shown: watched.shown,
        received: watched.counts.received,
        dropped: watched.counts.dropped,
        connections: &connections,
        udp: &udp,
        untracked: watched.book.untracked,
        pcap: pcap.as_deref().filter(|_| watched.saved.is_ok()),
    })?;
    watched.saved?;
    Ok(Outcome::Success)
}

/// The ports as ranges; none means every port.
fn ports(specs: &[String]) -> Result<Vec<(u16, u16)>, Error> {
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    let services = services::load(Source::System)?;
    let spec = specs.join(",");
    let set = PortSet::parse(&spec, &services).map_err(|e| Error::BadValue {
        option: "PORT",
        value: spec.clone(),
        reason: e.to_string(),
    })?;
    if set.ranges().first().is_some_and(|r| *r.start() == 0) {
        return Err(Error::BadValue {
            option: "PORT",
            value: spec,
            reason: "no packet carries port 0 (a socket bound to port 0 gets a real port from the \
                     OS: watch that one, or a range)"
                .into(),
        });
    }
    let ranges: Vec<(u16, u16)> = set
        .ranges()
        .iter()
        .map(|r| (*r.start(), *r.end()))
        .collect();
    if ranges.len() > MOST_RANGES {
        return Err(Error::BadValue {
            option: "PORT",
            value: spec,
            reason: format!(
                "{} separate ranges; a capture filter holds at most {MOST_RANGES} (join them: 8000-8100)",
                ranges.len()
            ),
        });
    }
    Ok(ranges)
}

/// How the capture thread shows packets.
struct Settings {
    link: Link,
    look: Look,
    count: Option<u64>,
    quiet: bool,
    /// Each packet pushed out as it is shown (a terminal, or --line-buffered).
    live: bool,
}

/// Reads packets until the count is reached or the capture is stopped, showing each.
fn read(capture: &mut Capture, settings: &Settings, out: &mut Output) -> Result<Watched, Error> {
    let mut book = Conversations::new();
    let mut first: Option<Duration> = None;
    let mut shown = 0u64;
    let mut failed: Option<Error> = None;
    while failed.is_none() {
        // At most what the count still wants is read: a packet read is a packet saved.
        let most = match settings.count {
            Some(count) if shown >= count => break,
            Some(count) => Some(usize::try_from(count - shown).unwrap_or(usize::MAX)),
            None => None,
        };
        let batch = capture.batch(most, |captured| {
            if failed.is_some() {
                return;
            }
            let Some(packet) = frame::read(settings.link, captured.bytes) else {
                return;
            };
            let first = *first.get_or_insert(captured.stamp);
            let at = captured.stamp.saturating_sub(first);
            let seen = book.see(&packet, at);
            shown += 1;
            if settings.quiet {
                return;
            }
            let shown = out.watch_packet(&Shown {
                at,
                packet: &packet,
                seen: &seen,
                look: settings.look,
            });
            if let Err(e) = shown.and_then(|()| if settings.live { out.flush() } else { Ok(()) }) {
                failed = Some(e.into());
            }
        })?;
        if let Batch::Stopped = batch {
            break;
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let saved = capture.finish_file();
    let counts = capture.counts()?;
    Ok(Watched {
        book,
        shown,
        counts,
        saved,
    })
}
