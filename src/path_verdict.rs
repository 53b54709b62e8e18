//! What a path's per-hop loss and latency, measured over rounds, mean: the findings under
//! `trace --rounds`' table (loss that starts at a hop and holds to the destination, a router
//! that only limits its ICMP replies, a silent hop, a latency step or one slow router, the
//! kernel's ICMP error limit). Pure: no I/O, nothing else of the crate.

/// One hop's figures over the rounds, in TTL order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HopFigures {
    pub ttl: u32,
    /// Probes whose wait is over (sent − in flight).
    pub settled: u64,
    /// Probes answered.
    pub received: u64,
    /// The mean RTT in milliseconds (`None` without an answer).
    pub avg_ms: Option<f64>,
}

impl HopFigures {
    fn lost(&self) -> u64 {
        self.settled.saturating_sub(self.received)
    }

    fn answers(&self) -> bool {
        self.received > 0
    }

    /// Loss beyond statistical noise: at least two probes and at least 2 % of them, so one
    /// lost probe (1 % over 10 rounds, or over 100) is never where "loss starts".
    fn lossy(&self) -> bool {
        let lost = self.lost();
        lost >= 2 && lost * 50 >= self.settled
    }

    fn loss_percent(&self) -> f64 {
        if self.settled == 0 {
            return 0.0;
        }
        self.lost() as f64 * 100.0 / self.settled as f64
    }
}

/// How the probes went: their kind and how far apart the rounds are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    pub probe: ProbeKind,
    /// Seconds between rounds (each router gets one probe a round).
    pub interval_s: f64,
}

/// The kind of probe: what the destination answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// UDP: the destination answers with a port unreachable, an ICMP error the kernel limits.
    Udp,
    /// TCP: a SYN/ACK or a reset, not limited.
    Tcp,
    /// ICMP echo: an echo reply, not limited by default.
    Icmp,
}

/// A latency step smaller than this is not worth a line (milliseconds).
pub const STEP_MS: f64 = 10.0;

/// Rounds closer than this (seconds) make the kernel's ICMP error limit (a burst of 6, then
/// one a second) a possible cause of loss at the destination of a UDP trace.
pub const ICMP_ERROR_PACE_S: f64 = 1.0;

/// One finding, naming hops by TTL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Finding {
    /// The destination answered every probe whose wait is over.
    NoLoss { probes: u64 },
    /// Loss starts at hop `ttl` and holds to the destination: packets are lost between hop
    /// `after` (`None`: this machine) and hop `ttl`.
    LossFrom {
        ttl: u32,
        after: Option<u32>,
        destination_loss_percent: f64,
    },
    /// The destination lost probes, too few (or too scattered) to say where.
    DestinationLoss { lost: u64, settled: u64 },
    /// The destination never answered; `last`: the last hop that did.
    NotReached { last: Option<u32> },
    /// Loss at a hop that later hops do not share: the router limits its ICMP replies.
    RateLimited { ttl: u32, loss_percent: f64 },
    /// A hop that never answers while later hops do: traffic passes it.
    Silent { ttl: u32 },
    /// Latency added on the link into hop `ttl` (from hop `after`), held to the destination.
    LatencyStep {
        ttl: u32,
        after: Option<u32>,
        added_ms: f64,
    },
    /// One router slow to answer; later hops are not slower.
    SlowHop { ttl: u32, extra_ms: f64 },
    /// UDP rounds faster than the kernel's ICMP error limit: the destination's loss may be
    /// its port unreachables being limited.
    IcmpErrorLimit { interval_s: f64 },
}

impl Finding {
    /// The stable token of the finding (JSON).
    pub fn token(&self) -> &'static str {
        match self {
            Finding::NoLoss { .. } => "no_loss",
            Finding::LossFrom { .. } => "loss_from_hop",
            Finding::DestinationLoss { .. } => "destination_loss",
            Finding::NotReached { .. } => "not_reached",
            Finding::RateLimited { .. } => "rate_limited_hop",
            Finding::Silent { .. } => "silent_hop",
            Finding::LatencyStep { .. } => "latency_step",
            Finding::SlowHop { .. } => "slow_hop",
            Finding::IcmpErrorLimit { .. } => "icmp_error_rate_limit",
        }
    }

    /// The hops it names, in TTL order.
    pub fn hops(&self) -> Vec<u32> {
        match *self {
            Finding::LossFrom { ttl, after, .. } | Finding::LatencyStep { ttl, after, .. } => {
                after.into_iter().chain([ttl]).collect()
            }
            Finding::NotReached { last } => last.into_iter().collect(),
            Finding::RateLimited { ttl, .. }
            | Finding::Silent { ttl }
            | Finding::SlowHop { ttl, .. } => vec![ttl],
            Finding::NoLoss { .. }
            | Finding::DestinationLoss { .. }
            | Finding::IcmpErrorLimit { .. } => Vec::new(),
        }
    }
}

/// The findings about a path: `hops` in TTL order up to the destination (the last one when
/// `reached`), each with its figures.
pub fn verdict(hops: &[HopFigures], reached: bool, pacing: Pacing) -> Vec<Finding> {
    let mut found = Vec::new();
    let answering: Vec<&HopFigures> = hops.iter().filter(|h| h.answers()).collect();
    // Where loss starts and holds: the answering hops from the destination back while lossy.
    let mut loss_from: Option<usize> = None;
    match (reached, hops.last()) {
        (true, Some(dest)) if dest.lossy() => {
            for (i, h) in answering.iter().enumerate().rev() {
                if !h.lossy() {
                    break;
                }
                loss_from = Some(i);
            }
            let start = loss_from.map(|i| answering[i]);
            if let Some(at) = start {
                found.push(Finding::LossFrom {
                    ttl: at.ttl,
                    after: loss_from
                        .and_then(|i| i.checked_sub(1))
                        .map(|i| answering[i].ttl),
                    destination_loss_percent: dest.loss_percent(),
                });
            }
        }
        (true, Some(dest)) if dest.lost() > 0 => found.push(Finding::DestinationLoss {
            lost: dest.lost(),
            settled: dest.settled,
        }),
        (true, Some(dest)) if dest.settled > 0 => found.push(Finding::NoLoss {
            probes: dest.settled,
        }),
        (true, _) => {}
        (false, _) => found.push(Finding::NotReached {
            last: answering.last().map(|h| h.ttl),
        }),
    }
    let destination_lost = reached && hops.last().is_some_and(|d| d.lost() > 0);
    if destination_lost && pacing.probe == ProbeKind::Udp && pacing.interval_s < ICMP_ERROR_PACE_S {
        found.push(Finding::IcmpErrorLimit {
            interval_s: pacing.interval_s,
        });
    }
    // Loss that a later answering hop does not share.
    let held_from = loss_from.unwrap_or(answering.len());
    for (i, h) in answering.iter().enumerate().take(held_from) {
        let later_clean = answering[i + 1..].iter().any(|l| !l.lossy());
        if h.lossy() && later_clean {
            found.push(Finding::RateLimited {
                ttl: h.ttl,
                loss_percent: h.loss_percent(),
            });
        }
    }
    for (i, h) in hops.iter().enumerate() {
        if h.settled > 0 && !h.answers() && hops[i + 1..].iter().any(HopFigures::answers) {
            found.push(Finding::Silent { ttl: h.ttl });
        }
    }
    found.extend(latency(&answering));
    found
}

/// Latency steps that hold to the last hop, and single slow hops.
fn latency(answering: &[&HopFigures]) -> Vec<Finding> {
    let mut found = Vec::new();
    // The level so far: the last hop that was not a lone slow one (this machine: 0 ms).
    let mut base: (Option<u32>, f64) = (None, 0.0);
    for (i, h) in answering.iter().enumerate() {
        let Some(avg) = h.avg_ms else { continue };
        let step = avg - base.1;
        if step < STEP_MS {
            if avg > base.1 {
                base = (Some(h.ttl), avg);
            }
            continue;
        }
        let holds = answering[i + 1..]
            .iter()
            .filter_map(|l| l.avg_ms)
            .all(|later| later >= base.1 + step / 2.0);
        if holds {
            found.push(Finding::LatencyStep {
                ttl: h.ttl,
                after: base.0,
                added_ms: step,
            });
            base = (Some(h.ttl), avg);
        } else {
            found.push(Finding::SlowHop {
                ttl: h.ttl,
                extra_ms: step,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hop: (settled, received, avg ms).
    fn hops(rows: &[(u64, u64, f64)]) -> Vec<HopFigures> {
        rows.iter()
            .enumerate()
            .map(|(i, &(settled, received, avg))| HopFigures {
                ttl: i as u32 + 1,
                settled,
                received,
                avg_ms: (received > 0).then_some(avg),
            })
            .collect()
    }

    const UDP_1S: Pacing = Pacing {
        probe: ProbeKind::Udp,
        interval_s: 1.0,
    };

    /// What a case is, its hops (settled, received, avg), reached, the pacing, the findings.
    type Case = (
        &'static str,
        Vec<(u64, u64, f64)>,
        bool,
        Pacing,
        Vec<Finding>,
    );

    #[test]
    fn each_rule_finds_what_its_numbers_say() {
        let cases: Vec<Case> = vec![
            (
                "the destination answered every probe",
                vec![(10, 10, 1.0), (10, 10, 2.0), (10, 10, 3.0)],
                true,
                UDP_1S,
                vec![Finding::NoLoss { probes: 10 }],
            ),
            (
                "a middle hop's loss does not continue: rate limiting",
                vec![(20, 20, 1.0), (20, 12, 2.0), (20, 20, 3.0)],
                true,
                UDP_1S,
                vec![
                    Finding::NoLoss { probes: 20 },
                    Finding::RateLimited {
                        ttl: 2,
                        loss_percent: 40.0,
                    },
                ],
            ),
            (
                "loss from hop 3 holds to the destination",
                vec![(20, 20, 1.0), (20, 20, 2.0), (20, 14, 3.0), (20, 13, 4.0)],
                true,
                UDP_1S,
                vec![Finding::LossFrom {
                    ttl: 3,
                    after: Some(2),
                    destination_loss_percent: 35.0,
                }],
            ),
            (
                "loss from the first hop: between this machine and hop 1",
                vec![(20, 14, 1.0), (20, 13, 2.0)],
                true,
                UDP_1S,
                vec![Finding::LossFrom {
                    ttl: 1,
                    after: None,
                    destination_loss_percent: 35.0,
                }],
            ),
            (
                "a rate-limited hop before real loss is named apart",
                vec![(20, 20, 1.0), (20, 5, 2.0), (20, 20, 3.0), (20, 14, 4.0)],
                true,
                UDP_1S,
                vec![
                    Finding::LossFrom {
                        ttl: 4,
                        after: Some(3),
                        destination_loss_percent: 30.0,
                    },
                    Finding::RateLimited {
                        ttl: 2,
                        loss_percent: 75.0,
                    },
                ],
            ),
            (
                "a silent hop while later hops answer; the loss starts after it",
                vec![(20, 20, 1.0), (20, 0, 0.0), (20, 14, 3.0), (20, 14, 4.0)],
                true,
                UDP_1S,
                vec![
                    Finding::LossFrom {
                        ttl: 3,
                        after: Some(1),
                        destination_loss_percent: 30.0,
                    },
                    Finding::Silent { ttl: 2 },
                ],
            ),
            (
                "statistical noise: one probe in ten (or 1 %) is not where loss starts",
                vec![(10, 10, 1.0), (10, 9, 2.0), (10, 9, 3.0)],
                true,
                UDP_1S,
                vec![Finding::DestinationLoss {
                    lost: 1,
                    settled: 10,
                }],
            ),
            (
                "1 % over 300 rounds is noise too",
                vec![(300, 300, 1.0), (300, 297, 2.0), (300, 297, 3.0)],
                true,
                UDP_1S,
                vec![Finding::DestinationLoss {
                    lost: 3,
                    settled: 300,
                }],
            ),
            (
                "never reached: the last hop that answered is named",
                vec![(10, 10, 1.0), (10, 10, 2.0), (10, 0, 0.0)],
                false,
                UDP_1S,
                vec![Finding::NotReached { last: Some(2) }],
            ),
            (
                "a latency step that holds to the destination",
                vec![(10, 10, 1.0), (10, 10, 31.0), (10, 10, 32.0)],
                true,
                UDP_1S,
                vec![
                    Finding::NoLoss { probes: 10 },
                    Finding::LatencyStep {
                        ttl: 2,
                        after: Some(1),
                        added_ms: 30.0,
                    },
                ],
            ),
            (
                "one slow router: later hops are fast again",
                vec![(10, 10, 1.0), (10, 10, 41.0), (10, 10, 2.0)],
                true,
                UDP_1S,
                vec![
                    Finding::NoLoss { probes: 10 },
                    Finding::SlowHop {
                        ttl: 2,
                        extra_ms: 40.0,
                    },
                ],
            ),
            (
                "UDP faster than one a second with loss at the destination: the kernel's limit",
                vec![(10, 10, 1.0), (10, 10, 2.0), (10, 7, 3.0)],
                true,
                Pacing {
                    probe: ProbeKind::Udp,
                    interval_s: 0.1,
                },
                vec![
                    Finding::LossFrom {
                        ttl: 3,
                        after: Some(2),
                        destination_loss_percent: 30.0,
                    },
                    Finding::IcmpErrorLimit { interval_s: 0.1 },
                ],
            ),
            (
                "ICMP echo replies are not limited: no such note",
                vec![(10, 10, 1.0), (10, 10, 2.0), (10, 7, 3.0)],
                true,
                Pacing {
                    probe: ProbeKind::Icmp,
                    interval_s: 0.1,
                },
                vec![Finding::LossFrom {
                    ttl: 3,
                    after: Some(2),
                    destination_loss_percent: 30.0,
                }],
            ),
        ];
        for (what, rows, reached, pacing, want) in cases {
            assert_eq!(verdict(&hops(&rows), reached, pacing), want, "{what}");
        }
    }

    #[test]
    fn findings_name_their_hops_and_tokens() {
        let f = Finding::LossFrom {
            ttl: 3,
            after: Some(2),
            destination_loss_percent: 30.0,
        };
        assert_eq!((f.token(), f.hops()), ("loss_from_hop", vec![2, 3]));
        let f = Finding::NoLoss { probes: 1 };
        assert_eq!((f.token(), f.hops()), ("no_loss", vec![]));
    }
}
