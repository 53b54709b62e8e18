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

/// What `scan` is pointed at: one host, or the hosts of a block (iterated lazily).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanTarget {
    Host(Host),
    Net { given: String, net: IpNet },
}

impl ScanTarget {
    /// An address, a name, or a CIDR block (host bits set are allowed: the block is meant).
    pub fn parse(text: &str) -> Result<ScanTarget, ParseError> {
        match parse::parse(text) {
            Ok(t) => Ok(match t.net {
                Some(net) => ScanTarget::Net {
                    given: text.to_string(),
                    net: net.trunc(),
                },
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
            Err(e) => Err(e),
        }
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
