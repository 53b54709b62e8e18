//! The port-spec grammar `scan --ports` and `port` take: numbers, service names, ranges, lists
//! and the range words, into a lazily iterated set. Pure.

use std::ops::RangeInclusive;

use super::Services;

/// Why a port or a port spec was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    #[error("empty port")]
    Empty,
    #[error("port {0} is negative; ports run from 0 to 65535")]
    Negative(String),
    #[error("port {0} is above 65535, the largest port number")]
    TooLarge(String),
    #[error("unknown service name '{0}' (not in the services database)")]
    UnknownService(String),
    #[error("'{0}' is not a port number or a service name")]
    NotAPort(String),
    #[error("empty port list")]
    EmptySpec,
    #[error("item {0} of the port list is empty (two commas in a row?)")]
    EmptyItem(usize),
    #[error("range '{0}' has no end")]
    OpenRange(String),
    #[error("range {start}-{end} is reversed: write {end}-{start}")]
    Reversed { start: u16, end: u16 },
}

/// Parses one port: a number 0-65535 or a service name.
pub fn parse_port(text: &str, services: &Services) -> Result<u16, PortError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PortError::Empty);
    }
    if let Some(rest) = text.strip_prefix('-')
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(PortError::Negative(text.to_string()));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u16>()
            .map_err(|_| PortError::TooLarge(text.to_string()));
    }
    let looks_like_name = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'/'));
    if !looks_like_name {
        return Err(PortError::NotAPort(text.to_string()));
    }
    services
        .port_of(text)
        .ok_or_else(|| PortError::UnknownService(text.to_string()))
}

/// The words a port spec understands, with the ranges they stand for. Scanning starts at 1:
/// port 0 is scanned only when named.
pub const SPEC_WORDS: [(&str, RangeInclusive<u16>); 5] = [
    ("well-known", 1..=1023),
    ("dynamic", 1024..=65535),
    ("registered", 1024..=49151),
    ("ephemeral", 49152..=65535),
    ("all", 1..=65535),
];

/// A set of ports, kept as sorted, merged, inclusive ranges; iterated lazily.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSet {
    ranges: Vec<RangeInclusive<u16>>,
}

impl PortSet {
    /// Parses `22,80,8000-8100,https,well-known`: numbers, ranges, service names and the
    /// words of [`SPEC_WORDS`], comma-separated; overlaps are merged.
    pub fn parse(spec: &str, services: &Services) -> Result<PortSet, PortError> {
        if spec.trim().is_empty() {
            return Err(PortError::EmptySpec);
        }
        let mut ranges = Vec::new();
        for (i, item) in spec.split(',').enumerate() {
            let item = item.trim();
            if item.is_empty() {
                return Err(PortError::EmptyItem(i + 1));
            }
            ranges.push(parse_item(item, services)?);
        }
        Ok(PortSet::from_ranges(ranges))
    }

    /// Builds a set from ranges in any order, merging overlapping and adjacent ones.
    pub fn from_ranges(mut ranges: Vec<RangeInclusive<u16>>) -> PortSet {
        ranges.sort_by_key(|r| *r.start());
        let mut merged: Vec<RangeInclusive<u16>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if u32::from(*r.start()) <= u32::from(*last.end()) + 1 => {
                    if r.end() > last.end() {
                        *last = *last.start()..=*r.end();
                    }
                }
                _ => merged.push(r),
            }
        }
        PortSet { ranges: merged }
    }

    /// How many ports the set holds.
    pub fn len(&self) -> usize {
        self.ranges.iter().map(|r| r.len()).sum()
    }

    /// The ranges, merged and in ascending order.
    pub fn ranges(&self) -> &[RangeInclusive<u16>] {
        &self.ranges
    }

    /// The ports in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.ranges.iter().cloned().flatten()
    }
}

/// `22,80,8000-8100`: the set as a spec that parses back to it.
impl std::fmt::Display for PortSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, r) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if r.start() == r.end() {
                write!(f, "{}", r.start())?;
            } else {
                write!(f, "{}-{}", r.start(), r.end())?;
            }
        }
        Ok(())
    }
}

fn parse_item(item: &str, services: &Services) -> Result<RangeInclusive<u16>, PortError> {
    if let Some((_, range)) = SPEC_WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(item))
    {
        return Ok(range.clone());
    }
    // A range has a dash between two parts that are not part of a service name like "ftp-data".
    if let Some((a, b)) = item.split_once('-')
        && (a.is_empty() || a.bytes().all(|c| c.is_ascii_digit()))
        && (b.is_empty() || b.bytes().all(|c| c.is_ascii_digit()))
    {
        if a.is_empty() {
            return Err(PortError::Negative(item.to_string()));
        }
        if b.is_empty() {
            return Err(PortError::OpenRange(item.to_string()));
        }
        let (start, end) = (parse_port(a, services)?, parse_port(b, services)?);
        if start > end {
            return Err(PortError::Reversed { start, end });
        }
        return Ok(start..=end);
    }
    let port = parse_port(item, services)?;
    Ok(port..=port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Services {
        Services::new(None)
    }

    fn spec(s: &str) -> Result<Vec<(u16, u16)>, String> {
        PortSet::parse(s, &builtin())
            .map(|set| set.ranges.iter().map(|r| (*r.start(), *r.end())).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn parses_ports_and_names() {
        let s = builtin();
        let cases = [
            ("0", 0),
            ("80", 80),
            ("65535", 65535),
            ("https", 443),
            ("HTTP", 80),
            ("ntp", 123),
        ];
        for (input, port) in cases {
            assert_eq!(parse_port(input, &s), Ok(port), "input {input:?}");
        }
    }

    #[test]
    fn rejects_bad_ports_with_the_reason() {
        let s = builtin();
        let cases = [
            ("70000", "port 70000 is above 65535"),
            ("65536", "port 65536 is above 65535"),
            ("99999999999999999999", "is above 65535"),
            ("-1", "port -1 is negative"),
            ("abc", "unknown service name 'abc'"),
            ("8 0", "'8 0' is not a port number"),
            ("", "empty port"),
        ];
        for (input, reason) in cases {
            let got = parse_port(input, &s).map_err(|e| e.to_string());
            assert!(
                got.as_ref().is_err_and(|e| e.contains(reason)),
                "input {input:?}: got {got:?}"
            );
        }
    }

    #[test]
    fn port_specs() {
        let cases: [(&str, Vec<(u16, u16)>); 10] = [
            ("22", vec![(22, 22)]),
            (
                "22,80,8000-8100,https",
                vec![(22, 22), (80, 80), (443, 443), (8000, 8100)],
            ),
            ("well-known", vec![(1, 1023)]),
            ("dynamic", vec![(1024, 65535)]),
            ("registered", vec![(1024, 49151)]),
            ("ephemeral", vec![(49152, 65535)]),
            ("all", vec![(1, 65535)]),
            ("0,well-known", vec![(0, 1023)]),
            ("80-90,85-100,101", vec![(80, 101)]),
            ("ftp-data, ssh ,22", vec![(20, 20), (22, 22)]),
        ];
        for (input, want) in cases {
            assert_eq!(spec(input), Ok(want), "spec {input:?}");
        }
    }

    #[test]
    fn bad_port_specs() {
        let cases = [
            ("", "empty port list"),
            ("22,,80", "item 2 of the port list is empty"),
            ("100-50", "range 100-50 is reversed: write 50-100"),
            ("80-", "range '80-' has no end"),
            ("-80", "port -80 is negative"),
            ("1-70000", "port 70000 is above 65535"),
            ("nosuchsvc", "unknown service name 'nosuchsvc'"),
            ("22;80", "'22;80' is not a port number"),
        ];
        for (input, reason) in cases {
            let got = spec(input);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(reason)),
                "spec {input:?}: got {got:?}"
            );
        }
    }

    #[test]
    fn set_size_and_iteration() {
        let set = PortSet::parse("1-3,10,2-4", &builtin()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.len(), 5);
        assert_eq!(set.iter().collect::<Vec<_>>(), [1, 2, 3, 4, 10]);
        let all = PortSet::parse("all", &builtin()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.len(), 65535);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn no_spec_panics(spec in "\\PC{0,40}") {
                let _ = PortSet::parse(&spec, &builtin());
                let _ = parse_port(&spec, &builtin());
            }

            #[test]
            fn a_set_prints_as_a_spec_that_parses_back_to_it(
                ranges in proptest::collection::vec((0u16..=65535, 0u16..=300), 1..8)
            ) {
                let ranges: Vec<RangeInclusive<u16>> = ranges
                    .into_iter()
                    .map(|(start, len)| start..=start.saturating_add(len))
                    .collect();
                let set = PortSet::from_ranges(ranges);
                let text = set.to_string();
                prop_assert_eq!(PortSet::parse(&text, &builtin()), Ok(set), "{}", text);
            }
        }
    }
}
