//! Network namespaces that a test creates for itself and removes when it ends, pass or fail.
//! Traffic in tests goes only to loopback or to addresses inside such a namespace.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A namespace of the test's own; deleted (with every link in it) on drop.
pub struct Netns {
    pub name: String,
}

impl Netns {
    /// Creates a fresh namespace, or says why it cannot (not root, no `ip`) and returns None:
    /// the caller then skips.
    pub fn create(tag: &str) -> Option<Netns> {
        let uid = Command::new("id").arg("-u").output().ok()?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            eprintln!("skipped: network namespaces need root");
            return None;
        }
        let name = format!(
            "nk-{tag}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        match Command::new("ip").args(["netns", "add", &name]).output() {
            Ok(out) if out.status.success() => Some(Netns { name }),
            Ok(out) => {
                eprintln!(
                    "skipped: ip netns add failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run ip (install iproute2): {e}");
                None
            }
        }
    }

    /// Runs `ip -n NAME ARGS`; a failure is a broken fixture, so it panics with ip's message.
    pub fn ip(&self, args: &str) {
        let mut full = vec!["-n", self.name.as_str()];
        full.extend(args.split_whitespace());
        let out = Command::new("ip")
            .args(&full)
            .output()
            .unwrap_or_else(|e| panic!("ip {args}: {e}"));
        assert!(
            out.status.success(),
            "ip {args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs a command inside the namespace.
    pub fn exec(&self, program: &str, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", &self.name, program])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("ip netns exec {program}: {e}"))
    }

    /// Runs a bash snippet inside the namespace and insists it succeeds (bash, for /dev/udp).
    pub fn bash(&self, script: &str) {
        let out = self.exec("bash", &["-c", script]);
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs netkit inside the namespace: (exit code, stdout, stderr).
    pub fn netkit(&self, args: &[&str]) -> (i32, String, String) {
        let bin = assert_cmd::cargo::cargo_bin("netkit");
        let bin = bin.to_string_lossy().into_owned();
        let out = self.exec(&bin, args);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}
