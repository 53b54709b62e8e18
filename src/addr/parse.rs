//! Strict parsing of what a person types as an address: IPv4 dotted quads, IPv6 in every
//! RFC 4291 form with an optional `%zone`, and CIDR with a prefix length or a netmask.
//! Pure: no I/O. Every rejection names the part that is wrong.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// An address as typed: the address itself, its zone (IPv6 link-local only), and the network
/// it was written with when the input was CIDR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The address, host bits included (`192.168.1.77` of `192.168.1.77/26`).
    pub addr: IpAddr,
    /// The `%zone` suffix of a link-local IPv6 address (`eth0` of `fe80::1%eth0`).
    pub zone: Option<String>,
    /// The network when the input was CIDR, with the host bits kept in `addr`.
    pub net: Option<IpNet>,
}

/// Why an input is not an address. Each message names the octet, group, prefix or mask at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty input")]
    Empty,
    #[error("not an IPv4 or IPv6 address")]
    NotAnAddress,
    #[error(
        "has {0} octet(s); an IPv4 address has 4 (shorthand such as 127.1 is not accepted: write all four)"
    )]
    OctetCount(usize),
    #[error("octet {index} is empty")]
    EmptyOctet { index: usize },
    #[error("octet {index} is {value}, above 255")]
    OctetTooLarge { index: usize, value: String },
    #[error(
        "octet {index} ('{text}') has a leading zero; some systems read it as octal, so it is rejected: write {value}"
    )]
    LeadingZero {
        index: usize,
        text: String,
        value: String,
    },
    #[error("octet {index} ('{text}') is not a decimal number (hex and octal octets are rejected)")]
    NotDecimal { index: usize, text: String },
    #[error("'{0}' is a bare integer; write the address as four dotted decimal octets")]
    BareInteger(String),
    #[error("has {0} groups; an IPv6 address has 8 (or fewer with one '::')")]
    GroupCount(usize),
    #[error("'::' appears more than once; it may stand for one run of zero groups only")]
    DoubleColonTwice,
    #[error("group '{0}' has more than 4 hex digits")]
    GroupTooLong(String),
    #[error("group '{0}' is not hexadecimal")]
    NotHex(String),
    #[error("embedded IPv4 part: {0}")]
    EmbeddedIpv4(Box<ParseError>),
    #[error("not a valid IPv6 address")]
    InvalidIpv6,
    #[error("a %zone belongs to IPv6 addresses only")]
    ZoneOnIpv4,
    #[error("the %zone after the address is empty")]
    EmptyZone,
    #[error(
        "a %zone is only meaningful on a link-local address (fe80::/10 or link/interface-local multicast)"
    )]
    ZoneNotLinkLocal,
    #[error("missing prefix length after '/'")]
    MissingPrefix,
    #[error("prefix '{0}' is not a number")]
    PrefixNotNumber(String),
    #[error("prefix /{prefix} is above {max}, the longest IPv{version} prefix")]
    PrefixTooLong { prefix: u32, max: u8, version: u8 },
    #[error("netmask: {0}")]
    BadMask(Box<ParseError>),
    #[error(
        "netmask {mask} is not contiguous: its one-bits must all come first ({binary}); did you mean /{suggest}?"
    )]
    MaskNotContiguous {
        mask: Ipv4Addr,
        binary: String,
        suggest: u32,
    },
    #[error(
        "{mask} is a wildcard (host) mask, as ACLs write them: its one-bits come last, not first; the netmask is {netmask}: write /{suggest}"
    )]
    WildcardMask {
        mask: Ipv4Addr,
        netmask: Ipv4Addr,
        suggest: u32,
    },
    #[error(
        "prefix '/{text}' has a leading zero; systems disagree on what it means (iproute2 reads it as octal, Python as decimal, Go rejects it), so it is rejected: write /{value}"
    )]
    PrefixLeadingZero { text: String, value: String },
    #[error("IPv6 prefixes are written as a length (/64), not as a mask")]
    MaskOnIpv6,
}

/// Parses one input: `ADDR`, `ADDR%ZONE`, `ADDR/PREFIX` or `IPv4/NETMASK`.
pub fn parse(input: &str) -> Result<Target, ParseError> {
    // Streams are mostly plain dotted quads: take them without the diagnostic path.
    if let Some(v4) = fast_ipv4(input.as_bytes()) {
        return Ok(Target {
            addr: IpAddr::V4(v4),
            zone: None,
            net: None,
        });
    }
    if input.is_empty() {
        return Err(ParseError::Empty);
    }
    let (addr_part, prefix_part) = match input.rsplit_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (input, None),
    };
    let (addr_text, zone) = match addr_part.split_once('%') {
        Some((a, z)) => (a, Some(z)),
        None => (addr_part, None),
    };
    let addr = parse_addr(addr_text)?;
    let zone = match (zone, addr) {
        (None, _) => None,
        (Some(_), IpAddr::V4(_)) => return Err(ParseError::ZoneOnIpv4),
        (Some(""), _) => return Err(ParseError::EmptyZone),
        (Some(z), IpAddr::V6(v6)) if zone_allowed(v6) => Some(z.to_string()),
        (Some(_), IpAddr::V6(_)) => return Err(ParseError::ZoneNotLinkLocal),
    };
    let net = match prefix_part {
        None => None,
        Some(p) => Some(parse_prefix(addr, p)?),
    };
    Ok(Target { addr, zone, net })
}

/// Parses an address alone (no zone, no prefix), IPv4 or IPv6 by its shape.
pub fn parse_addr(text: &str) -> Result<IpAddr, ParseError> {
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    if text.contains(':') {
        return parse_ipv6(text).map(IpAddr::V6);
    }
    // Hex octets are sent to the IPv4 parser so the reason names them; words are not.
    let numeric_part = |p: &str| {
        p.bytes().all(|b| b.is_ascii_digit())
            || p.get(..2).is_some_and(|x| x.eq_ignore_ascii_case("0x"))
    };
    if text.split('.').all(numeric_part) {
        return parse_ipv4(text).map(IpAddr::V4);
    }
    Err(ParseError::NotAnAddress)
}

/// Parses a strict dotted quad: four decimal octets 0-255, no leading zeros.
pub fn parse_ipv4(text: &str) -> Result<Ipv4Addr, ParseError> {
    if !text.contains('.') && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::BareInteger(text.to_string()));
    }
    let mut octets = [0u8; 4];
    let mut count = 0;
    for (i, part) in text.split('.').enumerate() {
        count += 1;
        if i >= 4 {
            continue;
        }
        octets[i] = parse_octet(i + 1, part)?;
    }
    if count != 4 {
        return Err(ParseError::OctetCount(count));
    }
    Ok(Ipv4Addr::from(octets))
}

/// A strict dotted quad in one pass over the bytes; `None` for anything else, including every
/// input `parse_ipv4` would reject (so the slow path can say why).
fn fast_ipv4(bytes: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut index = 0;
    let mut value: u16 = 0;
    let mut digits = 0;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                // A second digit after a leading zero is octal-looking: not for the fast path.
                if digits == 3 || (digits == 1 && value == 0) {
                    return None;
                }
                value = value * 10 + u16::from(b - b'0');
                digits += 1;
            }
            b'.' if digits > 0 && index < 3 => {
                octets[index] = u8::try_from(value).ok()?;
                index += 1;
                value = 0;
                digits = 0;
            }
            _ => return None,
        }
    }
    if index != 3 || digits == 0 {
        return None;
    }
    octets[3] = u8::try_from(value).ok()?;
    Some(Ipv4Addr::from(octets))
}

fn parse_octet(index: usize, part: &str) -> Result<u8, ParseError> {
    if part.is_empty() {
        return Err(ParseError::EmptyOctet { index });
    }
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::NotDecimal {
            index,
            text: part.to_string(),
        });
    }
    let digits = part.trim_start_matches('0');
    let value = if digits.is_empty() { "0" } else { digits };
    if value.len() > 3 || value.parse::<u16>().is_ok_and(|v| v > 255) {
        return Err(ParseError::OctetTooLarge {
            index,
            value: value.to_string(),
        });
    }
    if part.len() > 1 && part.starts_with('0') {
        return Err(ParseError::LeadingZero {
            index,
            text: part.to_string(),
            value: value.to_string(),
        });
    }
    // Three digits at most and not above 255: the parse cannot fail.
    Ok(value.parse().unwrap_or(0))
}

/// Parses IPv6 in any RFC 4291 text form; on failure says which group is wrong.
pub fn parse_ipv6(text: &str) -> Result<Ipv6Addr, ParseError> {
    if let Ok(v6) = text.parse::<Ipv6Addr>() {
        return Ok(v6);
    }
    Err(diagnose_ipv6(text))
}

fn diagnose_ipv6(text: &str) -> ParseError {
    if text.matches("::").count() > 1 {
        return ParseError::DoubleColonTwice;
    }
    let compressed = text.contains("::");
    let mut groups: Vec<&str> = text.split(':').filter(|g| !g.is_empty()).collect();
    let mut count = groups.len();
    if let Some(last) = groups.last()
        && last.contains('.')
    {
        if let Err(e) = parse_ipv4(last) {
            return ParseError::EmbeddedIpv4(Box::new(e));
        }
        groups.pop();
        count += 1; // 32 bits of IPv4 fill two groups
    }
    for g in &groups {
        if !g.bytes().all(|b| b.is_ascii_hexdigit()) {
            return ParseError::NotHex(g.to_string());
        }
        if g.len() > 4 {
            return ParseError::GroupTooLong(g.to_string());
        }
    }
    if (!compressed && count != 8) || (compressed && count > 7) {
        return ParseError::GroupCount(count);
    }
    ParseError::InvalidIpv6
}

/// A zone names the link for addresses that are only unique on a link (RFC 4007).
fn zone_allowed(v6: Ipv6Addr) -> bool {
    let first = v6.segments()[0];
    let scoped_multicast = v6.is_multicast() && matches!(first & 0xf, 1 | 2);
    v6.is_unicast_link_local() || scoped_multicast
}

fn parse_prefix(addr: IpAddr, text: &str) -> Result<IpNet, ParseError> {
    if text.is_empty() {
        return Err(ParseError::MissingPrefix);
    }
    if text.contains('.') || text.contains(':') {
        let IpAddr::V4(v4) = addr else {
            return Err(ParseError::MaskOnIpv6);
        };
        let mask = parse_ipv4(text).map_err(|e| ParseError::BadMask(Box::new(e)))?;
        let prefix = ipnet::ipv4_mask_to_prefix(mask).map_err(|_| mask_error(mask))?;
        return Ok(IpNet::V4(Ipv4Net::new_assert(v4, prefix)));
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::PrefixNotNumber(text.to_string()));
    }
    // As with octets: `/032` is /32 to Python, /26 to iproute2 (octal) and an error to Go.
    if text.len() > 1 && text.starts_with('0') {
        let digits = text.trim_start_matches('0');
        return Err(ParseError::PrefixLeadingZero {
            text: text.to_string(),
            value: if digits.is_empty() { "0" } else { digits }.to_string(),
        });
    }
    let prefix: u32 = text.parse().unwrap_or(u32::MAX);
    let (max, version) = match addr {
        IpAddr::V4(_) => (32, 4),
        IpAddr::V6(_) => (128, 6),
    };
    if prefix > u32::from(max) {
        return Err(ParseError::PrefixTooLong {
            prefix,
            max,
            version,
        });
    }
    // Checked against max just above.
    let prefix = prefix as u8;
    Ok(match addr {
        IpAddr::V4(v4) => IpNet::V4(Ipv4Net::new_assert(v4, prefix)),
        IpAddr::V6(v6) => IpNet::V6(Ipv6Net::new_assert(v6, prefix)),
    })
}

/// Why a mask with its one-bits not all first is refused: a wildcard mask (all last, as
/// ACLs write them) is named as such, anything else is shown in binary.
fn mask_error(mask: Ipv4Addr) -> ParseError {
    let bits = u32::from(mask);
    let host_bits = bits.trailing_ones();
    if bits.leading_zeros() + host_bits == 32 {
        return ParseError::WildcardMask {
            mask,
            netmask: Ipv4Addr::from(!bits),
            suggest: 32 - host_bits,
        };
    }
    ParseError::MaskNotContiguous {
        mask,
        binary: crate::addr::Binary(mask.into()).to_string(),
        suggest: bits.leading_ones(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> Target {
        parse(input).unwrap_or_else(|e| panic!("{input:?} should parse, got: {e}"))
    }

    fn err(input: &str) -> String {
        match parse(input) {
            Ok(t) => panic!("{input:?} should be rejected, got {t:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn accepts_every_valid_form() {
        let cases = [
            ("172.20.1.5", "172.20.1.5"),
            ("0.0.0.0", "0.0.0.0"),
            ("255.255.255.255", "255.255.255.255"),
            ("::", "::"),
            ("::1", "::1"),
            ("2001:DB8::1", "2001:db8::1"),
            ("2001:db8:0:0:0:0:0:1", "2001:db8::1"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
            ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ];
        for (input, canonical) in cases {
            assert_eq!(ok(input).addr.to_string(), canonical, "input {input:?}");
        }
    }

    #[test]
    fn fast_path_agrees_with_the_strict_parser() {
        let inputs = [
            "0.0.0.0",
            "255.255.255.255",
            "1.2.3.4",
            "10.0.0.1",
            "256.1.1.1",
            "1.2.3.256",
            "01.2.3.4",
            "1.2.3.00",
            "1.2.3",
            "1.2.3.4.5",
            "1..3.4",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4 ",
            "1000.1.1.1",
            "",
            "0.0.0.0000",
            "9.09.9.9",
        ];
        for input in inputs {
            let fast = fast_ipv4(input.as_bytes());
            let strict = parse_ipv4(input).ok();
            assert_eq!(fast, strict, "input {input:?}");
        }
        assert_eq!(
            crate::addr::Binary(Ipv4Addr::new(172, 20, 1, 5).into()).to_string(),
            "10101100.00010100.00000001.00000101"
        );
    }

    #[test]
    fn keeps_zone_on_link_local_only() {
        assert_eq!(ok("fe80::1%eth0").zone.as_deref(), Some("eth0"));
        assert_eq!(ok("ff02::1%2").zone.as_deref(), Some("2"));
        assert!(err("2001:db8::1%eth0").contains("link-local"));
        assert!(err("10.0.0.1%eth0").contains("IPv6 addresses only"));
        assert!(err("fe80::1%").contains("empty"));
    }

    #[test]
    fn rejects_ipv4_with_the_exact_reason() {
        let cases = [
            ("300.1.1.1", "octet 1 is 300, above 255"),
            ("1.2.3.256", "octet 4 is 256, above 255"),
            ("1.2.3.99999", "octet 4 is 99999, above 255"),
            ("1.2.3", "has 3 octet(s); an IPv4 address has 4"),
            ("127.1", "has 2 octet(s)"),
            ("1.2.3.4.5", "has 5 octet(s)"),
            ("010.1.1.1", "octet 1 ('010') has a leading zero"),
            ("1.2.3.00", "octet 4 ('00') has a leading zero"),
            ("0x7f.0.0.1", "octet 1 ('0x7f') is not a decimal number"),
            ("0x7f000001", "is not a decimal number"),
            ("3232235777", "is a bare integer"),
            ("1..2.3", "octet 2 is empty"),
            ("hello", "not an IPv4 or IPv6 address"),
            ("example.com", "not an IPv4 or IPv6 address"),
            ("", "empty input"),
        ];
        for (input, reason) in cases {
            let got = err(input);
            assert!(got.contains(reason), "input {input:?}: got {got:?}");
        }
    }

    #[test]
    fn rejects_ipv6_with_the_exact_reason() {
        let cases = [
            ("1:2:3:4:5:6:7:8:9", "has 9 groups"),
            ("1:2:3:4:5:6:7", "has 7 groups"),
            ("1::2::3", "'::' appears more than once"),
            (
                "2001:db8::12345",
                "group '12345' has more than 4 hex digits",
            ),
            ("2001:xyz::1", "group 'xyz' is not hexadecimal"),
            ("::ffff:1.2.3.300", "embedded IPv4 part: octet 4 is 300"),
        ];
        for (input, reason) in cases {
            let got = err(input);
            assert!(got.contains(reason), "input {input:?}: got {got:?}");
        }
    }

    #[test]
    fn parses_prefixes_and_masks() {
        let t = ok("192.168.1.77/26");
        assert_eq!(t.addr.to_string(), "192.168.1.77");
        assert_eq!(t.net.map(|n| n.to_string()), Some("192.168.1.77/26".into()));
        assert_eq!(
            ok("10.1.2.3/255.255.0.0").net.map(|n| n.prefix_len()),
            Some(16)
        );
        assert_eq!(ok("10.1.2.3/0.0.0.0").net.map(|n| n.prefix_len()), Some(0));
        assert_eq!(ok("2001:db8::/32").net.map(|n| n.prefix_len()), Some(32));
        assert_eq!(ok("fe80::1%eth0/64").zone.as_deref(), Some("eth0"));
    }

    #[test]
    fn rejects_bad_prefixes_and_masks() {
        let cases = [
            (
                "10.0.0.0/33",
                "prefix /33 is above 32, the longest IPv4 prefix",
            ),
            ("::/129", "prefix /129 is above 128"),
            ("10.0.0.0/", "missing prefix length"),
            ("10.0.0.0/x", "prefix 'x' is not a number"),
            ("10.0.0.0/-1", "prefix '-1' is not a number"),
            (
                "10.0.0.0/255.0.255.0",
                "netmask 255.0.255.0 is not contiguous: its one-bits must all come first (11111111.00000000.11111111.00000000); did you mean /8?",
            ),
            ("10.0.0.0/255.255.0", "netmask: has 3 octet(s)"),
            ("::/ffff::", "written as a length"),
            ("10.0.0.0/99999999999", "above 32"),
            // Systems disagree on a leading zero (issue 11): refused, with the fix.
            (
                "1.1.1.0/032",
                "prefix '/032' has a leading zero; systems disagree on what it means",
            ),
            ("1.1.1.0/032", "write /32"),
            ("10.0.0.0/08", "write /8"),
            ("::/064", "write /64"),
            ("0.0.0.0/00", "write /0"),
            // A wildcard mask is named as one, with the netmask it stands for.
            (
                "10.0.0.0/0.0.0.255",
                "0.0.0.255 is a wildcard (host) mask, as ACLs write them: its one-bits come last, not first; the netmask is 255.255.255.0: write /24",
            ),
            (
                "10.0.0.0/0.0.255.255",
                "the netmask is 255.255.0.0: write /16",
            ),
            ("10.0.0.0/0.255.0.255", "not contiguous"),
        ];
        for (input, reason) in cases {
            let got = err(input);
            assert!(got.contains(reason), "input {input:?}: got {got:?}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn no_input_panics(text in "\\PC{0,60}") {
                let _ = parse(&text);
            }

            #[test]
            fn address_like_input_does_not_panic(text in "[0-9a-fA-Fx:.%/]{0,45}") {
                let _ = parse(&text);
            }

            #[test]
            fn an_ipv4_block_prints_as_it_parses(a in any::<u32>(), prefix in 0u8..=32) {
                let addr = Ipv4Addr::from(a);
                let text = format!("{addr}/{prefix}");
                let t = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
                prop_assert_eq!(t.addr, IpAddr::V4(addr));
                prop_assert_eq!(t.net, Some(IpNet::V4(Ipv4Net::new_assert(addr, prefix))));
                // The mask form means the same block.
                let mask = Ipv4Net::new_assert(addr, prefix).netmask();
                let masked = parse(&format!("{addr}/{mask}")).ok().and_then(|t| t.net);
                prop_assert_eq!(masked, t.net);
            }

            #[test]
            fn an_ipv6_address_prints_as_it_parses(a in any::<u128>(), prefix in 0u8..=128) {
                let addr = Ipv6Addr::from(a);
                let plain = parse(&addr.to_string())
                    .map_err(|e| TestCaseError::fail(format!("{addr}: {e}")))?;
                prop_assert_eq!(plain.addr, IpAddr::V6(addr));
                let block = parse(&format!("{addr}/{prefix}")).ok().and_then(|t| t.net);
                prop_assert_eq!(block, Some(IpNet::V6(Ipv6Net::new_assert(addr, prefix))));
            }
        }
    }
}
