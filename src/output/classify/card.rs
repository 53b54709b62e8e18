//! classify's card of labelled lines per address, and the compact line per streamed address.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};

use super::Classified;
use super::tables::block_row;
use crate::addr::Facts;
use crate::addr::Integer;
use crate::addr::class::{self, Class, End};
use crate::addr::special::Block;
use crate::addr::subnet::Subnet;
use crate::output::{Output, Paint, Written, group_digits};

/// The width of a card's labels.
const LABEL: usize = 11;

impl Output {
    /// One address a line: built with pushes and written at once (classify streams millions
    /// of these, and the formatting machinery was most of their cost).
    pub(super) fn classified_line(&mut self, c: &Classified) -> Written {
        use std::fmt::Write as _;
        let f = &c.facts;
        let mut line = String::with_capacity(96);
        line.push_str(&c.input);
        pad(&mut line, c.input.chars().count(), 20);
        line.push(' ');
        let label = f.kind.label();
        line.push_str(&self.paint(kind_paint(f), label));
        // Padded by the visible width, not the escape codes'.
        pad(&mut line, label.len(), 18);
        line.push(' ');
        match f.class {
            Some(class) => {
                line.push_str("class ");
                line.push_str(class.letter());
                pad(&mut line, 6 + class.letter().len(), 8);
            }
            None => line.push_str("IPv6    "),
        }
        line.push(' ');
        match f.most_specific() {
            Some(b) => {
                let _ = write!(line, "{} ({})", b.name, b.block);
            }
            None => line.push('-'),
        }
        if let Some(s) = &c.subnet {
            let _ = write!(
                line,
                "  net {}/{} {} hosts",
                s.network,
                s.prefix,
                group_digits(&s.usable_hosts.to_string())
            );
        }
        line.push('\n');
        Ok(self.write_all(line.as_bytes())?)
    }

    pub(super) fn card(&mut self, c: &Classified) -> Written {
        let f = &c.facts;
        let address = self.paint(Paint::Bold, &c.input).into_owned();
        let kind = self.paint(kind_paint(f), f.kind.label()).into_owned();
        writeln!(self, "{address}  {kind}")?;
        if c.input != f.address.to_string() {
            self.field("address", &f.address.to_string())?;
        }
        match f.address {
            IpAddr::V4(_) => self.ipv4_lines(f)?,
            IpAddr::V6(_) => self.ipv6_lines(c)?,
        }
        self.field("flags", &flag_words(f))?;
        self.field("global", &global_words(f))?;
        if let Some(s) = &c.subnet {
            self.subnet_lines(f, s)?;
        }
        self.ranges(&f.ranges)
    }

    pub(super) fn field(&mut self, label: &str, value: &str) -> Written {
        if value.is_empty() {
            let label = self.paint(Paint::Dim, label).into_owned();
            return Ok(writeln!(self, "  {label}")?);
        }
        let label = self
            .paint(Paint::Dim, &format!("{label:<LABEL$}"))
            .into_owned();
        Ok(writeln!(self, "  {label} {value}")?)
    }

    fn ipv4_lines(&mut self, f: &Facts) -> Written {
        if let (Some(class), Some(range)) = (f.class, f.class_range) {
            let bits = class.leading_bits();
            self.field(
                "class",
                &format!(
                    "{}  (leading bits {bits}: {}-{})",
                    class.letter(),
                    range.first,
                    range.last
                ),
            )?;
        }
        if let (Some(mask), Some(net), Some(host)) =
            (f.classful_mask, f.classful_network, f.host_part)
        {
            let prefix = u32::from(mask).leading_ones();
            self.field(
                "classful",
                &format!("mask {mask} (/{prefix})  network {net}  host {host}  (historical: CIDR replaced classes, RFC 4632)"),
            )?;
        }
        if let Some(note) = f.class_note {
            self.field("", note)?;
        }
        if let IpAddr::V4(v4) = f.address {
            for line in classful_end_words(v4) {
                self.field("", &line)?;
            }
        }
        self.field("binary", &f.binary.to_string())?;
        self.field("hex", &format!("{}  decimal {}", f.hex, f.decimal))
    }

    fn ipv6_lines(&mut self, c: &Classified) -> Written {
        let f = &c.facts;
        if let Some(expanded) = &f.expanded {
            self.field("expanded", expanded)?;
        }
        if let Some(zone) = &c.zone {
            self.field(
                "zone",
                &format!("{zone} (the link this address belongs to)"),
            )?;
        }
        if let Some(scope) = f.scope {
            self.field("scope", scope)?;
        }
        if let Some(e) = &f.embedded_ipv4 {
            let inner = &e.facts;
            let class = inner.class.map_or("", Class::letter);
            self.field(
                "embedded",
                &format!(
                    "IPv4 {} via {}: {}, class {class}",
                    inner.address,
                    e.via,
                    inner.kind.label()
                ),
            )?;
            if let (Some(server), Some(port)) = (&e.teredo_server, e.teredo_port) {
                self.field(
                    "",
                    &format!(
                        "Teredo server {} ({}), client port {port}",
                        server.address,
                        server.kind.label()
                    ),
                )?;
            }
        }
        Ok(())
    }

    fn subnet_lines(&mut self, f: &Facts, s: &Subnet) -> Written {
        let mut header = format!("{}/{}", s.network, s.prefix);
        if f.address != s.network {
            header.push_str(&format!("  (host bits set: {} is inside it)", f.address));
        }
        self.field("subnet", &header)?;
        self.field(
            "netmask",
            &format!("{}  wildcard {}", s.netmask, s.wildcard),
        )?;
        match s.broadcast {
            Some(b) => self.field("broadcast", &b.to_string())?,
            None => self.field("broadcast", "none")?,
        }
        self.field("hosts", &format!("{} - {}", s.first_host, s.last_host))?;
        let counts = match (&s.addresses, &s.usable_hosts) {
            (Integer::Number(a), Integer::Number(u)) => format!(
                "{} addresses, {} usable hosts",
                group_digits(&a.to_string()),
                group_digits(&u.to_string())
            ),
            (a, _) => {
                let bits = 128 - u32::from(s.prefix);
                format!(
                    "{} addresses (2^{bits}), all usable",
                    group_digits(&a.to_string())
                )
            }
        };
        self.field("count", &counts)
    }

    fn ranges(&mut self, ranges: &[&'static Block]) -> Written {
        if ranges.is_empty() {
            return self.field("ranges", "none: an ordinary unicast address");
        }
        self.field("ranges", "")?;
        let mut table = self.table(&[
            "BLOCK", "NAME", "RFC", "SRC", "DST", "FWD", "GLOBAL", "RESERVED",
        ]);
        for b in ranges {
            table.add_row(block_row(b));
        }
        self.write_table(&mut table, 4)?;
        for b in ranges.iter().filter(|b| b.note.is_some()) {
            writeln!(self, "    * {}: {}", b.block, b.note.unwrap_or_default())?;
        }
        Ok(())
    }
}

/// For the network or broadcast address of a classful network (10.0.0.0, 126.255.255.255):
/// that it is no host there, and what the prefix makes of it under CIDR. Empty for a host.
pub(super) fn classful_end_words(addr: Ipv4Addr) -> Vec<String> {
    let Some(e) = class::classful_end(addr) else {
        return Vec::new();
    };
    let (what, names) = match e.end {
        End::Network => (
            format!(
                "host part all zeros: {addr} names the classful network {}/{}, no host address there",
                e.network, e.prefix
            ),
            "names its network",
        ),
        End::Broadcast => (
            format!(
                "host part all ones: {addr} is the broadcast address of the classful network {}/{}, no host address there",
                e.network, e.prefix
            ),
            "is its network's broadcast",
        ),
    };
    let shorter = match e.from_prefix {
        1 => "/0".to_string(),
        p => format!("/{} or shorter", p - 1),
    };
    vec![
        what,
        format!(
            "under CIDR the prefix decides: it {names} under /{} to /30, is a host under {shorter}, and usable under /31 (RFC 3021) or /32",
            e.from_prefix
        ),
    ]
}

fn kind_paint(f: &Facts) -> Paint {
    use crate::addr::Kind;
    match f.kind {
        Kind::Public => Paint::Green,
        Kind::Private | Kind::Shared | Kind::LinkLocal => Paint::Cyan,
        Kind::Loopback => Paint::Magenta,
        _ => Paint::Yellow,
    }
}

/// The flags that are set, as words.
fn flag_words(f: &Facts) -> String {
    let flags = [
        (f.private, "private"),
        (f.loopback, "loopback"),
        (f.link_local, "link-local"),
        (f.multicast, "multicast"),
        (f.limited_broadcast == Some(true), "limited-broadcast"),
        (f.unspecified, "unspecified"),
        (f.shared == Some(true), "shared"),
        (f.documentation, "documentation"),
        (f.benchmarking, "benchmarking"),
        (f.reserved == Some(true), "reserved"),
    ];
    let set: Vec<&str> = flags
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, w)| *w)
        .collect();
    if set.is_empty() {
        "none".to_string()
    } else {
        set.join(", ")
    }
}

fn global_words(f: &Facts) -> String {
    let source = f
        .ranges
        .iter()
        .find(|b| b.is_special_purpose())
        .map(|b| format!(" (per {})", b.block))
        .unwrap_or_default();
    match f.global {
        Some(true) if f.ranges.is_empty() => "yes: routable on the internet".to_string(),
        Some(true) => format!("yes: globally reachable{source}"),
        Some(false) => format!("no: not globally reachable{source}"),
        None if f.multicast => "n/a: a multicast group's reach is its scope".to_string(),
        None => format!("n/a: the registry gives no answer{source}"),
    }
}

/// Spaces after a field of `width` characters, up to `to`.
fn pad(line: &mut String, width: usize, to: usize) {
    for _ in width..to {
        line.push(' ');
    }
}
