//! Shared helpers for the black-box tests: run the built binary the way a person would.

#![allow(dead_code)] // each test file uses its own subset

pub mod netns;

use assert_cmd::Command;

/// Skips a test whose prerequisite (root, iproute2, nftables, python3, ...) is missing: says
/// why on stderr, or, when NETKIT_REQUIRE_PRIVILEGED_TESTS=1 (as .ci/run sets it), fails the
/// test instead, so that a green CI proves the privileged tests ran.
pub fn skip(reason: &str) {
    if required() {
        panic!("NETKIT_REQUIRE_PRIVILEGED_TESTS=1, but this test cannot run: {reason}");
    }
    eprintln!("skipped: {reason}");
}

/// Whether a missing prerequisite fails a test instead of skipping it.
pub fn required() -> bool {
    std::env::var_os("NETKIT_REQUIRE_PRIVILEGED_TESTS").is_some_and(|v| v == "1")
}

/// The netkit binary, with color decided only by the flags a test passes.
pub fn netkit() -> Command {
    let mut cmd = Command::cargo_bin("netkit").unwrap_or_else(|e| panic!("netkit binary: {e}"));
    cmd.env_remove("NO_COLOR").env("TERM", "xterm");
    cmd
}

/// Runs netkit with `args` and returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    run_with_stdin(args, "")
}

/// Like `run`, with `stdin` fed to the process.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = netkit()
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap_or_else(|e| panic!("running netkit {args:?}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Parses JSON lines.
pub fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}
