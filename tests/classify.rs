//! Black-box tests of `netkit classify`: cards, streams, JSON, tables, and every bad input.

mod common;

use common::{json_lines, run, run_with_stdin};
use serde_json::{Value, json};

/// Every field the JSON record promises, present on every record (null where it does not apply).
const FIELDS: [&str; 40] = [
    "input",
    "address",
    "version",
    "kind",
    "class",
    "class_bits",
    "class_range",
    "classful_mask",
    "classful_network",
    "host_part",
    "class_note",
    "binary",
    "hex",
    "decimal",
    "private",
    "loopback",
    "link_local",
    "multicast",
    "limited_broadcast",
    "unspecified",
    "shared",
    "documentation",
    "benchmarking",
    "reserved",
    "global",
    "ranges",
    "expanded",
    "scope",
    "embedded_ipv4",
    "zone",
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

fn one(input: &str) -> Value {
    let (code, stdout, stderr) = run(&["classify", "--json", input]);
    assert_eq!(code, 0, "{input}: {stderr}");
    let mut records = json_lines(&stdout);
    assert_eq!(records.len(), 1, "{input}: {stdout}");
    records.remove(0)
}

#[test]
fn card_answers_the_first_lab_question() {
    let (code, stdout, stderr) = run(&["classify", "172.20.1.5"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    for want in [
        "172.20.1.5  private",
        "class       B  (leading bits 10: 128.0.0.0-191.255.255.255)",
        "mask 255.255.0.0 (/16)  network 172.20.0.0  host 0.0.1.5",
        "historical: CIDR replaced classes, RFC 4632",
        "binary      10101100.00010100.00000001.00000101",
        "hex         0xac140105  decimal 2886992133",
        "global      no: not globally reachable (per 172.16.0.0/12)",
        "172.16.0.0/12  Private-Use  RFC 1918",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
}

#[test]
fn card_does_subnet_math_for_cidr_input() {
    let (code, stdout, _) = run(&["classify", "192.168.1.77/26"]);
    assert_eq!(code, 0);
    for want in [
        "subnet      192.168.1.64/26  (host bits set: 192.168.1.77 is inside it)",
        "netmask     255.255.255.192  wildcard 0.0.0.63",
        "broadcast   192.168.1.127",
        "hosts       192.168.1.65 - 192.168.1.126",
        "count       64 addresses, 62 usable hosts",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
}

#[test]
fn explain_marks_class_bits_and_both_splits() {
    let (code, stdout, _) = run(&["classify", "--explain", "192.168.1.77/26"]);
    assert_eq!(code, 0);
    for want in [
        "    11000000.10101000.00000001.01001101",
        "    ^^^                                  the leading bits 110 make it class C",
        "nnnnnnnn.nnnnnnnn.nnnnnnnn.hhhhhhhh  classful /24",
        "nnnnnnnn.nnnnnnnn.nnnnnnnn.nnhhhhhh  CIDR /26",
        "192.168.0.0/16 is private (RFC 1918)",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
}

#[test]
fn json_record_has_every_field_with_the_right_types() {
    for input in [
        "172.20.1.5",
        "192.168.1.77/26",
        "2001:db8::1",
        "fe80::1%eth0",
        "2001:db8::/64",
    ] {
        let r = one(input);
        for field in FIELDS {
            assert!(r.get(field).is_some(), "{input}: field {field} missing");
        }
        assert_eq!(r["input"], json!(input));
    }
    let v4 = one("172.20.1.5");
    assert_eq!(v4["version"], json!(4));
    assert_eq!(v4["class"], json!("B"));
    assert_eq!(v4["class_bits"], json!("10"));
    assert_eq!(v4["classful_network"], json!("172.20.0.0"));
    assert_eq!(v4["host_part"], json!("0.0.1.5"));
    assert_eq!(v4["decimal"], json!(2886992133u64));
    assert_eq!(v4["private"], json!(true));
    assert_eq!(v4["global"], json!(false));
    assert_eq!(v4["expanded"], Value::Null);
    assert_eq!(v4["prefix"], Value::Null);
    assert_eq!(v4["ranges"][0]["block"], json!("172.16.0.0/12"));
    assert_eq!(v4["ranges"][0]["globally_reachable"], json!(false));

    let net = one("192.168.1.77/26");
    assert_eq!(net["address"], json!("192.168.1.77"));
    assert_eq!(net["network"], json!("192.168.1.64"));
    assert_eq!(net["broadcast"], json!("192.168.1.127"));
    assert_eq!(net["usable_hosts"], json!(62), "IPv4 counts are numbers");

    let v6 = one("2001:db8::/64");
    assert_eq!(v6["class"], Value::Null);
    assert_eq!(v6["reserved"], Value::Null);
    assert_eq!(v6["broadcast"], Value::Null);
    assert_eq!(
        v6["addresses"],
        json!("18446744073709551616"),
        "IPv6 counts are strings"
    );
    assert_eq!(
        v6["decimal"],
        json!("42540766411282592856903984951653826560")
    );

    let zoned = one("fe80::1%eth0");
    assert_eq!(zoned["zone"], json!("eth0"));
    assert_eq!(zoned["scope"], json!("link-local"));
}

#[test]
fn the_most_specific_registry_row_decides_global() {
    let r = one("192.0.0.9");
    assert_eq!(r["global"], json!(true));
    assert_eq!(r["ranges"][0]["block"], json!("192.0.0.9/32"));
    assert_eq!(r["ranges"][1]["block"], json!("192.0.0.0/24"));
    assert_eq!(r["ranges"][1]["globally_reachable"], json!(false));
    let deprecated = one("192.88.99.1");
    assert_eq!(deprecated["global"], Value::Null);
    assert_eq!(deprecated["ranges"][0]["source"], Value::Null);
    let multicast = one("224.0.0.251");
    assert_eq!(multicast["global"], Value::Null);
    assert_eq!(multicast["kind"], json!("multicast"));
    assert_eq!(
        multicast["ranges"][0]["name"],
        json!("Local Network Control Block")
    );
}

#[test]
fn embedded_ipv4_is_classified_in_place() {
    let r = one("2002:c000:221::1");
    assert_eq!(r["embedded_ipv4"]["via"], json!("6to4"));
    assert_eq!(r["embedded_ipv4"]["address"], json!("192.0.2.33"));
    assert_eq!(r["embedded_ipv4"]["documentation"], json!(true));
    assert_eq!(r["embedded_ipv4"]["class"], json!("C"));
    let mapped = one("::ffff:10.1.2.3");
    assert_eq!(mapped["embedded_ipv4"]["private"], json!(true));
}

#[test]
fn multicast_scope_comes_from_the_scope_nibble() {
    assert_eq!(one("ff05::2")["scope"], json!("site-local"));
    assert_eq!(one("ff0e::1")["scope"], json!("global"));
    assert_eq!(one("ff0e::1")["global"], Value::Null);
}

#[test]
fn every_bad_input_is_named_with_its_reason_and_exit_2() {
    let cases = [
        ("300.1.1.1", "netkit: 300.1.1.1: octet 1 is 300, above 255"),
        (
            "1.2.3",
            "netkit: 1.2.3: has 3 octet(s); an IPv4 address has 4",
        ),
        (
            "010.1.1.1",
            "netkit: 010.1.1.1: octet 1 ('010') has a leading zero",
        ),
        (
            "10.0.0.0/33",
            "netkit: 10.0.0.0/33: prefix /33 is above 32, the longest IPv4 prefix",
        ),
        (
            "10.0.0.0/255.0.255.0",
            "netmask 255.0.255.0 is not contiguous",
        ),
        (
            "1:2:3:4:5:6:7:8:9",
            "netkit: 1:2:3:4:5:6:7:8:9: has 9 groups",
        ),
        ("hello", "netkit: hello: not an IPv4 or IPv6 address"),
        ("", "netkit: (empty): empty input"),
    ];
    for (input, want) in cases {
        let (code, stdout, stderr) = run(&["classify", input]);
        assert_eq!(code, 2, "{input:?}");
        assert!(stdout.is_empty(), "{input:?}: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{input:?}: one line: {stderr}");
        assert!(stderr.contains(want), "{input:?}: {stderr}");
    }
}

#[test]
fn good_inputs_are_still_classified_beside_bad_ones() {
    let (code, stdout, stderr) = run(&["classify", "--brief", "10.0.0.1", "300.1.1.1", "8.8.8.8"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("300.1.1.1: octet 1 is 300"), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("10.0.0.1") && lines[0].contains("private"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("8.8.8.8") && lines[1].contains("public"),
        "{stdout}"
    );
}

#[test]
fn json_puts_a_bad_input_in_its_place() {
    let (code, stdout, _) = run(&["classify", "--json", "10.0.0.1", "300.1.1.1", "::1"]);
    assert_eq!(code, 2);
    let records = json_lines(&stdout);
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["address"], json!("10.0.0.1"));
    assert_eq!(
        records[1],
        json!({"input": "300.1.1.1", "error": "octet 1 is 300, above 255"})
    );
    assert_eq!(records[2]["loopback"], json!(true));
}

#[test]
fn streams_stdin_one_line_each_skipping_blanks_and_comments() {
    let input = "# lab addresses\n10.0.0.1\n\n  172.20.1.5   # router\n2001:db8::1\r\n";
    let (code, stdout, stderr) = run_with_stdin(&["classify", "-"], input);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with("10.0.0.1 ") && lines[0].contains("class A"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("172.20.1.5 ") && lines[1].contains("Private-Use (172.16.0.0/12)")
    );
    assert!(lines[2].starts_with("2001:db8::1 ") && lines[2].contains("documentation"));
}

#[test]
fn streams_json_lines_with_errors_in_place() {
    let (code, stdout, _) = run_with_stdin(&["classify", "--json", "-"], "1.1.1.1\n1.2.3\n::\n");
    assert_eq!(code, 2);
    let records = json_lines(&stdout);
    assert_eq!(records.len(), 3);
    assert_eq!(records[1]["input"], json!("1.2.3"));
    assert!(records[1]["error"].is_string());
    assert_eq!(records[2]["unspecified"], json!(true));
}

#[test]
fn reads_a_file_and_reports_a_missing_one() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("addresses.txt");
    std::fs::write(&path, "127.0.0.1\n169.254.1.1\n").unwrap_or_else(|e| panic!("{e}"));
    let path = path.to_string_lossy().into_owned();
    let (code, stdout, _) = run(&["classify", "--file", &path]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("loopback") && stdout.contains("link-local"),
        "{stdout}"
    );

    let missing = dir.path().join("nope.txt").to_string_lossy().into_owned();
    let (code, _, stderr) = run(&["classify", "--file", &missing]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "netkit: cannot read {missing}: no such file or directory (check the path)"
        )),
        "{stderr}"
    );
}

#[test]
fn a_huge_line_is_reported_and_skipped() {
    let input = format!("{}\n10.0.0.1\n", "9".repeat(100_000));
    let (code, stdout, stderr) = run_with_stdin(&["classify", "-"], &input);
    assert_eq!(code, 2);
    assert!(stderr.contains("line longer than 4096 bytes"), "{stderr}");
    assert!(stdout.starts_with("10.0.0.1 "), "{stdout}");
}

#[test]
fn classes_table_has_the_classful_numbers() {
    let (code, stdout, _) = run(&["classify", "--classes"]);
    assert_eq!(code, 0);
    for want in [
        "16,777,214",
        "16,384",
        "65,534",
        "2,097,152",
        "254",
        "1-126 usable",
        "1110",
        "multicast",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
    let (_, stdout, _) = run(&["classify", "--classes", "--json"]);
    let doc = &json_lines(&stdout)[0];
    assert_eq!(doc["classes"][0]["networks"], json!(126));
    assert_eq!(doc["classes"][1]["hosts_per_network"], json!(65534));
    assert_eq!(doc["classes"][3]["networks"], Value::Null);
}

#[test]
fn registry_prints_every_block_with_its_snapshot_date() {
    let (code, stdout, _) = run(&["classify", "--registry", "--json"]);
    assert_eq!(code, 0);
    let doc = &json_lines(&stdout)[0];
    assert!(doc["snapshot"].is_string());
    let blocks: Vec<&str> = doc["blocks"]
        .as_array()
        .map(|a| a.iter().filter_map(|b| b["block"].as_str()).collect())
        .unwrap_or_default();
    for want in [
        "192.0.0.170/32",
        "192.88.99.2/32",
        "2001:30::/28",
        "3fff::/20",
        "5f00::/16",
        "100:0:0:1::/64",
    ] {
        assert!(blocks.contains(&want), "{want} missing");
    }
    let (_, text, _) = run(&["classify", "--registry"]);
    assert!(text.contains("as of "), "{text}");
}

#[test]
fn a_streamed_answer_arrives_before_the_next_line_is_typed() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    let mut child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(["classify", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("stdin"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    for (input, kind) in [("10.0.0.1", "private"), ("8.8.8.8", "public")] {
        stdin
            .write_all(format!("{input}\n").as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        stdin.flush().unwrap_or_else(|e| panic!("{e}"));
        let line = rx
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_else(|_| panic!("no answer for {input} while stdin stays open"));
        assert!(line.starts_with(input) && line.contains(kind), "{line}");
    }
    drop(stdin);
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success());
}

#[test]
fn json_escapes_whatever_the_user_typed() {
    let nasty = "a\"b\\c\u{1}d\té";
    let (code, stdout, _) = run(&["classify", "--json", nasty]);
    assert_eq!(code, 2);
    let records = json_lines(&stdout);
    assert_eq!(records[0]["input"], json!(nasty));
    assert_eq!(records[0]["error"], json!("not an IPv4 or IPv6 address"));
}

#[test]
fn a_prefix_with_a_leading_zero_and_a_wildcard_mask_are_refused_with_the_fix() {
    // Systems disagree on /032 (/32 to Python, /26 to iproute2): issue 11.
    let (code, _, stderr) = run(&["classify", "1.1.1.0/032"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("has a leading zero"), "{stderr}");
    assert!(stderr.contains("write /32"), "{stderr}");
    let (code, _, stderr) = run(&["classify", "10.0.0.0/0.0.0.255"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("0.0.0.255 is a wildcard (host) mask") && stderr.contains("write /24"),
        "{stderr}"
    );
    assert!(!stderr.contains("/0?"), "{stderr}");
}

#[test]
fn why_lessons_start_class_b_at_128_1_0_1_and_class_c_at_192_0_1_1() {
    let (code, stdout, _) = run(&["classify", "--classes"]);
    assert_eq!(code, 0);
    let text = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for words in [
        "Lessons list class B from 128.1.0.1 and class C from 192.0.1.1",
        "128.0.0.0/16 and 192.0.0.0/24, were reserved from the early assignments on",
        "191.255.0.0/16 and 223.255.255.0/24 (RFC 790, 1981, lists the class B pair; RFC 3330, 2002, still all four)",
        "Since RFC 5735 (2010) only 192.0.0.0/24 of them is special",
    ] {
        assert!(text.contains(words), "{words}: {stdout}");
    }
    // The card of an address in such a network says it, in the class's note (JSON too).
    let (_, stdout, _) = run(&["classify", "128.0.0.1"]);
    assert!(
        stdout.contains("that is why lessons list class B from 128.1.0.1"),
        "{stdout}"
    );
    let (_, stdout, _) = run(&["classify", "--json", "192.0.0.1"]);
    let record: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    assert!(
        record["class_note"]
            .as_str()
            .is_some_and(|n| n.contains("lessons list class C from 192.0.1.1")),
        "{record}"
    );
    let (_, stdout, _) = run(&["classify", "128.1.0.1"]);
    assert!(!stdout.contains("lessons"), "{stdout}");
}

#[test]
fn a_classful_network_or_broadcast_address_is_no_host_there() {
    let (code, stdout, _) = run(&["classify", "10.0.0.0"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("host part all zeros: 10.0.0.0 names the classful network 10.0.0.0/8, no host address there"),
        "{stdout}"
    );
    assert!(
        stdout.contains("under CIDR the prefix decides: it names its network under /7 to /30, is a host under /6 or shorter, and usable under /31 (RFC 3021) or /32"),
        "{stdout}"
    );
    let (_, stdout, _) = run(&["classify", "126.255.255.255", "--explain"]);
    assert!(
        stdout.contains("host part all ones: 126.255.255.255 is the broadcast address of the classful network 126.0.0.0/8, no host address there"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Host part all ones: 126.255.255.255 is the broadcast address"),
        "the explain view says it too: {stdout}"
    );
    assert!(
        stdout.contains("broadcast under /8 to /30, is a host under /7 or shorter"),
        "{stdout}"
    );
    for host in ["10.0.0.1", "126.255.255.254", "127.0.0.0"] {
        let (_, stdout, _) = run(&["classify", host]);
        assert!(!stdout.contains("host part all"), "{host}: {stdout}");
    }
}
