//! What keeps an echo service from being abused as a reflector or looped into another
//! service (the echo/chargen loop, CVE-2024-2169): which sources are never answered, and a
//! per-source rate limit. Pure: time is passed in.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use crate::output::server::Refused;

/// Why a datagram from `source` is dropped unanswered, if it is.
pub fn refuse(source: SocketAddr) -> Option<Refused> {
    let ip = source.ip();
    if ip.is_unspecified() {
        return Some(Refused::UnspecifiedSource);
    }
    if ip.is_multicast() {
        return Some(Refused::MulticastSource);
    }
    if let IpAddr::V4(v4) = ip
        && v4.is_broadcast()
    {
        return Some(Refused::BroadcastSource);
    }
    if source.port() < 1024 {
        // A well-known port talking to us is a service, not a client: answering could start
        // an endless loop between two services (echo <-> chargen, CVE-2024-2169).
        return Some(Refused::ServicePort);
    }
    None
}

/// Most sources remembered; beyond it the table starts afresh (memory stays bounded).
const MAX_SOURCES: usize = 65_536;

/// A token bucket per source address: `rate` datagrams a second, bursts of up to `rate`.
pub struct RateLimit {
    rate: f64,
    buckets: HashMap<IpAddr, (f64, Instant)>,
}

impl RateLimit {
    /// `rate` 0 means no limit.
    pub fn new(rate: u32) -> RateLimit {
        RateLimit {
            rate: f64::from(rate),
            buckets: HashMap::new(),
        }
    }

    /// Whether one more datagram from `ip` may be answered at `now`.
    pub fn allow(&mut self, ip: IpAddr, now: Instant) -> bool {
        if self.rate == 0.0 {
            return true;
        }
        if self.buckets.len() >= MAX_SOURCES && !self.buckets.contains_key(&ip) {
            self.buckets.clear();
        }
        let (tokens, last) = self.buckets.entry(ip).or_insert((self.rate, now));
        let refill = now.saturating_duration_since(*last).as_secs_f64() * self.rate;
        *tokens = (*tokens + refill).min(self.rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(s: &str) -> SocketAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn services_and_non_unicast_sources_are_refused() {
        let cases = [
            ("10.0.0.1:19", Some(Refused::ServicePort)),
            ("10.0.0.1:1023", Some(Refused::ServicePort)),
            ("10.0.0.1:1024", None),
            ("0.0.0.0:5000", Some(Refused::UnspecifiedSource)),
            ("224.0.0.1:5000", Some(Refused::MulticastSource)),
            ("255.255.255.255:5000", Some(Refused::BroadcastSource)),
            ("[ff02::1]:5000", Some(Refused::MulticastSource)),
            ("[::1]:50000", None),
        ];
        for (source, want) in cases {
            assert_eq!(refuse(at(source)), want, "{source}");
        }
    }

    #[test]
    fn each_source_gets_its_own_budget() {
        let t0 = Instant::now();
        let mut limit = RateLimit::new(3);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let allowed: Vec<bool> = (0..5).map(|_| limit.allow(a, t0)).collect();
        assert_eq!(allowed, [true, true, true, false, false]);
        assert!(limit.allow(b, t0), "another source is not held back");
        assert!(
            limit.allow(a, t0 + Duration::from_millis(400)),
            "refilled after 1/3 s"
        );
        assert!(RateLimit::new(0).allow(a, t0), "0 means no limit");
    }
}
