//! Conventions every subcommand keeps: exit codes, closed pipes, color, usage errors.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use common::{netkit, run};

#[test]
fn a_closed_stdout_pipe_exits_0_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    let mut child = Command::new(bin)
        .args(["classify", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("stdin"));
    let writer = std::thread::spawn(move || {
        // Bounded: 200,000 lines, far more than the pipe holds once the reader is gone.
        for _ in 0..200_000 {
            if stdin.write_all(b"10.1.2.3\n").is_err() {
                break;
            }
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("stdout")));
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(first.contains("10.1.2.3"));
    drop(stdout);
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let _ = writer.join();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let (_, plain, _) = run(&["classify", "10.0.0.1"]);
    assert!(!plain.contains('\x1b'), "not a terminal: no color");
    let (_, colored, _) = run(&["--color", "always", "classify", "10.0.0.1"]);
    assert!(colored.contains("\x1b["), "--color always");
    let out = netkit()
        .args(["classify", "10.0.0.1", "--color", "never"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.stdout.contains(&0x1b));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["classify"][..],
        &["nosuch"],
        &["port"],
        &["classify", "--color", "sometimes", "1.1.1.1"],
    ] {
        let (code, _, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("classify") && stdout.contains("port"));
    assert!(!stdout.contains("generate"), "generate is hidden");
    let (code, stdout, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("netkit "));
}

#[test]
fn the_summary_names_every_subcommand() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    // The paragraph before "Usage:", where each subcommand is summed up (issue 23).
    let summary = stdout.split("Usage:").next().unwrap_or_default();
    // As words: clap wraps the paragraph at the terminal's width.
    let summary = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    let listed = stdout.split("Commands:").nth(1).unwrap_or_default();
    let names: Vec<&str> = listed
        .lines()
        // A command's line starts with two spaces; its wrapped help, with more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .take_while(|w| *w != "help")
        .collect();
    assert!(names.len() >= 11, "{names:?}");
    for name in names {
        let word = format!("{name} ");
        assert!(
            summary.contains(&word),
            "{name} is not summed up: {summary}"
        );
    }
    let man = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/netkit.1"))
        .unwrap_or_else(|e| panic!("man/netkit.1: {e}"));
    for words in [
        "trace shows the path",
        "check answers",
        "listen is a server",
    ] {
        assert!(man.contains(words), "man netkit: {words}");
    }
}
