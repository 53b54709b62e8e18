//! The answers of trace's probes turned into hops, in TTL order as each completes: who
//! answered, how fast, the unreachable marks, each hop's address classified and the hop where
//! the path leaves private space; every finished hop goes to the printer.

use std::collections::BTreeMap;
use std::net::IpAddr;

use tokio::sync::mpsc;

use crate::addr::lab::{Classified, inside_a_lab};
use crate::cli::TraceArgs;
use crate::net::probe::ttl::Hit;
use crate::output::trace::{Classification, Hop, Probe, Unreachable};
use crate::packet::icmp::{IcmpError, Reason};

/// The answers so far: (ttl, probe) -> what came back (None: nothing in time).
type Hits = BTreeMap<(u32, u32), Option<Hit>>;
/// Each hop as soon as it is complete, from the probes to the printer.
pub(super) type Updates = mpsc::UnboundedSender<Hop>;

/// The answers so far, and the hops they have completed.
pub(super) struct Path<'a> {
    addr: IpAddr,
    args: &'a TraceArgs,
    hits: Hits,
    /// The TTL of the next hop to finish.
    next: u32,
    /// The path has left private space (for the marker).
    left_private: bool,
    /// A hop ended the path (the destination, or an unreachable).
    ended: bool,
    hops: Updates,
}

impl<'a> Path<'a> {
    pub fn new(addr: IpAddr, args: &'a TraceArgs, hops: Updates) -> Path<'a> {
        Path {
            addr,
            args,
            hits: Hits::new(),
            next: 1,
            left_private: false,
            ended: false,
            hops,
        }
    }

    /// Whether probe `q` of `ttl` has its answer (or its time is up).
    pub fn has(&self, ttl: u32, q: u32) -> bool {
        self.hits.contains_key(&(ttl, q))
    }

    /// Records a probe's answer (the first one counts), then sends the hops it completes.
    pub fn answer(&mut self, key: (u32, u32), hit: Option<Hit>) {
        self.hits.entry(key).or_insert(hit);
        self.build(false);
    }

    /// The probes are over: the partly answered hops go too (a probe task that failed).
    pub fn finish(&mut self) {
        self.build(true);
    }

    /// Whether nothing more is to be learnt: the path ended, or every hop is in.
    pub fn done(&self) -> bool {
        self.ended || self.next > self.args.max_hops
    }

    /// Sends every hop whose probes all have their answer; `finished`: also the partly
    /// answered ones, up to the first TTL never probed.
    fn build(&mut self, finished: bool) {
        let queries = self.args.queries;
        while !self.done() {
            let ttl = self.next;
            let complete = (0..queries).all(|q| self.has(ttl, q));
            let probed = (0..queries).any(|q| self.has(ttl, q));
            if !(complete || finished && probed) {
                return;
            }
            let answers: Vec<Option<Hit>> = (0..queries)
                .map(|q| self.hits.get(&(ttl, q)).copied().flatten())
                .collect();
            let hop = self.hop(ttl, &answers);
            self.next += 1;
            let _ = self.hops.send(hop);
        }
    }

    /// The hop of `ttl` from its answers; notes whether it ends the path.
    fn hop(&mut self, ttl: u32, answers: &[Option<Hit>]) -> Hop {
        let first = answers.iter().flatten().next().map(|h| h.from);
        let leaves_private = match first {
            Some(a) if !self.left_private && !inside_a_lab(a) => {
                self.left_private = true;
                ttl > 1
            }
            _ => false,
        };
        self.ended = answers
            .iter()
            .flatten()
            .any(|h| ends_the_path(self.addr, h));
        Hop {
            ttl,
            probes: answers
                .iter()
                .map(|h| Probe {
                    address: h.map(|h| h.from),
                    rtt_ms: h.map(|h| h.rtt.as_secs_f64() * 1000.0),
                    mark: h.and_then(|h| unreachable(self.addr, &h)),
                })
                .collect(),
            classification: Classification(first.map(Classified::of)),
            leaves_private,
            names: Vec::new(),
        }
    }
}

/// A hit that ends the path: the destination answered, or an unreachable (no point going on).
pub(super) fn ends_the_path(addr: IpAddr, hit: &Hit) -> bool {
    hit.from == addr || matches!(hit.error, Some(IcmpError::Unreachable(_)))
}

/// The unreachable a hit reports, as traceroute marks it.
pub(super) fn unreachable(addr: IpAddr, hit: &Hit) -> Option<Unreachable> {
    let Some(IcmpError::Unreachable(u)) = hit.error else {
        return None;
    };
    Some(match u.reason() {
        // The destination's own port unreachable is the answer a UDP trace waits for.
        Reason::PortUnreach if hit.from == addr => return None,
        Reason::PortUnreach | Reason::DestUnreach => Unreachable::Other,
        Reason::HostUnreach => Unreachable::Host,
        Reason::NetUnreach => Unreachable::Network,
        Reason::ProtoUnreach => Unreachable::Protocol,
        Reason::AdminProhibited | Reason::NetProhibited | Reason::HostProhibited => {
            Unreachable::Prohibited
        }
    })
}
