//! Black-box tests of `netkit subnet`: every form, IPv4 and IPv6, the edges (/0, /31, /32,
//! /127, /128), exit codes and JSON. Pure computation: no network.

mod common;

use common::{json_lines, run, run_with_stdin};
use serde_json::json;

fn rows(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("SUBNET") && !l.starts_with("NEEDED"))
        .skip(1)
        .take_while(|l| !l.starts_with("note") && !l.starts_with("free") && !l.starts_with("..."))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn split_into_equal_subnets_rounding_up_and_saying_so() {
    let (code, stdout, stderr) = run(&["subnet", "192.168.1.0/24", "--split", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("3 subnets asked for: 4 made"),
        "{stdout}"
    );
    let r = rows(&stdout);
    assert_eq!(r.len(), 4);
    assert_eq!(
        r[0],
        [
            "192.168.1.0/26",
            "255.255.255.192",
            "192.168.1.1",
            "192.168.1.62",
            "192.168.1.63",
            "62"
        ]
    );
    assert_eq!(r[3][0], "192.168.1.192/26");
    let (_, stdout, _) = run(&["subnet", "192.168.1.0/24", "--prefix", "27"]);
    assert_eq!(rows(&stdout).len(), 8);
}

#[test]
fn a_big_split_streams_every_row_and_ipv6_stops_at_the_limit() {
    let (code, stdout, _) = run(&["subnet", "10.0.0.0/8", "--prefix", "24"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 65_537, "a header and 65,536 rows");
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("10.255.255.0/24"))
    );
    let (_, stdout, _) = run(&["subnet", "2001:db8::/32", "--prefix", "48", "--limit", "3"]);
    let r = rows(&stdout);
    assert_eq!(r.len(), 3);
    assert!(
        stdout.contains("... and 65533 more subnets (--limit 0 lists them all)"),
        "{stdout}"
    );
    let (_, stdout, _) = run(&["subnet", "2001:db8::/32", "--prefix", "40", "--limit", "0"]);
    assert_eq!(rows(&stdout).len(), 256);
    let (_, stdout, _) = run(&["subnet", "10.0.0.0/30", "--prefix", "32", "--json"]);
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 5, "four rows and the summary");
    assert_eq!(lines[3]["subnet"], json!("10.0.0.3/32"));
    assert_eq!(lines[4]["summary"]["count"], json!(4));
}

#[test]
fn the_edges_are_treated_as_classify_treats_them() {
    let one = |block: &str| {
        rows(&run(&["subnet", block]).1)
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    assert_eq!(one("0.0.0.0/0")[5], "4294967294");
    assert_eq!(
        one("10.0.0.0/31"),
        [
            "10.0.0.0/31",
            "255.255.255.254",
            "10.0.0.0",
            "10.0.0.1",
            "-",
            "2"
        ]
    );
    assert_eq!(
        one("10.0.0.7/32"),
        [
            "10.0.0.7/32",
            "255.255.255.255",
            "10.0.0.7",
            "10.0.0.7",
            "-",
            "1"
        ]
    );
    assert_eq!(one("2001:db8::/127")[4], "2");
    assert_eq!(one("2001:db8::1/128")[4], "1");
    let (code, _, stderr) = run(&["subnet", "10.0.0.5/24"]);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("has host bits set: planning in its network 10.0.0.0/24"),
        "{stderr}"
    );
}

#[test]
fn vlsm_plans_by_host_counts_and_says_when_they_do_not_fit() {
    let (code, stdout, stderr) = run(&["subnet", "192.168.1.0/24", "--hosts", "50,20,10,2"]);
    assert_eq!(code, 0, "{stderr}");
    let r = rows(&stdout);
    let got: Vec<(&str, &str)> = r
        .iter()
        .map(|row| (row[0].as_str(), row[1].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("50", "192.168.1.0/26"),
            ("20", "192.168.1.64/27"),
            ("10", "192.168.1.96/28"),
            ("2", "192.168.1.112/30")
        ]
    );
    assert!(stdout.contains("could be a /31"), "{stdout}");
    assert!(
        stdout.contains("free: 192.168.1.116/30, 192.168.1.120/29, 192.168.1.128/25"),
        "{stdout}"
    );
    // Exactly full.
    let (code, stdout, _) = run(&["subnet", "10.0.0.0/24", "--hosts", "126,62,30,14,6,2,2"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("free: nothing left of 10.0.0.0/24"),
        "{stdout}"
    );
    // Too much.
    let (code, _, stderr) = run(&["subnet", "10.0.0.0/24", "--hosts", "200,100"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("128 too few; a /23 would hold them all"),
        "{stderr}"
    );
    // IPv6 and JSON.
    let (code, stdout, _) = run(&["subnet", "2001:db8::/64", "--hosts", "1000,1", "--json"]);
    assert_eq!(code, 0);
    let plan = &json_lines(&stdout)[0];
    assert_eq!(plan["subnets"][0]["subnet"], json!("2001:db8::/118"));
    assert_eq!(plan["subnets"][1]["needed"], json!(1));
}

#[test]
fn a_range_is_the_fewest_cidr_blocks_in_either_form() {
    let want = "10.0.0.5/32\n10.0.0.6/31\n10.0.0.8/29\n10.0.0.16/28\n10.0.0.32/27\n10.0.0.64/29\n10.0.0.72/30\n10.0.0.76/31\n";
    assert_eq!(run(&["subnet", "10.0.0.5-10.0.0.77"]).1, want);
    assert_eq!(run(&["subnet", "10.0.0.5", "-", "10.0.0.77"]).1, want);
    assert_eq!(
        run(&["subnet", "2001:db8::-2001:db8::ff"]).1,
        "2001:db8::/120\n"
    );
    let (code, _, stderr) = run(&["subnet", "10.0.0.9-10.0.0.1"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("reversed"), "{stderr}");
}

#[test]
fn aggregate_merges_arguments_or_stdin_per_family() {
    let (code, stdout, _) = run(&[
        "subnet",
        "--aggregate",
        "10.0.0.0/24",
        "10.0.1.0/24",
        "10.0.3.0/24",
        "fd00::/17",
        "fd00:8000::/17",
        "10.0.3.7",
    ]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "10.0.0.0/23\n10.0.3.0/24\nfd00::/16\n");
    let (code, stdout, stderr) = run_with_stdin(
        &["subnet", "--aggregate", "-", "--json"],
        "10.0.0.0/25\n# a comment\n10.0.0.128/25\n\n300.1.1.1/8\n192.168.0.0/16\n",
    );
    assert_eq!(code, 2, "one bad line");
    assert!(stderr.contains("300.1.1.1/8: octet 1 is 300"), "{stderr}");
    let lines = json_lines(&stdout);
    let blocks: Vec<_> = lines.iter().filter_map(|l| l["subnet"].as_str()).collect();
    assert_eq!(blocks, ["10.0.0.0/24", "192.168.0.0/16"]);
    assert_eq!(
        lines.last(),
        Some(&json!({"summary": {"kind": "aggregate", "read": 3, "blocks": 2}}))
    );
}

#[test]
fn aggregate_json_is_the_same_from_arguments_and_from_stdin() {
    let prefixes = ["10.0.0.0/24", "10.0.1.0/24", "10.0.3.0/24", "fd00::/16"];
    let mut args = vec!["subnet", "--aggregate", "--json"];
    args.extend(prefixes);
    let (code, from_args, _) = run(&args);
    assert_eq!(code, 0);
    let (code, from_stdin, _) = run_with_stdin(
        &["subnet", "--aggregate", "--json", "-"],
        &(prefixes.join("\n") + "\n"),
    );
    assert_eq!(code, 0);
    assert_eq!(from_args, from_stdin);
    // One line per block, named by the key a split's rows use, then the summary.
    assert_eq!(
        json_lines(&from_args),
        [
            json!({"subnet": "10.0.0.0/23"}),
            json!({"subnet": "10.0.3.0/24"}),
            json!({"subnet": "fd00::/16"}),
            json!({"summary": {"kind": "aggregate", "read": 4, "blocks": 3}}),
        ]
    );
    let (_, range, _) = run(&["subnet", "10.0.0.5-10.0.0.7", "--json"]);
    assert_eq!(
        json_lines(&range),
        [
            json!({"subnet": "10.0.0.5/32"}),
            json!({"subnet": "10.0.0.6/31"}),
            json!({"summary": {"kind": "range", "blocks": 2}}),
        ]
    );
}

#[test]
fn same_subnet_is_a_yes_or_no_question() {
    let (code, stdout, _) = run(&[
        "subnet",
        "192.168.1.10",
        "192.168.1.200",
        "--mask",
        "255.255.255.128",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("192.168.1.200 AND 255.255.255.128 = 192.168.1.128"),
        "{stdout}"
    );
    assert!(stdout.contains("not the same subnet"), "{stdout}");
    let (code, stdout, _) = run(&["subnet", "192.168.1.10", "192.168.1.100", "--mask", "/25"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("same subnet: both are on 192.168.1.0/25"),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["subnet", "fd00::1", "fd00::ffff", "--mask", "64", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(json_lines(&stdout)[0]["same"], json!(true));
    let (code, _, stderr) = run(&["subnet", "10.0.0.1", "10.0.0.2", "--mask", "0.0.0.255"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("wildcard"), "{stderr}");
}

#[test]
fn contains_says_which_lie_inside() {
    let (code, stdout, _) = run(&[
        "subnet",
        "10.0.0.0/8",
        "--contains",
        "10.1.2.3",
        "11.0.0.1",
        "10.2.0.0/16",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("10.1.2.3     inside 10.0.0.0/8"),
        "{stdout}"
    );
    assert!(
        stdout.contains("11.0.0.1     outside 10.0.0.0/8"),
        "{stdout}"
    );
    assert!(stdout.contains("10.2.0.0/16  inside"), "{stdout}");
    let (code, _, _) = run(&["subnet", "10.0.0.0/8", "--contains", "10.1.2.3"]);
    assert_eq!(code, 0);
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    for (args, want) in [
        (&["subnet", "10.0.0.0/33"][..], "prefix /33 is above 32"),
        (
            &["subnet", "10.0.0.0/24", "--prefix", "20"],
            "/20 is not inside /24",
        ),
        (&["subnet", "10.0.0.0/31", "--split", "4"], "at most 2"),
        (&["subnet", "10.0.0.1"], "give a block with its prefix"),
        (
            &["subnet", "10.0.0.0/24", "--split", "2", "--hosts", "3"],
            "cannot be used with",
        ),
    ] {
        let (code, _, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[test]
fn all_of_ipv6_counts_to_2_pow_128_and_json_writes_big_counts_as_strings() {
    const ALL: &str = "340282366920938463463374607431768211456";
    let (code, stdout, _) = run(&["subnet", "::/0", "--prefix", "128", "--limit", "2"]);
    assert_eq!(code, 0);
    // 2^128 subnets, 2 listed: 2^128 - 2 more (issue 23: it said 2^128 - 3).
    assert!(
        stdout.contains("... and 340282366920938463463374607431768211454 more subnets"),
        "{stdout}"
    );
    let (_, stdout, _) = run(&[
        "subnet",
        "::/0",
        "--prefix",
        "128",
        "--explain",
        "--limit",
        "1",
    ]);
    assert!(
        stdout.contains(&format!("borrowing 128 bits gives 2^128 = {ALL} subnets")),
        "{stdout}"
    );
    let (_, stdout, _) = run(&[
        "subnet", "::/0", "--prefix", "128", "--json", "--limit", "1",
    ]);
    let lines = json_lines(&stdout);
    assert_eq!(lines[1]["summary"]["count"], json!(ALL));
    // One past a u64 is a string too; what fits a u64 stays a number.
    let (_, stdout, _) = run(&[
        "subnet",
        "::/0",
        "--split",
        "18446744073709551615",
        "--json",
        "--limit",
        "1",
    ]);
    let summary = &json_lines(&stdout)[1]["summary"];
    assert_eq!(summary["count"], json!("18446744073709551616"));
    assert_eq!(
        summary["rounded"],
        json!([18_446_744_073_709_551_615_u64, "18446744073709551616"])
    );
    let (_, stdout, _) = run(&["subnet", "::/0", "--prefix", "1", "--json"]);
    let lines = json_lines(&stdout);
    assert_eq!(lines[2]["summary"]["count"], json!(2));
    // The hosts of ::/0, in the row and in classify's card.
    let (_, stdout, _) = run(&["subnet", "::/0"]);
    assert!(
        stdout.lines().nth(1).is_some_and(|l| l.ends_with(ALL)),
        "{stdout}"
    );
    let (_, stdout, _) = run(&["classify", "::/0"]);
    assert!(
        stdout.contains("340,282,366,920,938,463,463,374,607,431,768,211,456 addresses (2^128)"),
        "{stdout}"
    );
}
