//! Shared helpers for the black-box tests: run the built binary the way a person would.

#![allow(dead_code)] // each test file uses its own subset

pub mod netns;
pub mod server;

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

/// Runs netkit with `args`, feeding `stdin` from a thread, and insists it ends within `limit`:
/// a hang is killed and fails the test instead of holding the test run. (exit code, stdout,
/// stderr).
pub fn run_within(
    args: &[&str],
    stdin: Vec<u8>,
    limit: std::time::Duration,
) -> (i32, String, String) {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("netkit {args:?}: {e}"));
    if let Some(mut input) = child.stdin.take() {
        std::thread::spawn(move || {
            let _ = input.write_all(&stdin);
        });
    }
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
    let mut stderr = child.stderr.take().unwrap_or_else(|| panic!("stderr"));
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("netkit {args:?} did not end within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let text = |h: std::thread::JoinHandle<Vec<u8>>| {
        String::from_utf8_lossy(&h.join().unwrap_or_default()).into_owned()
    };
    (status.code().unwrap_or(-1), text(out), text(err))
}

/// Both binaries, `netkit` and `netkit-watch` (which `netkit watch` runs from the same
/// folder), copied into a folder any user may read and run; the folder goes with the value.
pub fn netkit_pair_for_anyone() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("netkit-pair-")
        .tempdir_in(std::env::temp_dir())
        .unwrap_or_else(|e| panic!("a temporary folder: {e}"));
    for name in ["netkit", "netkit-watch"] {
        let copy = dir.path().join(name);
        std::fs::copy(assert_cmd::cargo::cargo_bin(name), &copy)
            .unwrap_or_else(|e| panic!("copying {name}: {e}"));
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod: {e}"));
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("chmod: {e}"));
    dir
}

/// A copy of the netkit binary that any user may run (the build tree may sit under a home
/// directory that `nobody` cannot enter), removed when dropped.
pub fn netkit_for_anyone() -> tempfile::TempPath {
    use std::os::unix::fs::PermissionsExt;
    let copy = tempfile::Builder::new()
        .prefix("netkit-")
        .tempfile_in(std::env::temp_dir())
        .unwrap_or_else(|e| panic!("a temporary file: {e}"))
        .into_temp_path();
    std::fs::copy(assert_cmd::cargo::cargo_bin("netkit"), &copy)
        .unwrap_or_else(|e| panic!("copying netkit: {e}"));
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("chmod: {e}"));
    copy
}
