//! CIDR math on top of ipnet: network, broadcast, first and last usable host, and the counts,
//! with the point-to-point (/31, RFC 3021; /127, RFC 6164) and single-host cases.
//! Pure: no I/O.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use serde::Serialize;

use super::{Count, Integer};

/// The number of addresses in a prefix with `host_bits` host bits: 2^host_bits, as text
/// (2^128 for ::/0).
fn ipv6_count(host_bits: u32) -> Integer {
    Integer::Text(Count::power_of_two(host_bits).to_string())
}

/// The facts of one CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subnet {
    pub prefix: u8,
    pub netmask: IpAddr,
    /// The inverse of the netmask (Cisco ACL style); the host mask.
    pub wildcard: IpAddr,
    pub network: IpAddr,
    /// The subnet's broadcast address; none for IPv6 and for /31 and /32.
    pub broadcast: Option<Ipv4Addr>,
    pub first_host: IpAddr,
    pub last_host: IpAddr,
    pub addresses: Integer,
    pub usable_hosts: Integer,
    /// What is special about this prefix length, for the teaching view.
    #[serde(rename = "subnet_note")]
    pub note: &'static str,
}

/// Computes the subnet facts of `net` (host bits in `net` are fine: the network is derived).
pub fn subnet(net: IpNet) -> Subnet {
    let prefix = net.prefix_len();
    let host_bits = u32::from(net.max_prefix_len() - prefix);
    let (network, last) = (net.network(), net.broadcast());
    let common = |broadcast, first_host, last_host, addresses, usable_hosts, note| Subnet {
        prefix,
        netmask: net.netmask(),
        wildcard: net.hostmask(),
        network,
        broadcast,
        first_host,
        last_host,
        addresses,
        usable_hosts,
        note,
    };
    match net {
        IpNet::V4(_) => {
            let addresses = 1u64 << host_bits;
            let as_v4 = |a: IpAddr| match a {
                IpAddr::V4(v4) => v4,
                IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
            };
            let (n, l) = (u32::from(as_v4(network)), u32::from(as_v4(last)));
            match prefix {
                32 => common(
                    None,
                    network,
                    network,
                    Integer::Number(1),
                    Integer::Number(1),
                    "a /32 is one address: a host route; the address is the host",
                ),
                31 => common(
                    None,
                    network,
                    last,
                    Integer::Number(2),
                    Integer::Number(2),
                    "RFC 3021: a /31 is a point-to-point link; both addresses are hosts and there is no broadcast",
                ),
                _ => common(
                    Some(as_v4(last)),
                    IpAddr::V4(Ipv4Addr::from(n + 1)),
                    IpAddr::V4(Ipv4Addr::from(l - 1)),
                    Integer::Number(addresses),
                    Integer::Number(addresses - 2),
                    "the first address names the network and the last is its broadcast; the hosts lie between",
                ),
            }
        }
        IpNet::V6(_) => {
            let note = match prefix {
                128 => "a /128 is one address: a host route",
                127 => {
                    "RFC 6164: a /127 is a point-to-point link between routers; both addresses are usable"
                }
                _ => {
                    "IPv6 has no broadcast: every address of the prefix is usable; the first (network) address is also the Subnet-Router anycast address (RFC 4291)"
                }
            };
            common(
                None,
                network,
                last,
                ipv6_count(host_bits),
                ipv6_count(host_bits),
                note,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_POW_128: &str = "340282366920938463463374607431768211456";

    fn calc(cidr: &str) -> Subnet {
        subnet(cidr.parse().unwrap_or_else(|e| panic!("{cidr}: {e}")))
    }

    #[test]
    fn ipv4_prefixes() {
        // input, network, broadcast, first, last, addresses, usable
        let cases = [
            (
                "0.0.0.0/0",
                "0.0.0.0",
                Some("255.255.255.255"),
                "0.0.0.1",
                "255.255.255.254",
                1u64 << 32,
                (1u64 << 32) - 2,
            ),
            (
                "10.20.30.40/8",
                "10.0.0.0",
                Some("10.255.255.255"),
                "10.0.0.1",
                "10.255.255.254",
                1 << 24,
                (1 << 24) - 2,
            ),
            (
                "192.168.1.77/24",
                "192.168.1.0",
                Some("192.168.1.255"),
                "192.168.1.1",
                "192.168.1.254",
                256,
                254,
            ),
            (
                "192.168.1.77/26",
                "192.168.1.64",
                Some("192.168.1.127"),
                "192.168.1.65",
                "192.168.1.126",
                64,
                62,
            ),
            (
                "10.0.0.5/30",
                "10.0.0.4",
                Some("10.0.0.7"),
                "10.0.0.5",
                "10.0.0.6",
                4,
                2,
            ),
            (
                "10.0.0.5/31",
                "10.0.0.4",
                None,
                "10.0.0.4",
                "10.0.0.5",
                2,
                2,
            ),
            (
                "10.0.0.5/32",
                "10.0.0.5",
                None,
                "10.0.0.5",
                "10.0.0.5",
                1,
                1,
            ),
        ];
        for (cidr, network, broadcast, first, last, addresses, usable) in cases {
            let s = calc(cidr);
            assert_eq!(s.network.to_string(), network, "{cidr} network");
            assert_eq!(
                s.broadcast.map(|b| b.to_string()).as_deref(),
                broadcast,
                "{cidr} broadcast"
            );
            assert_eq!(s.first_host.to_string(), first, "{cidr} first host");
            assert_eq!(s.last_host.to_string(), last, "{cidr} last host");
            assert_eq!(s.addresses, Integer::Number(addresses), "{cidr} addresses");
            assert_eq!(
                s.usable_hosts,
                Integer::Number(usable),
                "{cidr} usable hosts"
            );
        }
    }

    #[test]
    fn ipv4_masks() {
        let s = calc("192.168.1.77/26");
        assert_eq!(s.netmask.to_string(), "255.255.255.192");
        assert_eq!(s.wildcard.to_string(), "0.0.0.63");
        assert_eq!(calc("1.2.3.4/0").netmask.to_string(), "0.0.0.0");
        assert_eq!(calc("1.2.3.4/32").wildcard.to_string(), "0.0.0.0");
    }

    #[test]
    fn ipv6_prefixes() {
        // input, network, first, last, count
        let cases = [
            (
                "2001:db8::1/64",
                "2001:db8::",
                "2001:db8::",
                "2001:db8::ffff:ffff:ffff:ffff",
                "18446744073709551616",
            ),
            (
                "2001:db8::1/127",
                "2001:db8::",
                "2001:db8::",
                "2001:db8::1",
                "2",
            ),
            (
                "2001:db8::1/128",
                "2001:db8::1",
                "2001:db8::1",
                "2001:db8::1",
                "1",
            ),
            (
                "::/0",
                "::",
                "::",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                TWO_POW_128,
            ),
            (
                "::/1",
                "::",
                "::",
                "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "170141183460469231731687303715884105728",
            ),
        ];
        for (cidr, network, first, last, count) in cases {
            let s = calc(cidr);
            assert_eq!(s.network.to_string(), network, "{cidr} network");
            assert_eq!(s.broadcast, None, "{cidr} has no broadcast");
            assert_eq!(s.first_host.to_string(), first, "{cidr} first host");
            assert_eq!(s.last_host.to_string(), last, "{cidr} last host");
            assert_eq!(s.addresses, Integer::Text(count.into()), "{cidr} addresses");
            assert_eq!(s.usable_hosts, Integer::Text(count.into()), "{cidr} usable");
        }
        assert_eq!(
            calc("2001:db8::/64").netmask.to_string(),
            "ffff:ffff:ffff:ffff::"
        );
    }

    #[test]
    fn counts_serialize_as_numbers_for_ipv4_and_strings_for_ipv6() {
        let v4 = serde_json::to_value(calc("10.0.0.0/24")).unwrap_or_default();
        assert_eq!(v4["usable_hosts"], serde_json::json!(254));
        let v6 = serde_json::to_value(calc("::/0")).unwrap_or_default();
        assert_eq!(v6["addresses"], serde_json::json!(TWO_POW_128));
    }
}
