//! The local time's offset from UTC, for the servers' --timestamps and send's arrival times:
//! the zone TZ names (a zoneinfo file, or a POSIX string such as CST-8), else /etc/localtime;
//! UTC where neither tells. Read once when a run starts (a change of daylight saving time
//! during a run is not followed). In net/ (it reads the zone files), shared by serve/ and cmd/.

use std::io::Read;
use std::path::PathBuf;

/// The zone files' home.
const ZONEINFO: &str = "/usr/share/zoneinfo";
/// More than any zone file holds; a longer file is not read further.
const MOST: u64 = 256 * 1024;

/// Seconds east of UTC here, now.
pub fn utc_offset_now() -> i32 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    utc_offset(i64::try_from(now.as_secs()).unwrap_or(i64::MAX))
}

/// Seconds east of UTC here, at `now` (seconds since the Unix epoch).
pub fn utc_offset(now: i64) -> i32 {
    let tz = std::env::var("TZ").ok();
    let file = match tz.as_deref() {
        None => PathBuf::from("/etc/localtime"),
        Some(tz) => {
            let name = tz.strip_prefix(':').unwrap_or(tz);
            if name.starts_with('/') {
                PathBuf::from(name)
            } else if !name.is_empty() && !name.split('/').any(|part| part == "..") {
                PathBuf::from(ZONEINFO).join(name)
            } else {
                PathBuf::new()
            }
        }
    };
    let mut tzif = Vec::new();
    let read = std::fs::File::open(&file).and_then(|f| f.take(MOST).read_to_end(&mut tzif));
    if read.is_ok()
        && let Some(offset) = tzif_offset(&tzif, now)
    {
        return offset;
    }
    tz.as_deref().and_then(posix_offset).unwrap_or(0)
}

/// The offset a POSIX TZ string gives for standard time: `CST-8` is 8 hours east, `EST5` 5
/// west, `UTC0` none (a daylight-saving part after it is not followed).
fn posix_offset(tz: &str) -> Option<i32> {
    let rest = tz.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    if rest.len() == tz.len() || rest.len() + 3 > tz.len() {
        return None;
    }
    let (sign, rest) = match rest.as_bytes().first()? {
        b'-' => (1, &rest[1..]),
        b'+' => (-1, &rest[1..]),
        _ => (-1, rest),
    };
    let clock: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    let mut parts = clock.split(':').map(|p| p.parse::<i32>().ok());
    let hours = parts.next()??;
    let minutes = parts.next().flatten().unwrap_or(0);
    (hours <= 24 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// A big-endian count at `at`.
fn be32(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// The UTC offset a TZif file (RFC 8536) gives at `now`: the type of the last transition at
/// or before it (version 2 and later: the 64-bit block), else the first type.
fn tzif_offset(tzif: &[u8], now: i64) -> Option<i32> {
    if !tzif.starts_with(b"TZif") {
        return None;
    }
    let version = *tzif.get(4)?;
    let mut header = 0;
    let mut time_size = 4;
    if version >= b'2' {
        // Skip the 32-bit block to the second header.
        let (isut, isstd, leap, times, types, chars) = counts(tzif, 0)?;
        header = 44 + times * 5 + types * 6 + chars + leap * 8 + isstd + isut;
        time_size = 8;
        if !tzif.get(header..)?.starts_with(b"TZif") {
            return None;
        }
    }
    let (_, _, _, times, types, _) = counts(tzif, header)?;
    if types == 0 {
        return None;
    }
    let start = header + 44;
    let indices = start + times * time_size;
    let infos = indices + times;
    let mut index = 0usize;
    for i in 0..times {
        let at = start + i * time_size;
        let when = match time_size {
            8 => i64::from_be_bytes(tzif.get(at..at + 8)?.try_into().ok()?),
            _ => i64::from(i32::from_be_bytes(tzif.get(at..at + 4)?.try_into().ok()?)),
        };
        if when > now {
            break;
        }
        index = usize::from(*tzif.get(indices + i)?);
    }
    let info = infos + index.min(types - 1) * 6;
    Some(i32::from_be_bytes(
        tzif.get(info..info + 4)?.try_into().ok()?,
    ))
}

/// A TZif header's six counts: UT/local indicators, standard/wall indicators, leap seconds,
/// transition times, local time types, characters of abbreviations.
fn counts(tzif: &[u8], header: usize) -> Option<(usize, usize, usize, usize, usize, usize)> {
    let at = |i: usize| be32(tzif, header + 20 + i * 4);
    Some((at(0)?, at(1)?, at(2)?, at(3)?, at(4)?, at(5)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version 1 TZif file: transitions (time, type) and types (offset, isdst).
    fn tzif(transitions: &[(i32, u8)], types: &[i32]) -> Vec<u8> {
        let mut f = b"TZif".to_vec();
        f.extend([0u8; 16]);
        for n in [0, 0, 0, transitions.len(), types.len(), 4] {
            f.extend((n as u32).to_be_bytes());
        }
        for (at, _) in transitions {
            f.extend(at.to_be_bytes());
        }
        f.extend(transitions.iter().map(|(_, t)| *t));
        for offset in types {
            f.extend(offset.to_be_bytes());
            f.extend([0, 0]);
        }
        f.extend(b"LMT\0");
        f
    }

    #[test]
    fn the_offset_is_the_last_transitions_before_now() {
        let shanghai = tzif(&[(-100, 0), (0, 1)], &[29_143, 28_800]);
        let cases = [
            (-200, 29_143),
            (-50, 29_143),
            (0, 28_800),
            (1_800_000_000, 28_800),
        ];
        for (now, want) in cases {
            assert_eq!(tzif_offset(&shanghai, now), Some(want), "at {now}");
        }
        assert_eq!(
            tzif_offset(&tzif(&[], &[0]), 5),
            Some(0),
            "UTC: one type, no transition"
        );
        assert_eq!(tzif_offset(b"not a zone", 0), None);
        assert_eq!(tzif_offset(&shanghai[..30], 0), None, "cut short");
    }

    #[test]
    fn the_zone_file_here_parses_if_there_is_one() {
        if let Ok(bytes) = std::fs::read(format!("{ZONEINFO}/Asia/Shanghai")) {
            assert_eq!(tzif_offset(&bytes, 1_796_276_472), Some(8 * 3600));
        }
        if let Ok(bytes) = std::fs::read(format!("{ZONEINFO}/Asia/Kolkata")) {
            assert_eq!(tzif_offset(&bytes, 1_796_276_472), Some(19_800));
        }
    }

    #[test]
    fn posix_strings_give_the_standard_offset() {
        let cases = [
            ("CST-8", Some(28_800)),
            ("EST5EDT,M3.2.0,M11.1.0", Some(-18_000)),
            ("IST-5:30", Some(19_800)),
            ("UTC0", Some(0)),
            ("UTC", None),
            ("8", None),
        ];
        for (tz, want) in cases {
            assert_eq!(posix_offset(tz), want, "{tz}");
        }
    }
}
