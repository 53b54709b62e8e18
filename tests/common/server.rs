//! A server command (`netkit echo` or `netkit listen`) running with `--json`: its stdin to
//! type into, its events read on a thread, stopped with SIGTERM or killed on drop.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long a test waits for an event.
pub const WAIT: Duration = Duration::from_secs(10);

pub struct Running {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub port: u16,
    events: mpsc::Receiver<Value>,
}

impl Running {
    /// Starts `netkit COMMAND 0 --json ARGS` on 127.0.0.1 (unless ARGS bind elsewhere), the
    /// port chosen by the OS and read from its first event.
    pub fn start(command: &str, args: &[&str]) -> Running {
        let mut all = vec![command, "0", "--json"];
        if !args.contains(&"--bind") {
            all.extend(["--bind", "127.0.0.1"]);
        }
        all.extend(args);
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
            .args(&all)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let event = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
                if tx.send(event).is_err() {
                    break;
                }
            }
        });
        let first: Value = events
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("netkit {command} did not start"));
        assert_eq!(first["event"], json!("listening"), "{first}");
        let port = first["port"].as_u64().unwrap_or_default() as u16;
        let stdin = child.stdin.take();
        Running {
            child,
            stdin,
            port,
            events,
        }
    }

    /// Types one line into its stdin.
    pub fn type_line(&mut self, line: &str) {
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("stdin closed"));
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("typing: {e}"));
    }

    /// Waits for the next event that matches.
    pub fn wait_for(&self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.events.recv_timeout(left) {
                Ok(e) if matches(&e) => return e,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no {what} event within {WAIT:?}");
    }

    /// Waits until `n` TCP clients are connected.
    pub fn wait_connected(&self, n: u64) {
        self.wait_for("connected", |e| {
            e["event"] == "connected" && e["clients"] == json!(n)
        });
    }

    /// A TCP connection to it on 127.0.0.1, reads bounded by WAIT.
    pub fn tcp(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap_or_else(|e| panic!("{e}"));
        s.set_read_timeout(Some(WAIT))
            .unwrap_or_else(|e| panic!("{e}"));
        s
    }

    /// SIGTERM, then the exit code and every event not yet read.
    pub fn stop(mut self) -> (Option<i32>, Vec<Value>) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().unwrap_or_else(|e| panic!("{e}"));
        let rest = self.events.iter().collect();
        (status.code(), rest)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `netkit COMMAND 0 --bind 127.0.0.1 ARGS` in text mode: `drive` gets its port (read from
/// its first line) once it listens, and its stdin; then SIGTERM, and everything it printed.
#[allow(dead_code)]
pub fn text_log(command: &str, args: &[&str], drive: impl FnOnce(u16, &mut ChildStdin)) -> String {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args([command, "0", "--bind", "127.0.0.1"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first: String = lines.recv_timeout(WAIT).unwrap_or_default();
    let port = first
        .rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("netkit {command} did not start: {first}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("stdin"));
    drive(port, &mut stdin);
    // What the server logged of it has time to be written.
    std::thread::sleep(Duration::from_millis(300));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + WAIT;
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut all = vec![first];
    all.extend(lines.iter());
    all.join("\n")
}
