//! Black-box tests of `netkit scan`: exact states, never "something was found". Traffic goes
//! to 127.0.0.1 or into namespaces the tests create.

mod common;

use std::collections::BTreeSet;
use std::net::TcpListener;

use common::netns::{Background, Netns, SubnetLab, VethLab};
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

/// A target across a veth: TCP listeners on 7001 and 7002; nft drops 7003 (filtered), resets
/// 7004 and answers 7006 with ICMP port unreachable (both closed); 7005 has nothing (closed).
/// UDP: 7101 answers, 7102 has nothing (closed), nft drops 7103 (open|filtered).
fn lab(tag: &str) -> Option<(VethLab, Background)> {
    let lab = VethLab::new(tag, None)?;
    let rules = "table inet nk {\n chain input {\n  type filter hook input priority 0;\n  \
                 tcp dport 7003 drop\n  tcp dport 7004 reject with tcp reset\n  \
                 tcp dport 7006 reject with icmpx type port-unreachable\n  \
                 udp dport 7103 drop\n }\n}\n";
    lab.peer_nft(rules)?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/scan_target.py");
    let services = lab.peer_python(&[script, "--tcp", "7001", "7002", "--udp", "7101"]);
    Some((lab, services))
}

/// A UDP scan of the lab's peer: its one scan report.
fn udp_scan(lab: &VethLab, ports: &str) -> Value {
    let (code, stdout, stderr) = lab.client.netkit(&[
        "scan",
        VethLab::PEER,
        "--udp",
        "-p",
        ports,
        "--timeout",
        "300",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    report(&stdout)["scans"][0].clone()
}

/// What the TCP ports of the lab are, as built.
fn tcp_as_built() -> Vec<(u64, String, String)> {
    vec![
        (7001, "open".to_string(), "syn-ack".to_string()),
        (7002, "open".to_string(), "syn-ack".to_string()),
        (7003, "filtered".to_string(), "no-response".to_string()),
    ]
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
fn connect_and_syn_scans_find_every_state_as_built() {
    let Some((lab, _services)) = lab("scan") else {
        return;
    };
    for method in [None, Some("--syn")] {
        let mut args = vec![
            "scan",
            VethLab::PEER,
            "-p",
            "7001-7006",
            "--timeout",
            "300",
            "--json",
        ];
        args.extend(method);
        let (code, stdout, stderr) = lab.client.netkit(&args);
        assert_eq!(code, 0, "{method:?}: {stderr}");
        let scan = &report(&stdout)["scans"][0];
        assert_eq!(states(scan), tcp_as_built(), "{method:?}");
        assert_eq!(
            scan["counts"],
            json!({"open": 2, "closed": 3, "filtered": 1, "open_filtered": 0}),
            "{method:?}"
        );
        assert_eq!(
            scan["method"],
            json!(if method.is_some() { "syn" } else { "connect" })
        );
    }
    let (_, text, _) =
        lab.client
            .netkit(&["scan", VethLab::PEER, "-p", "7001-7006", "--timeout", "300"]);
    assert!(text.contains("7003/tcp  filtered  no-response"), "{text}");
    assert!(text.contains("6 ports on 10.200.5.2 scanned in "), "{text}");
    assert!(text.contains(": 2 open, 3 closed, 1 filtered\n"), "{text}");
}

#[test]
fn udp_scan_tells_answering_closed_and_dropped_ports_apart() {
    let Some((lab, _services)) = lab("udp") else {
        return;
    };
    let scan = &udp_scan(&lab, "7101-7103");
    assert_eq!(
        states(scan),
        [
            (7101, "open".to_string(), "udp-response".to_string()),
            (7103, "open|filtered".to_string(), "no-response".to_string()),
        ]
    );
    assert_eq!(
        scan["counts"],
        json!({"open": 1, "closed": 1, "filtered": 0, "open_filtered": 1})
    );
    assert_eq!(scan["protocol"], json!("udp"));
}

#[test]
fn open_lists_only_ports_that_are_or_may_be_open_in_text_and_json() {
    // Issue 11: --open listed filtered ports too. nmap's --open keeps open and open|filtered.
    let Some((lab, _services)) = lab("open") else {
        return;
    };
    let tcp = [
        "scan",
        VethLab::PEER,
        "-p",
        "7001-7006",
        "--timeout",
        "300",
        "--open",
    ];
    let (code, text, stderr) = lab.client.netkit(&tcp);
    assert_eq!(code, 0, "{stderr}");
    assert!(!text.contains("filtered  "), "{text}");
    assert!(
        text.contains("7001/tcp  open") && text.contains("7002/tcp  open"),
        "{text}"
    );
    assert!(
        text.contains(": 2 open, 3 closed, 1 filtered\n"),
        "counts stay whole: {text}"
    );
    let mut json_args = tcp.to_vec();
    json_args.push("--json");
    let (_, stdout, _) = lab.client.netkit(&json_args);
    let scan = &report(&stdout)["scans"][0];
    assert_eq!(
        states(scan),
        [
            (7001, "open".to_string(), "syn-ack".to_string()),
            (7002, "open".to_string(), "syn-ack".to_string()),
        ]
    );
    assert_eq!(scan["counts"]["filtered"], json!(1));
    let (code, stdout, stderr) = lab.client.netkit(&[
        "scan",
        VethLab::PEER,
        "--udp",
        "-p",
        "7101-7103",
        "--timeout",
        "300",
        "--open",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let udp = &report(&stdout)["scans"][0];
    assert_eq!(
        states(udp),
        [
            (7101, "open".to_string(), "udp-response".to_string()),
            (7103, "open|filtered".to_string(), "no-response".to_string()),
        ]
    );
}

#[test]
fn udp_closed_ports_are_not_lost_to_the_icmp_rate_limit() {
    let Some((lab, _services)) = lab("udprl") else {
        return;
    };
    // One port unreachable per 200 ms after a burst of six: 24 closed ports cannot all be
    // answered at once, and none may come out open|filtered for that.
    lab.peer
        .bash("echo 200 > /proc/sys/net/ipv4/icmp_ratelimit");
    let scan = &udp_scan(&lab, "7101-7103,7110-7132");
    assert_eq!(
        scan["counts"],
        json!({"open": 1, "closed": 24, "filtered": 0, "open_filtered": 1})
    );
}

#[test]
fn a_low_descriptor_limit_changes_nothing() {
    let Some((lab, _services)) = lab("fd") else {
        return;
    };
    let bin = assert_cmd::cargo::cargo_bin("netkit")
        .to_string_lossy()
        .into_owned();
    let scan = |limit: Option<&str>| {
        let mut cmd = std::process::Command::new("ip");
        cmd.args(["netns", "exec", &lab.client.name]);
        if let Some(limit) = limit {
            cmd.args(["prlimit", &format!("--nofile={limit}"), "--"]);
        }
        cmd.args([
            bin.as_str(),
            "scan",
            VethLab::PEER,
            "-p",
            "1-3000,7001-7006",
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
    assert_eq!(free.0, tcp_as_built());
}

#[test]
fn syn_and_udp_scans_work_over_ipv6_loopback() {
    let Some(ns) = Netns::create("v6") else {
        return;
    };
    ns.ip("link set lo up");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/scan_target.py");
    let _services = ns.python(&[script, "--tcp", "7001", "--udp", "7101"]);
    for (method, want) in [("--syn", "syn-ack"), ("--udp", "udp-response")] {
        let (code, stdout, stderr) =
            ns.netkit(&["scan", "::1", method, "-p", "7000-7002,7100-7102", "--json"]);
        assert_eq!(code, 0, "{stderr}");
        let scan = &report(&stdout)["scans"][0];
        let port = if method == "--syn" { 7001 } else { 7101 };
        assert_eq!(
            states(scan),
            [(port, "open".to_string(), want.to_string())],
            "{method}"
        );
        assert_eq!(scan["counts"]["closed"], json!(5), "{method}");
    }
}

/// A namespace whose loopback holds NET.1 and NET.2 of NET.0/30: two hosts to scan.
fn two_hosts(tag: &str, net: &str) -> Option<Netns> {
    let ns = Netns::create(tag)?;
    ns.ip("link set lo up");
    ns.ip(&format!("addr add {net}.1/30 dev lo"));
    ns.ip(&format!("addr add {net}.2/30 dev lo"));
    Some(ns)
}

#[test]
fn a_cidr_target_scans_its_hosts() {
    let Some(ns) = two_hosts("cidr", "10.200.8") else {
        return;
    };
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

/// The SYN scan's lanes each hold a source port and a kernel filter for it: host after host
/// and lane by lane, every reply must still reach the lane that is waiting for it.
#[test]
fn a_syn_scan_of_several_hosts_answers_every_port_of_each() {
    let Some(ns) = two_hosts("synhosts", "10.200.9") else {
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/scan_target.py");
    let _services = ns.python(&[script, "--tcp", "7001", "7002"]);
    let (code, stdout, stderr) = ns.netkit(&[
        "scan",
        "10.200.9.0/30",
        "-p",
        "1-3000,7001-7010",
        "--syn",
        "--timeout",
        "300",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let scans = report(&stdout)["scans"].clone();
    let scans = scans.as_array().cloned().unwrap_or_default();
    assert_eq!(scans.len(), 2, "{stdout}");
    for scan in &scans {
        assert_eq!(open_ports(scan), BTreeSet::from([7001, 7002]), "{scan}");
        assert_eq!(
            scan["counts"],
            json!({"open": 2, "closed": 3008, "filtered": 0, "open_filtered": 0}),
            "{}",
            scan["address"]
        );
    }
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
        (
            &["scan", "300.1.1.1"],
            "invalid value '300.1.1.1' for '<TARGET>...': octet 1 is 300",
        ),
        (&["scan", "10.0.0.0/33"], "prefix /33 is above 32"),
    ];
    for (args, want) in cases {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[test]
fn a_syn_scan_without_raw_socket_privilege_exits_2_with_the_fix() {
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    // As the unprivileged user nobody, whatever the tests run as.
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(["scan", "127.0.0.1", "--syn", "-p", "80"])
        .output();
    let Ok(out) = out else {
        common::skip("setpriv is not available");
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("setpriv:") {
        common::skip(&format!("setpriv cannot drop privileges here: {stderr}"));
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("needs root or CAP_NET_RAW"), "{stderr}");
    let (code, _, stderr) = run(&["scan", "127.0.0.1", "--syn", "--udp"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn ctrl_c_prints_what_was_found_and_exits_130() {
    let Some((lab, _services)) = lab("int") else {
        return;
    };
    // 90 closed UDP ports behind the default ICMP rate limit: about a minute and a half of
    // work, cut after two seconds.
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    let child = std::process::Command::new("ip")
        .args(["netns", "exec", &lab.client.name])
        .arg(&bin)
        .args(["scan", VethLab::PEER, "--udp", "-p", "7101-7103,7110-7199"])
        .args(["--timeout", "300", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(std::time::Duration::from_secs(2));
    // `ip netns exec` execs netkit: the pid is netkit's.
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let scan = &report(&String::from_utf8_lossy(&out.stdout))["scans"][0];
    assert_eq!(scan["interrupted"], json!(true));
    assert_eq!(
        states(scan).first(),
        Some(&(7101, "open".to_string(), "udp-response".to_string())),
        "found before the interrupt"
    );
    let done = scan["ports_scanned"].as_u64().unwrap_or(0);
    assert!(done > 0 && done < 93, "{done} of 93 ports had an answer");
}

/// Sends `signal` to `child` (its pid is netkit's: `ip netns exec` execs it) and waits for it
/// to end, at most ten seconds (a scan that ignores the signal is killed and fails the test):
/// (exit code, stdout, stderr).
fn signal_and_wait(child: std::process::Child, signal: &str) -> (Option<i32>, String, String) {
    use std::io::Read;
    let mut child = Background { child, ns: None };
    let _ = std::process::Command::new("kill")
        .args([signal, &child.child.id().to_string()])
        .status();
    let began = std::time::Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.child.try_wait() {
            break status;
        }
        assert!(
            began.elapsed() < std::time::Duration::from_secs(10),
            "still running 10 s after {signal}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    if let Some(mut out) = child.child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    (status.code(), stdout, stderr)
}

/// Issue 21: the stop is armed once for the whole scan, so Ctrl-C and SIGTERM alike end it on
/// any host: the hosts already scanned are reported whole, the one cut short as interrupted.
/// Issue 24: two addresses are a scan of several (discovery, hosts at once, a summary); with
/// -Pn the second host's dropped ports wait the whole --timeout, as with no discovery.
#[test]
fn ctrl_c_or_sigterm_on_the_second_host_reports_both_and_exits_130() {
    let Some(ns) = two_hosts("stop", "10.200.10") else {
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/scan_target.py");
    let _services = ns.python(&[script, "--tcp", "7001"]);
    // The second host drops every probe: with a 30 s wait for the first answer, its scan
    // would take a minute.
    let rules = "table inet nk {\n chain input {\n  type filter hook input priority 0;\n  \
                 ip daddr 10.200.10.2 tcp dport 7000-7010 drop\n }\n}\n";
    if common::netns::nft_in(&ns, rules).is_none() {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    for signal in ["-INT", "-TERM"] {
        let child = std::process::Command::new("ip")
            .args(["netns", "exec", &ns.name])
            .arg(&bin)
            .args([
                "scan",
                "10.200.10.1",
                "10.200.10.2",
                "-p",
                "7000-7010",
                "-Pn",
            ])
            .args(["--timeout", "30s", "--host-wait", "300ms", "--json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        // The first host answers within milliseconds; the second then waits on its drops.
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let (code, stdout, stderr) = signal_and_wait(child, signal);
        assert_eq!(code, Some(130), "{signal}: {stderr}");
        let scans = report(&stdout)["scans"].clone();
        let first = &scans[0];
        assert_eq!(first["address"], json!("10.200.10.1"), "{signal}: {stdout}");
        assert_eq!(first["interrupted"], json!(false), "{signal}");
        assert_eq!(open_ports(first), BTreeSet::from([7001]), "{signal}");
        assert_eq!(first["counts"]["closed"], json!(10), "{signal}");
        let second = &scans[1];
        assert_eq!(
            second["address"],
            json!("10.200.10.2"),
            "{signal}: {stdout}"
        );
        assert_eq!(second["interrupted"], json!(true), "{signal}");
        assert_eq!(
            second["ports_scanned"],
            json!(0),
            "{signal}: nothing answered"
        );
        let summary = &report(&stdout)["summary"];
        assert_eq!(summary["interrupted"], json!(true), "{signal}: {stdout}");
        assert_eq!(summary["addresses"], json!(2), "{signal}: {stdout}");
    }
}

/// Issue 23: a name that resolves to ::1 and 127.0.0.1 (a namespace's own hosts file), with
/// a lesson's server on 127.0.0.1 only. A connect scan reports the address a client would
/// reach (the first with an open port), says which it scanned before, and names the rest.
#[test]
fn a_connect_scan_of_a_name_moves_on_to_the_address_with_an_open_port() {
    let Some(ns) = Netns::with_hosts("scanname", "::1 lab.test\n127.0.0.1 lab.test\n") else {
        return;
    };
    let order: Vec<String> = ns
        .resolved("lab.test")
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert!(
        order.len() == 2 && order.contains(&"127.0.0.1".to_string()),
        "{order:?}"
    );
    let server = format!(
        "{}/tests/fixtures/lessons/tcp_server_on_127_0_0_1.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let _server = ns.python(&[server.as_str(), "18888"]);
    let (code, stdout, stderr) = ns.netkit(&["scan", "--json", "-p", "18880-18890", "lab.test"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let scan = &report(&stdout)["scans"][0];
    assert_eq!(scan["address"], "127.0.0.1", "{scan}");
    assert_eq!(open_ports(scan), BTreeSet::from([18888]), "{scan}");
    assert_eq!(scan["other_addresses"], json!(["::1"]), "{scan}");
    // Scanned before it: the addresses ahead of 127.0.0.1 in the resolver's order, all closed.
    let before: Vec<Value> = order
        .iter()
        .take_while(|a| *a != "127.0.0.1")
        .map(|a| json!({"address": a, "counts": {"open": 0, "closed": 11, "filtered": 0, "open_filtered": 0}}))
        .collect();
    assert_eq!(scan["also_scanned"], json!(before), "{scan}");
    let (_, text, _) = ns.netkit(&["scan", "-p", "18880-18890", "lab.test"]);
    assert!(
        text.contains("11 ports on lab.test (127.0.0.1) scanned in "),
        "{text}"
    );
    if order[0] == "::1" {
        assert!(
            text.contains("\nalso scanned ::1: nothing open (11 closed, 0 filtered)\n"),
            "{text}"
        );
    }
    // Nothing open anywhere: the first address is reported, the other scanned too.
    let (_, stdout, _) = ns.netkit(&["scan", "--json", "-p", "18880-18887", "lab.test"]);
    let scan = &report(&stdout)["scans"][0];
    assert_eq!(scan["address"], json!(order[0]), "{scan}");
    assert_eq!(
        scan["also_scanned"][0]["address"],
        json!(order[1]),
        "{scan}"
    );
    // A UDP scan keeps nmap's rule: the first address, the other named as not scanned.
    let (code, text, _) = ns.netkit(&["scan", "--udp", "-p", "18888", "lab.test"]);
    assert_eq!(code, 0, "{text}");
    let named = format!(
        "\nother addresses for lab.test (not scanned): {}\n",
        order[1]
    );
    assert!(
        text.contains(&format!("1 ports on lab.test ({}) ", order[0])),
        "{text}"
    );
    assert!(text.contains(&named), "{text}");
}

/// An address of a scan of several: (address, state, reason, [(port, state)] of the ports
/// that are not closed).
type Address = (String, String, String, Vec<(u64, String)>);
type Seen = Vec<Address>;

fn seen(report: &Value) -> Seen {
    report["scans"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let ports = s["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        p["port"].as_u64().unwrap_or(0),
                        p["state"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            let text = |k: &str| s[k].as_str().unwrap_or("").to_string();
            (text("address"), text("state"), text("reason"), ports)
        })
        .collect()
}

/// The up addresses of a scan, with their ports that are not closed.
fn up(seen: &Seen) -> Vec<(String, Vec<(u64, String)>)> {
    seen.iter()
        .filter(|s| s.1 == "up")
        .map(|s| (s.0.clone(), s.3.clone()))
        .collect()
}

fn ports(list: &[(u64, &str)]) -> Vec<(u64, String)> {
    list.iter().map(|(p, s)| (*p, s.to_string())).collect()
}

/// The up hosts of the lab's /24, as built, with their ports (22, 80, 443) that are not closed:
/// on the link this client's own .1, .10 (22 open), .20 (every port dropped: filtered) and .30
/// (closed); behind the router the router's .1, .10 and .30 (.20 answers nothing routed).
fn as_built(lab: &SubnetLab) -> Vec<(String, Vec<(u64, String)>)> {
    let filtered = ports(&[(22, "filtered"), (80, "filtered"), (443, "filtered")]);
    lab.up_hosts()
        .into_iter()
        .map(|a| {
            let listed = match a {
                SubnetLab::OPEN => ports(&[(22, "open")]),
                SubnetLab::FIREWALLED => filtered.clone(),
                _ => vec![],
            };
            (a.to_string(), listed)
        })
        .collect()
}

#[test]
fn a_subnet_scan_says_which_addresses_are_up_and_only_their_ports() {
    let Some(lab) = SubnetLab::direct("sn") else {
        return;
    };
    let (code, stdout, stderr) = lab.netkit(&["scan", SubnetLab::NET, "-p", "22,80,443", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let doc = report(&stdout);
    let all = seen(&doc);
    assert_eq!(all.len(), 254, "every address once, in order");
    assert_eq!(all[0].0, "10.209.2.1");
    assert_eq!(all[253].0, "10.209.2.254");
    assert_eq!(up(&all), as_built(&lab), "{stdout}");
    for (address, state, reason, listed) in &all {
        if state == "down" {
            assert_eq!(reason, "no-neighbour", "{address}");
            assert!(listed.is_empty(), "{address}: a down address has no ports");
        } else if address != SubnetLab::GATEWAY {
            // As root, the hosts on the link answered netkit's own ARP request, the
            // firewalled one too.
            assert_eq!(reason, "arp-response", "{address}");
        }
    }
    let summary = &doc["summary"];
    assert_eq!(
        (&summary["addresses"], &summary["up"], &summary["down"]),
        (&json!(254), &json!(4), &json!(250)),
        "{summary}"
    );
    // Text: a block per up host, nothing for the down ones, nmap's closing line.
    let (code, text, _) = lab.netkit(&["scan", SubnetLab::NET, "-p", "22,80,443"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("\n22/tcp  open  "), "{text}");
    assert!(!text.contains("10.209.2.5"), "{text}");
    assert!(
        text.contains("3 ports on 10.209.2.20 scanned in ")
            && text.contains(": 0 open, 0 closed, 3 filtered\n"),
        "{text}"
    );
    let last = text.lines().last().unwrap_or("");
    assert!(
        last.starts_with("254 addresses scanned in ") && last.ends_with(" s: 4 up, 250 down"),
        "{text}"
    );
    // -v: the down ones too, each with why.
    let (_, text, _) = lab.netkit(&["scan", "10.209.2.8/29", "-p", "22", "-v"]);
    assert!(
        text.contains("10.209.2.9 is down: no ARP or neighbour-discovery reply on the link"),
        "{text}"
    );
    assert!(text.contains("6 addresses scanned in "), "{text}");
    // A range is a scan of several addresses too.
    let (code, stdout, _) = lab.netkit(&["scan", "10.209.2.9-31", "-p", "22,80,443", "--json"]);
    assert_eq!(code, 0, "{stdout}");
    let all = seen(&report(&stdout));
    assert_eq!(all.len(), 23);
    let mut built = as_built(&lab);
    built.retain(|h| h.0 != SubnetLab::GATEWAY);
    assert_eq!(up(&all), built, "{stdout}");
}

/// Without privilege (as nobody) the kernel's neighbour resolution still finds every host on
/// the link, the firewalled one included, as root does (issue 24).
#[test]
fn an_unprivileged_subnet_scan_finds_the_same_hosts() {
    let Some(lab) = SubnetLab::direct("snu") else {
        return;
    };
    let bin = common::netkit_for_anyone();
    let bin = bin.to_string_lossy().into_owned();
    let out = lab.client.exec(
        "setpriv",
        &[
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            &bin,
            "scan",
            SubnetLab::NET,
            "-p",
            "22,80,443",
            "--json",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = seen(&report(&stdout));
    assert_eq!(all.len(), 254);
    assert_eq!(up(&all), as_built(&lab), "{stdout}");
    // No ARP of its own without privilege: the kernel's resolution found them.
    let firewalled = all.iter().find(|s| s.0 == SubnetLab::FIREWALLED);
    assert_eq!(
        firewalled.map(|s| s.2.as_str()),
        Some("neighbour-reachable"),
        "{stdout}"
    );
}

#[test]
fn a_routed_subnet_scan_finds_the_same_hosts_and_says_why_the_rest_are_down() {
    let Some(lab) = SubnetLab::routed("sr", true) else {
        return;
    };
    let (code, stdout, stderr) = lab.netkit(&["scan", SubnetLab::NET, "-p", "22,80,443", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let all = seen(&report(&stdout));
    assert_eq!(all.len(), 254);
    assert_eq!(up(&all), as_built(&lab), "{stdout}");
    for (address, state, reason, listed) in &all {
        if state == "down" {
            // Routers rate-limit their host-unreachables: most empty addresses get nothing.
            assert!(
                reason == "no-response" || reason == "host-unreachable",
                "{address}: {reason}"
            );
            assert!(listed.is_empty(), "{address}");
        }
    }
}

#[test]
fn pn_scans_down_addresses_too_and_calls_their_ports_unreachable() {
    let Some(lab) = SubnetLab::direct("pn") else {
        return;
    };
    // .8-.15 of which .10 is up (22 open): the other six have no machine.
    let (code, stdout, stderr) =
        lab.netkit(&["scan", "10.209.2.8/29", "-p", "22,80", "-Pn", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let all = seen(&report(&stdout));
    assert_eq!(
        up(&all),
        [("10.209.2.10".to_string(), ports(&[(22, "open")]))]
    );
    let empty: Vec<&Address> = all.iter().filter(|s| s.1 == "down").collect();
    assert_eq!(empty.len(), 5, "{stdout}");
    for (address, _, reason, listed) in empty {
        assert_eq!(reason, "no-neighbour", "{address}");
        assert_eq!(
            listed.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(),
            ["unreachable", "unreachable"],
            "{address}: never filtered"
        );
    }
    let (_, text, _) = lab.netkit(&["scan", "10.209.2.9", SubnetLab::OPEN, "-p", "22,80", "-Pn"]);
    assert!(text.contains("10.209.2.9 is down: "), "{text}");
    assert!(text.contains("scanned anyway (-Pn)"), "{text}");
    assert!(
        text.contains(": 0 open, 0 closed, 0 filtered, 2 unreachable ("),
        "{text}"
    );
    assert!(text.contains("2 addresses scanned in "), "{text}");
}

#[test]
fn a_subnet_scan_under_ulimit_64_finds_the_same() {
    let Some(lab) = SubnetLab::direct("ul") else {
        return;
    };
    let args = format!("scan {} -p 22,80,443 --json", SubnetLab::NET);
    let (code, stdout, stderr) = lab.netkit_with_64_fds(&args);
    assert_eq!(code, 0, "{stderr}");
    let all = seen(&report(&stdout));
    assert_eq!(all.len(), 254);
    assert_eq!(up(&all), as_built(&lab), "{stdout}");
}

/// Ctrl-C in a scan of a /24 (issue 24): what was done is written in order, the hosts being
/// scanned as interrupted, the document closes with its summary, and the exit is 130.
#[test]
fn ctrl_c_in_a_subnet_scan_prints_what_was_found_and_exits_130() {
    let Some(lab) = SubnetLab::direct("snint") else {
        return;
    };
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    // -Pn: the firewalled host's ports wait the whole 30 s --timeout.
    let child = std::process::Command::new("ip")
        .args(["netns", "exec", &lab.client.name])
        .arg(&bin)
        .args(["scan", SubnetLab::NET, "-p", "22,80,443", "-Pn"])
        .args(["--timeout", "30s", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Read as it comes: the stream outgrows a pipe's buffer, and a blocked write would hold
    // the scan (as it would any program).
    let mut child = child;
    let reader = child.stdout.take().map(|mut out| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut out, &mut text);
            text
        })
    });
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let (code, _, stderr) = signal_and_wait(child, "-INT");
    let stdout = reader.and_then(|r| r.join().ok()).unwrap_or_default();
    assert_eq!(code, Some(130), "{stderr}");
    let doc = report(&stdout);
    let all = seen(&doc);
    assert_eq!(all[0].0, "10.209.2.1", "{stdout}");
    assert_eq!(doc["scans"][0]["interrupted"], json!(false), "{stdout}");
    let cut: Vec<&Value> = doc["scans"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["interrupted"] == json!(true))
        .collect();
    assert!(
        cut.iter()
            .any(|s| s["address"] == json!(SubnetLab::FIREWALLED)),
        "{stdout}"
    );
    let summary = &doc["summary"];
    assert_eq!(summary["interrupted"], json!(true), "{summary}");
    assert_eq!(
        summary["up"].as_u64().unwrap_or(0)
            + summary["down"].as_u64().unwrap_or(0)
            + summary["not_scanned"].as_u64().unwrap_or(0),
        254,
        "{summary}"
    );
}
