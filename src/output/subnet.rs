//! How `subnet` looks: subnet rows in fixed columns (so a split of 65,536 rows streams without
//! being held), the VLSM plan with each request beside its block, block lists, the same-subnet
//! check as each address ANDed with the mask, and JSON.

use std::io::Write;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use super::{Output, Written};
use crate::addr::plan::Vlsm;
use crate::addr::subnet::{Subnet, subnet};
use crate::addr::{Binary, Count};

/// What a split is, before its rows.
#[derive(Debug, Serialize)]
pub struct SplitHead {
    pub block: IpNet,
    pub prefix: u8,
    /// How many subnets of `prefix` the block holds (JSON: a string past a u64).
    pub count: Count,
    /// `--split N` rounded up: (asked, made).
    pub rounded: Option<(u64, Count)>,
    #[serde(skip)]
    pub explain: bool,
    /// Most rows listed (IPv6), the rest counted.
    #[serde(skip)]
    pub limit: Option<u64>,
}

/// The same-subnet check.
#[derive(Debug, Serialize)]
pub struct SameSubnet {
    pub addresses: [IpAddr; 2],
    pub prefix: u8,
    pub netmask: IpAddr,
    pub networks: [IpNet; 2],
    pub same: bool,
}

/// One item of --contains.
#[derive(Debug, Serialize)]
pub struct Contained {
    pub item: String,
    pub inside: bool,
}

/// A subnet as a JSON row: its name, then its facts.
#[derive(Serialize)]
struct Row<'a> {
    subnet: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    needed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    point_to_point_would_do: Option<bool>,
    #[serde(flatten)]
    facts: &'a Subnet,
}

/// Column widths: IPv4 addresses take at most 15 characters, IPv6 ones 39.
fn widths(v6: bool) -> (usize, usize) {
    if v6 { (43, 39) } else { (18, 15) }
}

impl Output {
    /// The header of a subnet table; `needed` adds the VLSM column.
    fn subnet_header(&mut self, v6: bool, needed: bool) -> Written {
        let (name, addr) = widths(v6);
        let mut line = String::new();
        if needed {
            line.push_str(&format!("{:<8}", "NEEDED"));
        }
        line.push_str(&format!(
            "{:<name$}  {:<addr$}  {:<addr$}  {:<addr$}  ",
            "SUBNET", "NETMASK", "FIRST HOST", "LAST HOST"
        ));
        if !v6 {
            line.push_str(&format!("{:<addr$}  ", "BROADCAST"));
        }
        line.push_str("HOSTS");
        let header = self.paint(super::Paint::Bold, &line).into_owned();
        Ok(writeln!(self, "{header}")?)
    }

    /// One subnet row.
    fn subnet_row(&mut self, s: &Subnet, needed: Option<u64>) -> Written {
        let v6 = s.network.is_ipv6();
        let (name, addr) = widths(v6);
        let mut line = String::with_capacity(128);
        if let Some(n) = needed {
            line.push_str(&format!("{n:<8}"));
        }
        line.push_str(&format!(
            "{:<name$}  {:<addr$}  {:<addr$}  {:<addr$}  ",
            format!("{}/{}", s.network, s.prefix),
            s.netmask.to_string(),
            s.first_host.to_string(),
            s.last_host.to_string()
        ));
        if !v6 {
            let broadcast = s.broadcast.map_or("-".to_string(), |b| b.to_string());
            line.push_str(&format!("{broadcast:<addr$}  "));
        }
        line.push_str(&s.usable_hosts.to_string());
        Ok(writeln!(self, "{}", line.trim_end())?)
    }

    /// A split: what it is, the explanation if asked, then every row as it comes.
    pub fn split(&mut self, head: &SplitHead, rows: impl Iterator<Item = Subnet>) -> Written {
        let v6 = head.block.addr().is_ipv6();
        if self.json() {
            for s in rows.take(head.limit.map_or(usize::MAX, |l| l as usize)) {
                self.json_line(&Row {
                    subnet: format!("{}/{}", s.network, s.prefix),
                    needed: None,
                    point_to_point_would_do: None,
                    facts: &s,
                })?;
            }
            #[derive(Serialize)]
            struct Summary<'a> {
                summary: &'a SplitHead,
            }
            return self.json_line(&Summary { summary: head });
        }
        if let Some((asked, made)) = head.rounded {
            writeln!(
                self,
                "{asked} subnets asked for: {made} made, the next power of two (subnet numbers are bits)"
            )?;
        }
        if head.explain {
            self.borrowed_bits(head)?;
        }
        self.subnet_header(v6, false)?;
        for (shown, s) in (0u128..).zip(rows) {
            if head.limit.is_some_and(|l| shown >= u128::from(l)) {
                writeln!(
                    self,
                    "... and {} more subnets (--limit 0 lists them all)",
                    head.count.saturating_sub(shown)
                )?;
                break;
            }
            self.subnet_row(&s, None)?;
        }
        Ok(())
    }

    /// The binary view of a split: the block's bits, the borrowed ones, the host ones.
    fn borrowed_bits(&mut self, head: &SplitHead) -> Written {
        let (network_bits, prefix) = (u32::from(head.block.prefix_len()), u32::from(head.prefix));
        let binary = Binary(head.block.network()).to_string();
        let total = u32::from(head.block.max_prefix_len());
        let mut marks = String::with_capacity(binary.len());
        let mut bit = 0u32;
        for c in binary.chars() {
            if c == '0' || c == '1' {
                marks.push(if bit < network_bits {
                    'n'
                } else if bit < prefix {
                    's'
                } else {
                    'h'
                });
                bit += 1;
            } else {
                marks.push(c);
            }
        }
        let borrowed = prefix - network_bits;
        let host_bits = total - prefix;
        let hosts = if head.block.addr().is_ipv6() || host_bits < 2 {
            format!("2^{host_bits} addresses each")
        } else {
            format!("2^{host_bits} - 2 = {} hosts each", (1u64 << host_bits) - 2)
        };
        writeln!(self, "{binary}")?;
        writeln!(
            self,
            "{marks}  n = network bits of /{network_bits}, s = {borrowed} borrowed subnet bits, h = host bits"
        )?;
        writeln!(
            self,
            "borrowing {borrowed} bits gives 2^{borrowed} = {} subnets of {hosts}\n",
            head.count
        )?;
        Ok(())
    }

    /// A VLSM plan: each request beside its block in address order, then the free space.
    pub fn vlsm(&mut self, plan: &Vlsm) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Plan<'a> {
                block: IpNet,
                subnets: Vec<Row<'a>>,
                free: &'a [IpNet],
            }
            let facts: Vec<Subnet> = plan.allocations.iter().map(|a| subnet(a.block)).collect();
            let subnets = plan
                .allocations
                .iter()
                .zip(&facts)
                .map(|(a, s)| Row {
                    subnet: a.block.to_string(),
                    needed: Some(a.hosts),
                    point_to_point_would_do: Some(a.point_to_point),
                    facts: s,
                })
                .collect();
            return self.json_line(&Plan {
                block: plan.block,
                subnets,
                free: &plan.free,
            });
        }
        self.subnet_header(plan.block.addr().is_ipv6(), true)?;
        for a in &plan.allocations {
            self.subnet_row(&subnet(a.block), Some(a.hosts))?;
        }
        for a in plan.allocations.iter().filter(|a| a.point_to_point) {
            writeln!(
                self,
                "note: {} (for {} host(s)) could be a /31: a point-to-point link needs no network or broadcast address (RFC 3021)",
                a.block, a.hosts
            )?;
        }
        match plan.free.as_slice() {
            [] => writeln!(self, "free: nothing left of {}", plan.block)?,
            free => {
                let list: Vec<String> = free.iter().map(ToString::to_string).collect();
                writeln!(self, "free: {}", list.join(", "))?;
            }
        }
        Ok(())
    }

    /// A list of blocks (a range, an aggregate): text one a line; JSON one line per block,
    /// `{"subnet": "10.0.0.0/23"}` as a split's rows name theirs, then a summary (so a long
    /// aggregate of stdin streams as a split does). `read` is how many inputs an aggregate
    /// took; `from_stdin` says them on stderr.
    pub fn subnet_blocks(
        &mut self,
        kind: &str,
        blocks: &[IpNet],
        read: Option<usize>,
        from_stdin: bool,
    ) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Block {
                subnet: IpNet,
            }
            for b in blocks {
                self.json_line(&Block { subnet: *b })?;
            }
            #[derive(Serialize)]
            struct Counts<'a> {
                kind: &'a str,
                #[serde(skip_serializing_if = "Option::is_none")]
                read: Option<usize>,
                blocks: usize,
            }
            #[derive(Serialize)]
            struct Summary<'a> {
                summary: Counts<'a>,
            }
            return self.json_line(&Summary {
                summary: Counts {
                    kind,
                    read,
                    blocks: blocks.len(),
                },
            });
        }
        for b in blocks {
            writeln!(self, "{b}")?;
        }
        if let Some(n) = read.filter(|_| from_stdin) {
            self.status(&format!(
                "{n} prefixes read, {} after aggregating",
                blocks.len()
            ))?;
        }
        Ok(())
    }

    /// Same subnet? Each address ANDed with the mask, the networks, the answer.
    pub fn same_subnet(&mut self, s: &SameSubnet) -> Written {
        if self.json() {
            return self.json_line(s);
        }
        let binary = |ip: IpAddr| match ip {
            IpAddr::V4(v4) => format!("  {}", Binary(v4.into())),
            IpAddr::V6(_) => String::new(),
        };
        let width = s
            .addresses
            .iter()
            .map(|a| a.to_string().len())
            .max()
            .unwrap_or(0);
        for (addr, net) in s.addresses.iter().zip(&s.networks) {
            writeln!(
                self,
                "{:<width$} AND {} = {:<15}{}",
                addr.to_string(),
                s.netmask,
                net.network().to_string(),
                binary(*addr)
            )?;
        }
        let label = format!("mask /{}", s.prefix);
        let pad = width + 5 + s.netmask.to_string().len() + 3;
        writeln!(
            self,
            "{label:<pad$}{:<15}{}",
            s.netmask.to_string(),
            binary(s.netmask)
        )?;
        if s.same {
            writeln!(self, "same subnet: both are on {}", s.networks[0])?;
        } else {
            writeln!(
                self,
                "not the same subnet: {} is on {}, {} on {}",
                s.addresses[0], s.networks[0], s.addresses[1], s.networks[1]
            )?;
        }
        Ok(())
    }

    /// --contains: each item, inside the block or not.
    pub fn contained(&mut self, net: IpNet, items: &[Contained]) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Answer<'a> {
                block: IpNet,
                items: &'a [Contained],
            }
            return self.json_line(&Answer { block: net, items });
        }
        let width = items.iter().map(|i| i.item.len()).max().unwrap_or(0);
        for i in items {
            let verdict = if i.inside { "inside" } else { "outside" };
            writeln!(self, "{:<width$}  {verdict} {net}", i.item)?;
        }
        Ok(())
    }
}
