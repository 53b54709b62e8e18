//! Black-box tests of `netkit send` stopped by a signal (issue 21): one stop, Ctrl-C or
//! SIGTERM, armed once and heard at every wait. The other send tests sit beside the servers
//! they talk to (echo.rs, listen.rs, lessons.rs). Traffic goes only to 127.0.0.1.

mod common;

use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::process::{Child, Command, Stdio};
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
fn signal_and_wait(mut child: Child, signal: &str) -> (Option<i32>, String, String) {
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    let began = Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if began.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running 10 s after {signal}");
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
fn a_signal_while_a_udp_reply_is_awaited_ends_with_the_message_lost() {
    for signal in ["-INT", "-TERM"] {
        // A server that reads and never answers.
        let (server, to) = udp_server();
        let child = start(&["send", "--udp", &to, "hello", "--timeout", "30s", "--json"]);
        let mut buf = [0u8; 64];
        let (n, _) = server
            .recv_from(&mut buf)
            .unwrap_or_else(|e| panic!("{signal}: nothing sent: {e}"));
        assert_eq!(&buf[..n], b"hello");
        let (code, stdout, stderr) = signal_and_wait(child, signal);
        assert_eq!(code, Some(1), "{signal}: no reply is exit 1: {stderr}");
        assert!(stderr.is_empty(), "{signal}: {stderr}");
        let s = summary(&stdout);
        assert_eq!(
            (&s["sent"], &s["replies"], &s["timeouts"]),
            (&json!(1), &json!(0), &json!(1)),
            "{signal}: {stdout}"
        );
    }
}

#[test]
fn a_signal_while_a_tcp_reply_is_awaited_ends_with_the_message_lost() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let to = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    let child = start(&["send", &to, "hi", "there", "--timeout", "30s", "--json"]);
    let (mut conn, _) = listener.accept().unwrap_or_else(|e| panic!("{e}"));
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = [0u8; 2];
    conn.read_exact(&mut buf)
        .unwrap_or_else(|e| panic!("nothing sent: {e}"));
    let (code, stdout, stderr) = signal_and_wait(child, "-INT");
    assert_eq!(code, Some(1), "{stderr}");
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
    let (_held, _) = listener.accept().unwrap_or_else(|e| panic!("{e}"));
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
    let server = common::netns::Netns::create(&format!("{tag}-s"))?;
    let client = common::netns::Netns::create(&format!("{tag}-c"))?;
    server.ip(&format!(
        "link add s0 type veth peer name c0 netns {}",
        client.name
    ));
    server.ip("addr add 10.99.0.1/24 dev s0");
    client.ip("addr add 10.99.0.2/24 dev c0");
    for (ns, link) in [(&server, "s0"), (&client, "c0")] {
        ns.ip("link set lo up");
        ns.ip(&format!("link set {link} up"));
    }
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
