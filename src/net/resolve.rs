//! Name resolution, once for every command: an address as typed is used as it is; a name is
//! looked up with the system's resolver (getaddrinfo), and the first address of the wanted
//! family is taken, as ping, traceroute and nmap take it. `resolve_all_scoped` keeps every
//! address in the resolver's order, for the commands that try them in turn or name the
//! others (issue 23: `localhost` is often ::1 first, 127.0.0.1 second).

use std::net::{IpAddr, SocketAddr, SocketAddrV6};

use crate::addr::host::{Endpoint, Host};
use crate::error::{Error, io_reason};

/// Which address family a name may resolve to (-4, -6, or either).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    #[default]
    Any,
    V4,
    V6,
}

impl Family {
    /// From the -4 and -6 flags.
    pub fn from_flags(ipv4: bool, ipv6: bool) -> Family {
        match (ipv4, ipv6) {
            (true, false) => Family::V4,
            (false, true) => Family::V6,
            _ => Family::Any,
        }
    }

    fn admits(self, addr: &IpAddr) -> bool {
        match self {
            Family::Any => true,
            Family::V4 => addr.is_ipv4(),
            Family::V6 => addr.is_ipv6(),
        }
    }
}

/// The address `host` stands for. A `%zone` is refused: a command that can send to a
/// link-local address asks `resolve_scoped`, which keeps the zone's interface.
pub async fn resolve(host: &Host, family: Family) -> Result<IpAddr, Error> {
    if host.zone().is_some() {
        return Err(Error::Resolve {
            name: host.given().to_string(),
            reason: "a %zone is taken by ping, trace, scan and send, not here (leave it out)"
                .to_string(),
        });
    }
    resolve_any(host, family).await
}

/// The socket address `host` stands for, port 0: its address resolved, with the interface of
/// a `%zone` as the scope (a link-local address is only unique on its link, and the kernel
/// sends to one only on a named interface). Set the port with `SocketAddr::set_port`, which
/// keeps the scope.
pub async fn resolve_scoped(host: &Host, family: Family) -> Result<SocketAddr, Error> {
    let (Some(IpAddr::V6(v6)), Some(zone)) = (host.addr(), host.zone()) else {
        return Ok(SocketAddr::new(resolve(host, family).await?, 0));
    };
    if family == Family::V4 {
        return Err(Error::Resolve {
            name: host.given().to_string(),
            reason: "it is not of the family asked for (-4/-6)".to_string(),
        });
    }
    let scope = zone
        .parse::<u32>()
        .ok()
        .or_else(|| crate::net::interface_index(zone))
        .ok_or_else(|| Error::Resolve {
            name: host.given().to_string(),
            reason: format!("this machine has no interface named {zone} (see `netkit ifaces`)"),
        })?;
    Ok(SocketAddr::V6(SocketAddrV6::new(v6, 0, 0, scope)))
}

/// Every address `host` stands for, of the wanted family, in the resolver's order (getaddrinfo
/// sorts them by RFC 6724, the order a client such as Python's `create_connection` tries them
/// in), each once, as socket addresses with port 0. Never empty: a name without an address
/// of the family is an error. An address as typed is the only one; a `%zone` is its scope.
pub async fn resolve_all_scoped(host: &Host, family: Family) -> Result<Vec<SocketAddr>, Error> {
    if host.addr().is_some() {
        return Ok(vec![resolve_scoped(host, family).await?]);
    }
    Ok(resolve_every(host, family)
        .await?
        .into_iter()
        .map(|a| SocketAddr::new(a, 0))
        .collect())
}

/// `resolve` without the zone's refusal.
async fn resolve_any(host: &Host, family: Family) -> Result<IpAddr, Error> {
    if let Some(addr) = host.addr() {
        return if family.admits(&addr) {
            Ok(addr)
        } else {
            Err(Error::Resolve {
                name: host.given().to_string(),
                reason: "it is not of the family asked for (-4/-6)".to_string(),
            })
        };
    }
    let every = resolve_every(host, family).await?;
    // resolve_every never returns an empty list.
    every.first().copied().ok_or_else(|| Error::Resolve {
        name: host.given().to_string(),
        reason: "it has no address".to_string(),
    })
}

/// Most addresses kept of one name: a name with hundreds of records names the first few.
const MOST_ADDRESSES: usize = 16;

/// A name's addresses of the family, in order, each once (getaddrinfo lists an address once
/// per socket type unless asked for one), at most MOST_ADDRESSES; an error when none is left.
async fn resolve_every(host: &Host, family: Family) -> Result<Vec<IpAddr>, Error> {
    let refuse = |reason: &str| Error::Resolve {
        name: host.given().to_string(),
        reason: reason.to_string(),
    };
    let found = tokio::net::lookup_host((host.given(), 0))
        .await
        .map_err(|e| refuse(&io_reason(&e)))?;
    let every = in_order(found.map(|a| a.ip()), family);
    if every.is_empty() {
        return Err(refuse(match family {
            Family::Any => "it has no address",
            Family::V4 | Family::V6 => "it has no address of the family asked for (-4/-6)",
        }));
    }
    Ok(every)
}

/// The addresses of `family` in the order given, each once, at most MOST_ADDRESSES.
fn in_order(found: impl Iterator<Item = IpAddr>, family: Family) -> Vec<IpAddr> {
    let mut every: Vec<IpAddr> = Vec::new();
    for a in found.filter(|a| family.admits(a)) {
        if !every.contains(&a) {
            every.push(a);
            if every.len() == MOST_ADDRESSES {
                break;
            }
        }
    }
    every
}

/// The socket address of a server: its host resolved, with the interface of a `%zone` as the
/// scope.
pub async fn resolve_endpoint(endpoint: &Endpoint) -> Result<SocketAddr, Error> {
    let mut addr = resolve_scoped(&endpoint.host, Family::Any).await?;
    addr.set_port(endpoint.port);
    Ok(addr)
}

/// The name servers the system resolver asks, from /etc/resolv.conf (which `ip netns exec`
/// replaces with /etc/netns/NAME/resolv.conf), read within bounds; empty when there is none.
pub fn name_servers() -> Vec<String> {
    match crate::net::read_small_file(std::path::Path::new("/etc/resolv.conf"), 64 << 10) {
        Ok(bytes) => servers_in(&String::from_utf8_lossy(&bytes)),
        Err(_) => Vec::new(),
    }
}

/// The `nameserver` lines of a resolv.conf.
fn servers_in(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next().map(str::to_string))
                .flatten()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(text: &str) -> Host {
        Host::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"))
            .block_on(f)
    }

    #[test]
    fn addresses_are_taken_as_typed_within_the_family() {
        let v4 = host("127.0.0.1");
        assert_eq!(
            block_on(resolve(&v4, Family::Any)).ok(),
            Some(IpAddr::from([127, 0, 0, 1]))
        );
        let wrong = block_on(resolve(&v4, Family::V6)).map_err(|e| e.to_string());
        assert_eq!(
            wrong,
            Err("cannot resolve 127.0.0.1: it is not of the family asked for (-4/-6)".into())
        );
    }

    #[test]
    fn a_zone_names_the_interface_of_a_link_local_address() {
        let at = |text: &str| {
            let e = Endpoint::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            block_on(resolve_endpoint(&e)).map_err(|e| e.to_string())
        };
        let lo = at("[fe80::1%lo]:7788");
        assert!(
            matches!(lo, Ok(SocketAddr::V6(a)) if a.scope_id() > 0 && a.port() == 7788),
            "{lo:?}"
        );
        assert!(matches!(at("[fe80::1%7]:1"), Ok(SocketAddr::V6(a)) if a.scope_id() == 7));
        let missing = at("[fe80::1%nosuch0]:1");
        assert!(
            missing
                .as_ref()
                .is_err_and(|e| e.contains("no interface named nosuch0")),
            "{missing:?}"
        );
        // ping, trace and scan take the zone as the scope of the address they send to.
        let scoped = |text: &str, family| {
            block_on(resolve_scoped(&host(text), family)).map_err(|e| e.to_string())
        };
        let ping = scoped("fe80::1%lo", Family::Any);
        assert!(
            matches!(ping, Ok(SocketAddr::V6(a)) if a.scope_id() > 0 && a.port() == 0),
            "{ping:?}"
        );
        assert!(
            matches!(scoped("fe80::1%3", Family::V6), Ok(SocketAddr::V6(a)) if a.scope_id() == 3)
        );
        let v4 = scoped("fe80::1%3", Family::V4);
        assert!(v4.is_err_and(|e| e.contains("not of the family")));
        let plain = scoped("127.0.0.1", Family::Any);
        assert_eq!(plain, Ok(SocketAddr::from(([127, 0, 0, 1], 0))));
        // Where nothing can send to a link-local address yet, the zone is refused by name.
        let check = block_on(resolve(&host("fe80::1%lo"), Family::Any)).map_err(|e| e.to_string());
        assert!(check.is_err_and(|e| e.contains("a %zone is taken by ping, trace, scan")));
    }

    #[test]
    fn localhost_resolves_to_loopback() {
        // /etc/hosts, no DNS: the one name every test machine has.
        let got = block_on(resolve(&host("localhost"), Family::V4));
        assert!(got.is_ok_and(|a| a.is_loopback()));
    }

    #[test]
    fn every_address_is_kept_once_in_the_resolvers_order_within_the_family() {
        let v6: IpAddr = "::1".parse().unwrap_or_else(|e| panic!("{e}"));
        let v4 = IpAddr::from([127, 0, 0, 1]);
        let found = [v6, v4, v6, v4];
        assert_eq!(in_order(found.into_iter(), Family::Any), [v6, v4]);
        assert_eq!(in_order(found.into_iter(), Family::V4), [v4]);
        assert_eq!(in_order(found.into_iter(), Family::V6), [v6]);
        let many = (0..=255u8).map(|n| IpAddr::from([10, 0, 0, n]));
        assert_eq!(in_order(many, Family::Any).len(), MOST_ADDRESSES);
        // An address as typed is its own one address.
        let typed = block_on(resolve_all_scoped(&host("127.0.0.1"), Family::Any));
        assert_eq!(
            typed.ok(),
            Some(vec![SocketAddr::from(([127, 0, 0, 1], 0))])
        );
    }

    #[test]
    fn name_servers_come_from_nameserver_lines() {
        let conf =
            "# comment\nsearch lab\nnameserver 10.200.7.2\nnameserver ::1\noptions timeout:1\n";
        assert_eq!(servers_in(conf), ["10.200.7.2", "::1"]);
        assert!(servers_in("nameserver\n").is_empty());
    }
}
