//! Black-box tests of `netkit port`.

mod common;

use common::{json_lines, run};
use serde_json::json;

#[test]
fn names_ranges_and_services() {
    let (code, stdout, stderr) = run(&["port", "--builtin", "80", "8080", "50000", "https"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("PORT"), "{stdout}");
    // The last column, HELD BY, depends on this machine: the rest does not.
    let row = |n: usize| lines[n].split_whitespace().collect::<Vec<_>>().join(" ");
    let cases = [
        (1, "80 well-known (0-1023) well-known http http "),
        (2, "8080 registered (1024-49151) dynamic http-alt - "),
        (3, "50000 dynamic (49152-65535) dynamic - - "),
        (4, "443 (https) well-known (0-1023) well-known https https "),
    ];
    for (n, want) in cases {
        assert!(row(n).starts_with(want), "{} vs {want}", row(n));
    }
}

#[test]
fn json_has_one_object_per_port() {
    let (code, stdout, _) = run(&["port", "--builtin", "--json", "53", "7788"]);
    assert_eq!(code, 0);
    let mut records = json_lines(&stdout);
    // What holds the ports depends on this machine; the rest does not.
    // So do the ports this machine chooses for clients (tested in a namespace below).
    for r in &mut records {
        assert!(r["held_by"].is_array(), "{r}");
        assert!(r["local_port_range"]["first"].is_u64(), "{r}");
        assert!(r["in_local_port_range"].is_boolean(), "{r}");
        if let Some(o) = r.as_object_mut() {
            o.remove("held_by");
            o.remove("local_port_range");
            o.remove("in_local_port_range");
        }
    }
    assert_eq!(
        records[0],
        json!({
            "input": "53", "port": 53, "iana_range": "well-known", "handout_range": "well-known",
            "services": [
                {"name": "domain", "protocol": "tcp", "source": "builtin"},
                {"name": "domain", "protocol": "udp", "source": "builtin"}
            ]
        })
    );
    assert_eq!(records[1]["iana_range"], json!("registered"));
    assert_eq!(records[1]["handout_range"], json!("dynamic"));
    assert_eq!(records[1]["services"], json!([]));
}

#[test]
fn ranges_and_words_expand_to_each_port() {
    let (code, stdout, _) = run(&["port", "--builtin", "--json", "20-22"]);
    assert_eq!(code, 0);
    let ports: Vec<u64> = json_lines(&stdout)
        .iter()
        .filter_map(|r| r["port"].as_u64())
        .collect();
    assert_eq!(ports, [20, 21, 22]);
    let (_, stdout, _) = run(&["port", "--builtin", "--json", "well-known"]);
    assert_eq!(json_lines(&stdout).len(), 1023);
}

#[test]
fn bad_ports_exit_2_with_the_reason() {
    let cases = [
        ("70000", "netkit: 70000: port 70000 is above 65535"),
        ("-1", "netkit: -1: port -1 is negative"),
        ("abc", "netkit: abc: unknown service name 'abc'"),
        ("100-50", "range 100-50 is reversed: write 50-100"),
    ];
    for (input, want) in cases {
        let (code, stdout, stderr) = run(&["port", "--builtin", input]);
        assert_eq!(code, 2, "{input}");
        assert!(stdout.is_empty(), "{input}: {stdout}");
        assert!(stderr.contains(want), "{input}: {stderr}");
    }
    let (code, stdout, _) = run(&["port", "--builtin", "--json", "22", "70000"]);
    assert_eq!(code, 2);
    let records = json_lines(&stdout);
    assert_eq!(records[0]["port"], json!(22));
    assert_eq!(records[1]["input"], json!("70000"));
    assert!(
        records[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("above 65535"))
    );
}

#[test]
fn a_services_file_is_read_and_backed_by_the_builtin_table() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("services");
    std::fs::write(&path, "labecho 7788/udp\nwww 80/tcp http\n").unwrap_or_else(|e| panic!("{e}"));
    let path = path.to_string_lossy().into_owned();
    let (code, stdout, _) = run(&[
        "port",
        "--json",
        "--services-file",
        &path,
        "labecho",
        "80",
        "22",
    ]);
    assert_eq!(code, 0);
    let r = json_lines(&stdout);
    assert_eq!(r[0]["port"], json!(7788));
    assert_eq!(
        r[0]["services"],
        json!([{"name": "labecho", "protocol": "udp", "source": "system"}])
    );
    assert_eq!(
        r[1]["services"][0],
        json!({"name": "www", "protocol": "tcp", "source": "system"})
    );
    assert_eq!(r[2]["services"][0]["source"], json!("builtin"));

    let missing = dir.path().join("nope").to_string_lossy().into_owned();
    let (code, _, stderr) = run(&["port", "--services-file", &missing, "80"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read") && stderr.contains("check the path"),
        "{stderr}"
    );
}

#[test]
fn a_services_file_that_is_no_file_or_too_large_is_refused_at_once() {
    // /dev/zero never ends: refused before it is read (issue 11).
    let (code, _, stderr) = common::run_within(
        &["port", "--services-file", "/dev/zero", "80"],
        Vec::new(),
        std::time::Duration::from_secs(5),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("services file /dev/zero: not a regular file"),
        "{stderr}"
    );
    // A regular file past the cap (sparse, so it costs no disk).
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let big = dir.path().join("services");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len((16 << 20) + 1))
        .unwrap_or_else(|e| panic!("{e}"));
    let big = big.to_string_lossy().into_owned();
    let (code, _, stderr) = run(&["port", "--services-file", &big, "80"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is larger than 16 MiB"), "{stderr}");
}

#[test]
fn listening_says_who_holds_a_port_and_from_where_it_is_reached() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let (code, stdout, stderr) = run(&["port", "--listening", "--json", "--builtin"]);
    assert_eq!(code, 0, "{stderr}");
    let at = format!("\"address\":\"127.0.0.1:{port}\"");
    let line = stdout
        .lines()
        .find(|l| l.contains(&at))
        .unwrap_or_else(|| panic!("no line for {at}: {stdout}"));
    // The keys in their order: the holder's, then what the port means.
    let pid = std::process::id();
    assert!(
        line.starts_with(&format!(
            "{{\"protocol\":\"tcp\",{at},\"pid\":{pid},\"program\":"
        )),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            ",\"port\":{port},\"reach\":\"loopback only\",\"iana_range\":"
        )),
        "{line}"
    );
    let (code, stdout, stderr) = run(&["port", "--builtin", &port.to_string()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("tcp 127.0.0.1 ") && stdout.contains(&format!("(pid {pid})")),
        "{stdout}"
    );
    drop(listener);
}

#[test]
fn port_says_which_ports_the_os_chooses_and_what_port_0_means() {
    // In a namespace of its own, whose range for OS-chosen ports the test sets (each network
    // namespace has its own): netkit must show that range, not a constant.
    let Some(ns) = common::netns::Netns::create("portrange") else {
        return;
    };
    ns.ip("link set lo up");
    ns.bash("echo '40000 40009' > /proc/sys/net/ipv4/ip_local_port_range");
    // The lesson's sender, which binds no port: the OS gives it one from that range.
    let sender = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lessons/udp_sender_port.py"
    );
    let out = ns.exec("python3", &[sender, "127.0.0.1", "7890"]);
    let got = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port: u16 = got.parse().unwrap_or_else(|e| panic!("{got:?}: {e}"));
    assert!((40000..=40009).contains(&port), "{port}");
    let (code, stdout, stderr) = ns.netkit(&["port", "--builtin", "0", &got]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("port 0 is no port to connect to: binding port 0 asks the OS for a free port, chosen from 40000-40009 here"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "client ports here: 40000-40009 (net.ipv4.ip_local_port_range); a client that binds no port gets one when it connects or sends, usually a new one each run ({port} is one of them)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("the two range columns differ on 1024-49151")
            && stdout.contains("IANA's dynamic range, never assigned, is 49152-65535; Linux chooses client ports from 32768-60999 by default"),
        "{stdout}"
    );
    let (_, stdout, _) = ns.netkit(&["port", "--builtin", "--json", "0", &got]);
    let records = json_lines(&stdout);
    assert_eq!(
        records[0]["local_port_range"],
        json!({"first": 40000, "last": 40009})
    );
    assert_eq!(records[0]["in_local_port_range"], json!(false));
    assert_eq!(records[1]["in_local_port_range"], json!(true));
}
