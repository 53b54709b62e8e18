//! classify's reference tables: the classful A-E table (`--classes`) and the special-purpose
//! registries (`--registry`).

use std::io::Write;

use serde::Serialize;

use crate::addr::class::{self, Class};
use crate::addr::special::{self, Block};
use crate::output::{Output, Written, group_digits, yes_no};

impl Output {
    /// Writes the classful table (`--classes`).
    pub fn classes(&mut self) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Classes {
                classes: Vec<ClassRow>,
            }
            let classes = Class::ALL.into_iter().map(ClassRow::of).collect();
            return self.json_line(&Classes { classes });
        }
        let mut table = self.table(&[
            "CLASS",
            "LEADING BITS",
            "FIRST OCTET",
            "ADDRESS RANGE",
            "DEFAULT MASK",
            "NETWORKS",
            "HOSTS EACH",
            "USE",
        ]);
        for class in Class::ALL {
            let (lo, hi) = class.first_octets();
            let (first, last) = class.range();
            let count =
                |n: Option<u64>| n.map_or("-".to_string(), |n| group_digits(&n.to_string()));
            let octets = match class {
                Class::A => format!("{lo}-{hi} (1-126 usable)"),
                _ => format!("{lo}-{hi}"),
            };
            let mask = class.default_prefix().map_or("-".to_string(), |p| {
                format!("{} (/{p})", std::net::Ipv4Addr::from(u32::MAX << (32 - p)))
            });
            table.add_row([
                class.letter().to_string(),
                class.leading_bits().to_string(),
                octets,
                format!("{first}-{last}"),
                mask,
                count(class.networks()),
                count(class.hosts_per_network()),
                class.purpose().to_string(),
            ]);
        }
        self.write_table(&mut table, 0)?;
        writeln!(
            self,
            "\nClassful addressing is historical: CIDR (RFC 4632) replaced it. 0.0.0.0/8 (\"this network\") and\n127.0.0.0/8 (loopback) are class A by their bits but no usable networks; hosts each excludes the\nall-zeros (network) and all-ones (broadcast) host parts."
        )?;
        Ok(writeln!(self, "\n{}", class::LESSONS_FIRST_HOSTS)?)
    }

    /// Writes the registries (`--registry`).
    pub fn registry(&mut self) -> Written {
        if self.json() {
            #[derive(Serialize)]
            struct Registry {
                snapshot: &'static str,
                blocks: Vec<&'static Block>,
            }
            return self.json_line(&Registry {
                snapshot: special::SNAPSHOT,
                blocks: special::all_blocks().collect(),
            });
        }
        writeln!(
            self,
            "IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890, RFC 8190) and multicast blocks,\nas of {}.\n",
            special::SNAPSHOT
        )?;
        let mut table = self.table(&[
            "BLOCK", "NAME", "RFC", "SRC", "DST", "FWD", "GLOBAL", "RESERVED",
        ]);
        for b in special::all_blocks() {
            table.add_row(block_row(b));
        }
        self.write_table(&mut table, 0)?;
        Ok(writeln!(
            self,
            "\nSRC/DST: valid as source/destination; FWD: routers may forward it; GLOBAL: globally reachable;\nRESERVED: reserved by protocol. n/a: the registry says N/A, the block is deprecated, or (multicast) the\ncolumns do not apply."
        )?)
    }
}

/// A registry block as a table row.
pub(super) fn block_row(b: &Block) -> [String; 8] {
    [
        b.block.to_string(),
        b.name.to_string(),
        b.rfc.to_string(),
        yes_no(b.source).to_string(),
        yes_no(b.destination).to_string(),
        yes_no(b.forwardable).to_string(),
        yes_no(b.globally_reachable).to_string(),
        yes_no(b.reserved_by_protocol).to_string(),
    ]
}

/// One row of the classful table, for JSON.
#[derive(Serialize)]
struct ClassRow {
    class: Class,
    leading_bits: &'static str,
    first_octet: [u8; 2],
    first: std::net::Ipv4Addr,
    last: std::net::Ipv4Addr,
    default_prefix: Option<u8>,
    networks: Option<u64>,
    hosts_per_network: Option<u64>,
    purpose: &'static str,
}

impl ClassRow {
    fn of(class: Class) -> ClassRow {
        let (lo, hi) = class.first_octets();
        let (first, last) = class.range();
        ClassRow {
            class,
            leading_bits: class.leading_bits(),
            first_octet: [lo, hi],
            first,
            last,
            default_prefix: class.default_prefix(),
            networks: class.networks(),
            hosts_per_network: class.hosts_per_network(),
            purpose: class.purpose(),
        }
    }
}
