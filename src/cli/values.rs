//! The value parsers clap calls: times with units (the duration grammar), hosts, addresses,
//! multicast groups, scan targets and frame headers, each refusal with its reason. Pure.

use std::net::IpAddr;
use std::time::Duration;

use crate::addr::host::{Host, ScanTarget};

/// A host: an address (strict, with the reason when malformed) or a name.
pub(super) fn parse_host(text: &str) -> Result<Host, String> {
    Host::parse(text).map_err(|e| e.to_string())
}

/// The most any time option takes: a day.
const LONGEST: Duration = Duration::from_secs(86_400);

/// A time given in seconds: `0.2`, `1`, or with a unit (`us`, `ms`, `s`, `m`, `h`).
pub(super) fn parse_seconds(text: &str) -> Result<Duration, String> {
    parse_duration(text, 1.0, "seconds")
}

/// A time given in milliseconds (as nmap's --host-timeout takes them): `500`, or with a unit.
fn parse_millis(text: &str) -> Result<Duration, String> {
    parse_duration(text, 0.001, "milliseconds")
}

/// A non-negative time: a number in `unit` seconds (the option's documented unit) or a number
/// with its own unit, at most a day.
pub(super) fn parse_duration(text: &str, unit: f64, unit_name: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| c.is_ascii_alphabetic() || c == 'µ')
        .unwrap_or(trimmed.len());
    let (number, suffix) = trimmed.split_at(split);
    let value: f64 = number.trim().parse().map_err(|_| {
        format!("'{text}' is not a number of {unit_name} (or a time with a unit: 500ms, 2s)")
    })?;
    let scale = match suffix {
        "" => unit,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "'{text}': unknown unit '{suffix}' (use us, ms, s, m or h, or a bare number of {unit_name})"
            ));
        }
    };
    if !value.is_finite() || value < 0.0 {
        return Err(format!("'{text}' is not a non-negative time"));
    }
    let secs = value * scale;
    if secs > LONGEST.as_secs_f64() {
        return Err(format!("{text} is more than a day"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A frame header name.
pub(super) fn parse_frame_header(text: &str) -> Result<crate::frame::Header, String> {
    crate::frame::Header::from_name(text)
        .ok_or_else(|| format!("'{text}' is not a frame header (be32, le32, be16, le16)"))
}

/// A multicast group address.
pub(super) fn parse_group(text: &str) -> Result<IpAddr, String> {
    let addr = parse_ip(text)?;
    if !addr.is_multicast() {
        return Err(format!(
            "{addr} is not a multicast group (IPv4 224.0.0.0/4, IPv6 ff00::/8)"
        ));
    }
    Ok(addr)
}

/// An address for --bind, parsed strictly with the reason on failure.
pub(super) fn parse_ip(text: &str) -> Result<IpAddr, String> {
    crate::addr::parse::parse_addr(text).map_err(|e| e.to_string())
}

/// A scan target, with the reason when malformed.
pub(super) fn parse_scan_target(text: &str) -> Result<ScanTarget, String> {
    ScanTarget::parse(text).map_err(|e| e.to_string())
}

/// Between 1 ms and a minute.
pub(super) fn parse_scan_timeout(text: &str) -> Result<Duration, String> {
    let wait = parse_millis(text)?;
    if wait < Duration::from_millis(1) || wait > Duration::from_secs(60) {
        return Err(format!("'{text}' is outside 1 ms to 60 s"));
    }
    Ok(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_take_a_unit_or_the_options_own() {
        let ms = Duration::from_millis;
        let cases = [
            ("1.5", parse_seconds("1.5"), ms(1500)),
            ("500ms", parse_seconds("500ms"), ms(500)),
            ("2s", parse_seconds("2s"), ms(2000)),
            ("2m", parse_seconds("2m"), ms(120_000)),
            ("250us", parse_seconds("250us"), Duration::from_micros(250)),
            ("0", parse_seconds("0"), Duration::ZERO),
            ("500 (ms)", parse_millis("500"), ms(500)),
            ("2s (ms option)", parse_millis("2s"), ms(2000)),
        ];
        for (text, got, want) in cases {
            assert_eq!(got, Ok(want), "{text}");
        }
        let bad = [
            ("abc", "'abc' is not a number of seconds"),
            ("-1", "not a non-negative time"),
            ("NaN", "is not a number of seconds"),
            ("2 fortnights", "unknown unit"),
            ("5x", "unknown unit 'x'"),
            ("25h", "more than a day"),
            ("ms", "is not a number of seconds"),
        ];
        for (text, reason) in bad {
            let got = parse_seconds(text);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(reason)),
                "{text}: {got:?}"
            );
        }
        assert!(parse_scan_timeout("0").is_err());
        assert!(parse_scan_timeout("61s").is_err());
        assert_eq!(parse_scan_timeout("1"), Ok(ms(1)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn no_time_panics(text in "\\PC{0,20}") {
                let _ = parse_seconds(&text);
                let _ = parse_millis(&text);
                let _ = parse_scan_timeout(&text);
            }

            #[test]
            fn a_time_prints_as_it_parses(ms in 0u64..=86_400_000) {
                let want = Duration::from_millis(ms);
                for text in [format!("{ms}ms"), format!("{}", ms as f64 / 1000.0), format!("{}s", ms as f64 / 1000.0)] {
                    let got = parse_seconds(&text).map_err(TestCaseError::fail)?;
                    let off = got.abs_diff(want);
                    prop_assert!(off <= Duration::from_micros(1), "{}: {:?} vs {:?}", text, got, want);
                }
                let got = parse_millis(&ms.to_string()).map_err(TestCaseError::fail)?;
                prop_assert!(got.abs_diff(want) <= Duration::from_micros(1));
            }
        }
    }
}
