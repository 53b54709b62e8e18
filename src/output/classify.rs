//! How `classify` reports look: a card per address, a compact line per streamed address, the
//! teaching view, JSON lines, and the classful and registry tables.

use std::io::Write;
use std::net::IpAddr;
use std::sync::LazyLock;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::Written;
use super::json::Json;
use super::{Output, Paint, group_digits, yes_no};
use crate::addr::class::Class;
use crate::addr::special::{self, Block, Registry};
use crate::addr::subnet::Subnet;
use crate::addr::{Embedded, Facts, Integer, Kind};

/// One classified input: what was typed, the facts of the address, and the subnet when the
/// input was CIDR. JSON: every field always present, null where it does not apply.
#[derive(Debug, Serialize)]
pub struct Classified {
    pub input: String,
    #[serde(flatten)]
    pub facts: Facts,
    /// The %zone of a link-local IPv6 input.
    pub zone: Option<String>,
    #[serde(flatten, serialize_with = "subnet_or_nulls")]
    pub subnet: Option<Subnet>,
}

/// The subnet's fields, or the same fields as nulls, so JSON records all have one shape.
const SUBNET_FIELDS: [&str; 10] = [
    "prefix",
    "netmask",
    "wildcard",
    "network",
    "broadcast",
    "first_host",
    "last_host",
    "addresses",
    "usable_hosts",
    "subnet_note",
];

/// The subnet's fields as nulls, in JSON: `,"prefix":null,...`.
static NO_SUBNET: LazyLock<String> = LazyLock::new(|| {
    SUBNET_FIELDS
        .iter()
        .map(|field| format!(",\"{field}\":null"))
        .collect()
});

fn subnet_or_nulls<S: Serializer>(subnet: &Option<Subnet>, s: S) -> Result<S::Ok, S::Error> {
    match subnet {
        Some(subnet) => subnet.serialize(s),
        None => {
            let mut st = s.serialize_struct("Subnet", SUBNET_FIELDS.len())?;
            for field in SUBNET_FIELDS {
                st.serialize_field(field, &None::<()>)?;
            }
            st.end()
        }
    }
}

/// A record as JSON, field by field: the bytes `#[derive(Serialize)]` writes for it (the
/// tests hold the two equal), without serde's dispatch per field, which was most of the time
/// of `classify --json`.
fn classified_json(j: &mut Json, c: &Classified) {
    j.raw("{\"input\":");
    j.str(&c.input);
    j.raw(",");
    facts_json(j, &c.facts);
    j.raw(",\"zone\":");
    j.opt_str(c.zone.as_deref());
    match &c.subnet {
        Some(s) => subnet_json(j, s),
        None => j.raw(&NO_SUBNET),
    }
    j.raw("}");
}

/// The fields of `Facts`, without the braces (it is flattened into its records).
fn facts_json(j: &mut Json, f: &Facts) {
    j.raw("\"address\":");
    j.ip(f.address);
    j.raw(",\"version\":");
    j.u64(f.version.into());
    j.raw(",\"kind\":\"");
    j.raw(kind_json(f.kind));
    j.raw("\",\"class\":");
    j.opt(f.class, |j, class| {
        j.raw("\"");
        j.raw(class.letter());
        j.raw("\"");
    });
    j.raw(",\"class_bits\":");
    j.opt_str(f.class_bits);
    j.raw(",\"class_range\":");
    j.opt(f.class_range, |j, range| {
        j.raw("{\"first\":");
        j.ipv4(range.first);
        j.raw(",\"last\":");
        j.ipv4(range.last);
        j.raw("}");
    });
    j.raw(",\"classful_mask\":");
    j.opt(f.classful_mask, Json::ipv4);
    j.raw(",\"classful_network\":");
    j.opt(f.classful_network, Json::ipv4);
    j.raw(",\"host_part\":");
    j.opt(f.host_part, Json::ipv4);
    j.raw(",\"class_note\":");
    j.opt_str(f.class_note);
    j.raw(",\"binary\":");
    j.plain(f.binary.ascii().as_str());
    j.raw(",\"hex\":");
    j.plain(f.hex.ascii().as_str());
    j.raw(",\"decimal\":");
    integer_json(j, &f.decimal);
    for (key, flag) in [
        (",\"private\":", f.private),
        (",\"loopback\":", f.loopback),
        (",\"link_local\":", f.link_local),
        (",\"multicast\":", f.multicast),
    ] {
        j.raw(key);
        j.bool(flag);
    }
    j.raw(",\"limited_broadcast\":");
    j.opt_bool(f.limited_broadcast);
    j.raw(",\"unspecified\":");
    j.bool(f.unspecified);
    j.raw(",\"shared\":");
    j.opt_bool(f.shared);
    j.raw(",\"documentation\":");
    j.bool(f.documentation);
    j.raw(",\"benchmarking\":");
    j.bool(f.benchmarking);
    j.raw(",\"reserved\":");
    j.opt_bool(f.reserved);
    j.raw(",\"global\":");
    j.opt_bool(f.global);
    j.raw(",\"ranges\":[");
    for (i, b) in f.ranges.iter().enumerate() {
        if i > 0 {
            j.raw(",");
        }
        block_json(j, b);
    }
    j.raw("],\"expanded\":");
    j.opt_str(f.expanded.as_deref());
    j.raw(",\"scope\":");
    j.opt_str(f.scope);
    j.raw(",\"embedded_ipv4\":");
    j.opt(f.embedded_ipv4.as_deref(), embedded_json);
}

fn embedded_json(j: &mut Json, e: &Embedded) {
    j.raw("{\"via\":");
    j.str(e.via);
    j.raw(",");
    facts_json(j, &e.facts);
    j.raw(",\"teredo_server\":");
    j.opt(e.teredo_server.as_deref(), |j, server| {
        j.raw("{");
        facts_json(j, server);
        j.raw("}");
    });
    j.raw(",\"teredo_port\":");
    j.opt(e.teredo_port, |j, port| j.u64(port.into()));
    j.raw("}");
}

fn block_json(j: &mut Json, b: &Block) {
    j.raw("{\"name\":");
    j.str(b.name);
    j.raw(",\"block\":");
    j.quoted(b.block);
    j.raw(",\"rfc\":");
    j.str(b.rfc);
    for (key, column) in [
        (",\"source\":", b.source),
        (",\"destination\":", b.destination),
        (",\"forwardable\":", b.forwardable),
        (",\"globally_reachable\":", b.globally_reachable),
        (",\"reserved_by_protocol\":", b.reserved_by_protocol),
    ] {
        j.raw(key);
        j.opt_bool(column);
    }
    j.raw(",\"registry\":\"");
    j.raw(registry_json(b.registry));
    j.raw("\",\"note\":");
    j.opt_str(b.note);
    j.raw("}");
}

fn subnet_json(j: &mut Json, s: &Subnet) {
    j.raw(",\"prefix\":");
    j.u64(s.prefix.into());
    for (key, addr) in [
        (",\"netmask\":", s.netmask),
        (",\"wildcard\":", s.wildcard),
        (",\"network\":", s.network),
    ] {
        j.raw(key);
        j.ip(addr);
    }
    j.raw(",\"broadcast\":");
    j.opt(s.broadcast, Json::ipv4);
    j.raw(",\"first_host\":");
    j.ip(s.first_host);
    j.raw(",\"last_host\":");
    j.ip(s.last_host);
    j.raw(",\"addresses\":");
    integer_json(j, &s.addresses);
    j.raw(",\"usable_hosts\":");
    integer_json(j, &s.usable_hosts);
    j.raw(",\"subnet_note\":");
    j.str(s.note);
}

fn integer_json(j: &mut Json, n: &Integer) {
    match n {
        Integer::Number(n) => j.u64(*n),
        Integer::Text(t) => j.str(t),
    }
}

/// A kind as serde names it (kebab-case).
fn kind_json(kind: Kind) -> &'static str {
    match kind {
        Kind::Unspecified => "unspecified",
        Kind::Loopback => "loopback",
        Kind::LimitedBroadcast => "limited-broadcast",
        Kind::Multicast => "multicast",
        Kind::Private => "private",
        Kind::LinkLocal => "link-local",
        Kind::Shared => "shared",
        Kind::Documentation => "documentation",
        Kind::Benchmarking => "benchmarking",
        Kind::Reserved => "reserved",
        Kind::Special => "special",
        Kind::Public => "public",
    }
}

/// A registry as serde names it (kebab-case).
fn registry_json(registry: Registry) -> &'static str {
    match registry {
        Registry::Ipv4Special => "ipv4-special",
        Registry::Ipv6Special => "ipv6-special",
        Registry::Ipv4Multicast => "ipv4-multicast",
        Registry::Ipv6Multicast => "ipv6-multicast",
        Registry::Ipv6AddressSpace => "ipv6-address-space",
    }
}

/// How much to say about each address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// A card of labelled lines.
    Card,
    /// The card plus the binary marked up and a sentence per range.
    Explain,
    /// One compact line (streams).
    Line,
}

const LABEL: usize = 11;

impl Output {
    /// Writes one classified address.
    pub fn classified(&mut self, c: &Classified, view: View) -> Written {
        if self.json() {
            return self.json_written(|line| {
                classified_json(&mut Json(line), c);
                Ok(())
            });
        }
        match view {
            View::Line => self.classified_line(c),
            View::Card | View::Explain => {
                self.card(c)?;
                if view == View::Explain {
                    self.explain(c)?;
                }
                Ok(writeln!(self)?)
            }
        }
    }

    /// One address a line: built with pushes and written at once (classify streams millions
    /// of these, and the formatting machinery was most of their cost).
    fn classified_line(&mut self, c: &Classified) -> Written {
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

    fn card(&mut self, c: &Classified) -> Written {
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

    fn field(&mut self, label: &str, value: &str) -> Written {
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

    /// The teaching view: the bits marked up, then one sentence per fact.
    fn explain(&mut self, c: &Classified) -> Written {
        let f = &c.facts;
        self.field("how to read it", "")?;
        match (f.address, f.class) {
            (IpAddr::V4(_), Some(class)) => {
                let bits = class.leading_bits();
                let binary = f.binary.to_string();
                let colored = format!(
                    "{}{}",
                    self.paint(Paint::Magenta, &binary[..bits.len()]),
                    &binary[bits.len()..]
                );
                writeln!(self, "    {colored}")?;
                writeln!(
                    self,
                    "    {:<35}  the leading bits {bits} make it class {}",
                    "^".repeat(bits.len()),
                    class.letter()
                )?;
                if let (Some(p), Some(net), Some(host)) =
                    (class.default_prefix(), f.classful_network, f.host_part)
                {
                    writeln!(
                        self,
                        "    {}  classful /{p}: n = network {net}, h = host {host}",
                        split_marks(p, 32, 8, '.')
                    )?;
                }
                if let Some(s) = &c.subnet {
                    writeln!(
                        self,
                        "    {}  CIDR /{}: n = network {}, h = host",
                        split_marks(s.prefix, 32, 8, '.'),
                        s.prefix,
                        s.network
                    )?;
                }
                writeln!(
                    self,
                    "    - Classes are history: since CIDR (RFC 4632, 1993) the prefix length, not the leading bits, decides where the network ends."
                )?;
                if let Some(note) = f.class_note {
                    writeln!(self, "    - {}", sentence(note))?;
                }
            }
            _ => {
                if let Some(expanded) = &f.expanded {
                    writeln!(self, "    {expanded}")?;
                    if let Some(s) = &c.subnet {
                        writeln!(
                            self,
                            "    {}  /{}: n = network (4 bits a digit), h = interface",
                            split_marks(s.prefix, 128, 16, ':'),
                            s.prefix
                        )?;
                    }
                }
                if f.multicast
                    && let Some(scope) = f.scope
                {
                    writeln!(
                        self,
                        "    - The fourth hex digit sets the multicast scope: {scope}; the group is not sent beyond it."
                    )?;
                }
                if let Some(e) = &f.embedded_ipv4 {
                    let how = match e.via {
                        "ipv4-mapped" => "in its last 32 bits, as an IPv4-mapped address",
                        "nat64" => "in its last 32 bits, for a NAT64 translator",
                        "6to4" => "in bits 16-47, as the site's 6to4 prefix",
                        _ => "as a Teredo client, stored inverted in the last 32 bits",
                    };
                    writeln!(
                        self,
                        "    - It carries the IPv4 address {} ({}) {how}.",
                        e.facts.address,
                        e.facts.kind.label(),
                    )?;
                }
            }
        }
        for b in &f.ranges {
            writeln!(self, "    - {}", b.explain)?;
        }
        if f.ranges.is_empty() && f.global == Some(true) {
            writeln!(
                self,
                "    - It is in no special-purpose block: an ordinary public address, routable on the internet."
            )?;
        }
        if let Some(s) = &c.subnet {
            writeln!(self, "    - /{}: {}.", s.prefix, s.note)?;
        }
        Ok(())
    }

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
        Ok(writeln!(
            self,
            "\nClassful addressing is historical: CIDR (RFC 4632) replaced it. 0.0.0.0/8 (\"this network\") and\n127.0.0.0/8 (loopback) are class A by their bits but no usable networks; hosts each excludes the\nall-zeros (network) and all-ones (broadcast) host parts."
        )?)
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

fn block_row(b: &Block) -> [String; 8] {
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

/// `n`/`h` under each bit (or hex digit, for IPv6) of an address written in groups.
fn split_marks(prefix: u8, bits: u32, group: u32, sep: char) -> String {
    let prefix = u32::from(prefix);
    let per_char = if bits == 128 { 4 } else { 1 };
    let chars_per_group = group / per_char;
    let mut out = String::new();
    for i in 0..bits / per_char {
        if i > 0 && i.is_multiple_of(chars_per_group) {
            out.push(sep);
        }
        let start = i * per_char;
        out.push(match (start + per_char <= prefix, start >= prefix) {
            (true, _) => 'n',
            (_, true) => 'h',
            _ => '~',
        });
    }
    out
}

/// A note as a sentence: capital first letter, closing full stop.
fn sentence(note: &str) -> String {
    let mut s = String::with_capacity(note.len() + 1);
    let mut chars = note.chars();
    if let Some(c) = chars.next() {
        s.extend(c.to_uppercase());
        s.push_str(chars.as_str());
    }
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// Spaces after a field of `width` characters, up to `to`.
fn pad(line: &mut String, width: usize, to: usize) {
    for _ in width..to {
        line.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_marks_follow_the_prefix() {
        assert_eq!(
            split_marks(16, 32, 8, '.'),
            "nnnnnnnn.nnnnnnnn.hhhhhhhh.hhhhhhhh"
        );
        assert_eq!(
            split_marks(26, 32, 8, '.'),
            "nnnnnnnn.nnnnnnnn.nnnnnnnn.nnhhhhhh"
        );
        assert_eq!(
            split_marks(0, 32, 8, '.'),
            "hhhhhhhh.hhhhhhhh.hhhhhhhh.hhhhhhhh"
        );
        assert_eq!(
            split_marks(66, 128, 16, ':'),
            "nnnn:nnnn:nnnn:nnnn:~hhh:hhhh:hhhh:hhhh"
        );
    }

    /// The hand-written JSON of an input, and serde's.
    fn both_json(input: &str) -> Option<(String, String)> {
        let target = crate::addr::parse::parse(input).ok()?;
        let c = Classified {
            input: input.to_string(),
            facts: Facts::of(target.addr),
            zone: target.zone,
            subnet: target.net.map(crate::addr::subnet::subnet),
        };
        let mut buf = Vec::new();
        classified_json(&mut Json(&mut buf), &c);
        let serde = sonic_rs::to_string(&c).unwrap_or_default();
        assert_eq!(serde, serde_json::to_string(&c).unwrap_or_default());
        Some((String::from_utf8(buf).unwrap_or_default(), serde))
    }

    #[test]
    fn hand_written_json_is_serdes_for_every_registry_block() {
        let mut inputs: Vec<String> = [
            "fe80::1%eth0",
            "ff02::1%2",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::ffff:192.0.2.128",
            "64:ff9b::198.51.100.7",
            "2002:c000:0204::1/48",
            "192.168.1.7/255.255.255.0",
            "0.0.0.0/0",
            "::/0",
            "1.1.1.1/31",
            "2001:db8::1/127",
        ]
        .map(String::from)
        .to_vec();
        for b in special::all_blocks() {
            let net = b.block;
            for addr in [net.network(), net.broadcast()] {
                inputs.push(addr.to_string());
                inputs.push(format!("{addr}/{}", net.prefix_len()));
            }
        }
        for input in &inputs {
            let (ours, serde) = both_json(input).unwrap_or_else(|| panic!("{input} parses"));
            assert_eq!(ours, serde, "{input}");
        }
    }

    proptest::proptest! {
        #[test]
        fn hand_written_json_is_serdes(
            addr in proptest::prelude::any::<IpAddr>(),
            prefix in 0u8..=129,
        ) {
            // Past the family's longest prefix, the input is refused and there is no record.
            for input in [addr.to_string(), format!("{addr}/{prefix}")] {
                if let Some((ours, serde)) = both_json(&input) {
                    proptest::prop_assert_eq!(ours, serde);
                }
            }
        }
    }

    #[test]
    fn records_have_one_shape_with_or_without_a_subnet() {
        let addr: IpAddr = "10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let net = "10.1.2.3/8".parse().unwrap_or_else(|e| panic!("{e}"));
        let keys = |subnet| {
            let c = Classified {
                input: "x".into(),
                facts: Facts::of(addr),
                zone: None,
                subnet,
            };
            let v = serde_json::to_value(&c).unwrap_or_default();
            let mut keys: Vec<String> = v
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            keys.sort();
            keys
        };
        let with = keys(Some(crate::addr::subnet::subnet(net)));
        let without = keys(None);
        assert_eq!(with, without);
        for field in SUBNET_FIELDS {
            assert!(with.iter().any(|k| k == field), "{field} missing");
        }
    }
}
