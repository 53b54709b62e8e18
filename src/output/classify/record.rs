//! classify's record as JSON, written field by field: the bytes `#[derive(Serialize)]` writes
//! for `Classified` (the tests hold the two equal), without serde's dispatch per field.

use std::sync::LazyLock;

use super::{Classified, SUBNET_FIELDS};
use crate::addr::special::{Block, Registry};
use crate::addr::subnet::Subnet;
use crate::addr::{Embedded, Facts, Integer, Kind};
use crate::output::json::Json;

/// The subnet's fields as nulls, in JSON: `,"prefix":null,...`.
static NO_SUBNET: LazyLock<String> = LazyLock::new(|| {
    SUBNET_FIELDS
        .iter()
        .map(|field| format!(",\"{field}\":null"))
        .collect()
});

/// A record as JSON, field by field: the bytes `#[derive(Serialize)]` writes for it (the
/// tests hold the two equal), without serde's dispatch per field, which was most of the time
/// of `classify --json`.
pub(super) fn classified_json(j: &mut Json, c: &Classified) {
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
    kind_and_class_json(j, f);
    j.raw(",\"binary\":");
    j.plain(f.binary.ascii().as_str());
    j.raw(",\"hex\":");
    j.plain(f.hex.ascii().as_str());
    j.raw(",\"decimal\":");
    integer_json(j, &f.decimal);
    flags_json(j, f);
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

/// `,"kind":...`, then the IPv4 class fields to `"class_note":...` (nulls for IPv6).
fn kind_and_class_json(j: &mut Json, f: &Facts) {
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
}

/// The flags, `,"private":...` to `"global":...`.
fn flags_json(j: &mut Json, f: &Facts) {
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

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;
    use crate::addr::special;

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
}
