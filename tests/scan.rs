//! Black-box tests of `netkit scan`: exact states, never "something was found". Traffic goes
//! to 127.0.0.1 or into namespaces the tests create.

mod common;

use std::collections::BTreeSet;
use std::net::TcpListener;

use common::netns::{Background, Netns};
use common::run;
use serde_json::{Value, json};

fn report(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn open_ports(scan: &Value) -> BTreeSet<u64> {
    scan["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["state"] == json!("open"))
        .filter_map(|p| p["port"].as_u64())
        .collect()
}

#[test]
fn loopback_listeners_are_found_and_nothing_else() {
    let listeners: Vec<TcpListener> = (0..3)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let open: BTreeSet<u64> = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .map(|a| u64::from(a.port()))
        .collect();
    // Ports that were just free: bound, then closed.
    let closed: Vec<u64> = (0..20)
        .filter_map(|_| TcpListener::bind("127.0.0.1:0").ok())
        .filter_map(|l| l.local_addr().ok())
        .map(|a| u64::from(a.port()))
        .collect();
    // The OS may hand out the same free port twice; the scan counts each port once.
    let unique: BTreeSet<u64> = open.iter().chain(&closed).copied().collect();
    let spec: Vec<String> = unique.iter().map(u64::to_string).collect();
    let (code, stdout, stderr) = run(&["scan", "127.0.0.1", "-p", &spec.join(","), "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let scan = &report(&stdout)["scans"][0];
    assert_eq!(open_ports(scan), open);
    assert_eq!(scan["counts"]["open"], json!(3));
    assert_eq!(scan["counts"]["closed"], json!(spec.len() - 3));
    assert_eq!(scan["counts"]["filtered"], json!(0));
    assert_eq!(scan["method"], json!("connect"));
    assert!(scan["ports"][0]["rtt_ms"].is_f64());
    assert_eq!(scan["ports"][0]["reason"], json!("syn-ack"));
    drop(listeners);
}

/// A namespace whose loopback has listeners on 7001 and 7002, nft dropping 7003 (filtered)
/// and resetting 7004 (closed); 7005 has nothing (closed).
fn lab() -> Option<(Netns, Background)> {
    let ns = Netns::create("scan")?;
    ns.ip("link set lo up");
    let rules = "table inet nk {\n chain input {\n  type filter hook input priority 0;\n  tcp dport 7003 drop\n  tcp dport 7004 reject with tcp reset\n }\n}\n";
    let mut nft = std::process::Command::new("ip")
        .args(["netns", "exec", &ns.name, "nft", "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    if let Some(mut stdin) = nft.stdin.take() {
        std::io::Write::write_all(&mut stdin, rules.as_bytes()).ok()?;
    }
    if !nft.wait().is_ok_and(|s| s.success()) {
        eprintln!("skipped: nft is not available");
        return None;
    }
    let script = "import socket,time\nls=[]\nfor p in (7001,7002):\n    s=socket.socket(); s.bind(('127.0.0.1',p)); s.listen(); ls.append(s)\nprint('ready',flush=True)\ntime.sleep(60)\n";
    let mut child = std::process::Command::new("ip")
        .args(["netns", "exec", &ns.name, "python3", "-c", script])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    let mut ready = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut ready);
    }
    let guard = Background {
        child,
        ns: Some(ns.name.clone()),
    };
    assert_eq!(ready.trim(), "ready");
    Some((ns, guard))
}

fn states(scan: &Value) -> Vec<(u64, String, String)> {
    scan["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["port"].as_u64().unwrap_or(0),
                p["state"].as_str().unwrap_or("").to_string(),
                p["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn open_closed_and_filtered_exactly_as_built() {
    let Some((ns, _listeners)) = lab() else {
        return;
    };
    let (code, stdout, stderr) = ns.netkit(&[
        "scan",
        "127.0.0.1",
        "-p",
        "7001-7005",
        "--timeout",
        "300",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let scan = &report(&stdout)["scans"][0];
    assert_eq!(
        states(scan),
        [
            (7001, "open".to_string(), "syn-ack".to_string()),
            (7002, "open".to_string(), "syn-ack".to_string()),
            (7003, "filtered".to_string(), "no-response".to_string()),
        ]
    );
    assert_eq!(
        scan["counts"],
        json!({"open": 2, "closed": 2, "filtered": 1, "open_filtered": 0})
    );
    let (_, text, _) = ns.netkit(&["scan", "127.0.0.1", "-p", "7001-7005", "--timeout", "300"]);
    assert!(text.contains("5 ports on 127.0.0.1 scanned in "), "{text}");
    assert!(text.contains(": 2 open, 2 closed, 1 filtered"), "{text}");
}

#[test]
fn a_low_descriptor_limit_changes_nothing() {
    let Some((ns, _listeners)) = lab() else {
        return;
    };
    let bin = assert_cmd::cargo::cargo_bin("netkit")
        .to_string_lossy()
        .into_owned();
    let scan = |limit: Option<&str>| {
        let mut cmd = std::process::Command::new("ip");
        cmd.args(["netns", "exec", &ns.name]);
        if let Some(limit) = limit {
            cmd.args(["prlimit", &format!("--nofile={limit}"), "--"]);
        }
        cmd.args([
            bin.as_str(),
            "scan",
            "127.0.0.1",
            "-p",
            "1-3000,7001-7005",
            "--timeout",
            "300",
            "--json",
        ]);
        let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = report(&String::from_utf8_lossy(&out.stdout));
        (states(&r["scans"][0]), r["scans"][0]["counts"].clone())
    };
    let free = scan(None);
    let tight = scan(Some("64"));
    assert_eq!(tight, free, "same answer with 64 descriptors");
    assert_eq!(free.1["open"], json!(2));
}

#[test]
fn a_cidr_target_scans_its_hosts() {
    let Some(ns) = Netns::create("cidr") else {
        return;
    };
    ns.ip("link set lo up");
    ns.ip("addr add 10.200.8.1/30 dev lo");
    ns.ip("addr add 10.200.8.2/30 dev lo");
    let (code, stdout, stderr) = ns.netkit(&[
        "scan",
        "10.200.8.0/30",
        "-p",
        "9",
        "--timeout",
        "200",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let scans = report(&stdout)["scans"].clone();
    let hosts: Vec<&str> = scans
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["address"].as_str())
        .collect();
    assert_eq!(
        hosts,
        ["10.200.8.1", "10.200.8.2"],
        "not the network or the broadcast address"
    );
}

#[test]
fn bad_specs_and_targets_exit_2_with_the_reason() {
    let cases = [
        (
            &["scan", "127.0.0.1", "-p", "100-50"][..],
            "range 100-50 is reversed",
        ),
        (
            &["scan", "127.0.0.1", "-p", "70000"],
            "port 70000 is above 65535",
        ),
        (&["scan", "300.1.1.1"], "target 300.1.1.1: octet 1 is 300"),
        (&["scan", "10.0.0.0/33"], "prefix /33 is above 32"),
    ];
    for (args, want) in cases {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}
