//! Black-box tests of `netkit ifaces`: inside a namespace the test builds, netkit must agree
//! with iproute2 on every link, address and counter. Skipped, with the reason, without root.

mod common;

use std::collections::BTreeSet;

use common::netns::Netns;
use serde_json::{Value, json};

/// lo; a veth with a fixed MAC, an IPv4 /24 plus a secondary and an IPv6 /64; a down veth;
/// a /31 and a /32 on a veth pair with IPv6 off (so no background traffic); MTU 9000; a bridge.
fn lab() -> Option<Netns> {
    let ns = Netns::create("ifaces")?;
    ns.ip("link set lo up");
    ns.ip("link add vA address 02:00:00:00:00:0a type veth peer name vB address 02:00:00:00:00:0b");
    ns.ip("addr add 10.200.1.1/24 brd + dev vA");
    ns.ip("addr add 10.200.1.2/24 dev vA");
    ns.ip("addr add fd00:200::1/64 dev vA nodad");
    ns.ip("link set vA up");
    ns.ip("link set vB up");
    ns.ip("link add vC type veth peer name vD");
    ns.ip("addr add 10.200.4.1/24 dev vC");
    ns.ip("link add vE address 02:00:00:00:00:0e type veth peer name vF address 02:00:00:00:00:0f");
    ns.bash("echo 1 > /proc/sys/net/ipv6/conf/vE/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/vF/disable_ipv6");
    ns.ip("addr add 10.200.2.0/31 dev vE");
    ns.ip("addr add 10.200.3.1/32 dev vF");
    ns.ip("link set vE up");
    ns.ip("link set vF up");
    // A permanent neighbour: the counted datagrams need no ARP, so counts are exact.
    ns.ip("neigh add 10.200.2.1 lladdr 02:00:00:00:00:0f dev vE nud permanent");
    ns.ip("link add vG mtu 9000 type veth peer name vH mtu 9000");
    ns.ip("link set vG up");
    ns.ip("link add br0 type bridge");
    ns.ip("link set br0 up");
    Some(ns)
}

fn ifaces_json(ns: &Netns, args: &[&str]) -> Value {
    let mut all = vec!["ifaces", "--json"];
    all.extend(args);
    let (code, stdout, stderr) = ns.netkit(&all);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn ip_json(ns: &Netns, args: &[&str]) -> Value {
    let out = ns.exec("ip", args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
}

fn by_name<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["interfaces"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == json!(name)))
        .unwrap_or_else(|| panic!("no {name} in {report}"))
}

fn strs(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_link_and_address_matches_iproute2() {
    let Some(ns) = lab() else { return };
    let ours = ifaces_json(&ns, &["-a"]);
    let links = ip_json(&ns, &["-j", "addr", "show"]);
    let links = links.as_array().unwrap_or_else(|| panic!("ip -j addr"));
    assert_eq!(
        ours["interfaces"].as_array().map(Vec::len),
        Some(links.len()),
        "same number of links"
    );
    for link in links {
        let name = link["ifname"].as_str().unwrap_or_default();
        let mine = by_name(&ours, name);
        assert_eq!(mine["index"], link["ifindex"], "{name} index");
        assert_eq!(mine["mtu"], link["mtu"], "{name} mtu");
        if link["address"] != json!("00:00:00:00:00:00") {
            assert_eq!(mine["mac"], link["address"], "{name} mac");
        }
        // ip leaves RUNNING out and says NO-CARRIER instead, and adds M-DOWN when a veth's
        // peer is down (not an IFF_* flag); otherwise the same IFF_* names.
        let mut theirs = strs(&link["flags"]);
        theirs.remove("NO-CARRIER");
        theirs.remove("M-DOWN");
        let mut flags = strs(&mine["flags"]);
        flags.remove("RUNNING");
        assert_eq!(flags, theirs, "{name} flags");

        let mut expected = Vec::new();
        let mut got = Vec::new();
        for a in link["addr_info"].as_array().into_iter().flatten() {
            let family = if a["family"] == json!("inet") {
                "ipv4"
            } else {
                "ipv6"
            };
            let broadcast = if family == "ipv4" {
                a.get("broadcast").cloned().unwrap_or(Value::Null)
            } else {
                Value::Null
            };
            expected.push((
                family,
                a["local"].clone(),
                a["prefixlen"].clone(),
                broadcast,
                a["scope"].clone(),
            ));
        }
        for family in ["ipv4", "ipv6"] {
            for a in mine[family].as_array().into_iter().flatten() {
                let scope = if family == "ipv6" {
                    a["scope"].clone()
                } else {
                    Value::Null
                };
                got.push((
                    family,
                    a["address"].clone(),
                    a["prefix"].clone(),
                    a["broadcast"].clone(),
                    scope,
                ));
            }
        }
        // IPv4 scope is ip's alone; compare it only for IPv6, where netkit reports it.
        for e in &mut expected {
            if e.0 == "ipv4" {
                e.4 = Value::Null;
            }
        }
        let ours_v6_scope_missing = got.iter().any(|g| g.0 == "ipv6" && g.4.is_null());
        assert!(
            !ours_v6_scope_missing,
            "{name}: an IPv6 address without scope"
        );
        expected.sort_by_key(|e| format!("{e:?}"));
        got.sort_by_key(|e| format!("{e:?}"));
        assert_eq!(got, expected, "{name} addresses");
    }
}

#[test]
fn addresses_are_classified_and_flagged() {
    let Some(ns) = lab() else { return };
    let ours = ifaces_json(&ns, &["-a"]);
    let va = by_name(&ours, "vA");
    assert_eq!(va["kind"], json!("veth"));
    assert_eq!(va["mac"], json!("02:00:00:00:00:0a"));
    assert_eq!(va["ipv4"][0]["address"], json!("10.200.1.1"));
    assert_eq!(va["ipv4"][0]["netmask"], json!("255.255.255.0"));
    assert_eq!(va["ipv4"][0]["broadcast"], json!("10.200.1.255"));
    assert_eq!(va["ipv4"][0]["class"], json!("A"));
    assert_eq!(va["ipv4"][0]["private"], json!(true));
    assert_eq!(va["ipv4"][0]["global"], json!(false));
    assert_eq!(va["ipv4"][1]["address"], json!("10.200.1.2"));
    assert_eq!(
        va["ipv4"][1]["broadcast"],
        Value::Null,
        "no broadcast was set on it"
    );
    assert!(strs(&va["ipv4"][1]["flags"]).contains("secondary"));
    let v6: Vec<&Value> = va["ipv6"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let ula = v6
        .iter()
        .find(|a| a["address"] == json!("fd00:200::1"))
        .unwrap_or_else(|| panic!("{va}"));
    assert_eq!(ula["prefix"], json!(64));
    assert_eq!(ula["private"], json!(true));
    assert!(strs(&ula["flags"]).contains("nodad"));
    let link_local = v6
        .iter()
        .find(|a| a["link_local"] == json!(true))
        .unwrap_or_else(|| panic!("{va}"));
    assert_eq!(link_local["scope"], json!("link"));
    assert_eq!(link_local["zone"], json!("vA"));

    assert_eq!(by_name(&ours, "lo")["kind"], json!("loopback"));
    assert_eq!(by_name(&ours, "lo")["mac"], Value::Null);
    assert_eq!(by_name(&ours, "br0")["kind"], json!("bridge"));
    assert_eq!(by_name(&ours, "vG")["mtu"], json!(9000));
    assert_eq!(by_name(&ours, "vE")["ipv4"][0]["prefix"], json!(31));
    assert_eq!(by_name(&ours, "vF")["ipv4"][0]["prefix"], json!(32));
    assert_eq!(by_name(&ours, "vC")["up"], json!(false));
}

#[test]
fn down_links_only_with_all_or_by_name() {
    let Some(ns) = lab() else { return };
    let names = |report: &Value| -> BTreeSet<String> {
        report["interfaces"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["name"].as_str().map(str::to_string))
            .collect()
    };
    let default = names(&ifaces_json(&ns, &[]));
    assert!(
        default.contains("vA") && !default.contains("vC") && !default.contains("vD"),
        "{default:?}"
    );
    let all = names(&ifaces_json(&ns, &["-a"]));
    assert!(all.contains("vC") && all.contains("vD"), "{all:?}");
    assert_eq!(
        names(&ifaces_json(&ns, &["vC"])),
        BTreeSet::from(["vC".to_string()])
    );
    let v6only = ifaces_json(&ns, &["-6"]);
    assert!(!names(&v6only).contains("vE"), "vE has no IPv6");
    assert!(
        by_name(&v6only, "vA")["ipv4"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
}

#[test]
fn counters_count_the_traffic_sent() {
    let Some(ns) = lab() else { return };
    let count = |report: &Value, name: &str, key: &str| {
        by_name(report, name)["stats"][key]
            .as_u64()
            .unwrap_or(u64::MAX)
    };
    let before = ifaces_json(&ns, &[]);
    // 25 one-byte UDP datagrams from vE to vF's neighbour entry: 43 bytes each on the wire
    // (14 Ethernet + 20 IP + 8 UDP + 1). vF drops them silently (not its address, no forwarding).
    ns.bash("for i in $(seq 25); do printf x > /dev/udp/10.200.2.1/9; done");
    let after = ifaces_json(&ns, &[]);
    let delta = |name: &str, key: &str| count(&after, name, key) - count(&before, name, key);
    assert_eq!(delta("vE", "tx_packets"), 25);
    assert_eq!(delta("vE", "tx_bytes"), 25 * 43);
    assert_eq!(delta("vF", "rx_packets"), 25);
    assert_eq!(delta("vF", "rx_bytes"), 25 * 43);
    assert_eq!(delta("vE", "rx_packets"), 0);

    // And the absolute numbers are iproute2's.
    let ip = ip_json(&ns, &["-j", "-s", "link", "show", "vE"]);
    assert_eq!(
        count(&after, "vE", "tx_packets"),
        ip[0]["stats64"]["tx"]["packets"].as_u64().unwrap_or(0)
    );
    assert_eq!(
        count(&after, "vE", "tx_bytes"),
        ip[0]["stats64"]["tx"]["bytes"].as_u64().unwrap_or(0)
    );
}

#[test]
fn routes_and_views() {
    let Some(ns) = lab() else { return };
    ns.ip("route add default via 10.200.1.254 dev vA");
    let report = ifaces_json(&ns, &[]);
    assert_eq!(
        report["default_routes"],
        json!([{"family": "ipv4", "gateway": "10.200.1.254", "interface": "vA"}])
    );
    let (code, table, _) = ns.netkit(&["ifaces"]);
    assert_eq!(code, 0);
    let row = table
        .lines()
        .find(|l| l.contains("10.200.1.1/24"))
        .unwrap_or_else(|| panic!("{table}"));
    let row: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(row[..3], ["vA", "up", "10.200.1.1/24"]);
    assert!(
        table.contains("private, class A") && table.contains("default via 10.200.1.254 dev vA"),
        "{table}"
    );

    let (code, long, _) = ns.netkit(&["ifaces", "-l", "vE"]);
    assert_eq!(code, 0);
    assert!(
        long.starts_with("vE: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500"),
        "{long}"
    );
    assert!(
        long.contains("        inet 10.200.2.0  netmask 255.255.255.254"),
        "{long}"
    );
    assert!(long.contains("        ether 02:00:00:00:00:0e"), "{long}");
    assert!(
        long.contains("        RX packets 0  bytes 0 (0.0 B)"),
        "{long}"
    );
}

#[test]
fn an_unknown_interface_is_named_with_the_ones_that_exist() {
    let Some(ns) = lab() else { return };
    let (code, stdout, stderr) = ns.netkit(&["ifaces", "eth9"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("netkit: no interface named eth9 (have: lo, "),
        "{stderr}"
    );
    assert!(stderr.contains("vA") && stderr.contains("br0"), "{stderr}");
}

#[test]
fn ifconfig_and_ipconfig_are_ifaces() {
    // The loopback of this machine: no counters in the table, so the three runs agree.
    let (code, ifaces, stderr) = common::run(&["ifaces", "-4", "lo"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(ifaces.contains("127.0.0.1/8"), "{ifaces}");
    for alias in ["ifconfig", "ipconfig"] {
        let (code, stdout, stderr) = common::run(&[alias, "-4", "lo"]);
        assert_eq!(code, 0, "{alias}: {stderr}");
        assert_eq!(stdout, ifaces, "{alias}");
    }
    let (_, help, _) = common::run(&["--help"]);
    assert!(
        help.contains("ifaces  ") && help.contains("[aliases: ifconfig, ipconfig]"),
        "{help}"
    );
}
