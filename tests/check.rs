//! `netkit check` inside namespaces of the test's own: a client, its gateway (a router), and
//! a host behind it that also runs a small DNS server; the client's resolv.conf
//! (/etc/netns/NAME/resolv.conf, which `ip netns exec` puts in place) points at it.

mod common;

use common::netns::{Netns, RouterLab, nft_in};
use serde_json::Value;
use std::net::IpAddr;

/// The client's resolv.conf, removed again on drop.
struct ResolvConf(std::path::PathBuf);

impl ResolvConf {
    fn write(namespace: &str, text: &str) -> ResolvConf {
        let dir = std::path::Path::new("/etc/netns").join(namespace);
        std::fs::create_dir_all(&dir).expect("create /etc/netns/NAME");
        std::fs::write(dir.join("resolv.conf"), text).expect("write resolv.conf");
        ResolvConf(dir)
    }
}

impl Drop for ResolvConf {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn check(lab: &RouterLab, args: &[&str]) -> (i32, Value, String) {
    let mut full = vec!["check", "--json", "-w", "500ms"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = lab.client.netkit(&full);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout:?}; stderr {stderr}"));
    every_step_that_ran_is_timed(&report);
    (code, report, stderr)
}

/// A step that ran (passed or failed) carries its time, the own-address step included; a
/// skipped one has none.
fn every_step_that_ran_is_timed(report: &Value) {
    for step in report["steps"].as_array().expect("steps") {
        let ran = step["status"] != "skip";
        assert_eq!(step["ms"].is_f64(), ran, "{step} in {report}");
        assert!(ran || step["ms"].is_null(), "{step}");
    }
}

fn statuses(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["status"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[test]
fn the_ladder_passes_then_points_at_the_broken_rung() {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        common::skip("no python3");
        return;
    }
    let Some(lab) = RouterLab::new("chk") else {
        return;
    };
    let _conf = ResolvConf::write(
        &lab.client.name,
        "nameserver 10.200.7.2\noptions timeout:1 attempts:1\n",
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/dns_responder.py");
    let _dns = lab
        .server
        .python(&[script, RouterLab::SERVER, "lab.test=10.200.7.2"]);

    // Everything works.
    let (code, report, stderr) = check(&lab, &["lab.test"]);
    assert_eq!(code, 0, "{report} {stderr}");
    assert_eq!(statuses(&report), ["pass"; 5], "{report}");
    let steps = &report["steps"];
    assert!(
        steps[1]["detail"]
            .as_str()
            .unwrap()
            .contains("10.200.6.1/24 on c0"),
        "{report}"
    );
    assert!(
        steps[2]["detail"]
            .as_str()
            .unwrap()
            .contains("10.200.6.2 answers ping"),
        "{report}"
    );
    assert!(
        steps[3]["detail"]
            .as_str()
            .unwrap()
            .contains("is 10.200.7.2"),
        "{report}"
    );
    assert!(
        steps[3]["detail"]
            .as_str()
            .unwrap()
            .contains("resolver 10.200.7.2"),
        "{report}"
    );
    assert!(steps[4]["ms"].as_f64().is_some(), "{report}");
    assert_eq!(report["passed"], true);

    // No HOST: the resolver is named, nothing is sent to a host.
    let (code, report, _) = check(&lab, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(statuses(&report), ["pass", "pass", "pass", "skip", "skip"]);
    assert!(
        report["steps"][3]["detail"]
            .as_str()
            .unwrap()
            .contains("resolver 10.200.7.2")
    );

    // A name the resolver does not know: step 4 fails with what that means.
    let (code, report, _) = check(&lab, &["nosuch.test"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["steps"][3]["status"], "fail", "{report}");
    let meaning = report["steps"][3]["meaning"].as_str().unwrap();
    assert!(
        meaning.contains("says nosuch.test has no address"),
        "{meaning}"
    );

    // The human form: one line per step, a failing step's meaning under it.
    let (code, stdout, _) = lab.client.netkit(&["check", "-w", "500ms"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(" 3  gateway ") && l.contains(" ok ")),
        "{stdout}"
    );
    assert!(stdout.ends_with("every step passed\n"), "{stdout}");

    // DNS unanswered: step 4 fails and says so; the host is still reached by address.
    if nft_in(
        &lab.server,
        "table inet t {\n chain in {\n type filter hook input priority 0;\n udp dport 53 drop\n }\n}\n",
    )
    .is_none()
    {
        return;
    }
    let (code, report, _) = check(&lab, &["lab.test"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        statuses(&report),
        ["pass", "pass", "pass", "fail", "skip"],
        "{report}"
    );
    let meaning = report["steps"][3]["meaning"].as_str().unwrap();
    assert!(
        meaning.contains("does not answer: names will not work"),
        "{meaning}"
    );
    let (code, report, _) = check(&lab, &[RouterLab::SERVER]);
    assert_eq!(code, 0, "{report}");

    // The gateway's link down: step 3 fails, and says what it points to.
    lab.router.ip("link set r0 down");
    // The carrier change reaches the client's side within about a second (linkwatch).
    for _ in 0..30 {
        let link = lab.client.exec("ip", &["-o", "link", "show", "c0"]);
        if String::from_utf8_lossy(&link.stdout).contains("NO-CARRIER") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (code, report, _) = check(&lab, &[RouterLab::SERVER]);
    assert_eq!(code, 1, "{report}");
    let gateway = &report["steps"][2];
    assert_eq!(gateway["status"], "fail", "{report}");
    let meaning = gateway["meaning"].as_str().unwrap();
    assert!(
        meaning.contains("the gateway 10.200.6.2 does not answer: the link or the gateway is down"),
        "{meaning}"
    );
    assert_eq!(report["steps"][4]["status"], "fail", "{report}");
    let (_, stdout, _) = lab.client.netkit(&["check", "-w", "500ms"]);
    assert!(stdout.contains("FAIL"), "{stdout}");
    assert!(stdout.contains("start with the first"), "{stdout}");
}

#[test]
fn without_a_default_route_step_2_says_so() {
    let Some(lab) = RouterLab::new("chknr") else {
        return;
    };
    lab.client.ip("route del default");
    lab.client.ip("-6 route del default");
    let (code, report, _) = check(&lab, &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        statuses(&report),
        ["pass", "fail", "skip", "skip", "skip"],
        "{report}"
    );
    assert_eq!(report["steps"][1]["detail"], "no default route");
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    for args in [
        &["check", "300.1.1.1"][..],
        &["check", "-w", "x", "127.0.0.1"],
    ] {
        let (code, _, stderr) = common::run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
    }
}

fn lesson(file: &str) -> String {
    format!(
        "{}/tests/fixtures/lessons/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Issue 23: a name that resolves to ::1 and 127.0.0.1, pings dropped, and a lesson's server
/// on 127.0.0.1:80 only. The TCP step tries the addresses in turn, as a client does, and
/// says which one answered.
#[test]
fn the_tcp_step_tries_each_address_of_a_name_in_turn() {
    let Some(ns) = Netns::with_hosts("chkname", "::1 lab.test\n127.0.0.1 lab.test\n") else {
        return;
    };
    let drop_pings = "table inet nk {\n chain input {\n type filter hook input priority 0;\n \
                      icmp type echo-request drop\n icmpv6 type echo-request drop\n }\n}\n";
    if nft_in(&ns, drop_pings).is_none() {
        return;
    }
    let order = ns.resolved("lab.test");
    let v4 = IpAddr::from([127, 0, 0, 1]);
    assert!(order.len() == 2 && order.contains(&v4), "{order:?}");
    let _server = ns.python(&[lesson("tcp_server_on_127_0_0_1.py").as_str(), "80"]);
    let (_, stdout, stderr) = ns.netkit(&["check", "--json", "-w", "300ms", "lab.test"]);
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout:?}; stderr {stderr}"));
    let listed: Vec<String> = order.iter().map(IpAddr::to_string).collect();
    let resolution = &report["steps"][3];
    assert_eq!(resolution["status"], "pass", "{report}");
    let names_both = format!("lab.test is {} (", listed.join(", "));
    let detail = resolution["detail"].as_str().unwrap_or_default();
    assert!(detail.starts_with(&names_both), "{report}");
    let host = &report["steps"][4];
    assert_eq!(host["status"], "pass", "{report}");
    let mut expected =
        "lab.test (127.0.0.1): no reply to ping, but TCP port 80 answers (open)".to_string();
    if order[0] != v4 {
        expected.push_str(&format!("; tried first: {} (connection refused)", order[0]));
    }
    assert_eq!(host["detail"], expected, "{report}");
}
