//! Name resolution, once for every command: an address as typed is used as it is; a name is
//! looked up with the system's resolver (getaddrinfo), and the first address of the wanted
//! family is taken, as ping, traceroute and nmap take it.

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

/// The address `host` stands for.
pub async fn resolve(host: &Host, family: Family) -> Result<IpAddr, Error> {
    let refuse = |reason: &str| Error::Resolve {
        name: host.given().to_string(),
        reason: reason.to_string(),
    };
    if host.zone().is_some() {
        return Err(refuse(
            "a %zone is taken only by send's HOST:PORT for now (leave it out, or send to it)",
        ));
    }
    if let Some(addr) = host.addr() {
        return if family.admits(&addr) {
            Ok(addr)
        } else {
            Err(refuse("it is not of the family asked for (-4/-6)"))
        };
    }
    let found = tokio::net::lookup_host((host.given(), 0))
        .await
        .map_err(|e| refuse(&io_reason(&e)))?;
    found
        .map(|a| a.ip())
        .find(|a| family.admits(a))
        .ok_or_else(|| {
            refuse(match family {
                Family::Any => "it has no address",
                Family::V4 | Family::V6 => "it has no address of the family asked for (-4/-6)",
            })
        })
}

/// The socket address of a server: its host resolved, with the interface of a `%zone` (a
/// link-local address is only unique on its link) as the scope.
pub async fn resolve_endpoint(endpoint: &Endpoint) -> Result<SocketAddr, Error> {
    let host = &endpoint.host;
    let (Some(IpAddr::V6(v6)), Some(zone)) = (host.addr(), host.zone()) else {
        let addr = resolve(host, Family::Any).await?;
        return Ok(SocketAddr::new(addr, endpoint.port));
    };
    let scope = zone
        .parse::<u32>()
        .ok()
        .or_else(|| crate::net::interface_index(zone))
        .ok_or_else(|| Error::Resolve {
            name: host.given().to_string(),
            reason: format!("this machine has no interface named {zone} (see `netkit ifaces`)"),
        })?;
    Ok(SocketAddr::V6(SocketAddrV6::new(
        v6,
        endpoint.port,
        0,
        scope,
    )))
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
        let ping = block_on(resolve(&host("fe80::1%lo"), Family::Any)).map_err(|e| e.to_string());
        assert!(ping.is_err_and(|e| e.contains("a %zone is taken only by send")));
    }

    #[test]
    fn localhost_resolves_to_loopback() {
        // /etc/hosts, no DNS: the one name every test machine has.
        let got = block_on(resolve(&host("localhost"), Family::V4));
        assert!(got.is_ok_and(|a| a.is_loopback()));
    }

    #[test]
    fn name_servers_come_from_nameserver_lines() {
        let conf =
            "# comment\nsearch lab\nnameserver 10.200.7.2\nnameserver ::1\noptions timeout:1\n";
        assert_eq!(servers_in(conf), ["10.200.7.2", "::1"]);
        assert!(servers_in("nameserver\n").is_empty());
    }
}
