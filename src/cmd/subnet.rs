//! `netkit subnet`: plan networks. Each form parses its words (strictly, as classify does),
//! asks addr::plan, and hands the result to the renderer; a split streams its rows, so 65,536
//! subnets are never held at once.

use std::io::{self, BufRead, BufReader};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::addr::parse::{self, ParseError};
use crate::addr::plan;
use crate::addr::subnet::subnet;
use crate::cli::SubnetArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::subnet::{Contained, SameSubnet, SplitHead};

/// Longest line of a --aggregate stream; longer ones are reported and skipped.
const MAX_LINE: usize = 4096;

pub fn run(args: &SubnetArgs, out: &mut Output) -> Result<Outcome, Error> {
    if args.aggregate {
        return aggregate(args, out);
    }
    if let Some(mask) = &args.mask {
        return same_subnet(args, mask, out);
    }
    if let Some(range) = range_words(&args.inputs) {
        let (start, end) = range?;
        let blocks = plan::range(start, end).map_err(Error::Plan)?;
        out.subnet_blocks("range", &blocks, None, false)?;
        return Ok(Outcome::Success);
    }
    let [input] = args.inputs.as_slice() else {
        return Err(Error::BadValue {
            option: "INPUT",
            value: args.inputs.join(" "),
            reason: "give one block (or a range, or two addresses with --mask, or prefixes with \
                     --aggregate)"
                .to_string(),
        });
    };
    let net = block(input, out)?;
    if !args.contains.is_empty() {
        return contains(net, &args.contains, out);
    }
    if !args.hosts.is_empty() {
        let plan = plan::vlsm(net, &args.hosts).map_err(Error::Plan)?;
        out.vlsm(&plan)?;
        return Ok(Outcome::Success);
    }
    let (prefix, rounded) = match (args.split, args.prefix) {
        (Some(count), _) => {
            let (prefix, made, rounded) = plan::split_prefix(net, count).map_err(Error::Plan)?;
            (prefix, rounded.then_some((count, made)))
        }
        (None, Some(prefix)) => (prefix, None),
        (None, None) => (net.prefix_len(), None),
    };
    let subnets = plan::subnets(net, prefix).map_err(Error::Plan)?;
    let head = SplitHead {
        block: net,
        prefix,
        count: plan::subnet_count(net, prefix),
        rounded,
        explain: args.explain,
        // IPv6 splits are cut at --limit rows; IPv4 ones stream whole.
        limit: (net.addr().is_ipv6() && args.limit > 0).then_some(args.limit),
    };
    out.split(&head, subnets.map(subnet))?;
    Ok(Outcome::Success)
}

/// The block to plan in: strict, as classify parses it; host bits set are said and dropped.
fn block(input: &str, out: &mut Output) -> Result<IpNet, Error> {
    let target = parse::parse(input).map_err(|e| Error::BadValue {
        option: "INPUT",
        value: input.to_string(),
        reason: e.to_string(),
    })?;
    let Some(net) = target.net else {
        return Err(Error::BadValue {
            option: "INPUT",
            value: input.to_string(),
            reason: "give a block with its prefix, as 192.168.1.0/24".to_string(),
        });
    };
    let trunc = net.trunc();
    if trunc != net {
        out.warn(&format!(
            "{input} has host bits set: planning in its network {trunc}"
        ))?;
    }
    Ok(trunc)
}

/// `A-B`, or the three words `A - B`: the range's two addresses.
fn range_words(inputs: &[String]) -> Option<Result<(IpAddr, IpAddr), Error>> {
    let (a, b) = match inputs {
        [one] => one.split_once('-')?,
        [a, dash, b] if dash == "-" => (a.as_str(), b.as_str()),
        _ => return None,
    };
    let address = |text: &str| {
        parse::parse_addr(text.trim()).map_err(|e| Error::BadValue {
            option: "range",
            value: text.to_string(),
            reason: e.to_string(),
        })
    };
    Some(address(a).and_then(|a| Ok((a, address(b)?))))
}

/// Two addresses under a mask: each ANDed with it, the networks, and the answer.
fn same_subnet(args: &SubnetArgs, mask: &str, out: &mut Output) -> Result<Outcome, Error> {
    let [a, b] = args.inputs.as_slice() else {
        return Err(Error::BadValue {
            option: "--mask",
            value: mask.to_string(),
            reason: "give the two addresses to compare".to_string(),
        });
    };
    let addr = |text: &str| {
        parse::parse_addr(text).map_err(|e| Error::BadValue {
            option: "INPUT",
            value: text.to_string(),
            reason: e.to_string(),
        })
    };
    let (a, b) = (addr(a)?, addr(b)?);
    // The mask by classify's rules (contiguity, wildcard masks, leading zeros).
    let text = mask.trim_start_matches('/');
    let prefix = parse::parse(&format!("{a}/{text}"))
        .map_err(|e| Error::BadValue {
            option: "--mask",
            value: mask.to_string(),
            reason: e.to_string(),
        })?
        .net
        .map_or(0, |n| n.prefix_len());
    let (net_a, net_b) = plan::same_subnet(a, b, prefix).map_err(Error::Plan)?;
    let answer = SameSubnet {
        addresses: [a, b],
        prefix,
        netmask: net_a.netmask(),
        networks: [net_a, net_b],
        same: net_a == net_b,
    };
    out.same_subnet(&answer)?;
    Ok(if answer.same {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// Which of the given addresses or blocks lie inside `net`.
fn contains(net: IpNet, items: &[String], out: &mut Output) -> Result<Outcome, Error> {
    let mut answers = Vec::with_capacity(items.len());
    for item in items {
        let target = parse::parse(item).map_err(|e| Error::BadValue {
            option: "--contains",
            value: item.clone(),
            reason: e.to_string(),
        })?;
        let inside = match target.net {
            Some(inner) => net.contains(&inner.trunc()),
            None => net.contains(&target.addr),
        };
        answers.push(Contained {
            item: item.clone(),
            inside,
        });
    }
    let all = answers.iter().all(|a| a.inside);
    out.contained(net, &answers)?;
    Ok(if all {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// --aggregate: the prefixes given, or every line of stdin; a bad line is reported in its
/// place and the rest aggregated (exit 2).
fn aggregate(args: &SubnetArgs, out: &mut Output) -> Result<Outcome, Error> {
    let mut nets = Vec::new();
    let mut bad = 0u64;
    // Whether `text` was a prefix or an address; a bad one is reported in its place.
    let mut take = |text: &str, out: &mut Output| -> Result<bool, Error> {
        match net_of(text) {
            Ok(net) => nets.push(net),
            Err(e) => {
                out.input_error(text, &e.to_string())?;
                return Ok(false);
            }
        }
        Ok(true)
    };
    let streamed = args.inputs == ["-"];
    if streamed {
        let mut lines = BufReader::with_capacity(1 << 16, io::stdin().lock());
        let mut line = Vec::with_capacity(64);
        loop {
            line.clear();
            let n = lines
                .read_until(b'\n', &mut line)
                .map_err(|source| Error::Read {
                    what: "stdin".to_string(),
                    source,
                })?;
            if n == 0 {
                break;
            }
            if line.len() > MAX_LINE {
                out.input_error("(a long line)", "line longer than 4096 bytes")?;
                bad += 1;
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            bad += u64::from(!take(text, out)?);
        }
    } else {
        for input in &args.inputs {
            bad += u64::from(!take(input, out)?);
        }
    }
    let merged = plan::aggregate(&nets);
    out.subnet_blocks("aggregate", &merged, Some(nets.len()), streamed)?;
    Ok(if bad == 0 {
        Outcome::Success
    } else {
        Outcome::BadInput
    })
}

/// A prefix (host bits dropped, as collapse_addresses does with strict=False) or an address
/// (a /32 or /128).
fn net_of(text: &str) -> Result<IpNet, ParseError> {
    let target = parse::parse(text)?;
    Ok(match target.net {
        Some(net) => net.trunc(),
        None => IpNet::from(target.addr),
    })
}
