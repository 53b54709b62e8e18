//! What a person types for a machine to reach: an address or a name (`Host`), the same with a
//! port (`Endpoint`: `HOST:PORT`, `[IPv6]:PORT`), and a scan target (a host, or a CIDR block
//! whose hosts are scanned). Pure: no I/O; names are looked up later by net::resolve.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use super::parse::{self, ParseError};

/// An address (parsed strictly, as classify parses it, with a `%zone` on a link-local IPv6
/// address) or a name to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    given: String,
    addr: Option<IpAddr>,
    zone: Option<String>,
}

impl Host {
    /// An address, or anything that is not shaped like one as a name. A malformed address
    /// (`300.1.1.1`, `010.1.1.1`) is an error with its reason, never sent to the resolver:
    /// getaddrinfo would read `010` as octal.
    pub fn parse(text: &str) -> Result<Host, ParseError> {
        let (addr_text, zone) = match text.split_once('%') {
            Some((a, z)) => (a, Some(z)),
            None => (text, None),
        };
        match parse::parse_addr(addr_text) {
            // The zone's own rules (link-local only, not empty) are the address parser's.
            Ok(_) if zone.is_some() => {
                let target = parse::parse(text)?;
                Ok(Host {
                    given: text.to_string(),
                    addr: Some(target.addr),
                    zone: target.zone,
                })
            }
            Ok(addr) => Ok(Host {
                given: text.to_string(),
                addr: Some(addr),
                zone: None,
            }),
            Err(ParseError::NotAnAddress) if zone.is_none() => Ok(Host {
                given: text.to_string(),
                addr: None,
                zone: None,
            }),
            Err(ParseError::NotAnAddress) => Err(ParseError::ZoneOnIpv4),
            Err(e) => Err(e),
        }
    }

    /// The `%zone` of a link-local IPv6 address (`eth0` of `fe80::1%eth0`).
    pub fn zone(&self) -> Option<&str> {
        self.zone.as_deref()
    }

    /// What was typed.
    pub fn given(&self) -> &str {
        &self.given
    }

    /// The address, when one was typed (not a name).
    pub fn addr(&self) -> Option<IpAddr> {
        self.addr
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.given)
    }
}

/// A server to talk to: `HOST:PORT`, or `[IPv6]:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: Host,
    pub port: u16,
}

impl Endpoint {
    /// Splits and checks `HOST:PORT`; each refusal says how to write it.
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("'{text}': a '[' without its ']'"))?;
            let port = after
                .strip_prefix(':')
                .ok_or_else(|| format!("'{text}': give the port after the ']', as [::1]:7788"))?;
            (host, port)
        } else {
            let (host, port) = text.rsplit_once(':').ok_or_else(|| {
                format!("'{text}': give the server as HOST:PORT, e.g. 127.0.0.1:7788")
            })?;
            if host.contains(':') {
                return Err(format!(
                    "'{text}': write an IPv6 address in brackets, as [::1]:7788"
                ));
            }
            (host, port)
        };
        if host.is_empty() {
            return Err(format!("'{text}': the host is missing"));
        }
        let port: u16 = port
            .parse()
            .map_err(|_| format!("'{port}' is not a port number (0-65535)"))?;
        if port == 0 {
            return Err("port 0 cannot be sent to".to_string());
        }
        let host = Host::parse(host).map_err(|e| format!("'{text}': {host}: {e}"))?;
        Ok(Endpoint { host, port })
    }
}

/// A local address and/or port to send from (`nc -s/-p`): `ADDR:PORT`, `[IPv6]:PORT`,
/// `:PORT`, or `ADDR`. Port 0 or none: any port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalBind {
    pub addr: Option<IpAddr>,
    pub port: u16,
}

impl LocalBind {
    pub fn parse(text: &str) -> Result<LocalBind, String> {
        let port = |p: &str| {
            p.parse::<u16>()
                .map_err(|_| format!("'{p}' is not a port number (0-65535)"))
        };
        if let Ok(addr) = parse::parse_addr(text) {
            return Ok(LocalBind {
                addr: Some(addr),
                port: 0,
            });
        }
        if let Some(p) = text.strip_prefix(':') {
            return Ok(LocalBind {
                addr: None,
                port: port(p)?,
            });
        }
        let (host, p) = if let Some(rest) = text.strip_prefix('[') {
            rest.split_once("]:")
                .ok_or_else(|| format!("'{text}': write [IPv6]:PORT, as [::1]:7890"))?
        } else {
            text.rsplit_once(':').ok_or_else(|| {
                format!("'{text}': give ADDR:PORT, :PORT or ADDR (e.g. :7890 or 127.0.0.1:7890)")
            })?
        };
        let addr = parse::parse_addr(host).map_err(|e| format!("'{text}': {host}: {e}"))?;
        Ok(LocalBind {
            addr: Some(addr),
            port: port(p)?,
        })
    }
}

/// The most addresses one target (a block or a range) may hold: 65,536, a /16 of IPv4. A
/// sweep of more would take long and fill the neighbour table; split it into /16s.
pub const MOST_ADDRESSES: u128 = 1 << 16;

/// What `scan` and `ping` are pointed at: one host, the hosts of a block, or a range of
/// addresses (each iterated lazily).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanTarget {
    Host(Host),
    Net {
        given: String,
        net: IpNet,
    },
    /// `10.0.0.1-20` or `10.0.0.1-10.0.0.20`.
    Range {
        given: String,
        range: AddrRange,
    },
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(transparent)]
    Address(#[from] ParseError),
    #[error("'{given}': {why}")]
    Range { given: String, why: String },
    #[error(
        "'{given}' holds {count} addresses; netkit takes at most {MOST_ADDRESSES} (a /16 of \
         IPv4) in one target: give it in parts, e.g. {first}/16"
    )]
    TooMany {
        given: String,
        count: u128,
        first: IpAddr,
    },
}

impl ScanTarget {
    /// An address, a name, a CIDR block (host bits set are allowed: the block is meant) or a
    /// range; a block or range of more than `MOST_ADDRESSES` is refused.
    pub fn parse(text: &str) -> Result<ScanTarget, TargetError> {
        if let Some(range) = AddrRange::parse(text)? {
            return Ok(ScanTarget::Range {
                given: text.to_string(),
                range,
            });
        }
        match parse::parse(text) {
            Ok(t) => Ok(match t.net {
                Some(net) => {
                    let net = net.trunc();
                    let bits = u32::from(net.max_prefix_len() - net.prefix_len());
                    let count = 1u128.checked_shl(bits).unwrap_or(u128::MAX);
                    if count > MOST_ADDRESSES {
                        return Err(TargetError::TooMany {
                            given: text.to_string(),
                            count,
                            first: net.network(),
                        });
                    }
                    ScanTarget::Net {
                        given: text.to_string(),
                        net,
                    }
                }
                None => ScanTarget::Host(Host {
                    given: text.to_string(),
                    addr: Some(t.addr),
                    zone: t.zone,
                }),
            }),
            Err(ParseError::NotAnAddress) => Ok(ScanTarget::Host(Host {
                given: text.to_string(),
                addr: None,
                zone: None,
            })),
            Err(e) => Err(e.into()),
        }
    }

    /// What was typed.
    pub fn given(&self) -> &str {
        match self {
            ScanTarget::Host(host) => host.given(),
            ScanTarget::Net { given, .. } | ScanTarget::Range { given, .. } => given,
        }
    }

    /// The addresses of a block (its hosts, as `ipnet` counts them: an IPv4 block without
    /// its network and broadcast addresses, from /30 down) or a range, lazily; `None` for a
    /// host, which is resolved.
    pub fn addresses(&self) -> Option<Box<dyn Iterator<Item = IpAddr> + '_>> {
        match self {
            ScanTarget::Host(_) => None,
            ScanTarget::Net { net, .. } => Some(Box::new(net.hosts())),
            ScanTarget::Range { range, .. } => Some(Box::new(range.iter())),
        }
    }
}

/// Consecutive addresses of one family, first to last, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddrRange {
    first: IpAddr,
    last: IpAddr,
}

impl AddrRange {
    /// `A.B.C.D-E` (the last octet's range) or `FIRST-LAST` (two whole addresses of one
    /// family). `Ok(None)` when the text is not shaped like a range (a name may hold a '-');
    /// an error when it starts as one and goes wrong.
    pub fn parse(given: &str) -> Result<Option<AddrRange>, TargetError> {
        let Some((from, to)) = given.split_once('-') else {
            return Ok(None);
        };
        let Ok(first) = parse::parse_addr(from) else {
            return Ok(None);
        };
        let refuse = |why: String| TargetError::Range {
            given: given.to_string(),
            why,
        };
        let last = match (first, to.parse::<u8>()) {
            (IpAddr::V4(v4), Ok(octet)) if !to.starts_with('0') || to == "0" => {
                let [a, b, c, _] = v4.octets();
                IpAddr::from([a, b, c, octet])
            }
            _ => parse::parse_addr(to).map_err(|_| {
                refuse(format!(
                    "'{to}' is neither a last octet (0-255) nor an address; write a range as \
                     10.0.0.1-20 or 10.0.0.1-10.0.0.20"
                ))
            })?,
        };
        if first.is_ipv4() != last.is_ipv4() {
            return Err(refuse("the two ends are of different families".to_string()));
        }
        let (low, high) = (number(first), number(last));
        if high < low {
            return Err(refuse(format!("{last} comes before {first}")));
        }
        let count = high - low + 1;
        if count > MOST_ADDRESSES {
            return Err(TargetError::TooMany {
                given: given.to_string(),
                count,
                first,
            });
        }
        Ok(Some(AddrRange { first, last }))
    }

    /// Every address, first to last.
    pub fn iter(&self) -> impl Iterator<Item = IpAddr> + use<> {
        let (low, high, v6) = (number(self.first), number(self.last), self.first.is_ipv6());
        (low..=high).map(move |n| {
            if v6 {
                IpAddr::from(std::net::Ipv6Addr::from(n))
            } else {
                // Both ends are IPv4, so every number between fits 32 bits.
                IpAddr::from(std::net::Ipv4Addr::from(n as u32))
            }
        })
    }
}

/// An address as a number, for counting and stepping.
fn number(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_addresses_or_names() {
        let addr = Host::parse("127.0.0.1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(addr.addr(), Some(IpAddr::from([127, 0, 0, 1])));
        let name = Host::parse("localhost").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((name.addr(), name.given()), (None, "localhost"));
        let zoned = Host::parse("fe80::1%eth0").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(zoned.zone(), Some("eth0"));
        for bad in [
            "300.1.1.1",
            "010.1.1.1",
            "1:2:3:4:5:6:7:8:9",
            "",
            "2001:db8::1%eth0",
            "10.0.0.1%eth0",
            "fe80::1%",
            "fe80::1/64",
        ] {
            assert!(Host::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoints_split_into_host_and_port() {
        let ok = [
            ("127.0.0.1:7788", "127.0.0.1", 7788),
            ("[::1]:9000", "::1", 9000),
            ("[fe80::1%lo]:7788", "fe80::1%lo", 7788),
            ("localhost:80", "localhost", 80),
        ];
        for (text, host, port) in ok {
            let e = Endpoint::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((e.host.given(), e.port), (host, port), "{text}");
        }
        let bad = [
            ("127.0.0.1", "give the server as HOST:PORT"),
            ("::1:80", "write an IPv6 address in brackets"),
            ("[::1]", "give the port after the ']'"),
            ("[::1:80", "a '[' without its ']'"),
            ("127.0.0.1:70000", "'70000' is not a port number"),
            (":80", "the host is missing"),
            ("127.0.0.1:0", "port 0 cannot be sent to"),
            ("300.1.1.1:80", "300.1.1.1: octet 1 is 300"),
        ];
        for (text, reason) in bad {
            let got = Endpoint::parse(text);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(reason)),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn local_binds_take_an_address_a_port_or_both() {
        let v4 = Some(IpAddr::from([127, 0, 0, 1]));
        let cases = [
            (":7890", None, 7890),
            ("127.0.0.1:7890", v4, 7890),
            ("127.0.0.1", v4, 0),
            (
                "[::1]:7890",
                Some(IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
                7890,
            ),
            ("::1", Some(IpAddr::from(std::net::Ipv6Addr::LOCALHOST)), 0),
            (":0", None, 0),
        ];
        for (text, addr, port) in cases {
            assert_eq!(
                LocalBind::parse(text),
                Ok(LocalBind { addr, port }),
                "{text}"
            );
        }
        for (bad, why) in [
            (":70000", "'70000' is not a port number"),
            ("300.1.1.1:80", "octet 1 is 300"),
            ("localhost", "give ADDR:PORT, :PORT or ADDR"),
            ("[::1]", "write [IPv6]:PORT"),
        ] {
            let got = LocalBind::parse(bad);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(why)),
                "{bad}: {got:?}"
            );
        }
    }

    #[test]
    fn scan_targets_are_hosts_or_blocks() {
        let block = ScanTarget::parse("10.0.0.5/29").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            block,
            ScanTarget::Net {
                given: "10.0.0.5/29".into(),
                net: "10.0.0.0/29".parse().unwrap_or_else(|e| panic!("{e}")),
            }
        );
        let name = ScanTarget::parse("localhost").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(name, ScanTarget::Host(h) if h.addr().is_none() && h.given() == "localhost")
        );
        assert!(ScanTarget::parse("300.1.1.1").is_err());
        assert!(ScanTarget::parse("10.0.0.0/33").is_err());
    }

    #[test]
    fn ranges_are_a_last_octet_or_two_addresses() {
        let ip = |t: &str| t.parse::<IpAddr>().unwrap_or_else(|e| panic!("{t}: {e}"));
        let ok = [
            ("10.0.0.1-20", "10.0.0.1", "10.0.0.20", 20),
            ("10.0.0.1-10.0.0.20", "10.0.0.1", "10.0.0.20", 20),
            ("10.0.0.250-10.0.1.5", "10.0.0.250", "10.0.1.5", 12),
            ("10.0.0.7-7", "10.0.0.7", "10.0.0.7", 1),
            ("10.0.0.0-255", "10.0.0.0", "10.0.0.255", 256),
            (
                "2001:db8::1-2001:db8::10",
                "2001:db8::1",
                "2001:db8::10",
                16,
            ),
            ("10.0.0.0-10.0.255.255", "10.0.0.0", "10.0.255.255", 65_536),
        ];
        for (text, first, last, count) in ok {
            let target = ScanTarget::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let ScanTarget::Range { range, .. } = target else {
                panic!("{text}: not a range: {target:?}");
            };
            assert_eq!(range.iter().next(), Some(ip(first)), "{text}");
            assert_eq!(range.iter().count() as u128, count, "{text}");
            assert_eq!(range.iter().last(), Some(ip(last)), "{text}");
        }
        let bad = [
            ("10.0.0.20-10", "10.0.0.10 comes before 10.0.0.20"),
            ("10.0.0.1-256", "neither a last octet"),
            ("10.0.0.1-x", "neither a last octet"),
            ("10.0.0.1-010", "neither a last octet"),
            ("10.0.0.1-::1", "different families"),
            ("10.0.0.0-10.1.0.0", "holds 65537 addresses"),
            (
                "10.0.0.0/8",
                "holds 16777216 addresses; netkit takes at most 65536",
            ),
            ("2001:db8::/64", "at most 65536"),
        ];
        for (text, why) in bad {
            let got = ScanTarget::parse(text);
            assert!(
                got.as_ref().is_err_and(|e| e.to_string().contains(why)),
                "{text}: {got:?}"
            );
        }
        // A name with a dash is a name; a /16 is the most a block may be.
        let name = ScanTarget::parse("lab-host-1").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(name, ScanTarget::Host(h) if h.addr().is_none()));
        let block = ScanTarget::parse("10.1.0.0/16").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(block.addresses().map(Iterator::count), Some(65_534));
        assert!(ScanTarget::parse("2001:db8::/112").is_ok());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn no_endpoint_or_target_panics(text in "\\PC{0,50}") {
                let _ = Endpoint::parse(&text);
                let _ = ScanTarget::parse(&text);
                let _ = Host::parse(&text);
            }

            #[test]
            fn an_endpoint_prints_as_it_parses(ip in any::<IpAddr>(), port in 1u16..) {
                let text = std::net::SocketAddr::new(ip, port).to_string();
                let e = Endpoint::parse(&text).map_err(TestCaseError::fail)?;
                prop_assert_eq!((e.host.addr(), e.port), (Some(ip), port), "{}", text);
            }
        }
    }
}
