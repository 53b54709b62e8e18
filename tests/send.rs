//! Black-box tests of `netkit send`: stopped by a signal (issue 21: one stop, Ctrl-C or
//! SIGTERM, armed once and heard at every wait), and saying only what is true against the
//! lessons' own Python programs (issue 23: no reply is not a loss, a close after replies is
//! not "cannot reach", a name is tried address by address). Other send tests sit beside the
//! servers they talk to (echo.rs, listen.rs, lessons.rs). Traffic goes only to 127.0.0.1, ::1
//! and namespaces the tests create.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Starts netkit with `args`, its output piped.
fn start(args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("netkit {args:?}: {e}"))
}

/// Sends `signal` and waits for the end, at most ten seconds (a hang is killed and fails the
/// test): (exit code, stdout, stderr).
fn signal_and_wait(child: Child, signal: &str) -> (Option<i32>, String, String) {
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    wait_for_end(child, signal)
}

/// Waits for the end, at most ten seconds after `what` (a hang is killed and fails the
/// test): (exit code, stdout, stderr).
fn wait_for_end(mut child: Child, what: &str) -> (Option<i32>, String, String) {
    let began = Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if began.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running 10 s after {what}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    (status.code(), stdout, stderr)
}

/// The first client of `listener` within ten seconds (a netkit that failed to start must fail
/// the test, not hang it).
fn accept_within(listener: &TcpListener) -> std::net::TcpStream {
    let _ = listener.set_nonblocking(true);
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(10) {
        match listener.accept() {
            Ok((conn, _)) => {
                let _ = conn.set_nonblocking(false);
                return conn;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
    panic!("no client within 10 s");
}

/// A UDP socket on 127.0.0.1 whose reads give up after ten seconds, and its address.
fn udp_server() -> (UdpSocket, String) {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let _ = server.set_read_timeout(Some(Duration::from_secs(10)));
    let at = server.local_addr().unwrap_or_else(|e| panic!("{e}"));
    (server, at.to_string())
}

/// The summary record of a JSON run.
fn summary(stdout: &str) -> Value {
    common::json_lines(stdout)
        .into_iter()
        .find_map(|line| line.get("summary").cloned())
        .unwrap_or_else(|| panic!("no summary: {stdout}"))
}

#[test]
fn a_signal_while_a_udp_reply_is_awaited_ends_with_the_message_unanswered() {
    // Without --expect-reply no reply is no failure (exit 0); with it, exit 1.
    for (signal, expect, want) in [("-INT", false, 0), ("-TERM", true, 1)] {
        // A server that reads and never answers.
        let (server, to) = udp_server();
        let mut args = vec!["send", "--udp", &to, "hello", "--timeout", "30s", "--json"];
        if expect {
            args.push("--expect-reply");
        }
        let child = start(&args);
        let mut buf = [0u8; 64];
        let (n, _) = server
            .recv_from(&mut buf)
            .unwrap_or_else(|e| panic!("{signal}: nothing sent: {e}"));
        assert_eq!(&buf[..n], b"hello");
        let (code, stdout, stderr) = signal_and_wait(child, signal);
        assert_eq!(
            code,
            Some(want),
            "{signal}, --expect-reply {expect}: {stderr}"
        );
        assert!(stderr.is_empty(), "{signal}: {stderr}");
        let s = summary(&stdout);
        assert_eq!(
            (&s["sent"], &s["replies"], &s["no_reply"], &s["timeouts"]),
            (&json!(1), &json!(0), &json!(1), &json!(1)),
            "{signal}: {stdout}"
        );
        assert_eq!(
            s["loss_percent"],
            Value::Null,
            "not a measured loss: {stdout}"
        );
    }
}

#[test]
fn a_signal_while_a_tcp_reply_is_awaited_ends_with_the_message_unanswered() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let to = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    let child = start(&[
        "send",
        &to,
        "hi",
        "there",
        "--timeout",
        "30s",
        "--json",
        "--expect-reply",
    ]);
    let mut conn = accept_within(&listener);
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = [0u8; 2];
    conn.read_exact(&mut buf)
        .unwrap_or_else(|e| panic!("nothing sent: {e}"));
    let (code, stdout, stderr) = signal_and_wait(child, "-INT");
    assert_eq!(code, Some(1), "--expect-reply, and none came: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let s = summary(&stdout);
    assert_eq!(
        (&s["sent"], &s["replies"], &s["timeouts"]),
        (&json!(1), &json!(0), &json!(1)),
        "the second message was never sent: {stdout}"
    );
}

#[test]
fn a_signal_cuts_a_count_short_with_the_summary_so_far_and_exit_130() {
    let (server, to) = udp_server();
    let child = start(&[
        "send",
        "--udp",
        &to,
        "--count",
        "100000",
        "--interval",
        "10ms",
        "--json",
    ]);
    // Answer the first three, then let the rest go unanswered.
    let mut buf = [0u8; 128];
    for _ in 0..3 {
        let (n, from) = server
            .recv_from(&mut buf)
            .unwrap_or_else(|e| panic!("nothing sent: {e}"));
        let _ = server.send_to(&buf[..n], from);
    }
    // A few more go out, unanswered, while the replies are taken in.
    for _ in 0..5 {
        let _ = server.recv_from(&mut buf);
    }
    let (code, stdout, stderr) = signal_and_wait(child, "-TERM");
    assert_eq!(code, Some(130), "{stderr}");
    let s = summary(&stdout);
    let sent = s["sent"].as_u64().unwrap_or(0);
    assert!((3..100_000).contains(&sent), "{stdout}");
    assert_eq!(s["replies"], json!(3), "{stdout}");
    assert_eq!(s["timeouts"], json!(sent - 3), "{stdout}");
}

#[test]
fn a_signal_ends_a_file_stream_that_the_server_stopped_reading_with_exit_130() {
    // 8 MiB: more than the socket buffers hold, so the writing blocks on a server that
    // accepts and never reads; the stop must still end both of the stream's threads.
    let mut file = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
    let total = 8 << 20;
    std::io::Write::write_all(&mut file, &vec![7u8; total]).unwrap_or_else(|e| panic!("{e}"));
    let path = file.path().to_string_lossy().into_owned();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let to = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    let child = start(&["send", &to, "--file", &path, "--timeout", "30s", "--json"]);
    let _held = accept_within(&listener);
    // Time for the buffers to fill and the writer to block.
    std::thread::sleep(Duration::from_millis(300));
    let (code, stdout, stderr) = signal_and_wait(child, "-INT");
    assert_eq!(code, Some(130), "{stderr}");
    let check = common::json_lines(&stdout)
        .pop()
        .unwrap_or_else(|| panic!("no report: {stderr}"));
    assert_eq!(check["identical"], json!(false), "{stdout}");
    assert_eq!(check["received_bytes"], json!(0), "{stdout}");
    let sent = check["sent_bytes"].as_u64().unwrap_or(u64::MAX);
    assert!(
        sent < total as u64,
        "the server never read it all: {stdout}"
    );
}

/// A UDP server on 127.0.0.1 that answers each datagram with `reply`, for at most `count`.
fn udp_answering(reply: &'static [u8], count: usize) -> String {
    let (server, at) = udp_server();
    std::thread::spawn(move || {
        let mut buf = [0u8; 2048];
        for _ in 0..count {
            let Ok((_, from)) = server.recv_from(&mut buf) else {
                return;
            };
            let _ = server.send_to(reply, from);
        }
    });
    at
}

#[test]
fn a_reply_cut_by_recv_size_says_so_and_from_what_size() {
    let to = udp_answering(b"0123456789abcdefghij0123456789", 2);
    let text = assert_cmd::Command::cargo_bin("netkit")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["send", "--udp", &to, "hello", "--recv-size", "10"])
        .timeout(Duration::from_secs(10))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(
        stdout.contains("30 bytes, truncated to 10 by the 10-byte receive buffer"),
        "{stdout}"
    );
    let json = assert_cmd::Command::cargo_bin("netkit")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["send", "--udp", &to, "hello", "--recv-size", "10", "--json"])
        .timeout(Duration::from_secs(10))
        .assert()
        .success();
    let lines = common::json_lines(&String::from_utf8_lossy(&json.get_output().stdout));
    let reply = lines
        .iter()
        .find(|l| l.get("received_bytes").is_some())
        .unwrap_or_else(|| panic!("no exchange in {lines:?}"));
    assert_eq!(
        (
            &reply["received_bytes"],
            &reply["reply_bytes"],
            &reply["truncated"]
        ),
        (&json!(10), &json!(30), &json!(true)),
        "{reply}"
    );
}

/// A lesson's Python program from tests/fixtures/lessons/ on loopback: started, its port read
/// (it prints "ready", then the port), what it prints after collected; killed on drop.
struct Lesson {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
}

impl Lesson {
    /// None (the test skips, or fails under NETKIT_REQUIRE_PRIVILEGED_TESTS) without python3.
    fn start(script: &str, args: &[&str]) -> Option<Lesson> {
        Lesson::start_in(None, script, args)
    }

    /// In the namespace `ns` (through `ip netns exec`, so it sees that namespace's /etc).
    fn start_in(ns: Option<&str>, script: &str, args: &[&str]) -> Option<Lesson> {
        if Command::new("python3").arg("--version").output().is_err() {
            common::skip("the lessons' programs need python3");
            return None;
        }
        let mut command = match ns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, "python3"]);
                c
            }
            None => Command::new("python3"),
        };
        let mut child = command
            .arg(fixture(script))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("python3 {script}: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let next = || {
            lines
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("{script} did not start"))
        };
        assert_eq!(next(), "ready", "{script}");
        let port = next()
            .parse()
            .unwrap_or_else(|e| panic!("{script}'s port: {e}"));
        Some(Lesson { child, port, lines })
    }

    /// Whether it prints `want` within five seconds.
    fn prints(&self, want: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line == want => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }
}

impl Drop for Lesson {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of a lesson's program.
fn fixture(script: &str) -> String {
    format!(
        "{}/tests/fixtures/lessons/{script}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn udp_to_a_receiver_that_only_prints_is_no_reply_not_a_loss() {
    let Some(receiver) = Lesson::start("udp_receiver.py", &["127.0.0.1", "0", "4"]) else {
        return;
    };
    let to = format!("127.0.0.1:{}", receiver.port);
    let (code, stdout, stderr) =
        common::run(&["send", "--udp", &to, "hello", "world", "--timeout", "300ms"]);
    assert_eq!(
        code, 0,
        "every datagram went out, none drew an error: {stderr}"
    );
    assert!(receiver.prints("got hello") && receiver.prints("got world"));
    assert!(
        stdout.contains(&format!("no reply from {to} within 300 ms (message 1)")),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 sent, 0 replies, 2 without a reply"),
        "{stdout}"
    );
    assert!(!stdout.contains("lost"), "{stdout}");
    assert_eq!(
        stderr.matches("the datagram may have been received by a program that does not answer, or dropped on the way; netkit has no way to tell which").count(),
        1,
        "the note once: {stderr}"
    );
    // Asked for replies: none came, so the answer is no.
    let (code, stdout, _) = common::run(&[
        "send",
        "--udp",
        &to,
        "again",
        "--timeout",
        "300ms",
        "--expect-reply",
        "--json",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(receiver.prints("got again"));
    let s = summary(&stdout);
    assert_eq!(
        (&s["no_reply"], &s["loss_percent"]),
        (&json!(1), &Value::Null),
        "{stdout}"
    );
}

#[test]
fn tcp_exit_to_a_server_that_closes_on_it_is_delivered_not_lost() {
    let Some(server) = Lesson::start("tcp_exit_server.py", &["127.0.0.1", "0"]) else {
        return;
    };
    let to = format!("127.0.0.1:{}", server.port);
    let (code, stdout, stderr) = common::run(&["send", &to, "hello", "exit", "--timeout", "3s"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(server.prints("got hello") && server.prints("got exit"));
    assert!(
        stdout.contains(&format!("reply from {to}: \"HELLO\" (5 bytes, ")),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("the server closed the connection after 1 reply (after message 2: \"exit\")"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 sent, 1 reply, 1 without a reply;"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("lost") && !stderr.contains("cannot reach"),
        "{stdout}{stderr}"
    );
    // Typed, as the lesson has it: the same.
    let Some(server) = Lesson::start("tcp_exit_server.py", &["127.0.0.1", "0"]) else {
        return;
    };
    let to = format!("127.0.0.1:{}", server.port);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(["send", &to, "--timeout", "3s"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("stdin"));
    std::io::Write::write_all(&mut stdin, b"hello\n").unwrap_or_else(|e| panic!("{e}"));
    assert!(server.prints("got hello"));
    std::io::Write::write_all(&mut stdin, b"exit\n").unwrap_or_else(|e| panic!("{e}"));
    assert!(server.prints("got exit"));
    drop(stdin);
    let (code, stdout, stderr) = wait_for_end(child, "the end of stdin");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // Typed lines are counted as stdin has them (issue 23: a chat, not a measurement).
    assert!(
        stdout.contains("the server closed the connection after 1 reply (after line 2: \"exit\")"),
        "{stdout}"
    );
    assert!(!stdout.contains("lost"), "{stdout}");
    // With --expect-reply the "exit" without an answer is a no.
    let Some(server) = Lesson::start("tcp_exit_server.py", &["127.0.0.1", "0"]) else {
        return;
    };
    let to = format!("127.0.0.1:{}", server.port);
    let (code, stdout, _) = common::run(&["send", &to, "hi", "exit", "--expect-reply"]);
    assert_eq!(code, 1, "{stdout}");
}

#[test]
fn a_server_that_answers_once_and_hangs_up_is_said_to_have_closed() {
    // A message longer than the reply: the reply is read until the server's FIN, which
    // comes with it. (After a reply as long as the message, send is done reading, and the
    // next message may go out before the FIN arrives: the server's kernel then resets it,
    // and send says that instead.)
    let Some(server) = Lesson::start("tcp_answer_once.py", &["127.0.0.1", "0"]) else {
        return;
    };
    let to = format!("127.0.0.1:{}", server.port);
    let (code, stdout, stderr) =
        common::run(&["send", &to, "hello there", "again", "more", "--json"]);
    assert!(server.prints("got hello there"));
    assert!(!stderr.contains("cannot reach"), "{stderr}");
    let lines = common::json_lines(&stdout);
    assert_eq!(lines[0]["text"], json!("thanks"), "{stdout}");
    let closed = lines
        .iter()
        .find_map(|l| l.get("closed"))
        .unwrap_or_else(|| panic!("no close: {stdout}"));
    assert_eq!(
        (
            &closed["by"],
            &closed["replies"],
            &closed["message"],
            &closed["text"]
        ),
        (&json!("close"), &json!(1), &json!(1), &json!("hello there")),
        "{stdout}"
    );
    let s = summary(&stdout);
    assert_eq!(
        (&s["sent"], &s["not_sent"]),
        (&json!(1), &json!(2)),
        "{stdout}"
    );
    assert_eq!(code, 1, "two messages could not be sent: {stdout}");
    // The same in words; one message alone is a success.
    let Some(server) = Lesson::start("tcp_answer_once.py", &["127.0.0.1", "0"]) else {
        return;
    };
    let to = format!("127.0.0.1:{}", server.port);
    let (_, stdout, _) = common::run(&["send", &to, "hello there", "again"]);
    assert!(
        stdout.contains(
            "the server closed the connection after 1 reply (after message 1: \"hello there\")"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 sent, 1 reply, 1 not sent (the server had closed the connection)"),
        "{stdout}"
    );
    let Some(server) = Lesson::start("tcp_answer_once.py", &["127.0.0.1", "0"]) else {
        return;
    };
    let to = format!("127.0.0.1:{}", server.port);
    let (code, stdout, stderr) = common::run(&["send", &to, "hello there"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("the server closed the connection after 1 reply"),
        "{stdout}"
    );
}

#[test]
fn a_server_that_resets_after_answering_is_said_to_have_reset() {
    let Some(server) = Lesson::start("tcp_answer_once.py", &["127.0.0.1", "0", "reset"]) else {
        return;
    };
    let to = format!("127.0.0.1:{}", server.port);
    let (code, stdout, stderr) = common::run(&["send", &to, "hello", "again"]);
    assert!(server.prints("got hello"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(!stderr.contains("cannot reach"), "{stderr}");
    assert!(
        stdout.contains("reply from")
            && stdout.contains("the server reset the connection after 1 reply"),
        "{stdout}"
    );
}

#[test]
fn udp_to_a_closed_port_says_nothing_listens_there_given_or_typed() {
    let (socket, to) = udp_server();
    drop(socket);
    let port = to.rsplit(':').next().unwrap_or_default().to_string();
    let want = format!(
        "netkit: nothing listens on UDP port {port} of 127.0.0.1, or a firewall rejects it (port unreachable)"
    );
    let (code, _, stderr) = common::run(&["send", "--udp", &to, "hi", "--timeout", "2s"]);
    assert_eq!((code, stderr.trim()), (2, want.as_str()));
    let (code, _, stderr) = common::run_within(
        &["send", "--udp", &to, "--timeout", "2s"],
        b"hi\n".to_vec(),
        Duration::from_secs(10),
    );
    assert_eq!((code, stderr.trim()), (2, want.as_str()));
}

#[test]
fn recv_size_shows_each_tcp_read_as_recv_n_returns_it() {
    let echo = common::server::Running::start("echo", &["--tcp", "--mode", "upper"]);
    let to = format!("127.0.0.1:{}", echo.port);
    let (code, stdout, stderr) =
        common::run(&["send", &to, "hello world!", "x", "--recv-size", "5"]);
    assert_eq!(code, 0, "{stderr}");
    for line in [
        "  recv 1: \"HELLO\" (5 bytes)",
        "  recv 2: \" WORL\" (5 bytes)",
        "  recv 3: \"D!\" (2 bytes)",
        "  recv 1: \"X\" (1 byte)",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line:?} in {stdout}");
    }
    assert!(stdout.contains("(12 bytes in 3 recvs, "), "{stdout}");
    let (_, stdout, _) = common::run(&["send", &to, "hello world!", "--recv-size", "5", "--json"]);
    let lines = common::json_lines(&stdout);
    let reads: Vec<&str> = lines[0]["reads"]
        .as_array()
        .unwrap_or_else(|| panic!("no reads: {stdout}"))
        .iter()
        .filter_map(|r| r["text"].as_str())
        .collect();
    assert_eq!(reads, ["HELLO", " WORL", "D!"], "{stdout}");
}

#[test]
fn a_message_longer_than_a_datagram_says_its_size_and_the_limit() {
    let (_server, to) = udp_server();
    let big = "x".repeat(70_000);
    let (code, stdout, stderr) = common::run(&["send", "--udp", &to, &big]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("MESSAGE 1: 70000 bytes is more than one UDP datagram carries: at most 65,507 bytes of payload over IPv4 (65,527 over IPv6)"),
        "{stderr}"
    );
    assert!(!stderr.contains("message too long"), "{stderr}");
    let six = UdpSocket::bind("[::1]:0");
    let Ok(six) = six else {
        common::skip("no ::1 on this machine");
        return;
    };
    let to6 = six.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let (code, _, stderr) = common::run(&["send", "--udp", &to6, &"y".repeat(65_528)]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("65528 bytes is more than one UDP datagram carries: at most 65,527 bytes of payload over IPv6"),
        "{stderr}"
    );
}

#[test]
fn twenty_thousand_blank_lines_over_tcp_are_noted_once_and_counted() {
    let echo = common::server::Running::start("echo", &["--tcp", "--quiet"]);
    let to = format!("127.0.0.1:{}", echo.port);
    let (code, stdout, stderr) = common::run_within(
        &["send", &to, "--timeout", "2s"],
        b"\n".repeat(20_000),
        Duration::from_secs(30),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr.matches("empty message not sent").count(),
        1,
        "{stderr}"
    );
    assert!(
        stdout.contains("0 sent, 0 replies, 20000 empty messages not sent"),
        "{stdout}"
    );
}

#[test]
fn a_name_is_tried_address_by_address_until_one_answers() {
    use common::netns::Netns;
    // lab.test is ::1 first, then 127.0.0.1 (the order getaddrinfo gives localhost on many
    // machines); the lessons' servers listen on 127.0.0.1 only.
    let Some(ns) = Netns::with_hosts("names", "::1 lab.test\n127.0.0.1 lab.test\n") else {
        return;
    };
    let Some(_server) = Lesson::start_in(
        Some(&ns.name),
        "tcp_exit_server.py",
        &["127.0.0.1", "18888"],
    ) else {
        return;
    };
    let (code, stdout, stderr) = ns.netkit(&["send", "lab.test:18888", "hello", "--timeout", "2s"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("reply from 127.0.0.1:18888: \"HELLO\""),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "connected to 127.0.0.1:18888 (lab.test; tried before: [::1]:18888: connection refused)"
        ),
        "{stderr}"
    );
    // UDP: ::1 answers with a port unreachable, so the message goes to 127.0.0.1 next.
    let Some(_udp) = Lesson::start_in(
        Some(&ns.name),
        "udp_upper_server.py",
        &["127.0.0.1", "18889", "1"],
    ) else {
        return;
    };
    let (code, stdout, stderr) = ns.netkit(&[
        "send",
        "--udp",
        "lab.test:18889",
        "hello",
        "--timeout",
        "2s",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("reply from 127.0.0.1:18889: \"HELLO\""),
        "{stdout}"
    );
    assert!(
        stderr.contains("sending to 127.0.0.1:18889 (lab.test; tried before: [::1]:18889: nothing listens on UDP port 18889 of ::1, or a firewall rejects it (port unreachable))"),
        "{stderr}"
    );
    // Typed, the same: the line goes again to the next address.
    let Some(_typed) = Lesson::start_in(
        Some(&ns.name),
        "udp_upper_server.py",
        &["127.0.0.1", "18891", "1"],
    ) else {
        return;
    };
    let mut child = Command::new("ip")
        .args(["netns", "exec", &ns.name])
        .arg(assert_cmd::cargo::cargo_bin("netkit"))
        .args(["send", "--udp", "lab.test:18891", "--timeout", "2s"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        std::io::Write::write_all(&mut stdin, b"typed\n").unwrap_or_else(|e| panic!("{e}"));
    }
    let (code, stdout, stderr) = wait_for_end(child, "the end of stdin");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("\"TYPED\""), "{stdout}");
    // A new socket for the next address: its local address and port said again.
    let locals: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("sending from "))
        .collect();
    assert!(
        locals.len() == 2
            && locals[0].starts_with("sending from [::1]:")
            && locals[1].starts_with("sending from 127.0.0.1:"),
        "{stdout}"
    );
    assert!(
        stderr.contains("sending to 127.0.0.1:18891 (lab.test; tried before: [::1]:18891: nothing listens on UDP port 18891 of ::1, or a firewall rejects it (port unreachable))"),
        "{stderr}"
    );
    // Nothing anywhere: every address is named with what it said.
    let (code, _, stderr) = ns.netkit(&["send", "lab.test:18890", "hello"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot reach TCP lab.test:18890: tried [::1]:18890 (connection refused), 127.0.0.1:18890 (connection refused)"),
        "{stderr}"
    );
}

/// A TCP server on 127.0.0.1 that reads one client to its end (at most ten seconds) on a
/// thread: its address, and the thread that returns how many bytes came and the last 16.
fn tcp_sink() -> (String, std::thread::JoinHandle<(usize, Vec<u8>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let at = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let reader = std::thread::spawn(move || {
        let Ok((mut client, _)) = listener.accept() else {
            return (0, Vec::new());
        };
        let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
        let (mut total, mut tail, mut buf) = (0usize, Vec::new(), vec![0u8; 65536]);
        while let Ok(n) = client.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n;
            tail.extend_from_slice(&buf[..n]);
            let keep = tail.len().saturating_sub(16);
            tail.drain(..keep);
        }
        (total, tail)
    });
    (at.to_string(), reader)
}

#[test]
fn a_typed_line_longer_than_16_mib_is_cut_and_said_so() {
    let (at, reader) = tcp_sink();
    let mut input = vec![b'x'; 17 << 20];
    input.extend_from_slice(b"\nhi\n");
    let out = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(["send", &at, "--timeout", "0.2"])
        .write_stdin(input)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 1 is longer than 16777216 bytes")
            && stderr.contains("the rest up to its line ending is skipped"),
        "{stderr}"
    );
    let (total, tail) = reader.join().unwrap_or_else(|_| panic!("reader"));
    // The first 16 MiB of the long line, then the next line whole (send drops line endings).
    assert_eq!(total, (16 << 20) + 2, "bytes that reached the server");
    assert!(tail.ends_with(b"xhi"), "{tail:?}");
}

#[test]
fn an_endless_line_on_stdin_keeps_memory_bounded_until_the_stop() {
    let (at, _reader) = tcp_sink();
    let zero = std::fs::File::open("/dev/zero").unwrap_or_else(|e| panic!("{e}"));
    let child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(["send", &at])
        .stdin(zero)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Unbounded, one line grows by hundreds of MB a second here.
    std::thread::sleep(Duration::from_millis(1500));
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .unwrap_or_else(|e| panic!("{e}"));
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in {status}"));
    let (code, _, stderr) = signal_and_wait(child, "-TERM");
    assert!(peak_kb < 64 * 1024, "peak {peak_kb} kB: {stderr}");
    assert!(stderr.contains("is longer than 16777216 bytes"), "{stderr}");
    // Ended by the stop, with its summary (how a session's end is counted is send's rule).
    assert!(matches!(code, Some(0 | 1 | 130)), "{code:?}: {stderr}");
}

/// Two namespaces on a veth, each address added without a `brd` attribute (as `ip addr add
/// 10.99.0.1/24 dev X` leaves it): the server's 10.99.0.1 and the client's 10.99.0.2.
fn no_brd_lab(tag: &str) -> Option<(common::netns::Netns, common::netns::Netns)> {
    let (server, client) = common::netns::Netns::veth_pair(tag)?;
    server.ip("addr add 10.99.0.1/24 dev s0");
    client.ip("addr add 10.99.0.2/24 dev c0");
    Some((server, client))
}

#[test]
fn a_subnet_broadcast_without_brd_is_known_as_one_and_its_answers_come_back() {
    let Some((server, client)) = no_brd_lab("bcast") else {
        return;
    };
    // A host of the network that answers whatever reaches it, broadcasts included.
    let script = "import socket\n\
                  s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
                  s.bind(('', 7890))\n\
                  s.settimeout(10)\n\
                  print('ready', flush=True)\n\
                  for _ in range(4):\n    data, peer = s.recvfrom(2048)\n    s.sendto(b'ok', peer)\n";
    let _answerer = server.python(&["-c", script]);
    // A broadcast route added by hand: the kernel treats its address as a broadcast one,
    // though no prefix makes it so.
    client.ip("route add broadcast 10.99.0.77 dev c0 table local");
    // Without --broadcast: the address is named a broadcast one, for the subnet, for lo's
    // 127.0.0.0/8 and for the route alike, and nothing is sent.
    for to in [
        "10.99.0.255:7890",
        "127.255.255.255:7890",
        "10.99.0.77:7890",
    ] {
        let (code, _, stderr) = client.netkit(&["send", "--udp", to, "hi"]);
        assert_eq!(code, 2, "{to}: {stderr}");
        assert!(
            stderr.contains("it is a broadcast address: add --broadcast"),
            "{to}: {stderr}"
        );
    }
    // With it, the socket stays open to every answerer: the host's reply comes back.
    let (code, stdout, stderr) = client.netkit(&[
        "send",
        "--udp",
        "--broadcast",
        "--timeout",
        "3s",
        "10.99.0.255:7890",
        "hi",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("reply from 10.99.0.1:7890: \"ok\""),
        "{stdout}"
    );
}

#[test]
fn a_gbk_reply_in_the_utf8_view_says_once_to_use_gbk() {
    // 你好 in GBK, as the lessons' servers answer.
    let to = udp_answering(&[0xc4, 0xe3, 0xba, 0xc3], 2);
    let (code, stdout, stderr) = common::run(&["send", "--udp", &to, "a", "b"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout.matches(": hex c4 e3 ba c3 (4 bytes").count(),
        2,
        "{stdout}"
    );
    let notes: Vec<&str> = stdout.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(
        notes,
        [
            "note: these bytes are not UTF-8 text; they read as GBK: \"你好\" (use --encoding gbk; Big5, Shift_JIS and EUC-KR read them too)"
        ],
        "{stdout}"
    );
    // Read as GBK, nothing to say.
    let to = udp_answering(&[0xc4, 0xe3, 0xba, 0xc3], 1);
    let (_, stdout, _) = common::run(&["send", "--udp", &to, "a", "--encoding", "gbk"]);
    assert!(stdout.contains(": \"你好\" (4 bytes"), "{stdout}");
    assert!(!stdout.contains("note:"), "{stdout}");
}

impl Lesson {
    /// The next line it prints that starts with `prefix`, within ten seconds.
    fn prints_starting(&self, prefix: &str) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }
}

/// What a chat with the lesson's peer showed: exit code, stdout, the client address the
/// peer saw, and the peer's address.
struct Chat {
    code: Option<i32>,
    stdout: String,
    client: String,
    peer: String,
}

/// Interactive `send` (--timeout 1s) with the lesson's chat peer: types "hello" (answered at
/// once), then "quiet" (never answered), and keeps stdin open until the peer has spoken on its
/// own, 1.5 s after its answer, when line 2 has waited its second in vain.
fn chat_with_peer(proto: &str, extra: &[&str]) -> Option<Chat> {
    let peer = Lesson::start("chat_peer_speaks_on_its_own.py", &[proto, "127.0.0.1", "0"])?;
    let to = format!("127.0.0.1:{}", peer.port);
    let mut args = vec!["send", to.as_str(), "--timeout", "1s"];
    if proto == "udp" {
        args.push("--udp");
    }
    args.extend_from_slice(extra);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("stdin"));
    std::io::Write::write_all(&mut stdin, b"hello\n").unwrap_or_else(|e| panic!("{e}"));
    let client = peer.prints_starting("client ");
    assert!(peer.prints("got hello"), "{proto}");
    std::thread::sleep(Duration::from_millis(200));
    std::io::Write::write_all(&mut stdin, b"quiet\n").unwrap_or_else(|e| panic!("{e}"));
    assert!(peer.prints("spoke"), "{proto}");
    std::thread::sleep(Duration::from_millis(300));
    drop(stdin);
    let (code, stdout, stderr) = wait_for_end(child, "the end of stdin");
    let client = client
        .and_then(|c| c.strip_prefix("client ").map(str::to_string))
        .unwrap_or_else(|| panic!("the peer named no client: {stdout}{stderr}"));
    Some(Chat {
        code,
        stdout,
        client,
        peer: to,
    })
}

/// Whether `time` is a local wall-clock time as `HH:MM:SS.mmm`.
fn is_clock(time: &str) -> bool {
    time.len() == 12
        && time.char_indices().all(|(i, c)| match i {
            2 | 5 => c == ':',
            8 => c == '.',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn a_chat_shows_the_peers_own_line_as_a_message_with_its_time_and_no_rtt() {
    let Some(chat) = chat_with_peer("udp", &[]) else {
        return;
    };
    let (stdout, to) = (&chat.stdout, &chat.peer);
    assert_eq!(chat.code, Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    // The port the peer saw is the one said, and the OS chose it.
    assert_eq!(
        lines[0],
        format!(
            "sending from {} (port chosen by the OS for this run: the next run will most likely get another)",
            chat.client
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("sent line 1: 5 bytes") && stdout.contains("sent line 2: 5 bytes"),
        "{stdout}"
    );
    let arrivals: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix(&format!("from {to} at ")))
        .collect();
    assert_eq!(arrivals.len(), 2, "{stdout}");
    assert!(arrivals.iter().all(|a| is_clock(&a[..12])), "{stdout}");
    // The answer to line 1 has its RTT; the peer's own line, 1.5 s later, none: line 2 had
    // waited its --timeout by then.
    assert!(
        arrivals[0][12..].starts_with(": \"HELLO\" (5 bytes, ")
            && arrivals[0].ends_with(" ms after line 1)"),
        "{stdout}"
    );
    assert_eq!(
        &arrivals[1][12..],
        ": \"hi from the peer\" (16 bytes)",
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("no reply from {to} within 1 s (line 2)")),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 sent, 1 reply, 1 without a reply; rtt"),
        "{stdout}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("reply from")),
        "{stdout}"
    );
}

/// Seconds of the day of an RFC 3339 time's clock part.
fn seconds_of(time: &str) -> f64 {
    let clock = &time[11..23];
    let parts: Vec<f64> = clock
        .split(':')
        .map(|p| p.parse().unwrap_or_else(|e| panic!("{time}: {e}")))
        .collect();
    parts[0] * 3600.0 + parts[1] * 60.0 + parts[2]
}

#[test]
fn a_tcp_chat_in_json_has_the_local_port_the_sent_lines_and_rtts_only_for_answers() {
    let Some(chat) = chat_with_peer("tcp", &["--json"]) else {
        return;
    };
    let stdout = &chat.stdout;
    assert_eq!(chat.code, Some(0), "{stdout}");
    let events: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(
        events[0],
        json!({"local": {"address": chat.client, "port_chosen_by": "os"}}),
        "{stdout}"
    );
    let sent: Vec<&Value> = events.iter().filter_map(|e| e.get("sent")).collect();
    assert_eq!(
        sent,
        [
            &json!({"line": 1, "bytes": 5}),
            &json!({"line": 2, "bytes": 5})
        ],
        "{stdout}"
    );
    let arrivals: Vec<&Value> = events.iter().filter(|e| e.get("from").is_some()).collect();
    assert_eq!(arrivals.len(), 2, "{stdout}");
    let (answer, own) = (arrivals[0], arrivals[1]);
    assert_eq!(
        (&answer["text"], &answer["after_line"]),
        (&json!("HELLO"), &json!(1)),
        "{stdout}"
    );
    assert!(answer["rtt_ms"].is_f64(), "{stdout}");
    assert_eq!(own["text"], json!("hi from the peer"), "{stdout}");
    assert!(
        own.get("after_line").is_none() && own.get("rtt_ms").is_none(),
        "no line waited for it: {own}"
    );
    let times: Vec<&str> = [answer, own]
        .iter()
        .map(|a| a["time"].as_str().unwrap_or_else(|| panic!("{a}")))
        .collect();
    for time in &times {
        assert!(
            time.len() >= 24 && &time[10..11] == "T" && is_clock(&time[11..23]),
            "RFC 3339: {time}"
        );
    }
    let apart = (seconds_of(times[1]) - seconds_of(times[0])).rem_euclid(86_400.0);
    assert!((1.3..3.0).contains(&apart), "1.5 s apart: {times:?}");
    let summary = summary(stdout);
    assert_eq!(
        (&summary["sent"], &summary["replies"], &summary["no_reply"]),
        (&json!(2), &json!(1), &json!(1)),
        "{stdout}"
    );
    assert!(summary["rtt_ms"]["max"].is_f64(), "{stdout}");
}

#[test]
fn a_port_fixed_by_bind_is_said_to_be_fixed() {
    let port = UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let bind = format!("127.0.0.1:{port}");
    let Some(chat) = chat_with_peer("udp", &["--bind", &bind]) else {
        return;
    };
    assert_eq!(chat.client, bind);
    assert!(
        chat.stdout
            .starts_with(&format!("sending from {bind} (port fixed by --bind)\n")),
        "{}",
        chat.stdout
    );
}

#[test]
fn one_tcp_read_after_two_lines_is_taken_to_answer_both() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let to = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let server = std::thread::spawn(move || {
        let mut conn = accept_within(&listener);
        let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        // Both lines (sent without their line endings, as typed lines are), then one answer
        // for the two.
        while got.len() < 2 {
            match std::io::Read::read(&mut conn, &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let _ = std::io::Write::write_all(&mut conn, b"A B");
        std::thread::sleep(Duration::from_millis(500));
    });
    let (code, stdout, stderr) =
        common::run_within(&["send", &to], b"a\nb\n".to_vec(), Duration::from_secs(10));
    let _ = server.join();
    assert_eq!(code, 0, "{stdout}{stderr}");
    let answer = stdout
        .lines()
        .find(|l| l.starts_with(&format!("from {to} at ")))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        answer.contains(": \"A B\" (3 bytes, ")
            && answer.ends_with(" ms after line 1, also after line 2)"),
        "{stdout}"
    );
    assert!(stdout.contains("2 sent, 1 reply; rtt"), "{stdout}");
}

#[test]
fn recv_size_against_the_lessons_phone_server_shows_each_recv() {
    // The lesson's own server answers in upper case; send reads it with recv(5).
    let Some(server) = Lesson::start("tcp_exit_server.py", &["127.0.0.1", "0"]) else {
        return;
    };
    let to = format!("127.0.0.1:{}", server.port);
    let (code, stdout, stderr) = common::run(&["send", &to, "hello world!", "--recv-size", "5"]);
    assert_eq!(code, 0, "{stderr}");
    for line in [
        "  recv 1: \"HELLO\" (5 bytes)",
        "  recv 2: \" WORL\" (5 bytes)",
        "  recv 3: \"D!\" (2 bytes)",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line:?} in {stdout}");
    }
}
