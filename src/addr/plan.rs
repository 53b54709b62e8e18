//! Planning networks: a block split into equal subnets, VLSM by host counts, a range as the
//! fewest CIDR blocks, lists aggregated, and whether addresses share a subnet. On ipnet's
//! prefix math (its subnets, Ipv4Subnets/Ipv6Subnets and aggregate); nothing here counts
//! prefix bits by hand that ipnet counts. Pure: no I/O.

use std::net::IpAddr;

use ipnet::{IpNet, IpSubnets, Ipv4Net, Ipv4Subnets, Ipv6Net, Ipv6Subnets};

use super::Count;

/// Why a plan cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{0} subnets asked for; give at least 1")]
    NoSubnets(u64),
    #[error(
        "a /{net} block has no room for {wanted} subnets: it splits into at most {most} (/{longest})"
    )]
    TooManySubnets {
        net: u8,
        wanted: u64,
        most: Count,
        longest: u8,
    },
    #[error("/{prefix} is not inside /{net}: give a prefix from /{net} to /{longest}")]
    PrefixOutside { prefix: u8, net: u8, longest: u8 },
    #[error("a request of 0 hosts (request {0}) needs no subnet")]
    NoHosts(usize),
    #[error(
        "they do not fit: the subnets take {needed} addresses, {block} has {capacity}, {missing} too few; a /{fits} would hold them all"
    )]
    DoesNotFit {
        block: IpNet,
        needed: u128,
        capacity: Count,
        missing: u128,
        fits: u8,
    },
    #[error("no block of this family holds {0} addresses")]
    TooLarge(u128),
    #[error("the range is reversed: {start} comes after {end}")]
    Reversed { start: IpAddr, end: IpAddr },
    #[error("{0} and {1} are not of the same family")]
    Families(IpAddr, IpAddr),
}

/// How many address bits a family has.
fn bits(net: IpNet) -> u8 {
    match net {
        IpNet::V4(_) => 32,
        IpNet::V6(_) => 128,
    }
}

/// The prefix that splits `net` into at least `count` equal subnets: (prefix, how many that
/// gives, whether `count` was rounded up to a power of two).
pub fn split_prefix(net: IpNet, count: u64) -> Result<(u8, Count, bool), PlanError> {
    if count == 0 {
        return Err(PlanError::NoSubnets(count));
    }
    let borrowed = 64 - (count - 1).leading_zeros();
    let longest = bits(net);
    let prefix = u32::from(net.prefix_len()) + borrowed;
    if prefix > u32::from(longest) {
        let free = u32::from(longest - net.prefix_len());
        return Err(PlanError::TooManySubnets {
            net: net.prefix_len(),
            wanted: count,
            most: Count::power_of_two(free),
            longest,
        });
    }
    let subnets = Count::power_of_two(borrowed);
    Ok((prefix as u8, subnets, subnets != Count::from(count)))
}

/// Every subnet of `net` of length `prefix`, lazily, in address order.
pub fn subnets(net: IpNet, prefix: u8) -> Result<IpSubnets, PlanError> {
    let longest = bits(net);
    net.subnets(prefix).map_err(|_| PlanError::PrefixOutside {
        prefix,
        net: net.prefix_len(),
        longest,
    })
}

/// How many subnets of `prefix` a `net` holds: 2^(prefix - net's), up to 2^128 (::/0 into
/// /128s).
pub fn subnet_count(net: IpNet, prefix: u8) -> Count {
    Count::power_of_two(u32::from(prefix.saturating_sub(net.prefix_len())))
}

/// One VLSM request and the block it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// The hosts asked for, and which request (1-based) it was.
    pub hosts: u64,
    pub request: usize,
    pub block: IpNet,
    /// A point-to-point /31 (RFC 3021) would do for it, though the plan gives a /30.
    pub point_to_point: bool,
}

/// A VLSM plan: the blocks in address order, and the free space left, as the fewest blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vlsm {
    pub block: IpNet,
    pub allocations: Vec<Allocation>,
    pub free: Vec<IpNet>,
}

/// The host bits a request of `hosts` usable addresses needs: IPv4 loses the network and
/// broadcast addresses (2^h - 2), IPv6 has no broadcast (2^h).
fn host_bits(hosts: u64, v6: bool) -> u32 {
    let need = if v6 {
        u128::from(hosts)
    } else {
        u128::from(hosts) + 2
    };
    128 - (need - 1).leading_zeros()
}

/// Variable-length subnets for `hosts`: each the smallest block with at least that many
/// usable hosts, the largest first, each aligned, one after another from the start of `net`.
pub fn vlsm(net: IpNet, hosts: &[u64]) -> Result<Vlsm, PlanError> {
    let net = net.trunc();
    let v6 = matches!(net, IpNet::V6(_));
    let longest = u32::from(bits(net));
    let mut requests: Vec<(usize, u64, u32)> = Vec::with_capacity(hosts.len());
    for (i, &h) in hosts.iter().enumerate() {
        if h == 0 {
            return Err(PlanError::NoHosts(i + 1));
        }
        let hb = host_bits(h, v6);
        if hb > longest {
            return Err(PlanError::TooLarge(u128::from(h)));
        }
        requests.push((i + 1, h, hb));
    }
    // Largest first: then each block starts where the last ended, already aligned.
    requests.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let size = |hb: u32| 1u128.checked_shl(hb).unwrap_or(u128::MAX);
    let needed: u128 = requests
        .iter()
        .map(|r| size(r.2))
        .fold(0u128, u128::saturating_add);
    // ::/0 holds 2^128, past u128: no sum of requests (each at most 2^64) outgrows it.
    let capacity = Count::power_of_two(longest - u32::from(net.prefix_len()));
    if let Some(room) = capacity.to_u128().filter(|&room| needed > room) {
        let fits = longest - (128 - (needed - 1).leading_zeros()).min(longest);
        return Err(PlanError::DoesNotFit {
            block: net,
            needed,
            capacity,
            missing: needed - room,
            fits: fits as u8,
        });
    }
    // Where the next block starts; None once the whole address space is taken (::/0 full).
    let mut cursor = Some(to_u128(net.network()));
    let mut allocations = Vec::with_capacity(requests.len());
    for (request, h, hb) in requests {
        let Some(at) = cursor else { break };
        allocations.push(Allocation {
            hosts: h,
            request,
            block: make_net(v6, at, (longest - hb) as u8),
            point_to_point: !v6 && h <= 2,
        });
        cursor = at.checked_add(size(hb));
    }
    let end = to_u128(net.broadcast());
    let free = match cursor {
        Some(at) if at <= end => range(from_u128(v6, at), from_u128(v6, end)).unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(Vlsm {
        block: net,
        allocations,
        free,
    })
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn from_u128(v6: bool, n: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(n.into())
    } else {
        IpAddr::V4((n as u32).into())
    }
}

fn make_net(v6: bool, start: u128, prefix: u8) -> IpNet {
    match from_u128(v6, start) {
        IpAddr::V4(a) => IpNet::V4(Ipv4Net::new_assert(a, prefix)),
        IpAddr::V6(a) => IpNet::V6(Ipv6Net::new_assert(a, prefix)),
    }
}

/// The fewest CIDR blocks that cover exactly `start` to `end`.
pub fn range(start: IpAddr, end: IpAddr) -> Result<Vec<IpNet>, PlanError> {
    match (start, end) {
        (IpAddr::V4(s), IpAddr::V4(e)) if s <= e => {
            Ok(Ipv4Subnets::new(s, e, 0).map(IpNet::V4).collect())
        }
        (IpAddr::V6(s), IpAddr::V6(e)) if s <= e => {
            Ok(Ipv6Subnets::new(s, e, 0).map(IpNet::V6).collect())
        }
        (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
            Err(PlanError::Reversed { start, end })
        }
        _ => Err(PlanError::Families(start, end)),
    }
}

/// The shortest list covering exactly the same addresses: contained blocks dropped, adjacent
/// ones merged; IPv4 first, then IPv6, each in address order (Python's collapse_addresses).
pub fn aggregate(nets: &[IpNet]) -> Vec<IpNet> {
    IpNet::aggregate(&nets.to_vec())
}

/// Whether two addresses are on the same subnet under a prefix: their two networks.
pub fn same_subnet(a: IpAddr, b: IpAddr, prefix: u8) -> Result<(IpNet, IpNet), PlanError> {
    if a.is_ipv4() != b.is_ipv4() {
        return Err(PlanError::Families(a, b));
    }
    let net = |ip: IpAddr| {
        IpNet::new(ip, prefix)
            .map(|n| n.trunc())
            .map_err(|_| PlanError::PrefixOutside {
                prefix,
                net: 0,
                longest: if ip.is_ipv4() { 32 } else { 128 },
            })
    };
    Ok((net(a)?, net(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn names(nets: &[IpNet]) -> Vec<String> {
        nets.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn splitting_rounds_up_to_a_power_of_two() {
        let cases = [
            ("192.168.1.0/24", 4, (26, 4, false)),
            ("192.168.1.0/24", 3, (26, 4, true)),
            ("192.168.1.0/24", 1, (24, 1, false)),
            ("10.0.0.0/8", 65_536, (24, 65_536, false)),
            ("2001:db8::/32", 5, (35, 8, true)),
            ("0.0.0.0/0", 2, (1, 2, false)),
        ];
        for (block, count, (prefix, made, rounded)) in cases {
            assert_eq!(
                split_prefix(net(block), count),
                Ok((prefix, Count::from(made as u64), rounded)),
                "{block} into {count}"
            );
        }
        // 2^64 - 1 asked for: 2^64 made, one more than a u64 holds.
        assert_eq!(
            split_prefix(net("::/0"), u64::MAX).map(|(p, made, _)| (p, made.to_string())),
            Ok((64, "18446744073709551616".to_string()))
        );
        assert!(
            split_prefix(net("10.0.0.0/31"), 4)
                .is_err_and(|e| e.to_string().contains("at most 2 (/32)"))
        );
        assert!(split_prefix(net("10.0.0.0/24"), 0).is_err());
        let subs: Vec<IpNet> = subnets(net("192.168.1.0/24"), 26)
            .map(Iterator::collect)
            .unwrap_or_default();
        assert_eq!(
            names(&subs),
            [
                "192.168.1.0/26",
                "192.168.1.64/26",
                "192.168.1.128/26",
                "192.168.1.192/26"
            ]
        );
        assert!(
            subnets(net("10.0.0.0/24"), 20)
                .is_err_and(|e| e.to_string().contains("/20 is not inside /24"))
        );
        // input, prefix, count
        let counts = [
            ("10.0.0.0/8", 24, "65536"),
            ("0.0.0.0/0", 32, "4294967296"),
            ("::/0", 64, "18446744073709551616"),
            ("::/0", 127, "170141183460469231731687303715884105728"),
            ("::/0", 128, "340282366920938463463374607431768211456"),
        ];
        for (block, prefix, want) in counts {
            assert_eq!(
                subnet_count(net(block), prefix).to_string(),
                want,
                "{block} into /{prefix}"
            );
        }
    }

    #[test]
    fn vlsm_gives_each_request_the_smallest_aligned_block() {
        let plan = vlsm(net("192.168.1.0/24"), &[50, 20, 10, 2]).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(u64, String, bool)> = plan
            .allocations
            .iter()
            .map(|a| (a.hosts, a.block.to_string(), a.point_to_point))
            .collect();
        assert_eq!(
            got,
            [
                (50, "192.168.1.0/26".to_string(), false),
                (20, "192.168.1.64/27".to_string(), false),
                (10, "192.168.1.96/28".to_string(), false),
                (2, "192.168.1.112/30".to_string(), true),
            ]
        );
        assert_eq!(
            names(&plan.free),
            ["192.168.1.116/30", "192.168.1.120/29", "192.168.1.128/25"]
        );
    }

    #[test]
    fn vlsm_that_fills_the_block_exactly_and_one_that_does_not_fit() {
        let full =
            vlsm(net("10.0.0.0/24"), &[126, 62, 30, 14, 6, 2, 2]).unwrap_or_else(|e| panic!("{e}"));
        assert!(full.free.is_empty(), "{:?}", full.free);
        assert_eq!(
            full.allocations
                .last()
                .map(|a| a.block.to_string())
                .as_deref(),
            Some("10.0.0.252/30")
        );
        let err = vlsm(net("10.0.0.0/24"), &[200, 100]).map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("they do not fit: the subnets take 384 addresses, 10.0.0.0/24 has 256, 128 too few; a /23 would hold them all".to_string())
        );
        assert!(vlsm(net("10.0.0.0/24"), &[0]).is_err());
        let v6 = vlsm(net("2001:db8::/64"), &[1000, 1]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v6.allocations[0].block.to_string(), "2001:db8::/118");
        assert_eq!(v6.allocations[1].block.to_string(), "2001:db8::400/128");
    }

    #[test]
    fn a_range_is_the_fewest_blocks() {
        let blocks = range(ip("10.0.0.5"), ip("10.0.0.77")).unwrap_or_default();
        assert_eq!(
            names(&blocks),
            [
                "10.0.0.5/32",
                "10.0.0.6/31",
                "10.0.0.8/29",
                "10.0.0.16/28",
                "10.0.0.32/27",
                "10.0.0.64/29",
                "10.0.0.72/30",
                "10.0.0.76/31"
            ]
        );
        assert_eq!(
            names(&range(ip("0.0.0.0"), ip("255.255.255.255")).unwrap_or_default()),
            ["0.0.0.0/0"]
        );
        assert_eq!(
            names(&range(ip("::"), ip("::1")).unwrap_or_default()),
            ["::/127"]
        );
        assert!(
            range(ip("10.0.0.9"), ip("10.0.0.1"))
                .is_err_and(|e| e.to_string().contains("reversed"))
        );
        assert!(range(ip("10.0.0.1"), ip("::1")).is_err());
    }

    #[test]
    fn aggregation_merges_adjacent_and_contained_blocks_per_family() {
        let nets = [
            net("10.0.1.0/24"),
            net("10.0.0.0/24"),
            net("10.0.3.0/24"),
            net("10.0.3.128/25"),
            net("fd00::/17"),
            net("fd00:8000::/17"),
        ];
        assert_eq!(
            names(&aggregate(&nets)),
            ["10.0.0.0/23", "10.0.3.0/24", "fd00::/16"]
        );
        assert!(aggregate(&[]).is_empty());
    }

    #[test]
    fn same_subnet_under_a_mask() {
        let (a, b) = same_subnet(ip("192.168.1.10"), ip("192.168.1.200"), 25)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("192.168.1.0/25".into(), "192.168.1.128/25".into())
        );
        let (a, b) = same_subnet(ip("192.168.1.10"), ip("192.168.1.100"), 25)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a, b);
        assert!(same_subnet(ip("10.0.0.1"), ip("::1"), 8).is_err());
    }
}
