//! Snapshots of what a person reads: the classify cards, the tables, ping's lines. A changed
//! line order, a lost or an extra line fails here, where the other tests check fragments.
//! Snapshots live in tests/snapshots/; after a deliberate change, review and accept them with
//! `INSTA_UPDATE=always cargo test --test human_output` (or `cargo insta review`).

mod common;

use common::netns::Netns;
use common::{run, run_with_stdin};
use insta::{assert_snapshot, with_settings};

/// stdout of a run that must succeed with `code`.
fn stdout_of(args: &[&str], code: i32) -> String {
    let (got, stdout, stderr) = run(args);
    assert_eq!(got, code, "{args:?}: {stderr}");
    stdout
}

#[test]
fn the_classify_card_of_a_private_ipv4_address() {
    assert_snapshot!(stdout_of(&["classify", "172.20.1.5"], 0));
}

#[test]
fn the_classify_card_of_a_block_adds_the_subnet_math() {
    assert_snapshot!(stdout_of(&["classify", "192.168.1.77/26"], 0));
}

#[test]
fn the_classify_card_of_a_teredo_address_shows_what_it_carries() {
    assert_snapshot!(stdout_of(
        &["classify", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
        0
    ));
}

#[test]
fn the_classify_card_of_a_zoned_link_local_address() {
    assert_snapshot!(stdout_of(&["classify", "fe80::1%eth0"], 0));
}

#[test]
fn the_explain_view_marks_class_network_and_host_bits() {
    assert_snapshot!(stdout_of(&["classify", "--explain", "10.1.2.3"], 0));
}

#[test]
fn the_classful_table() {
    assert_snapshot!(stdout_of(&["classify", "--classes"], 0));
}

#[test]
fn streamed_lines_keep_their_order_and_bad_lines_go_to_stderr() {
    let (code, stdout, stderr) = run_with_stdin(
        &["classify", "-"],
        "10.0.0.1\n8.8.8.8\n300.1.1.1\nfe80::1\n100.64.1.1\n",
    );
    assert_eq!(code, 2);
    assert_snapshot!(stdout);
    assert_snapshot!(stderr);
}

#[test]
fn the_port_table() {
    // In a namespace of its own, so that no socket of this machine holds the ports.
    let Some(ns) = Netns::create("snapport") else {
        return;
    };
    let (code, stdout, stderr) =
        ns.netkit(&["port", "--builtin", "80", "8080", "50000", "https", "20-22"]);
    assert_eq!(code, 0, "{stderr}");
    assert_snapshot!(stdout);
}

#[test]
fn ping_lines_and_statistics_as_iputils_prints_them() {
    let (code, stdout, stderr) = run(&["ping", "-c", "2", "-i", "0.2", "127.0.0.1"]);
    if code == 2 && stderr.contains("permission denied") {
        common::skip("no ICMP socket may be opened here");
        return;
    }
    assert_eq!(code, 0, "{stderr}");
    with_settings!({filters => vec![
        (r"time=\d+(\.\d+)? ms", "time=[RTT] ms"),
        (r"time \d+ms", "time [ELAPSED]ms"),
        (r"= [\d./]+ ms", "= [RTTS] ms"),
        (r"ttl=\d+", "ttl=[TTL]"),
    ]}, {
        assert_snapshot!(stdout);
    });
}

#[test]
fn the_scan_table_lists_what_is_open() {
    // In a namespace of its own, so nothing else listens on the ports scanned.
    let Some(ns) = Netns::create("snapscan") else {
        return;
    };
    ns.ip("link set lo up");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/scan_target.py");
    let _target = ns.python(&[script, "--tcp", "7788"]);
    let (code, stdout, stderr) = ns.netkit(&["scan", "127.0.0.1", "-p", "7788,7789"]);
    assert_eq!(code, 0, "{stderr}");
    with_settings!({filters => vec![
        (r"\d+\.\d+ ms", "[RTT]"),
        (r"in \d+\.\d+ s", "in [ELAPSED] s"),
    ]}, {
        assert_snapshot!(stdout);
    });
}

#[test]
fn the_interface_table_and_the_ifconfig_block() {
    let (Some(ns), Some(peer)) = (Netns::create("snap"), Netns::create("snap-p")) else {
        return;
    };
    ns.ip("link set lo up");
    ns.ip(&format!(
        "link add c0 address 02:00:00:00:09:01 type veth peer name p0 netns {} address 02:00:00:00:09:02",
        peer.name
    ));
    ns.ip("addr add 10.200.9.1/24 dev c0");
    ns.ip("link set c0 up");
    peer.ip("link set p0 up");
    ns.ip("route add default via 10.200.9.2");
    let (code, table, stderr) = ns.netkit(&["ifaces", "-4"]);
    assert_eq!(code, 0, "{stderr}");
    assert_snapshot!(table);
    let (code, block, stderr) = ns.netkit(&["ifaces", "-4", "-l", "c0"]);
    assert_eq!(code, 0, "{stderr}");
    with_settings!({filters => vec![
        (r"index \d+", "index [N]"),
        (r"packets \d+  bytes \d+ \([^)]*\)", "packets [N]  bytes [N]"),
        (r"errors \d+  dropped \d+", "errors [N]  dropped [N]"),
    ]}, {
        assert_snapshot!(block);
    });
}
