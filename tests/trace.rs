//! `netkit trace` over a chain of namespaces the tests build themselves: a source, four
//! routers with forwarding on, and a destination, five hops in all. No traffic leaves them.

mod common;

use std::time::{Duration, Instant};

use common::netns::{ChainLab, Netns};
use serde_json::Value;

/// The five links of the standard chain, all private.
const PRIVATE: [&str; 5] = [
    "10.200.40",
    "10.200.41",
    "10.200.42",
    "10.200.43",
    "10.200.44",
];

/// Runs `netkit trace --json ARGS` in the source: (exit code, the report, stderr).
fn trace(lab: &ChainLab, args: &[&str]) -> (i32, Value, String) {
    let mut full = vec!["trace", "--json", "-n", "-w", "1"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = lab.source().netkit(&full);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout:?}; stderr {stderr}"));
    (code, report, stderr)
}

/// The first answering address of each hop, in order ("*" for a hop with none).
fn hop_addresses(report: &Value) -> Vec<String> {
    report["hops"]
        .as_array()
        .expect("hops")
        .iter()
        .map(|hop| {
            hop["probes"]
                .as_array()
                .expect("probes")
                .iter()
                .find_map(|p| p["address"].as_str().map(str::to_string))
                .unwrap_or_else(|| "*".to_string())
        })
        .collect()
}

/// The routers' addresses facing the source, then the destination: what a trace should show.
fn expected_v4(lab: &ChainLab) -> Vec<String> {
    (0..PRIVATE.len()).map(|i| lab.v4(i, 2)).collect()
}

#[test]
fn udp_trace_shows_every_hop_in_order_and_reaches_the_destination() {
    let Some(lab) = ChainLab::new("tru", &PRIVATE) else {
        return;
    };
    let (code, report, stderr) = trace(&lab, &[&lab.destination_v4()]);
    assert_eq!(code, 0, "{report} {stderr}");
    assert_eq!(hop_addresses(&report), expected_v4(&lab), "{report}");
    assert_eq!(report["reached"], true);
    assert_eq!(report["protocol"], "udp");
    let first = &report["hops"][0];
    assert_eq!(first["ttl"], 1);
    assert_eq!(first["probes"].as_array().unwrap().len(), 3);
    assert!(
        first["probes"][0]["rtt_ms"].as_f64().unwrap() > 0.0,
        "{first}"
    );
    // The kind and class as tokens, and the words beside them.
    assert_eq!(first["kind"], "private", "{first}");
    assert_eq!(first["class"], "A", "{first}");
    assert_eq!(first["classification"], "private, class A");
    // The human form: traceroute's columns with each hop classified.
    let (code, stdout, _) =
        lab.source()
            .netkit(&["trace", "-n", "-w", "1", "-q", "2", &lab.destination_v4()]);
    assert_eq!(code, 0, "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("2 "))
        .unwrap_or_else(|| panic!("no hop 2 in {stdout}"));
    assert!(line.contains(&lab.v4(1, 2)), "{line}");
    assert_eq!(line.matches(" ms").count(), 2, "{line}");
    assert!(line.ends_with("private, class A"), "{line}");
}

#[test]
fn icmp_and_tcp_traces_reach_the_destination() {
    let Some(lab) = ChainLab::new("trit", &PRIVATE) else {
        return;
    };
    let dest = lab.destination_v4();
    let (code, report, stderr) = trace(&lab, &["--icmp", &dest]);
    assert_eq!(code, 0, "{report} {stderr}");
    assert_eq!(hop_addresses(&report), expected_v4(&lab), "{report}");
    assert_eq!(report["protocol"], "icmp");
    // No listener: the destination's reset ends the trace as well as a SYN/ACK would.
    let (code, report, stderr) = trace(&lab, &["--tcp", "80", &dest]);
    assert_eq!(code, 0, "{report} {stderr}");
    assert_eq!(hop_addresses(&report), expected_v4(&lab), "{report}");
    assert_eq!(report["protocol"], "tcp");
}

#[test]
fn an_unprivileged_icmp_trace_reads_the_routers_errors_from_the_datagram_socket() {
    // As a user whose group net.ipv4.ping_group_range lets open the datagram ICMP socket: the
    // routers' time exceeded come back on its error queue (a plain read fails once on each
    // first), and every hop is shown, as traceroute -I shows them.
    let Some(lab) = ChainLab::new("trdg", &PRIVATE) else {
        return;
    };
    lab.source()
        .bash("echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range");
    let bin = common::netkit_for_anyone();
    let bin = bin.to_string_lossy().into_owned();
    let expected_v6: Vec<String> = (0..PRIVATE.len()).map(|i| lab.v6(i, 2)).collect();
    for (dest, expected) in [
        (lab.destination_v4(), expected_v4(&lab)),
        (lab.destination_v6(), expected_v6),
    ] {
        let args = [
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            &bin,
            "trace",
            "--json",
            "-n",
            "-w",
            "1",
            "--icmp",
            &dest,
        ];
        let out = lab.source().exec("setpriv", &args);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(0), "{dest}: {stdout} {stderr}");
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout:?}; stderr {stderr}"));
        assert_eq!(hop_addresses(&report), expected, "{dest}: {report}");
        assert_eq!(report["reached"], true, "{report}");
    }
}

#[test]
fn a_router_that_drops_its_time_exceeded_shows_stars() {
    let Some(lab) = ChainLab::new("trd", &PRIVATE) else {
        return;
    };
    let drop_time_exceeded = "table inet t {\n chain out {\n type filter hook output priority 0;\n \
         icmp type time-exceeded drop\n icmpv6 type time-exceeded drop\n }\n}\n";
    if lab.nft(2, drop_time_exceeded).is_none() {
        return;
    }
    let (code, report, stderr) = trace(&lab, &[&lab.destination_v4()]);
    assert_eq!(code, 0, "{report} {stderr}");
    let mut expected = expected_v4(&lab);
    expected[1] = "*".to_string();
    assert_eq!(hop_addresses(&report), expected, "{report}");
    let silent = &report["hops"][1]["probes"];
    assert!(
        silent
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["address"].is_null() && p["rtt_ms"].is_null()),
        "{silent}"
    );
    let (_, stdout, _) = lab
        .source()
        .netkit(&["trace", "-n", "-w", "1", &lab.destination_v4()]);
    assert!(stdout.lines().any(|l| l == " 2  * * *"), "{stdout}");

    // Hop 1's line comes at once; it does not wait for hop 2's stars.
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    let began = Instant::now();
    let mut child = std::process::Command::new("ip")
        .args(["netns", "exec", &lab.source().name])
        .arg(&bin)
        .args(["trace", "-n", "-w", "2", &lab.destination_v4()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("netkit trace");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(
        child.stdout.take().expect("stdout"),
    ));
    let _header = lines.next();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let first_after = began.elapsed();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let _ = child.wait();
    assert!(first.contains(&lab.v4(0, 2)), "{first}");
    assert!(
        first_after < Duration::from_millis(1000),
        "hop 1 came after {first_after:?}"
    );
    assert!(began.elapsed() >= Duration::from_secs(2), "{rest:?}");
    assert_eq!(rest.len(), 4, "{rest:?}");
}

#[test]
fn unreachable_destinations_carry_traceroutes_marks() {
    let Some(lab) = ChainLab::new("trun", &PRIVATE) else {
        return;
    };
    // Hop 2 holds an unreachable route for 10.200.98.0/24 (host unreachable, !H), and a
    // firewall that rejects what it forwards to 10.200.97.0/24 with a net unreachable (!N):
    // the TTL still runs out there first, so the reject shows as a hop 3 at the same router.
    lab.nodes[1].ip("route add 10.200.96.0/22 via 10.200.41.2");
    lab.nodes[2].ip("route add unreachable 10.200.98.0/24");
    lab.nodes[2].ip("route add 10.200.97.0/24 via 10.200.42.2");
    let reject = "table ip t {\n chain forwarded {\n type filter hook forward priority 0;\n \
         ip daddr 10.200.97.0/24 reject with icmp type net-unreachable\n }\n}\n";
    if lab.nft(2, reject).is_none() {
        return;
    }
    let (code, report, _) = trace(&lab, &["10.200.98.9"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["reached"], false);
    assert_eq!(hop_addresses(&report), [lab.v4(0, 2), lab.v4(1, 2)]);
    assert_eq!(report["hops"][1]["probes"][0]["mark"], "!H", "{report}");
    let (code, report, _) = trace(&lab, &["10.200.97.9"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        hop_addresses(&report),
        [lab.v4(0, 2), lab.v4(1, 2), lab.v4(1, 2)]
    );
    assert!(report["hops"][1]["probes"][0]["mark"].is_null(), "{report}");
    assert_eq!(report["hops"][2]["probes"][0]["mark"], "!N", "{report}");
    let (_, stdout, _) = lab
        .source()
        .netkit(&["trace", "-n", "-w", "1", "-q", "1", "10.200.97.9"]);
    assert!(stdout.contains(" ms !N"), "{stdout}");
    assert!(stdout.contains("not reached"), "{stdout}");
}

#[test]
fn ipv6_over_the_same_chain() {
    let Some(lab) = ChainLab::new("tr6", &PRIVATE) else {
        return;
    };
    let expected: Vec<String> = (0..PRIVATE.len()).map(|i| lab.v6(i, 2)).collect();
    for method in [&["--udp"][..], &["--icmp"], &["--tcp", "443"]] {
        let mut args = method.to_vec();
        let dest = lab.destination_v6();
        args.push(&dest);
        let (code, report, stderr) = trace(&lab, &args);
        assert_eq!(code, 0, "{method:?}: {report} {stderr}");
        assert_eq!(hop_addresses(&report), expected, "{method:?}: {report}");
        assert_eq!(report["hops"][0]["classification"], "private");
        assert_eq!(report["hops"][0]["kind"], "private");
        assert!(report["hops"][0]["class"].is_null(), "IPv6 has no class");
    }
}

#[test]
fn the_hop_where_the_path_leaves_private_space_is_marked() {
    // Links 2 and beyond hold public addresses (inside these namespaces only), as past a
    // home router's upstream: hop 3 is the first public one.
    let links = [
        "10.200.40",
        "100.64.41",
        "11.200.42",
        "11.200.43",
        "11.200.44",
    ];
    let Some(lab) = ChainLab::new("trp", &links) else {
        return;
    };
    let (code, stdout, stderr) =
        lab.source()
            .netkit(&["trace", "-n", "-w", "1", "-q", "1", &lab.destination_v4()]);
    assert_eq!(code, 0, "{stdout} {stderr}");
    let marked: Vec<&str> = stdout.lines().filter(|l| l.contains("leaves")).collect();
    assert_eq!(marked.len(), 1, "{stdout}");
    assert!(marked[0].trim_start().starts_with("3 "), "{stdout}");
    assert!(marked[0].contains("11.200.42.2"), "{stdout}");
    assert!(stdout.contains("shared (CGNAT)"), "{stdout}");
}

#[test]
fn probes_for_all_hops_are_out_at_once() {
    let Some(lab) = ChainLab::new("trw", &PRIVATE) else {
        return;
    };
    // Nobody answers: every router keeps its time exceeded and the destination its port
    // unreachable. One probe after another would take 5 hops x 3 probes x 1 s.
    for j in 1..lab.nodes.len() {
        let silent = "table inet t {\n chain out {\n type filter hook output priority 0;\n \
             icmp type { time-exceeded, destination-unreachable } drop\n \
             icmpv6 type { time-exceeded, destination-unreachable } drop\n }\n}\n";
        if lab.nft(j, silent).is_none() {
            return;
        }
    }
    let began = Instant::now();
    let (code, report, _) = trace(&lab, &["-m", "5", &lab.destination_v4()]);
    let took = began.elapsed();
    assert_eq!(code, 1, "{report}");
    assert_eq!(hop_addresses(&report), ["*"; 5]);
    assert!(
        took < Duration::from_millis(2500),
        "15 silent probes took {took:?}, not about one 1 s wait"
    );
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    for args in [
        &["trace", "300.1.1.1"][..],
        &["trace", "-m", "0", "127.0.0.1"],
        &["trace", "-m", "256", "127.0.0.1"],
        &["trace", "-w", "-1", "127.0.0.1"],
        &["trace", "--tcp", "70000", "127.0.0.1"],
        &["trace", "--icmp", "--tcp", "80", "127.0.0.1"],
    ] {
        let (code, _, stderr) = common::run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(!stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn loopback_is_one_hop() {
    let (code, stdout, stderr) = common::run(&["trace", "-n", "-w", "1", "-q", "1", "127.0.0.1"]);
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(stdout.contains(" 1  127.0.0.1  "), "{stdout}");
    assert!(stdout.contains("loopback"), "{stdout}");
}

/// Issue 23: a name with two addresses (::1 and 127.0.0.1, from a namespace's own hosts
/// file): the first in the resolver's order is traced, the other named as nmap names it; with
/// -4 or -6 only that family's addresses count.
#[test]
fn a_name_of_two_addresses_traces_the_first_and_names_the_other() {
    let Some(ns) = Netns::with_hosts("trname", "::1 lab.test\n127.0.0.1 lab.test\n") else {
        return;
    };
    let order = ns.resolved("lab.test");
    assert_eq!(order.len(), 2, "{order:?}");
    let args = ["trace", "-n", "-w", "1", "-q", "1", "lab.test"];
    let (code, stdout, stderr) = ns.netkit(&args);
    assert_eq!(code, 0, "{stdout} {stderr}");
    let mut lines = stdout.lines();
    let header = format!("trace to lab.test ({}), 30 hops max, udp probes", order[0]);
    assert_eq!(lines.next(), Some(header.as_str()), "{stdout}");
    let others = format!("other addresses for lab.test (not traced): {}", order[1]);
    assert_eq!(lines.next(), Some(others.as_str()), "{stdout}");
    let (code, stdout, _) = ns.netkit(&["trace", "--json", "-n", "-w", "1", "-q", "1", "lab.test"]);
    assert_eq!(code, 0, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(report["address"], order[0].to_string(), "{report}");
    assert_eq!(
        report["other_addresses"],
        serde_json::json!([order[1].to_string()])
    );
    for (flag, addr) in [("-4", "127.0.0.1"), ("-6", "::1")] {
        let (code, stdout, _) = ns.netkit(&[
            "trace", flag, "--json", "-n", "-w", "1", "-q", "1", "lab.test",
        ]);
        assert_eq!(code, 0, "{stdout}");
        let report: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        assert_eq!(report["address"], addr, "{report}");
        assert_eq!(report["other_addresses"], serde_json::json!([]), "{report}");
    }
}

// ---- trace --rounds (issue 25) ----

/// The verdict's finding tokens, in order.
fn findings(report: &Value) -> Vec<String> {
    report["verdict"]
        .as_array()
        .expect("verdict")
        .iter()
        .map(|f| f["finding"].as_str().expect("finding").to_string())
        .collect()
}

/// Each hop's main responder ("*" for a silent hop).
fn responders(report: &Value) -> Vec<String> {
    report["hops"]
        .as_array()
        .expect("hops")
        .iter()
        .map(|h| {
            h["responders"][0]["address"]
                .as_str()
                .unwrap_or("*")
                .to_string()
        })
        .collect()
}

#[test]
fn rounds_over_a_clean_chain_show_no_loss() {
    let Some(lab) = ChainLab::new("trr", &PRIVATE) else {
        return;
    };
    let dest = lab.destination_v4();
    let (code, report, stderr) = trace(&lab, &["--rounds", "5", "-i", "0.1", &dest]);
    assert_eq!(code, 0, "{report} {stderr}");
    assert_eq!(responders(&report), expected_v4(&lab), "{report}");
    assert_eq!(report["rounds"], 5, "{report}");
    assert_eq!(report["reached"], true, "{report}");
    for hop in report["hops"].as_array().unwrap() {
        assert_eq!(hop["sent"], 5, "{hop}");
        assert_eq!(hop["received"], 5, "{hop}");
        assert_eq!(hop["loss_percent"], 0.0, "{hop}");
        assert_eq!(hop["responders"][0]["answers"], 5, "{hop}");
        assert!(hop["responders"][0]["hostname"].is_null(), "{hop}");
        for field in ["last_ms", "avg_ms", "best_ms", "worst_ms", "stdev_ms"] {
            assert!(hop[field].as_f64().is_some(), "{field}: {hop}");
        }
        assert_eq!(hop["kind"], "private", "{hop}");
    }
    assert_eq!(findings(&report), ["no_loss"], "{report}");
    for key in ["start", "end"] {
        let at = report[key].as_str().unwrap_or_else(|| panic!("{key}"));
        assert!(at.ends_with('Z') && at.contains('T'), "{key}: {at}");
    }
    // The human form: mtr's columns, each hop classified, the verdict under the table.
    let (code, stdout, _) = lab.source().netkit(&[
        "trace", "-n", "-w", "1", "--rounds", "3", "-i", "0.1", "--jitter", &dest,
    ]);
    assert_eq!(code, 0, "{stdout}");
    let header = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("HOP"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        columns,
        [
            "HOP", "HOST", "LOSS%", "SNT", "RCV", "LAST", "AVG", "BEST", "WRST", "STDEV", "JTTR"
        ],
        "{stdout}"
    );
    let hop2 = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("2 "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(hop2.contains(&lab.v4(1, 2)), "{hop2}");
    assert!(hop2.contains("0.0%"), "{hop2}");
    assert!(hop2.contains("private, class A"), "{hop2}");
    let verdict = stdout
        .split("verdict:")
        .nth(1)
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(verdict.contains("no loss"), "{stdout}");
}

#[test]
fn loss_at_one_router_that_later_hops_do_not_share_is_rate_limiting() {
    let Some(lab) = ChainLab::new("trl", &PRIVATE) else {
        return;
    };
    // Router 2 sends only about half its time exceeded; traffic through it is untouched.
    let limit = "table inet t {\n chain out {\n type filter hook output priority 0;\n \
         icmp type time-exceeded numgen random mod 2 == 0 drop\n }\n}\n";
    if lab.nft(2, limit).is_none() {
        return;
    }
    let dest = lab.destination_v4();
    let (code, report, stderr) = trace(&lab, &["--rounds", "30", "-i", "0.05", &dest]);
    assert_eq!(code, 0, "{report} {stderr}");
    let hop2 = &report["hops"][1];
    let loss = hop2["loss_percent"].as_f64().unwrap();
    // 30 draws at p = 0.5: within 20 %..80 % but for about 1 run in 1000.
    assert!((20.0..=80.0).contains(&loss), "{hop2}");
    assert_eq!(report["hops"][4]["loss_percent"], 0.0, "{report}");
    assert_eq!(
        findings(&report),
        ["no_loss", "rate_limited_hop"],
        "{report}"
    );
    let named = &report["verdict"][1]["hops"][0];
    assert_eq!(named["ttl"], 2, "{report}");
    assert_eq!(named["address"], lab.v4(1, 2), "{report}");
    let text = report["verdict"][1]["text"].as_str().unwrap();
    assert!(text.contains("limits its ICMP replies"), "{text}");
}

#[test]
fn loss_that_starts_at_a_hop_and_holds_names_the_link() {
    let Some(lab) = ChainLab::new("trk", &PRIVATE) else {
        return;
    };
    // Router 2 drops 30 % of what it forwards toward the destination (e2a): probes for hop
    // 3 and beyond are lost there, hops 1 and 2 are not.
    let lossy = "table inet t {\n chain lossy {\n type filter hook forward priority 0;\n \
         oifname \"e2a\" numgen random mod 10 < 3 drop\n }\n}\n";
    if lab.nft(2, lossy).is_none() {
        return;
    }
    let dest = lab.destination_v4();
    let (code, report, stderr) = trace(&lab, &["--rounds", "40", "-i", "0.05", &dest]);
    assert_eq!(code, 1, "the destination lost probes: {report} {stderr}");
    let loss: Vec<f64> = report["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["loss_percent"].as_f64().unwrap())
        .collect();
    assert_eq!(&loss[..2], [0.0, 0.0], "{report}");
    // 40 draws at p = 0.3: within 7.5 %..57.5 % but for about 1 run in 10000.
    for l in &loss[2..] {
        assert!((7.5..=57.5).contains(l), "{loss:?}");
    }
    let tokens = findings(&report);
    assert_eq!(tokens[0], "loss_from_hop", "{report}");
    assert!(
        tokens.contains(&"icmp_error_rate_limit".to_string()),
        "{report}"
    );
    let named: Vec<(i64, String)> = report["verdict"][0]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["ttl"].as_i64().unwrap(),
                h["address"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(named, [(2, lab.v4(1, 2)), (3, lab.v4(2, 2))], "{report}");
    let text = report["verdict"][0]["text"].as_str().unwrap();
    assert!(text.contains("go missing between hop 2"), "{text}");
}

#[test]
fn rounds_until_ctrl_c_end_with_the_report() {
    let Some(lab) = ChainLab::new("trc", &PRIVATE) else {
        return;
    };
    let dest = lab.destination_v4();
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    let child = std::process::Command::new("ip")
        .args(["netns", "exec", &lab.source().name])
        .arg(bin)
        .args([
            "trace", "-n", "-w", "1", "--rounds", "0", "-i", "0.1", &dest,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(1200));
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -INT");
    let began = Instant::now();
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(began.elapsed() < Duration::from_secs(3), "ended at once");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Ctrl-C is how an open-ended run ends: the report, and the exit of its verdict.
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("rounds until Ctrl-C"), "{stdout}");
    let hop5 = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("5 "))
        .unwrap_or_else(|| panic!("{stdout}"));
    let sent: u64 = hop5
        .split_whitespace()
        .nth(3)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(sent >= 5, "about 12 rounds in 1.2 s: {hop5}");
    assert!(stdout.contains("no loss"), "{stdout}");
}

#[test]
fn rounds_refuse_bad_values_with_exit_2() {
    for args in [
        &["trace", "--rounds", "x", "127.0.0.1"][..],
        &["trace", "-i", "0.5", "127.0.0.1"],
        &["trace", "--jitter", "127.0.0.1"],
        &["trace", "--rounds", "2", "--flow", "sometimes", "127.0.0.1"],
    ] {
        let (code, _, stderr) = common::run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(!stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn rounds_with_icmp_tcp_and_ipv6_probes_reach_every_hop() {
    let Some(lab) = ChainLab::new("trp", &PRIVATE) else {
        return;
    };
    let (v4, v6) = (lab.destination_v4(), lab.destination_v6());
    let expected6: Vec<String> = (0..PRIVATE.len()).map(|i| lab.v6(i, 2)).collect();
    for (args, protocol, expected) in [
        (vec!["--icmp", v4.as_str()], "icmp", expected_v4(&lab)),
        (vec!["--tcp", "80", v4.as_str()], "tcp", expected_v4(&lab)),
        (vec![v6.as_str()], "udp", expected6.clone()),
        (vec!["--icmp", v6.as_str()], "icmp", expected6),
    ] {
        let mut full = vec!["--rounds", "4", "-i", "0.1"];
        full.extend(args.iter().copied());
        let (code, report, stderr) = trace(&lab, &full);
        assert_eq!(code, 0, "{args:?}: {report} {stderr}");
        assert_eq!(report["protocol"], protocol, "{report}");
        assert_eq!(responders(&report), expected, "{args:?}: {report}");
        assert_eq!(findings(&report), ["no_loss"], "{args:?}: {report}");
    }
}

#[test]
fn rounds_stream_a_timestamped_line_per_hop_per_round_and_redraw_on_a_terminal() {
    let Some(lab) = ChainLab::new("trs", &PRIVATE) else {
        return;
    };
    let dest = lab.destination_v4();
    let args = [
        "trace", "-n", "-w", "1", "--rounds", "3", "-i", "0.1", "--stream", &dest,
    ];
    let (code, stdout, _) = lab.source().netkit(&args);
    assert_eq!(code, 0, "{stdout}");
    let streamed: Vec<&str> = stdout.lines().filter(|l| l.contains("  round ")).collect();
    // 3 rounds of 5 hops, none past the destination.
    assert_eq!(streamed.len(), 15, "{stdout}");
    for line in &streamed {
        let time = line.split_whitespace().next().unwrap_or("");
        assert!(time.len() == 24 && time.ends_with('Z'), "{line}");
    }
    assert!(
        streamed[14].contains("round 3") && streamed[14].contains(&dest),
        "{stdout}"
    );
    // Live, under a pseudo-terminal (script): the table redraws in place, then the report.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        return common::skip("script (util-linux) is missing");
    }
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    let line = format!(
        "ip netns exec {} {} trace -n -w 1 --rounds 4 -i 0.1 {dest}",
        lab.source().name,
        bin.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(
        screen.contains("round 2") && screen.contains("round 3"),
        "{screen}"
    );
    assert!(screen.contains("\x1b[J"), "redrawn in place: {screen}");
    let report = screen.rsplit("\x1b[J").next().unwrap_or("");
    assert!(
        report.contains("HOP") && report.contains("no loss"),
        "{screen}"
    );
}

/// A diamond: source — r1 — (r2a | r2b) — r3 — destination, r1 sending the destination's
/// prefix over two equal-cost next hops chosen by the ports (fib_multipath_hash_policy=1).
/// Link i is 10.201.i.0/24; the side nearer the source holds .1.
fn diamond() -> Option<Vec<Netns>> {
    let mut nodes = Vec::new();
    for name in ["s", "r1", "r2a", "r2b", "r3", "d"] {
        let ns = Netns::create(&format!("trm{name}"))?;
        ns.ip("link set lo up");
        ns.bash(
            "echo 1 > /proc/sys/net/ipv4/ip_forward; \
             echo 0 > /proc/sys/net/ipv4/icmp_ratelimit; \
             echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter; \
             echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter; \
             echo 1 > /proc/sys/net/ipv4/fib_multipath_hash_policy",
        );
        nodes.push(ns);
    }
    // (link, left node, right node)
    for (i, l, r) in [
        (0, 0, 1),
        (1, 1, 2),
        (2, 1, 3),
        (3, 2, 4),
        (4, 3, 4),
        (5, 4, 5),
    ] {
        let (left, right) = (&nodes[l], &nodes[r]);
        left.ip(&format!(
            "link add m{i}a type veth peer name m{i}b netns {}",
            right.name
        ));
        left.ip(&format!("addr add 10.201.{i}.1/24 dev m{i}a"));
        right.ip(&format!("addr add 10.201.{i}.2/24 dev m{i}b"));
        left.ip(&format!("link set m{i}a up"));
        right.ip(&format!("link set m{i}b up"));
    }
    nodes[0].ip("route add default via 10.201.0.2");
    nodes[1].ip("route add 10.201.5.0/24 nexthop via 10.201.1.2 nexthop via 10.201.2.2");
    for (j, back, on) in [
        (2, "10.201.1.1", "10.201.3.2"),
        (3, "10.201.2.1", "10.201.4.2"),
    ] {
        nodes[j].ip(&format!("route add 10.201.0.0/24 via {back}"));
        nodes[j].ip(&format!("route add 10.201.5.0/24 via {on}"));
    }
    nodes[4].ip("route add 10.201.0.0/24 via 10.201.3.1");
    nodes[5].ip("route add default via 10.201.5.1");
    Some(nodes)
}

#[test]
fn equal_cost_paths_show_both_responders_with_their_shares() {
    let Some(nodes) = diamond() else {
        return;
    };
    let run = |extra: &[&str]| {
        let mut args = vec![
            "trace", "--json", "-n", "-w", "1", "--rounds", "24", "-i", "0.05",
        ];
        args.extend_from_slice(extra);
        args.push("10.201.5.2");
        let (code, stdout, stderr) = nodes[0].netkit(&args);
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout:?}; stderr {stderr}"));
        assert_eq!(code, 0, "{report}");
        report
    };
    // A new flow each round: over 24 rounds both next hops show (all on one: 2 in 2^24).
    let report = run(&[]);
    let hop2 = &report["hops"][1];
    let mut seen: Vec<(String, u64)> = hop2["responders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_string(),
                r["answers"].as_u64().unwrap(),
            )
        })
        .collect();
    seen.sort();
    let addresses: Vec<&str> = seen.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(addresses, ["10.201.1.2", "10.201.2.2"], "{hop2}");
    assert_eq!(seen[0].1 + seen[1].1, 24, "{hop2}");
    assert!(seen.iter().all(|(_, n)| *n > 0), "{hop2}");
    assert_eq!(findings(&report), ["no_loss"], "{report}");
    // One flow for the whole run: one path.
    let report = run(&["--flow", "fixed"]);
    let hop2 = &report["hops"][1];
    assert_eq!(hop2["responders"].as_array().unwrap().len(), 1, "{hop2}");
    assert_eq!(hop2["responders"][0]["answers"], 24, "{hop2}");
}

#[test]
fn a_second_trace_to_the_same_host_is_told_of_the_first() {
    let Some(ns) = Netns::create("trtwo") else {
        return;
    };
    ns.ip("link set lo up");
    let (_first, _lines) = ns.spawn_netkit(&["trace", "-n", "--rounds", "0", "127.0.0.1"]);
    std::thread::sleep(Duration::from_millis(300));
    let (code, stdout, stderr) =
        ns.netkit(&["trace", "-n", "--rounds", "2", "-i", "0.2", "127.0.0.1"]);
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(
        stderr.contains("another trace to 127.0.0.1 is running"),
        "{stderr}"
    );
    assert!(stderr.contains("half the answers"), "{stderr}");
}

#[test]
fn rounds_faster_than_0_2_s_need_root_and_say_why() {
    let uid = std::process::Command::new("id").arg("-u").output();
    let root = uid.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output();
    if !root || setpriv.is_err() {
        return common::skip("needs root and setpriv to run as an ordinary user");
    }
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin)
        .args(["trace", "--rounds", "1", "-i", "0.1", "127.0.0.1"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("below 0.2 s") && stderr.contains("floods"),
        "{stderr}"
    );
}

#[test]
fn rounds_show_traceroutes_unreachable_marks_on_their_hop() {
    let Some(lab) = ChainLab::new("trx", &PRIVATE) else {
        return;
    };
    // Hop 2 holds an unreachable route for 10.200.98.0/24: its host unreachable is a !H there.
    lab.nodes[1].ip("route add 10.200.96.0/22 via 10.200.41.2");
    lab.nodes[2].ip("route add unreachable 10.200.98.0/24");
    let (code, report, _) = trace(&lab, &["--rounds", "3", "-i", "0.1", "10.200.98.9"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        responders(&report),
        [lab.v4(0, 2), lab.v4(1, 2)],
        "{report}"
    );
    assert_eq!(
        report["hops"][0]["marks"],
        serde_json::json!([]),
        "{report}"
    );
    assert_eq!(
        report["hops"][1]["marks"],
        serde_json::json!(["!H"]),
        "{report}"
    );
    let (_, stdout, _) = lab.source().netkit(&[
        "trace",
        "-n",
        "-w",
        "1",
        "--rounds",
        "3",
        "-i",
        "0.1",
        "10.200.98.9",
    ]);
    let hop2 = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("2 "))
        .unwrap_or_else(|| panic!("{stdout}"));
    // After the host, as traceroute puts it.
    assert!(hop2.contains(&format!("{} !H ", lab.v4(1, 2))), "{stdout}");
    let hop1 = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(!hop1.contains('!'), "{stdout}");
}

/// Every process below `root` (children, their children, ...), read from /proc.
fn descendants(root: u32) -> Vec<(u32, String)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so read from its last ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            all.push((pid, ppid, comm));
        }
    }
    let mut found = Vec::new();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        for (pid, ppid, comm) in &all {
            if *ppid == parent && found.iter().all(|(p, _)| p != pid) {
                found.push((*pid, comm.clone()));
                parents.push(*pid);
            }
        }
    }
    found
}

#[test]
fn live_rounds_on_a_terminal_end_with_the_report_on_ctrl_c() {
    let Some(lab) = ChainLab::new("trlv", &PRIVATE) else {
        return;
    };
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        return common::skip("script (util-linux) is missing");
    }
    let dest = lab.destination_v4();
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    let line = format!(
        "ip netns exec {} {} trace -n -w 1 --rounds 0 -i 0.1 {dest}",
        lab.source().name,
        bin.display()
    );
    let mut child = std::process::Command::new("script")
        .args(["-qfec", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(1000));
    // Ctrl-C on the pseudo-terminal reaches netkit itself: SIGINT to it, not to script.
    let netkit = descendants(child.id())
        .into_iter()
        .find(|(_, comm)| comm == "netkit")
        .map(|(pid, _)| pid);
    let Some(netkit) = netkit else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("netkit is not running under script after 1 s");
    };
    let sent = std::process::Command::new("kill")
        .args(["-INT", &netkit.to_string()])
        .status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -INT");
    let began = Instant::now();
    // Bounded: if it does not end within 5 s, it is killed and the test fails.
    let mut ended = None;
    while began.elapsed() < Duration::from_secs(5) {
        if let Ok(Some(status)) = child.try_wait() {
            ended = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if ended.is_none() {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &netkit.to_string()])
            .status();
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(ended.is_some(), "still running 5 s after Ctrl-C: {screen}");
    assert!(began.elapsed() < Duration::from_secs(3), "ended at once");
    // Live first: the heading, then the table redrawn in place with the round count.
    assert!(screen.contains("rounds until Ctrl-C"), "{screen}");
    assert!(
        screen.contains("round 2") && screen.contains("\x1b[J"),
        "{screen}"
    );
    // Then the final report under the last erase: the whole table and the verdict.
    let report = screen.rsplit("\x1b[J").next().unwrap_or("");
    assert!(
        report.contains("HOP") && report.contains("LOSS%"),
        "{screen}"
    );
    for hop in 1..=PRIVATE.len() {
        assert!(
            report
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{hop} "))),
            "hop {hop}: {screen}"
        );
    }
    assert!(report.contains("verdict:"), "{screen}");
    assert!(report.contains("no loss on the path"), "{screen}");
    assert_eq!(out.status.code(), Some(0), "{screen}");
}
