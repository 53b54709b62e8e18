//! CLI-parse tests: defaults, conflicts and typed values, through `Cli::try_parse_from`.

use std::time::Duration;

use clap::{CommandFactory, Parser};

use super::*;

fn parse(args: &[&str]) -> Result<Cli, String> {
    Cli::try_parse_from(args).map_err(|e| e.to_string())
}

#[test]
fn the_cli_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn classify_needs_something_to_classify() {
    let err = parse(&["netkit", "classify"]).err().unwrap_or_default();
    assert!(err.contains("<ADDR>"), "{err}");
    assert!(parse(&["netkit", "classify", "--classes"]).is_ok());
    assert!(parse(&["netkit", "classify", "--file", "x"]).is_ok());
    assert!(parse(&["netkit", "classify", "-"]).is_ok());
}

#[test]
fn classify_conflicts() {
    assert!(parse(&["netkit", "classify", "--classes", "1.2.3.4"]).is_err());
    assert!(parse(&["netkit", "classify", "--explain", "--brief", "1.2.3.4"]).is_err());
}

#[test]
fn port_takes_negative_numbers_as_values_to_reject_later() {
    let cli = parse(&["netkit", "port", "-1"]).unwrap_or_else(|e| panic!("{e}"));
    let Command::Port(args) = cli.command else {
        panic!("not port")
    };
    assert_eq!(args.ports, ["-1"]);
}

#[test]
fn ping_defaults_and_typed_values() {
    let cli = parse(&["netkit", "ping", "127.0.0.1"]).unwrap_or_else(|e| panic!("{e}"));
    let Command::Ping(args) = cli.command else {
        panic!("not ping")
    };
    assert_eq!(args.interval, Duration::from_secs(1));
    assert_eq!(
        (args.size, args.count, args.socket),
        (56, None, SocketKind::Auto)
    );
    let cli = parse(&[
        "netkit", "ping", "-c", "200", "-i", "0.005", "-s", "1400", "h",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let Command::Ping(args) = cli.command else {
        panic!("not ping")
    };
    assert_eq!(args.interval, Duration::from_millis(5));
    assert_eq!((args.count, args.size), (Some(200), 1400));
    for bad in [
        ["-i", "-1"],
        ["-i", "abc"],
        ["-c", "0"],
        ["-s", "70000"],
        ["-t", "0"],
    ] {
        assert!(
            parse(&["netkit", "ping", bad[0], bad[1], "h"]).is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn hosts_endpoints_and_targets_are_typed_at_the_boundary() {
    let cli = parse(&["netkit", "send", "localhost:7", "hi"]).unwrap_or_else(|e| panic!("{e}"));
    let Command::Send(args) = cli.command else {
        panic!("not send")
    };
    assert_eq!(
        (args.target.host.given(), args.target.port),
        ("localhost", 7)
    );
    for bad in [
        vec!["netkit", "send", "127.0.0.1", "x"],
        vec!["netkit", "ping", "300.1.1.1"],
        vec!["netkit", "scan", "10.0.0.0/33"],
        vec!["netkit", "scan", "127.0.0.1", "--timeout", "0"],
    ] {
        assert!(parse(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn color_and_json_defaults() {
    let cli = parse(&["netkit", "port", "80"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cli.color, ColorChoice::Auto);
    assert!(!cli.command.json());
    let cli = parse(&["netkit", "port", "80", "--json", "--color", "never"])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cli.color, ColorChoice::Never);
    assert!(cli.command.json());
}
