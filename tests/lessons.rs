//! The socket lessons on the wire (issue 13): recv buffer sizes, glued TCP reads, header
//! framing, the accept backlog, and who holds a port. Loopback only.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::netns::Background;
use common::server::{Running, WAIT};
use common::{json_lines, run, run_with_stdin};
use serde_json::{Value, json};

fn python() -> bool {
    let there = Command::new("python3").arg("--version").output().is_ok();
    if !there {
        common::skip("no python3");
    }
    there
}

#[test]
fn a_datagram_longer_than_the_receive_buffer_is_cut_and_the_log_says_so() {
    for command in ["echo", "listen"] {
        let server = Running::start(command, &["--udp", "--recv-size", "10"]);
        let s = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        s.set_read_timeout(Some(WAIT))
            .unwrap_or_else(|e| panic!("{e}"));
        s.send_to(&[b'x'; 30], ("127.0.0.1", server.port))
            .unwrap_or_else(|e| panic!("{e}"));
        let d = server.wait_for("datagram", |e| e["event"] == "datagram");
        assert_eq!(
            (
                d["bytes"].clone(),
                d["sent_bytes"].clone(),
                d["truncated"].clone()
            ),
            (json!(10), json!(30), json!(true)),
            "{command}: {d}"
        );
        assert_eq!(d["text"], json!("xxxxxxxxxx"));
        if command == "echo" {
            let mut buf = [0u8; 64];
            let n = s.recv(&mut buf).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(n, 10, "echo answers what it read");
        }
    }
    // The text log, for people.
    let s = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let text = common::server::text_log("listen", &["--udp", "--recv-size", "10"], |at, _| {
        s.send_to(&[b'x'; 30], ("127.0.0.1", at))
            .unwrap_or_else(|e| panic!("{e}"));
    });
    let port = s.local_addr().map(|a| a.port()).unwrap_or_default();
    assert!(
        text.contains(&format!(
            "127.0.0.1:{port} udp 30 bytes, truncated to 10 by the 10-byte receive buffer to 127.0.0.1 (unicast): \"xxxxxxxxxx\""
        )),
        "{text}"
    );
}

#[test]
fn a_long_tcp_message_comes_in_reads_of_the_buffer_size() {
    let echo = Running::start("echo", &["--tcp", "--recv-size", "1024"]);
    let mut c = echo.tcp();
    c.write_all(&[b'y'; 3000]).unwrap_or_else(|e| panic!("{e}"));
    let mut back = vec![0u8; 3000];
    c.read_exact(&mut back).unwrap_or_else(|e| panic!("{e}"));
    let mut sizes = Vec::new();
    while sizes.iter().sum::<u64>() < 3000 {
        let m = echo.wait_for("message", |e| e["event"] == "message");
        sizes.push(m["bytes"].as_u64().unwrap_or(0));
    }
    assert!(
        sizes.len() >= 3 && sizes.iter().all(|&n| n <= 1024),
        "{sizes:?}"
    );
}

#[test]
fn a_burst_of_sends_is_glued_into_fewer_reads_and_the_log_says_why() {
    let listen = Running::start("listen", &["--tcp"]);
    let target = format!("127.0.0.1:{}", listen.port);
    // Nagle's algorithm holds the second send until the first is acknowledged: on most tries
    // the server reads the later sends as one. Bounded: at most 20 tries.
    let mut glued = false;
    for _ in 0..20 {
        let (_, stdout, _) = run(&[
            "send",
            &target,
            "--burst",
            "--timeout",
            "0.2",
            "one",
            "two",
            "three",
            "four",
        ]);
        assert!(
            stdout.contains("4 messages (15 bytes) written back to back; nothing came back"),
            "{stdout}"
        );
        let mut reads = 0;
        let mut bytes = 0;
        while bytes < 15 {
            let m = listen.wait_for("message", |e| e["event"] == "message");
            bytes += m["bytes"].as_u64().unwrap_or(0);
            reads += 1;
        }
        if reads < 4 {
            glued = true;
            break;
        }
    }
    assert!(
        glued,
        "four quick sends were never read as fewer than four reads"
    );
    // The text log explains it once per connection; JSON does not.
    let text = common::server::text_log("listen", &["--tcp"], |port, _| {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
        c.write_all(b"line one\nline two\n")
            .unwrap_or_else(|e| panic!("{e}"));
        c.write_all(b"a\nb\n").unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(300));
    });
    assert_eq!(
        text.matches("note: TCP is a byte stream: one read can hold several sends, or part of one; use --framed to keep messages apart").count(),
        1,
        "{text}"
    );
    let (_, events) = listen.stop();
    assert!(events.iter().all(|e| e["event"] != "stream_note"));
}

#[test]
fn a_struct_pack_client_works_against_framed_le32_and_send_against_a_struct_pack_server() {
    if !python() {
        return;
    }
    let client = |port: u16| {
        format!(
            "import socket, struct\n\
             s = socket.create_connection(('127.0.0.1', {port}), timeout=10)\n\
             for data in [b'hello', '你好'.encode(), b'']:\n\
             \x20   s.sendall(struct.pack('i', len(data)) + data)\n\
             \x20   n = struct.unpack('i', s.recv(4))[0]\n\
             \x20   got = b''\n\
             \x20   while len(got) < n:\n\
             \x20       got += s.recv(n - len(got))\n\
             \x20   print(n, got.decode())\n"
        )
    };
    let echo = Running::start("echo", &["--tcp", "--framed=le32"]);
    let out = Command::new("python3")
        .args(["-c", &client(echo.port)])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "5 hello\n6 你好\n0 \n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // listen --framed=le32: the frame is one message, the typed answer goes out framed.
    let mut listen = Running::start("listen", &["--tcp", "--framed=le32"]);
    let mut c = listen.tcp();
    listen.wait_connected(1);
    c.write_all(&[3, 0, 0, 0, b'a', b'b', b'c'])
        .unwrap_or_else(|e| panic!("{e}"));
    let m = listen.wait_for("message", |e| e["event"] == "message");
    assert_eq!(m["text"], json!("abc"));
    listen.type_line("ok");
    let mut back = [0u8; 6];
    c.read_exact(&mut back).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, [2, 0, 0, 0, b'o', b'k']);
    // send --framed=le32 against a hand-out style server.
    let server = "import socket, struct\n\
                  l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)\n\
                  print(l.getsockname()[1], flush=True)\n\
                  c, _ = l.accept()\n\
                  n = struct.unpack('i', c.recv(4))[0]\n\
                  data = c.recv(n)\n\
                  reply = b'got ' + data\n\
                  c.sendall(struct.pack('i', len(reply)) + reply)\n";
    let mut py = Command::new("python3")
        .args(["-c", server])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut port = String::new();
    if let Some(out) = py.stdout.as_mut() {
        let mut byte = [0u8; 1];
        while out.read(&mut byte).is_ok_and(|n| n == 1) && byte[0] != b'\n' {
            port.push(char::from(byte[0]));
        }
    }
    let (code, stdout, stderr) = run(&[
        "send",
        &format!("127.0.0.1:{}", port.trim()),
        "--framed=le32",
        "--json",
        "hi",
    ]);
    let _ = py.wait();
    assert_eq!(code, 0, "a reply came: {stderr}");
    assert_eq!(json_lines(&stdout)[0]["text"], json!("got hi"));
}

#[test]
fn a_bad_header_closes_only_that_connection_naming_it() {
    let echo = Running::start("echo", &["--tcp", "--framed=le32", "--max-frame", "1000"]);
    let mut bad = echo.tcp();
    let mut good = echo.tcp();
    bad.write_all(&(-5i32).to_le_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let gone = echo.wait_for("disconnected", |e| e["event"] == "disconnected");
    assert_eq!(gone["reason"], json!("bad_frame_header"), "{gone}");
    assert_eq!(
        gone["reason_text"],
        json!("bad frame header fb ff ff ff (le32): the length -5 is negative")
    );
    let mut big = echo.tcp();
    big.write_all(&5000i32.to_le_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let gone = echo.wait_for("disconnected", |e| e["event"] == "disconnected");
    assert!(
        gone["reason"] == json!("bad_frame_header")
            && gone["reason_text"]
                .as_str()
                .is_some_and(|r| r.contains("5000 bytes is above --max-frame (1000)")),
        "{gone}"
    );
    let mut buf = [0u8; 1];
    assert_eq!(
        bad.read(&mut buf).unwrap_or(0),
        0,
        "the bad client was closed"
    );
    // The other client is served on.
    good.write_all(&[2, 0, 0, 0, b'o', b'k'])
        .unwrap_or_else(|e| panic!("{e}"));
    let mut back = [0u8; 6];
    good.read_exact(&mut back).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&back[4..], b"ok");
}

#[test]
fn serial_serves_one_client_at_a_time_in_order() {
    let listen = Running::start(
        "listen",
        &["--tcp", "--serial", "--backlog", "5", "--reply", "done"],
    );
    let mut first = listen.tcp();
    listen.wait_for("connected", |e| e["event"] == "connected");
    // Two more connect: the kernel completes their handshakes and queues them.
    let mut waiting: Vec<TcpStream> = (0..2).map(|_| listen.tcp()).collect();
    std::thread::sleep(Duration::from_millis(500));
    for (i, c) in std::iter::once(&mut first)
        .chain(waiting.iter_mut())
        .enumerate()
    {
        c.write_all(format!("client {i}").as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut buf = [0u8; 4];
    first.read_exact(&mut buf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&buf, b"done");
    waiting[0]
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        waiting[0].read(&mut buf).is_err(),
        "the second waits in the queue"
    );
    let m = listen.wait_for("message", |e| e["event"] == "message");
    assert_eq!(m["text"], json!("client 0"));
    drop(first);
    for (i, mut c) in waiting.into_iter().enumerate() {
        let accepted = listen.wait_for("connected", |e| e["event"] == "connected");
        assert!(
            accepted["waited_ms"].as_f64().is_some_and(|ms| ms >= 400.0),
            "client {}: {accepted}",
            i + 1
        );
        assert_eq!(accepted["queued"], json!(1 - i as u64), "{accepted}");
        let m = listen.wait_for("message", |e| e["event"] == "message");
        assert_eq!(
            m["text"],
            json!(format!("client {}", i + 1)),
            "served in order"
        );
        c.set_read_timeout(Some(WAIT))
            .unwrap_or_else(|e| panic!("{e}"));
        c.read_exact(&mut buf).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&buf, b"done");
        // It leaves, and the next comes in.
        drop(c);
    }
}

#[test]
fn a_port_in_use_names_the_python_process_that_holds_it() {
    if !python() {
        return;
    }
    let mut py = Command::new("python3")
        .args([
            "-c",
            "import socket, sys, time\n\
             s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(5)\n\
             print(s.getsockname()[1], flush=True)\n\
             time.sleep(30)\n",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let pid = py.id();
    let mut port = String::new();
    if let Some(out) = py.stdout.as_mut() {
        let mut byte = [0u8; 1];
        while out.read(&mut byte).is_ok_and(|n| n == 1) && byte[0] != b'\n' {
            port.push(char::from(byte[0]));
        }
    }
    let held = Background {
        child: py,
        ns: None,
    };
    let port = port.trim().to_string();
    let (code, _, stderr) = run(&["listen", &port, "--tcp", "--bind", "127.0.0.1"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        format!(
            "netkit: TCP port {port} is already in use by python3 (pid {pid}); stop it or choose another port (0 lets the OS choose)"
        )
    );
    let (code, stdout, _) = run(&["port", &port, "--json"]);
    assert_eq!(code, 0);
    let report = &json_lines(&stdout)[0];
    assert_eq!(report["held_by"][0]["pid"], json!(pid), "{report}");
    assert_eq!(report["held_by"][0]["program"], json!("python3"));
    let (code, stdout, _) = run(&["port", "--listening", "--json"]);
    assert_eq!(code, 0);
    let mine = json_lines(&stdout)
        .into_iter()
        .find(|s| s["port"] == json!(port.parse::<u16>().unwrap_or(0)) && s["protocol"] == "tcp")
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(
        (mine["pid"].clone(), mine["reach"].clone()),
        (json!(pid), json!("loopback only"))
    );
    let (_, text, _) = run(&["port", "--listening"]);
    assert!(
        text.lines()
            .any(|l| l.contains(&port) && l.contains("python3") && l.contains(&pid.to_string())),
        "{text}"
    );
    drop(held);
}

#[test]
fn the_lessons_options_refuse_what_makes_no_sense() {
    let (code, _, stderr) = run(&["send", "--udp", "127.0.0.1:9", "--framed", "x"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("UDP datagrams keep their own boundaries"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["echo", "--framed=le64"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("'le64' is not a frame header (be32, le32, be16, le16)"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["echo", "--recv-size", "0"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = run_with_stdin(&["send", "127.0.0.1:9", "--burst"], "");
    assert_eq!(code, 2, "--burst needs MESSAGEs");
    let _ = (
        TcpListener::bind("127.0.0.1:0"),
        Instant::now(),
        Value::Null,
    );
}

/// A lesson's Python program from tests/fixtures/lessons/, its stdin to type into and its
/// printed lines read on a thread.
struct Lesson {
    child: Background,
    stdin: Option<std::process::ChildStdin>,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Lesson {
    fn start(script: &str, args: &[&str]) -> Lesson {
        let path = format!(
            "{}/tests/fixtures/lessons/{script}",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut child = Command::new("python3")
            .arg(&path)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lesson {
            child: Background { child, ns: None },
            stdin,
            lines,
        }
    }

    fn type_line(&mut self, line: &str) {
        if let Some(stdin) = self.stdin.as_mut() {
            stdin
                .write_all(format!("{line}\n").as_bytes())
                .and_then(|()| stdin.flush())
                .unwrap_or_else(|e| panic!("typing: {e}"));
        }
    }

    fn next(&self) -> String {
        self.lines
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("the lesson's program printed nothing within {WAIT:?}"))
    }

    /// Ends its input; the lines it prints until it exits.
    fn finish(mut self) -> Vec<String> {
        drop(self.stdin.take());
        let _ = self.child.child.wait();
        self.lines.try_iter().collect()
    }
}

#[test]
fn the_lessons_udp_chat_client_gets_its_own_message_back_from_chat_mode() {
    if !python() {
        return;
    }
    let echo = Running::start("echo", &["--udp", "--mode", "chat"]);
    let port = echo.port.to_string();
    let mut a = Lesson::start("udp_chat_client.py", &[&port]);
    let mut b = Lesson::start("udp_chat_client.py", &[&port]);
    a.type_line("hello from a");
    assert_eq!(
        a.next(),
        "hello from a",
        "the sender's own message comes back"
    );
    let first = echo.wait_for("relayed", |e| e["event"] == "relayed");
    let a_at = first["from"].clone();
    assert_eq!(
        (
            first["mode"].clone(),
            first["to"].clone(),
            first["bytes"].clone()
        ),
        (json!("chat"), json!([a_at]), json!(12)),
        "{first}"
    );
    b.type_line("hi from b");
    assert_eq!(b.next(), "hi from b");
    let second = echo.wait_for("relayed", |e| e["event"] == "relayed");
    let b_at = second["from"].clone();
    assert_eq!(
        second["to"],
        json!([b_at, a_at]),
        "the sender first: {second}"
    );
    // The lesson's client reads one datagram per send: a's next read is b's message.
    a.type_line("a again");
    assert_eq!(a.next(), "hi from b");
    assert_eq!(a.finish(), ["later: a again"]);
    assert_eq!(b.finish(), ["later: a again"]);
    // relay skips the sender: the same client waits in vain for its own message.
    let relay = Running::start("echo", &["--udp", "--mode", "relay"]);
    let mut alone = Lesson::start("udp_chat_client.py", &[&relay.port.to_string()]);
    alone.type_line("anyone?");
    assert_eq!(alone.next(), "timeout");
    let r = relay.wait_for("relayed", |e| e["event"] == "relayed");
    assert_eq!(
        (r["mode"].clone(), r["to"].clone()),
        (json!("relay"), json!([]))
    );
}

#[test]
fn the_lessons_drone_client_gets_an_answer_for_each_command() {
    if !python() {
        return;
    }
    let listen = Running::start(
        "listen",
        &[
            "--udp",
            "--reply",
            "command=ok",
            "--reply",
            "speed?=100.0",
            "--reply",
            "battery*=87",
            "--reply",
            "error",
        ],
    );
    let port = listen.port.to_string();
    let drone = Lesson::start(
        "drone_client.py",
        &[&port, "command", "speed?", "battery?", "takeoff"],
    );
    assert_eq!(
        drone.finish(),
        [
            "command -> ok",
            "speed? -> 100.0",
            "battery? -> 87",
            "takeoff -> error"
        ]
    );
    let sent = listen.wait_for("sent", |e| e["event"] == "sent");
    assert_eq!(sent["text"], json!("ok"), "{sent}");
    // Without a default, a request no rule matches gets no answer, and the log says why.
    let strict = Running::start("listen", &["--udp", "--reply", "command=ok"]);
    let drone = Lesson::start(
        "drone_client.py",
        &[&strict.port.to_string(), "command", "land"],
    );
    assert_eq!(drone.finish(), ["command -> ok", "land -> (no answer)"]);
    let unanswered = strict.wait_for("not_sent", |e| e["event"] == "not_sent");
    assert_eq!(unanswered["reason"], json!("no_rule"), "{unanswered}");
    // Hex rules: request and reply as hex digits.
    let hex = Running::start("listen", &["--udp", "--hex", "--reply", "01 02=ff"]);
    let s = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    s.set_read_timeout(Some(WAIT))
        .unwrap_or_else(|e| panic!("{e}"));
    s.send_to(&[1, 2], ("127.0.0.1", hex.port))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 8];
    let n = s.recv(&mut buf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&buf[..n], [0xff]);
    // A second answer to every message is refused, naming it.
    let (code, _, stderr) = run(&["listen", "--udp", "--reply", "a", "--reply", "b"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--reply b: a second answer"), "{stderr}");
}

/// Starts one of the lessons' servers from tests/fixtures/lessons/ on 127.0.0.1 and returns
/// it with its port (the fixture prints "ready", then the port).
fn lesson_server(script: &str, args: &[&str]) -> (Lesson, String) {
    let mut all = vec!["127.0.0.1", "0"];
    all.extend(args);
    let server = Lesson::start(script, &all);
    assert_eq!(server.next(), "ready", "{script}");
    let port = server.next();
    (server, port)
}

#[test]
fn send_framed_in_reads_the_command_servers_struct_pack_answers_to_bare_commands() {
    if !python() {
        return;
    }
    let (server, port) = lesson_server("tcp_command_server.py", &[]);
    let target = format!("127.0.0.1:{port}");
    let (code, stdout, stderr) = run(&[
        "send",
        &target,
        "--framed-in=le32",
        "--encoding",
        "gbk",
        "--json",
        "dir",
        "ipconfig",
        "nope",
    ]);
    drop(server);
    assert_eq!(code, 0, "{stderr}");
    let lines = json_lines(&stdout);
    assert_eq!(
        lines[0]["text"],
        json!("驱动器 C 中的卷没有标签。\r\n a.txt  b.txt\r\n"),
        "the answer without its header: {stdout}"
    );
    assert_eq!(lines[0]["sent_bytes"], json!(3), "the command went bare");
    assert_eq!(lines[1]["received_bytes"], json!(1240), "{}", lines[1]);
    assert_eq!(lines[2]["text"], json!("'nope' is not a command\r\n"));
    assert_eq!(lines[3]["summary"]["replies"], json!(3), "{stdout}");
    // The student's slip: the default be32 reads struct.pack('i')'s little-endian header.
    let (server, port) = lesson_server("tcp_command_server.py", &[]);
    let (code, _, stderr) = run(&["send", &format!("127.0.0.1:{port}"), "--framed-in", "dir"]);
    drop(server);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("bad frame header 2a 00 00 00 (be32)")
            && stderr.contains("read as le32 it is 42 bytes: did you mean --framed-in=le32?")
            && !stderr.contains("cannot reach"),
        "{stderr}"
    );
    // And without any framing option: the reply's first four bytes are said to be a header.
    let (server, port) = lesson_server("tcp_command_server.py", &[]);
    let target = format!("127.0.0.1:{port}");
    let (code, stdout, stderr) = run(&["send", &target, "--json", "dir"]);
    drop(server);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        json_lines(&stdout)[0]["header_guess"],
        json!({"header": "le32", "length": 42}),
        "{stdout}"
    );
    let (server, port) = lesson_server("tcp_command_server.py", &[]);
    let target = format!("127.0.0.1:{port}");
    let (_, stdout, _) = run(&["send", &target, "ipconfig"]);
    drop(server);
    assert!(
        stdout.contains("(le32: 1240 bytes follow)") && stdout.contains("try --framed-in=le32"),
        "{stdout}"
    );
}

#[test]
fn send_shows_the_file_servers_json_header_and_checks_the_body_it_announces() {
    if !python() {
        return;
    }
    let (server, port) = lesson_server("tcp_file_server.py", &["300000"]);
    let target = format!("127.0.0.1:{port}");
    let (code, stdout, stderr) = run(&["send", &target, "--framed-in=le32", "get a.bin"]);
    drop(server);
    assert_eq!(code, 0, "{stderr}");
    let want_md5 = "34fadf2975834e9a357ec41d3e6df067";
    assert!(
        stdout.contains(": a JSON header (")
            && stdout.contains("  {\n    \"filename\": \"a.bin\",\n")
            && stdout.contains(&format!(
                "body: 300000 bytes (file_size in the header), md5 {want_md5}, the same as the header's"
            )),
        "{stdout}"
    );
    // JSON: the header as a JSON value, the body as its size and checksum; a wrong md5 said.
    let (server, port) = lesson_server("tcp_file_server.py", &["3000", "badmd5"]);
    let target = format!("127.0.0.1:{port}");
    let (code, stdout, stderr) = run(&["send", &target, "--framed-in=le32", "--json", "get b.bin"]);
    drop(server);
    assert_eq!(code, 0, "{stderr}");
    let reply = &json_lines(&stdout)[0];
    assert_eq!(
        reply["header"],
        json!({"filename": "b.bin", "md5": "0".repeat(32), "file_size": 3000}),
        "{reply}"
    );
    assert_eq!(
        (
            reply["body"]["bytes"].clone(),
            reply["body"]["complete"].clone(),
            reply["body"]["md5_matches"].clone()
        ),
        (json!(3000), json!(true), json!(false)),
        "{reply}"
    );
    // --save-body: the body goes to a file as it is hashed.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let saved = dir.path().join("got.bin");
    let saved_arg = saved.display().to_string();
    let (server, port) = lesson_server("tcp_file_server.py", &["70000"]);
    let target = format!("127.0.0.1:{port}");
    let (code, stdout, stderr) = run(&[
        "send",
        &target,
        "--framed-in=le32",
        "--save-body",
        &saved_arg,
        "get d.bin",
    ]);
    drop(server);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!("body saved to {saved_arg}")),
        "{stdout}"
    );
    let want: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    assert!(
        std::fs::read(&saved).is_ok_and(|got| got == want),
        "the saved body is the file"
    );
    let (code, _, stderr) = run(&["send", &target, "--framed-in", "--save-body", "/", "x"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--save-body /: it is a directory"),
        "{stderr}"
    );
    // A body above --max-frame is refused before it is read.
    let (server, port) = lesson_server("tcp_file_server.py", &["5000"]);
    let target = format!("127.0.0.1:{port}");
    let (code, _, stderr) = run(&[
        "send",
        &target,
        "--framed-in=le32",
        "--max-frame",
        "1000",
        "get c.bin",
    ]);
    drop(server);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("announces a body of 5000 bytes, above --max-frame (1000)"),
        "{stderr}"
    );
}

#[test]
fn the_lessons_command_client_gets_framed_answers_from_echo_and_listen_framed_out() {
    if !python() {
        return;
    }
    let echo = Running::start("echo", &["--tcp", "--framed-out=le32"]);
    let client = Lesson::start(
        "tcp_command_client.py",
        &[&echo.port.to_string(), "dir", "ipconfig"],
    );
    assert_eq!(
        client.finish(),
        ["dir -> 3: dir", "ipconfig -> 8: ipconfig"]
    );
    let gone = echo.wait_for("disconnected", |e| e["event"] == "disconnected");
    assert_eq!(
        (gone["reads"].clone(), gone["bytes_out"].clone()),
        (json!(2), json!(19)),
        "bare reads in, framed answers out: {gone}"
    );
    let listen = Running::start(
        "listen",
        &[
            "--tcp",
            "--framed-out=le32",
            "--reply",
            "dir=a.txt b.txt",
            "--reply",
            "?",
        ],
    );
    let client = Lesson::start(
        "tcp_command_client.py",
        &[&listen.port.to_string(), "dir", "whoami"],
    );
    assert_eq!(
        client.finish(),
        ["dir -> 11: a.txt b.txt", "whoami -> 1: ?"]
    );
    // The other way round: a server that reads frames and answers bare, and send that frames
    // what it writes only.
    let echo = Running::start("echo", &["--tcp", "--framed-in=le32", "--mode", "upper"]);
    let target = format!("127.0.0.1:{}", echo.port);
    let (code, stdout, stderr) = run(&["send", &target, "--framed-out=le32", "--json", "hi"]);
    assert_eq!(code, 0, "{stderr}");
    let reply = &json_lines(&stdout)[0];
    assert_eq!(
        (reply["sent_bytes"].clone(), reply["text"].clone()),
        (json!(2), json!("HI")),
        "a framed request, a bare answer: {reply}"
    );
    let m = echo.wait_for("message", |e| e["event"] == "message");
    assert_eq!(m["text"], json!("hi"), "the frame without its header: {m}");
    // Framing one way is refused where replies are compared with what went out.
    let (code, _, stderr) = run(&["send", "127.0.0.1:9", "--framed-in=le32", "--count", "3"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--framed-in with --count: --count checks that what comes back"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["echo", "--framed", "--framed-in=le32"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn a_struct_pack_header_read_as_be32_asks_whether_le32_was_meant() {
    // The hand-outs' client against a server started with plain --framed (be32).
    let echo = Running::start("echo", &["--tcp", "--framed"]);
    let mut c = echo.tcp();
    c.write_all(&[5, 0, 0, 0, b'h', b'e', b'l', b'l', b'o'])
        .unwrap_or_else(|e| panic!("{e}"));
    let gone = echo.wait_for("disconnected", |e| e["event"] == "disconnected");
    assert_eq!(
        gone["reason_text"],
        json!(
            "bad frame header 05 00 00 00 (be32): 83886080 bytes is above --max-frame (16777216); read as le32 it is 5 bytes: did you mean --framed=le32?"
        ),
        "{gone}"
    );
    // Text is no header in either order: no guess.
    let mut c = echo.tcp();
    c.write_all(b"dir\n").unwrap_or_else(|e| panic!("{e}"));
    let gone = echo.wait_for("disconnected", |e| e["event"] == "disconnected");
    assert!(
        gone["reason_text"]
            .as_str()
            .is_some_and(|r| r.contains("(be32)") && !r.contains("did you mean")),
        "{gone}"
    );
}
