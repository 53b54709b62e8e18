//! Capturing packets (Linux): libpcap through the pcap crate, which reads the kernel's
//! memory-mapped ring (TPACKET_V3) as tcpdump does, compiles the kernel filter, keeps each
//! packet's kernel receive stamp, drops loopback's outgoing copy (each packet on `lo` passes
//! the capture twice) and counts the kernel's drops; the pcap file is written here. A
//! capture is read on a thread of its own; `Breaker` ends a wait from another thread.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pcap::{Active, Capture as Pcap, Precision};

use crate::error::{Error, Privilege};
use crate::packet::frame;

/// The kernel's buffer for captured packets: a loopback burst of 200,000 small datagrams
/// overflows the default 2 MiB (libpcap's) long before the reader falls behind for good.
pub const BUFFER: i32 = 32 << 20;

/// How long the kernel holds a part-filled block of the ring before handing it over: the
/// most a packet waits to be shown when traffic is slow.
const BLOCK_TIMEOUT_MS: i32 = 50;

/// Whole packets (IP's most, with room for the link header).
const SNAPLEN: i32 = 262_144;

/// The pcap file's write buffer: libpcap's writer goes through stdio's 4 KiB, a write call
/// per 4 KiB and stdio's own per-packet cost (a sixth of a burst's CPU); this is written out
/// a MiB at a time.
const SAVE_BUFFER: usize = 1 << 20;

/// The pcap file being written (libpcap's format, `packet::frame::pcap_file_header`); the
/// first failed write is kept for the end and ends writing.
struct Save {
    file: BufWriter<File>,
    failed: Option<std::io::Error>,
}

impl Save {
    fn write(&mut self, stamp: Duration, bytes: &[u8], length: u32) {
        if self.failed.is_some() {
            return;
        }
        let kept = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        let header = frame::pcap_record_header(
            u32::try_from(stamp.as_secs()).unwrap_or(u32::MAX),
            stamp.subsec_nanos(),
            kept,
            length,
        );
        let written = self
            .file
            .write_all(&header)
            .and_then(|()| self.file.write_all(bytes));
        if let Err(e) = written {
            self.failed = Some(e);
        }
    }
}

/// An open capture on one interface, with its filter set.
pub struct Capture {
    pcap: Pcap<Active>,
    save: Option<Save>,
    /// Set by a `Breaker` before it breaks the wait.
    stopped: Arc<AtomicBool>,
}

/// One captured packet: when the kernel received it (since the Unix epoch, on the realtime
/// clock) and its bytes as captured (whole: the snap length is IP's most).
pub struct Captured<'a> {
    pub stamp: Duration,
    pub bytes: &'a [u8],
}

/// What one read of the ring came to: packets given (perhaps none), or the end.
pub enum Batch {
    Read,
    Stopped,
}

/// The kernel's counts for a capture: packets that passed the filter (on `lo`, both copies of
/// each) and packets dropped for want of room in the buffer. (libpcap's interface drops are
/// left out: Linux counts them only in promiscuous mode, which netkit does not ask for, and
/// they would be the card's, for any traffic.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub received: u32,
    pub dropped: u32,
}

/// Ends a capture's wait from another thread (Ctrl-C, the duration).
pub struct Breaker {
    pcap: pcap::BreakLoop,
    stopped: Arc<AtomicBool>,
}

impl Breaker {
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.pcap.breakloop();
    }
}

/// Opens `interface` (`any` included) with `filter` (libpcap's grammar). An interface that
/// does not exist, a missing privilege and a filter libpcap rejects each get their own error.
pub fn open(interface: &str, filter: &str) -> Result<Capture, Error> {
    let refused = |e: pcap::Error| capture_error(interface, e);
    let mut pcap = Pcap::from_device(interface)
        .map_err(refused)?
        .snaplen(SNAPLEN)
        .buffer_size(BUFFER)
        .timeout(BLOCK_TIMEOUT_MS)
        .precision(Precision::Nano)
        .open()
        .map_err(refused)?;
    pcap.filter(filter, true).map_err(|e| Error::BadValue {
        option: "PORT",
        value: filter.to_string(),
        reason: format!("libpcap cannot compile the filter: {e}"),
    })?;
    Ok(Capture {
        pcap,
        save: None,
        stopped: Arc::new(AtomicBool::new(false)),
    })
}

/// A pcap error at open in the words of `Error`: permission (CAP_NET_RAW), a missing
/// interface, or libpcap's own sentence.
fn capture_error(interface: &str, e: pcap::Error) -> Error {
    let text = e.to_string();
    let lower = text.to_lowercase();
    if lower.contains("permission") || lower.contains("not permitted") {
        return Error::Permission(Privilege::Capture);
    }
    if lower.contains("no such device") {
        return super::interfaces::no_interface(interface);
    }
    Error::Kernel {
        what: "capture packets",
        source: std::io::Error::other(text),
    }
}

impl Capture {
    /// The link type libpcap reports (a pcap DLT number).
    pub fn link_type(&self) -> i32 {
        self.pcap.get_datalink().0
    }

    /// Also writes every packet to `path` as a pcap file (nanosecond stamps, whole packets);
    /// only a regular file, or a new one, is taken (`not_a_file`).
    pub fn save_to(&mut self, path: &Path) -> Result<(), Error> {
        let bad = |reason: String| Error::BadValue {
            option: "--pcap",
            value: path.display().to_string(),
            reason,
        };
        if let Some(kind) = super::not_a_file(path) {
            return Err(bad(format!("{kind}: give a file to write the packets to")));
        }
        let file = std::fs::File::create(path).map_err(|e| bad(crate::error::io_reason(&e)))?;
        let mut file = BufWriter::with_capacity(SAVE_BUFFER, file);
        let header = frame::pcap_file_header(self.link_type(), SNAPLEN.unsigned_abs());
        file.write_all(&header)
            .map_err(|e| bad(crate::error::io_reason(&e)))?;
        self.save = Some(Save { file, failed: None });
        Ok(())
    }

    /// A handle that ends `next`'s wait from another thread.
    pub fn breaker(&mut self) -> Breaker {
        Breaker {
            pcap: self.pcap.breakloop_handle(),
            stopped: Arc::clone(&self.stopped),
        }
    }

    /// The packets the kernel has handed over (a block of the ring), at most `most`, each
    /// written to the pcap file first when there is one and then given to `each`; waits
    /// when there are none. `Stopped` once a `Breaker` stopped the capture. One call per
    /// block, as tcpdump reads, not one per packet.
    pub fn batch(
        &mut self,
        most: Option<usize>,
        mut each: impl FnMut(Captured<'_>),
    ) -> Result<Batch, Error> {
        let save = &mut self.save;
        // libpcap counts in a C int (the crate panics above it): a larger count is read over
        // several batches.
        let most = most.map(|n| n.min(i32::MAX as usize));
        let read = self.pcap.dispatch(most, |packet| {
            let ts = packet.header.ts;
            // With nanosecond precision the field named tv_usec holds nanoseconds.
            let stamp = Duration::new(
                u64::try_from(ts.tv_sec).unwrap_or(0),
                u32::try_from(ts.tv_usec).unwrap_or(0).min(999_999_999),
            );
            if let Some(save) = save.as_mut() {
                save.write(stamp, packet.data, packet.header.len);
            }
            each(Captured {
                stamp,
                bytes: packet.data,
            });
        });
        match read {
            Ok(_) => Ok(Batch::Read),
            // A stopped dispatch returns libpcap's "break" code, which the crate gives as an
            // error with no text: the flag says it was ours.
            Err(_) if self.stopped.load(Ordering::Acquire) => Ok(Batch::Stopped),
            Err(pcap::Error::NoMorePackets) => Ok(Batch::Stopped),
            Err(e) => Err(Error::Kernel {
                what: "read captured packets",
                source: std::io::Error::other(e.to_string()),
            }),
        }
    }

    /// The pcap file flushed to disk; the first write that failed, if one did (writing
    /// stopped there, the capture did not).
    pub fn finish_file(&mut self) -> Result<(), Error> {
        let Some(save) = self.save.as_mut() else {
            return Ok(());
        };
        let failed = save.failed.take();
        failed
            .map_or_else(|| save.file.flush(), Err)
            .map_err(|source| Error::Write {
                what: "the pcap file (the packets after the failed write are not in it)".into(),
                source,
            })
    }

    /// The kernel's counts so far.
    pub fn counts(&mut self) -> Result<Counts, Error> {
        let stats = self.pcap.stats().map_err(|e| Error::Kernel {
            what: "read the capture's counts",
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(Counts {
            received: stats.received,
            dropped: stats.dropped,
        })
    }
}
