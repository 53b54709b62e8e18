//! Black-box tests of `netkit listen`, and of the lab-partner options of `netkit send` and
//! the text rules shared by echo, send and listen (issue 12). Loopback, and namespaces the
//! tests create, only.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::netns::{Background, Netns};
use common::{json_lines, run, run_within};
use serde_json::{Value, json};

use common::server::{Running as Listen, WAIT};

/// `netkit ARGS` in text mode, its first line ("listening on 127.0.0.1:PORT/...") read: the
/// process, the rest of its lines, and the port.
fn text_server(
    args: &[&str],
) -> (
    Background,
    std::io::Lines<BufReader<std::process::ChildStdout>>,
    String,
) {
    let child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut server = Background { child, ns: None };
    let mut lines = BufReader::new(
        server
            .child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("stdout")),
    )
    .lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let port = first
        .rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .unwrap_or_default()
        .to_string();
    (server, lines, port)
}

fn tcp(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
    s.set_read_timeout(Some(WAIT))
        .unwrap_or_else(|e| panic!("{e}"));
    s
}

fn udp(to: &str) -> UdpSocket {
    let local = if to.starts_with('[') {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    };
    let s = UdpSocket::bind(local).unwrap_or_else(|e| panic!("{e}"));
    s.connect(to).unwrap_or_else(|e| panic!("{e}"));
    s.set_read_timeout(Some(WAIT))
        .unwrap_or_else(|e| panic!("{e}"));
    s
}

fn read_exactly(s: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    s.read_exact(&mut buf)
        .unwrap_or_else(|e| panic!("reading {n} bytes: {e}"));
    buf
}

#[test]
fn typed_lines_go_to_every_tcp_client_and_messages_are_shown() {
    let mut listen = Listen::start("listen", &["--tcp"]);
    let mut one = tcp(listen.port);
    listen.wait_connected(1);
    listen.type_line("hello one");
    assert_eq!(read_exactly(&mut one, 9), b"hello one");
    let mut two = tcp(listen.port);
    let mut three = tcp(listen.port);
    listen.wait_connected(3);
    listen.type_line("to all three");
    for client in [&mut one, &mut two, &mut three] {
        assert_eq!(read_exactly(client, 12), b"to all three");
    }
    let sent = listen.wait_for("sent", |e| e["event"] == "sent" && e["bytes"] == json!(12));
    assert_eq!(sent["peers"].as_array().map(Vec::len), Some(3), "{sent}");
    assert_eq!(sent["text"], json!("to all three"));
    // What a client sends is shown, and nobody is answered.
    two.write_all("你好 world".as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let message = listen.wait_for("message", |e| e["event"] == "message");
    assert_eq!(message["text"], json!("你好 world"));
    assert_eq!(message["hex"], json!("e4bda0e5a5bd20776f726c64"));
    let (code, _) = listen.stop();
    assert_eq!(code, Some(0));
}

#[test]
fn a_udp_line_goes_to_the_peer_heard_from_last() {
    let mut listen = Listen::start("listen", &["--udp"]);
    listen.type_line("nobody yet");
    let not_sent = listen.wait_for("not_sent", |e| e["event"] == "not_sent");
    assert!(
        not_sent["reason"] == "nobody"
            && not_sent["reason_text"]
                .as_str()
                .is_some_and(|r| r.contains("no UDP peer has been heard from")),
        "{not_sent}"
    );
    let to = format!("127.0.0.1:{}", listen.port);
    let (first, last) = (udp(&to), udp(&to));
    first.send(b"first").unwrap_or_else(|e| panic!("{e}"));
    listen.wait_for("datagram", |e| {
        e["event"] == "datagram" && e["text"] == "first"
    });
    last.send(b"last").unwrap_or_else(|e| panic!("{e}"));
    let datagram = listen.wait_for("datagram", |e| {
        e["event"] == "datagram" && e["text"] == "last"
    });
    assert_eq!(datagram["destination"]["kind"], json!("unicast"));
    listen.type_line("answer");
    let mut buf = [0u8; 64];
    let n = last
        .recv(&mut buf)
        .unwrap_or_else(|e| panic!("the last peer: {e}"));
    assert_eq!(&buf[..n], b"answer");
    first
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        first.recv(&mut buf).is_err(),
        "only the last peer is answered"
    );
}

#[test]
fn reply_answers_every_message_and_once_ends_with_the_first_client() {
    for (proto, addr) in [
        ("--tcp", "127.0.0.1"),
        ("--udp", "127.0.0.1"),
        ("--udp", "::1"),
    ] {
        let listen = Listen::start("listen", &[proto, "--bind", addr, "--reply", "Hello"]);
        let to = if addr.contains(':') {
            format!("[{addr}]:{}", listen.port)
        } else {
            format!("{addr}:{}", listen.port)
        };
        if proto == "--tcp" {
            let mut c = TcpStream::connect(&to).unwrap_or_else(|e| panic!("{e}"));
            c.set_read_timeout(Some(WAIT))
                .unwrap_or_else(|e| panic!("{e}"));
            c.write_all(b"hi").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(read_exactly(&mut c, 5), b"Hello");
        } else {
            let s = udp(&to);
            s.send(b"hi").unwrap_or_else(|e| panic!("{e}"));
            let mut buf = [0u8; 16];
            let n = s.recv(&mut buf).unwrap_or_else(|e| panic!("{to}: {e}"));
            assert_eq!(&buf[..n], b"Hello", "{to}");
        }
    }
    let listen = Listen::start("listen", &["--tcp", "--once"]);
    let mut c = tcp(listen.port);
    listen.wait_connected(1);
    c.write_all(b"bye").unwrap_or_else(|e| panic!("{e}"));
    drop(c);
    let mut child = listen;
    let began = Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.child.try_wait() {
            break status;
        }
        assert!(
            began.elapsed() < WAIT,
            "--once did not end when the client left"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn gbk_is_shown_and_sent_as_text_and_what_is_not_text_as_hex() {
    let mut listen = Listen::start("listen", &["--udp", "--encoding", "gbk"]);
    let to = format!("127.0.0.1:{}", listen.port);
    let s = udp(&to);
    s.send(&[0xc4, 0xe3, 0xba, 0xc3])
        .unwrap_or_else(|e| panic!("{e}"));
    let d = listen.wait_for("datagram", |e| e["event"] == "datagram");
    assert_eq!(
        (d["text"].clone(), d["hex"].clone()),
        (json!("你好"), json!("c4e3bac3"))
    );
    s.send(&[0xff, 0xff, 0x00])
        .unwrap_or_else(|e| panic!("{e}"));
    let d = listen.wait_for("datagram", |e| {
        e["event"] == "datagram" && e["hex"] == "ffff00"
    });
    assert_eq!(d["text"], Value::Null, "not text in GBK");
    // Typed text goes out in the encoding asked for.
    listen.type_line("再见");
    let mut buf = [0u8; 16];
    let n = s.recv(&mut buf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&buf[..n], &[0xd4, 0xd9, 0xbc, 0xfb]);
    // The text log: the same rules, for people.
    let (code, stdout, stderr) = run_within(
        &["send", "--udp", &to, "--encoding", "gbk", "你好"],
        Vec::new(),
        WAIT,
    );
    assert_eq!(
        code, 0,
        "listen does not answer, and no reply was asked for: {stdout}{stderr}"
    );
    let d = listen.wait_for("datagram", |e| {
        e["event"] == "datagram" && e["hex"] == "c4e3bac3"
    });
    assert_eq!(d["text"], json!("你好"));
}

#[test]
fn echo_and_send_show_text_escapes_and_hex_in_their_logs() {
    let (_echo, mut lines, port) = text_server(&["echo", "0", "--udp", "--bind", "127.0.0.1"]);
    let to = format!("127.0.0.1:{port}");
    let (code, stdout, _) = run(&["send", "--udp", &to, "你好 world", "--hex", "ff 00 0a"]);
    // Two messages: "你好 world" is not hex digits; --hex takes every MESSAGE as hex.
    assert_eq!(code, 2, "{stdout}");
    let (code, stdout, stderr) = run(&["send", "--udp", &to, "你好\tworld"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(r#"reply from 127.0.0.1:"#)
            && stdout.contains(r#": "你好\tworld" (12 bytes, "#),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["send", "--udp", &to, "--hex", "48656c6c6f"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("00000000: 4865 6c6c 6f"), "{stdout}");
    assert!(stdout.contains("Hello"), "{stdout}");
    let (code, stdout, _) = run(&["send", "--udp", &to, "--hex", "ff fe 00"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("fffe 00"), "{stdout}");
    let logged: Vec<String> = lines.by_ref().take(3).map_while(Result::ok).collect();
    assert!(
        logged[0].ends_with(r#"udp 12 bytes: "你好\tworld""#),
        "{logged:?}"
    );
    assert!(logged[1].ends_with(r#"udp 5 bytes: "Hello""#), "{logged:?}");
    assert!(
        logged[2].ends_with("udp 3 bytes: hex ff fe 00"),
        "{logged:?}"
    );
}

#[test]
fn bad_encodings_and_hex_digits_exit_2_naming_them() {
    let (code, _, stderr) = run(&["send", "--udp", "127.0.0.1:9", "x", "--encoding", "klingon"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown encoding 'klingon'") && stderr.contains("gbk"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["send", "--udp", "127.0.0.1:9", "--hex", "48 6g"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("'g' (character 5) is not a hex digit"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["listen", "--reply", "zz", "--hex"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--reply zz: 'z'"), "{stderr}");
    let (code, _, stderr) = run(&["send", "--udp", "127.0.0.1:9", "--encoding", "latin1", "你"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot be written in windows-1252"),
        "{stderr}"
    );
}

#[test]
fn a_bad_typed_line_is_said_and_the_session_goes_on() {
    let mut listen = Listen::start("listen", &["--tcp", "--hex"]);
    let mut c = tcp(listen.port);
    listen.wait_connected(1);
    listen.type_line("4x");
    let e = listen.wait_for("not_sent", |e| e["event"] == "not_sent");
    assert!(
        e["reason"] == "bad_line"
            && e["reason_text"]
                .as_str()
                .is_some_and(|r| r.contains("line 1") && r.contains("'x'")),
        "{e}"
    );
    listen.type_line("48 69");
    assert_eq!(read_exactly(&mut c, 2), b"Hi");
}

#[test]
fn send_binds_the_port_it_is_asked_for_and_says_when_it_is_taken() {
    /// Sends from a port that was free a moment ago; another test may take it meanwhile,
    /// so a port found in use is traded for another (a few times at most).
    fn from_a_free_port(udp: bool, to: &str) -> u16 {
        for _ in 0..5 {
            let port = if udp {
                let s = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
                s.local_addr().map(|a| a.port()).unwrap_or_default()
            } else {
                let s =
                    std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
                s.local_addr().map(|a| a.port()).unwrap_or_default()
            };
            let bind = format!(":{port}");
            let mut args = vec!["send", "--bind", &bind, "--timeout", "0.2", to, "x"];
            if udp {
                args.push("--udp");
            }
            let (_, _, stderr) = run(&args);
            if !stderr.contains("already in use") {
                return port;
            }
        }
        panic!("no free port to send from");
    }
    let listen = Listen::start("listen", &["--udp"]);
    let to = format!("127.0.0.1:{}", listen.port);
    let port = from_a_free_port(true, &to);
    let d = listen.wait_for("datagram", |e| e["event"] == "datagram");
    assert_eq!(d["peer"], json!(format!("127.0.0.1:{port}")));
    let held = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let taken = held.local_addr().map(|a| a.port()).unwrap_or_default();
    let (code, _, stderr) = run(&[
        "send",
        "--udp",
        "--bind",
        &format!("127.0.0.1:{taken}"),
        &to,
        "x",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("UDP port {taken} is already in use")),
        "{stderr}"
    );
    // TCP too: the server sees the chosen source port.
    let listen = Listen::start("listen", &["--tcp"]);
    let port = from_a_free_port(false, &format!("127.0.0.1:{}", listen.port));
    let c = listen.wait_for("connected", |e| e["event"] == "connected");
    assert_eq!(c["peer"], json!(format!("127.0.0.1:{port}")));
}

#[test]
fn two_sends_bound_to_each_others_port_are_a_udp_chat() {
    let probe = |_: ()| {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        s.local_addr().map(|a| a.port()).unwrap_or_default()
    };
    let (a, b) = (probe(()), probe(()));
    let start = |me: u16, peer: u16| {
        Command::new(assert_cmd::cargo::cargo_bin("netkit"))
            .args([
                "send",
                "--udp",
                "--json",
                "--timeout",
                "3",
                "--bind",
                &format!(":{me}"),
                &format!("127.0.0.1:{peer}"),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let mut alice = Background {
        child: start(a, b),
        ns: None,
    };
    let mut bob = Background {
        child: start(b, a),
        ns: None,
    };
    std::thread::sleep(Duration::from_millis(300));
    let mut to_alice = alice.child.stdin.take().unwrap_or_else(|| panic!("stdin"));
    let mut to_bob = bob.child.stdin.take().unwrap_or_else(|| panic!("stdin"));
    to_alice
        .write_all(b"hi bob\n")
        .unwrap_or_else(|e| panic!("{e}"));
    to_alice.flush().unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(300));
    to_bob
        .write_all("hi alice, 你好\n".as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    drop((to_alice, to_bob));
    let read = |child: &mut Child| {
        let mut text = String::new();
        if let Some(mut out) = child.stdout.take() {
            let _ = out.read_to_string(&mut text);
        }
        // The arrivals (send says its local port and each sent line too).
        json_lines(&text)
            .into_iter()
            .filter(|e| e.get("from").is_some())
            .collect::<Vec<_>>()
    };
    let heard_by_bob = read(&mut bob.child);
    let heard_by_alice = read(&mut alice.child);
    let texts = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .filter_map(|e| e["text"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(texts(&heard_by_bob), ["hi bob"], "{heard_by_bob:?}");
    assert_eq!(
        texts(&heard_by_alice),
        ["hi alice, 你好"],
        "{heard_by_alice:?}"
    );
    assert_eq!(heard_by_bob[0]["from"], json!(format!("127.0.0.1:{a}")));
    // Alice's line was answered by Bob's: its RTT is to that first arrival.
    assert!(heard_by_alice[0]["rtt_ms"].is_f64(), "{heard_by_alice:?}");
}

#[test]
fn a_relay_client_sees_what_another_client_sent_without_sending() {
    let (_echo, _lines, port) = text_server(&[
        "echo",
        "0",
        "--tcp",
        "--bind",
        "127.0.0.1",
        "--mode",
        "relay",
    ]);
    let to = format!("127.0.0.1:{port}");
    let quiet = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(["send", &to, "--json", "--timeout", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut quiet = Background {
        child: quiet,
        ns: None,
    };
    std::thread::sleep(Duration::from_millis(300));
    let (code, _, stderr) = run(&[
        "send",
        &to,
        "--timeout",
        "0.3",
        "--expect-reply",
        "to the room",
    ]);
    assert_eq!(code, 1, "a relay does not answer its sender: {stderr}");
    std::thread::sleep(Duration::from_millis(300));
    drop(quiet.child.stdin.take());
    let mut text = String::new();
    if let Some(mut out) = quiet.child.stdout.take() {
        let _ = out.read_to_string(&mut text);
    }
    // The arrivals (its local port comes first).
    let events: Vec<Value> = json_lines(&text)
        .into_iter()
        .filter(|e| e.get("from").is_some())
        .collect();
    assert_eq!(events[0]["text"], json!("to the room"), "{text}");
    assert_eq!(
        events[0]["rtt_ms"],
        Value::Null,
        "it answers no line of ours"
    );
}

#[test]
fn send_repeats_messages_with_count_and_refuses_a_broadcast_without_the_flag() {
    let listen = Listen::start("listen", &["--udp", "--reply", "ok"]);
    let to = format!("127.0.0.1:{}", listen.port);
    let (code, stdout, stderr) = run(&[
        "send",
        "--udp",
        &to,
        "a",
        "b",
        "--count",
        "3",
        "--interval",
        "10ms",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.matches("reply from").count(), 6, "{stdout}");
    assert!(stdout.contains("6 sent, 6 replies; rtt"), "{stdout}");
    let (code, _, stderr) = run(&["send", "--udp", "255.255.255.255:9", "x"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("broadcast address: add --broadcast"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["send", "--udp", &to, "--count", "0"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--count 0"), "{stderr}");
}

#[test]
fn count_0_repeats_until_ctrl_c_then_sums_up() {
    let listen = Listen::start("listen", &["--udp", "--reply", "ok"]);
    let to = format!("127.0.0.1:{}", listen.port);
    let child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args([
            "send",
            "--udp",
            &to,
            "ping",
            "--count",
            "0",
            "--interval",
            "50ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut child = Background { child, ns: None };
    std::thread::sleep(Duration::from_millis(600));
    let _ = Command::new("kill")
        .args(["-INT", &child.child.id().to_string()])
        .status();
    let mut text = String::new();
    if let Some(mut out) = child.child.stdout.take() {
        let _ = out.read_to_string(&mut text);
    }
    let status = child.child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0), "{text}");
    let replies = text.matches("reply from").count();
    assert!(replies >= 5, "{text}");
    // The stop may come while the last message awaits its reply: it is counted apart.
    assert!(
        text.contains(&format!("{replies} sent, {replies} replies"))
            || text.contains(&format!(
                "{} sent, {replies} replies, 1 without a reply",
                replies + 1
            )),
        "{text}"
    );
}

#[test]
fn a_handout_style_python_client_talks_gbk_to_listen() {
    if Command::new("python3").arg("--version").output().is_err() {
        common::skip("no python3");
        return;
    }
    let mut listen = Listen::start("listen", &["--udp", "--encoding", "gbk"]);
    let script = format!(
        "import socket\n\
         s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
         s.settimeout(10)\n\
         s.sendto('你好，服务器'.encode('gbk'), ('127.0.0.1', {}))\n\
         data, addr = s.recvfrom(1024)\n\
         print(data.decode('gbk'))\n",
        listen.port
    );
    let mut python = Command::new("python3")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let d = listen.wait_for("datagram", |e| e["event"] == "datagram");
    assert_eq!(d["text"], json!("你好，服务器"));
    listen.type_line("收到");
    let mut answer = String::new();
    if let Some(mut out) = python.stdout.take() {
        let _ = out.read_to_string(&mut answer);
    }
    let _ = python.wait();
    assert_eq!(answer.trim(), "收到");
}

#[test]
fn broadcast_and_multicast_datagrams_are_received_and_told_apart() {
    let Some((server, client)) = Netns::veth_pair("bc") else {
        return;
    };
    server.ip("addr add 10.200.8.1/24 brd 10.200.8.255 dev s0");
    client.ip("addr add 10.200.8.2/24 brd 10.200.8.255 dev c0");
    // A route for the group, so the sender knows where 239.x goes.
    client.ip("route add 224.0.0.0/4 dev c0");
    let (_listen, mut out) = server.spawn_netkit(&[
        "listen",
        "7799",
        "--udp",
        "--json",
        "--join",
        "239.1.2.3",
        "--iface",
        "s0",
    ]);
    let first = out.next().and_then(Result::ok).unwrap_or_default();
    assert!(first.contains("\"listening\""), "{first}");
    for (target, extra) in [
        ("10.200.8.255:7799", Some("--broadcast")),
        ("239.1.2.3:7799", None),
        ("10.200.8.1:7799", None),
    ] {
        let mut args = vec!["send", "--udp", "--timeout", "0.2", target, "hello all"];
        args.extend(extra);
        let (_, _, stderr) = client.netkit(&args);
        assert!(!stderr.contains("cannot"), "{target}: {stderr}");
    }
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        let Some(Ok(line)) = out.next() else { break };
        let event: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if event["event"] == "datagram" {
            assert_eq!(event["text"], json!("hello all"));
            kinds.push((
                event["destination"]["address"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                event["destination"]["kind"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            ));
        }
    }
    assert_eq!(
        kinds,
        [
            ("10.200.8.255".to_string(), "broadcast".to_string()),
            ("239.1.2.3".to_string(), "multicast".to_string()),
            ("10.200.8.1".to_string(), "unicast".to_string()),
        ]
    );
}

#[test]
fn gbk_goes_out_and_comes_back_as_text_over_tcp_and_udp_on_ipv4_and_ipv6() {
    let echo = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args([
            "echo",
            "0",
            "--bind",
            "127.0.0.1",
            "--bind",
            "::1",
            "--encoding",
            "gbk",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut echo = Background {
        child: echo,
        ns: None,
    };
    let mut events =
        BufReader::new(echo.child.stdout.take().unwrap_or_else(|| panic!("stdout"))).lines();
    let first: Value =
        serde_json::from_str(&events.next().and_then(Result::ok).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    let port = first["port"].as_u64().unwrap_or_default();
    for target in [format!("127.0.0.1:{port}"), format!("[::1]:{port}")] {
        for udp in [false, true] {
            let mut args = vec!["send", &target, "--encoding", "gbk", "--json", "你好"];
            if udp {
                args.push("--udp");
            }
            let (code, stdout, stderr) = run(&args);
            assert_eq!(code, 0, "{target} udp={udp}: {stderr}");
            let exchange = &json_lines(&stdout)[0];
            assert_eq!(exchange["hex"], json!("c4e3bac3"), "{target} udp={udp}");
            assert_eq!(exchange["text"], json!("你好"), "{target} udp={udp}");
        }
    }
    // And echo's log read the same bytes as GBK text.
    let mut seen = 0;
    for line in events.by_ref().map_while(Result::ok) {
        let e: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}"));
        if e["event"] == "message" || e["event"] == "datagram" {
            assert_eq!(e["text"], json!("你好"), "{e}");
            seen += 1;
            if seen == 4 {
                break;
            }
        }
    }
    assert_eq!(seen, 4);
}

#[test]
fn a_datagram_to_a_subnet_broadcast_without_brd_is_labelled_broadcast() {
    let Some((server, client)) = Netns::veth_pair("nobrd") else {
        return;
    };
    // No `brd`: the kernel still has a broadcast route for each subnet.
    server.ip("addr add 10.99.1.1/24 dev s0");
    client.ip("addr add 10.99.1.2/24 dev c0");
    let (_listen, mut out) = server.spawn_netkit(&["listen", "7799", "--udp", "--json"]);
    let first = out.next().and_then(Result::ok).unwrap_or_default();
    assert!(first.contains("\"listening\""), "{first}");
    // The subnet's broadcast from the other host, lo's 127.255.255.255 from this one, and a
    // unicast datagram to tell them from.
    let sends = [
        (&client, "10.99.1.255:7799", true),
        (&server, "127.255.255.255:7799", true),
        (&client, "10.99.1.1:7799", false),
    ];
    for (ns, target, broadcast) in sends {
        let mut args = vec!["send", "--udp", "--timeout", "0.2", target, "hello all"];
        if broadcast {
            args.push("--broadcast");
        }
        let (_, _, stderr) = ns.netkit(&args);
        assert!(!stderr.contains("cannot"), "{target}: {stderr}");
    }
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        let Some(Ok(line)) = out.next() else { break };
        let event: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if event["event"] == "datagram" {
            kinds.push(format!(
                "{} {}",
                event["destination"]["address"].as_str().unwrap_or(""),
                event["destination"]["kind"].as_str().unwrap_or("")
            ));
        }
    }
    assert_eq!(
        kinds,
        [
            "10.99.1.255 broadcast",
            "127.255.255.255 broadcast",
            "10.99.1.1 unicast"
        ]
    );
}

/// Runs the lesson's UDP sender (tests/fixtures/lessons/udp_encoded_sender.py): `message`
/// in `encoding`, `count` times from one socket, to 127.0.0.1:`port`.
fn lesson_udp_sender(port: &str, encoding: &str, message: &str, count: usize) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lessons/udp_encoded_sender.py"
    );
    let count = count.to_string();
    let status = Command::new("python3")
        .args([script, "127.0.0.1", port, encoding, message, &count])
        .status()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    assert!(status.success(), "{script} failed");
}

/// `netkit listen 0 --udp --bind 127.0.0.1 EXTRA` in text mode while `send` runs (given
/// the port), until `datagrams` datagram lines were logged; then SIGTERM, and every line
/// it wrote (bounded: ten seconds at most).
fn listen_log(extra: &[&str], datagrams: usize, send: impl FnOnce(&str)) -> Vec<String> {
    let mut args = vec!["listen", "0", "--udp", "--bind", "127.0.0.1"];
    args.extend(extra);
    let (server, lines, port) = text_server(&args);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    send(&port);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut log = Vec::new();
    let mut stopped = false;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(line) = rx.recv_timeout(left) else {
            break;
        };
        let done = line.starts_with("summary:");
        log.push(line);
        if done {
            break;
        }
        if !stopped && log.iter().filter(|l| l.contains(" udp ")).count() == datagrams {
            let _ = Command::new("kill")
                .args(["-TERM", &server.child.id().to_string()])
                .status();
            stopped = true;
        }
    }
    assert!(
        log.last().is_some_and(|l| l.starts_with("summary:")),
        "{log:?}"
    );
    log
}

#[test]
fn gbk_from_the_lessons_sender_in_the_utf8_view_says_once_per_peer_to_use_gbk() {
    if Command::new("python3").arg("--version").output().is_err() {
        common::skip("no python3");
        return;
    }
    // Two runs of the lesson's sender: two peers (a new port each run), two datagrams each.
    let log = listen_log(&[], 4, |port| {
        lesson_udp_sender(port, "gbk", "你好", 2);
        lesson_udp_sender(port, "gbk", "你好", 2);
    });
    let shown: Vec<&String> = log.iter().filter(|l| l.contains(" udp ")).collect();
    assert_eq!(shown.len(), 4, "{log:?}");
    assert!(
        shown.iter().all(|l| l.ends_with(": hex c4 e3 ba c3")),
        "{log:?}"
    );
    let notes: Vec<&String> = log.iter().filter(|l| l.contains(" note: ")).collect();
    assert_eq!(notes.len(), 2, "once per peer: {log:?}");
    for note in &notes {
        assert!(
            note.ends_with(
                "note: these bytes are not UTF-8 text; they read as GBK: \"你好\" (use --encoding gbk; Big5, Shift_JIS and EUC-KR read them too)"
            ),
            "{log:?}"
        );
    }
    // Each note follows its peer's first datagram, and names that peer.
    let peer = |l: &str| l.split(' ').next().unwrap_or_default().to_string();
    assert_ne!(peer(notes[0]), peer(notes[1]), "{log:?}");
    for note in notes {
        let at = log.iter().position(|l| l == note).unwrap_or_default();
        assert!(at > 0 && log[at - 1].starts_with(&peer(note)), "{log:?}");
    }
}

#[test]
fn utf8_under_encoding_gbk_is_called_mojibake_and_utf8_suggested() {
    if Command::new("python3").arg("--version").output().is_err() {
        common::skip("no python3");
        return;
    }
    let log = listen_log(&["--encoding", "gbk"], 2, |port| {
        lesson_udp_sender(port, "utf-8", "你好", 2);
    });
    let shown = log.iter().filter(|l| l.contains(" udp ")).count();
    assert_eq!(shown, 2, "{log:?}");
    assert!(log.iter().any(|l| l.ends_with(": \"浣犲ソ\"")), "{log:?}");
    let notes: Vec<&String> = log.iter().filter(|l| l.contains(" note: ")).collect();
    assert_eq!(notes.len(), 1, "{log:?}");
    assert!(
        notes[0].ends_with(
            "note: these bytes are UTF-8 text that GBK shows as mojibake; they read as UTF-8: \"你好\" (use --encoding utf-8)"
        ),
        "{log:?}"
    );
}

/// Types `line` into a server's stdin.
fn type_into(stdin: &mut std::process::ChildStdin, line: &str) {
    stdin
        .write_all(format!("{line}\n").as_bytes())
        .and_then(|()| stdin.flush())
        .unwrap_or_else(|e| panic!("typing: {e}"));
}

#[test]
fn tcp_reads_are_called_reads_and_one_byte_is_one_byte() {
    let mut client_at = String::new();
    let log = common::server::text_log("listen", &["--tcp"], |port, _| {
        let mut c = tcp(port);
        client_at = c.local_addr().map(|a| a.to_string()).unwrap_or_default();
        c.write_all(b"a").unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(200));
    });
    let c = &client_at;
    for line in [
        format!("#1 {c} connected (tcp, 1 client now)"),
        format!("#1 {c} tcp 1 byte: \"a\""),
        format!("#1 {c} disconnected (closed by the client): 1 read, 1 byte in, 0 bytes out"),
        "summary: 1 TCP client, 0 datagrams, 1 byte in, 0 bytes out, 0 dropped".to_string(),
    ] {
        assert!(log.lines().any(|l| l == line), "{line}\n{log}");
    }
    // JSON: "reads" for plain TCP, "messages" for whole frames.
    for (framed, key) in [(false, "reads"), (true, "messages")] {
        let args: &[&str] = if framed {
            &["--tcp", "--framed"]
        } else {
            &["--tcp"]
        };
        let listen = Listen::start("listen", args);
        let mut c = tcp(listen.port);
        let sent: &[u8] = if framed { b"\0\0\0\x02hi" } else { b"hi" };
        c.write_all(sent).unwrap_or_else(|e| panic!("{e}"));
        listen.wait_for("message", |e| e["event"] == "message");
        drop(c);
        let gone = listen.wait_for("disconnected", |e| e["event"] == "disconnected");
        assert_eq!(gone[key], json!(1), "{gone}");
        assert_eq!(gone["client"], json!(1), "{gone}");
        let other = if framed { "reads" } else { "messages" };
        assert!(gone.get(other).is_none(), "{gone}");
    }
}

#[test]
fn a_line_starting_with_at_n_goes_to_client_n_alone() {
    let mut listen = Listen::start("listen", &["--tcp"]);
    let mut clients: Vec<TcpStream> = (0..3).map(|_| tcp(listen.port)).collect();
    let mut numbers = Vec::new();
    for _ in 0..3 {
        let c = listen.wait_for("connected", |e| e["event"] == "connected");
        numbers.push(c["client"].as_u64().unwrap_or_default());
    }
    assert_eq!(numbers, [1, 2, 3]);
    listen.type_line("@2 only two");
    assert_eq!(read_exactly(&mut clients[1], 8), b"only two");
    for i in [0, 2] {
        clients[i]
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut buf = [0u8; 16];
        assert!(
            clients[i].read(&mut buf).is_err(),
            "client {} got it",
            i + 1
        );
        clients[i]
            .set_read_timeout(Some(WAIT))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let sent = listen.wait_for("sent", |e| e["event"] == "sent");
    let two = clients[1]
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    assert_eq!(
        (sent["client"].clone(), sent["peers"].clone()),
        (json!(2), json!([two])),
        "{sent}"
    );
    // An unknown number sends nothing and says which numbers there are.
    listen.type_line("@7 anyone");
    let not_sent = listen.wait_for("not_sent", |e| e["event"] == "not_sent");
    assert_eq!(not_sent["reason"], json!("no_such_client"), "{not_sent}");
    assert_eq!(
        not_sent["reason_text"],
        json!("line 2: no TCP client #7 (connected now: #1, #2, #3); nothing sent")
    );
    // @@ starts a line for everyone with one @.
    listen.type_line("@@1 to all");
    for c in &mut clients {
        assert_eq!(read_exactly(c, 7), b"@1 to all"[..7].to_vec());
        let rest = read_exactly(c, 2);
        assert_eq!(rest, b"ll");
    }
}

#[test]
fn timestamps_save_and_show_as_netassist_has_them() {
    // --timestamps: the wall clock, with milliseconds, before each line; "time" in JSON.
    let log = common::server::text_log("listen", &["--udp", "--timestamps"], |port, _| {
        let s = udp(&format!("127.0.0.1:{port}"));
        s.send(b"tick").unwrap_or_else(|e| panic!("{e}"));
    });
    let line = log
        .lines()
        .find(|l| l.contains("udp 4 bytes"))
        .unwrap_or_else(|| panic!("{log}"));
    let stamp = line.get(..15).unwrap_or_default().as_bytes();
    let shape = stamp.len() == 15
        && stamp[0] == b'['
        && stamp[3] == b':'
        && stamp[6] == b':'
        && stamp[9] == b'.'
        && stamp[13] == b']'
        && stamp[14] == b' ';
    assert!(shape, "{line}");
    // The zone is TZ's: a POSIX string (8 hours east) here, so the test does not depend on
    // the machine's zone.
    let child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args([
            "listen",
            "0",
            "--json",
            "--bind",
            "127.0.0.1",
            "--udp",
            "--timestamps",
        ])
        .env("TZ", "CST-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut server = Background { child, ns: None };
    let stdout = server
        .child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("stdout"));
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let first: Value = serde_json::from_str(&lines.next().unwrap_or_default()).unwrap_or_default();
    let port = first["port"].as_u64().unwrap_or_default();
    let before = std::time::SystemTime::now();
    udp(&format!("127.0.0.1:{port}"))
        .send(b"tock")
        .unwrap_or_else(|e| panic!("{e}"));
    let d: Value = serde_json::from_str(&lines.next().unwrap_or_default()).unwrap_or_default();
    drop(server);
    let time = d["time"].as_str().unwrap_or_default();
    assert!(
        time.len() == 29 && time.ends_with("+08:00") && time.as_bytes()[10] == b'T',
        "{d}"
    );
    // The hour is UTC's plus 8.
    let utc_hour = before
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 3600 % 24)
        .unwrap_or_default();
    let hour: u64 = time[11..13].parse().unwrap_or(99);
    assert!(
        hour == (utc_hour + 8) % 24 || hour == (utc_hour + 9) % 24,
        "{time} at UTC hour {utc_hour}"
    );
    // --save appends what arrives, over TCP and UDP, after what the file held.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("got.bin");
    std::fs::write(&file, b"before:").unwrap_or_else(|e| panic!("{e}"));
    let path = file.display().to_string();
    let echo = Listen::start("echo", &["--save", &path]);
    let mut c = tcp(echo.port);
    c.write_all(b"tcp bytes;").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read_exactly(&mut c, 10), b"tcp bytes;");
    let s = udp(&format!("127.0.0.1:{}", echo.port));
    s.send(&[0, 1, 2, 0xff]).unwrap_or_else(|e| panic!("{e}"));
    let mut back = [0u8; 8];
    let n = s.recv(&mut back).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 4);
    let _ = echo.stop();
    let saved = std::fs::read(&file).unwrap_or_default();
    assert_eq!(saved, b"before:tcp bytes;\x00\x01\x02\xff");
    // --show: what arrives as a hex dump while typed lines stay text, and the other way round.
    let log = common::server::text_log("listen", &["--tcp", "--show", "hex"], |port, stdin| {
        let mut c = tcp(port);
        c.write_all(b"AB").unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(200));
        type_into(stdin, "hello");
        assert_eq!(read_exactly(&mut c, 5), b"hello");
    });
    assert!(log.contains("  00000000: 4142 "), "{log}");
    let log = common::server::text_log(
        "listen",
        &["--tcp", "--hex", "--show", "text"],
        |port, stdin| {
            let mut c = tcp(port);
            c.write_all(b"ok").unwrap_or_else(|e| panic!("{e}"));
            std::thread::sleep(Duration::from_millis(200));
            type_into(stdin, "48 69");
            assert_eq!(read_exactly(&mut c, 2), b"Hi");
        },
    );
    assert!(log.contains(" tcp 2 bytes: \"ok\""), "{log}");
}

#[test]
fn save_refuses_what_is_not_a_file_and_says_when_a_write_fails() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path().display().to_string();
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let fifo = fifo.display().to_string();
    let missing = format!("{d}/no/such/dir/got.bin");
    for (path, why) in [
        (d.as_str(), "it is a directory"),
        (fifo.as_str(), "it is not a regular file (a FIFO"),
        (
            missing.as_str(),
            "no such file or directory (check the path)",
        ),
    ] {
        let (code, _, stderr) = run_within(
            &["listen", "0", "--bind", "127.0.0.1", "--save", path],
            Vec::new(),
            Duration::from_secs(10),
        );
        assert_eq!(code, 2, "{path}: {stderr}");
        assert!(
            stderr.contains(&format!("--save {path}: {why}")),
            "{path}: {stderr}"
        );
    }
    // A file that stops taking bytes (a size limit: EFBIG) is said once; serving goes on.
    let file = dir.path().join("capped.bin").display().to_string();
    let netkit = assert_cmd::cargo::cargo_bin("netkit").display().to_string();
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; exec '{netkit}' listen 0 --json --bind 127.0.0.1 --udp --save '{file}'"
    );
    let child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut server = Background { child, ns: None };
    let mut lines = BufReader::new(
        server
            .child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("stdout")),
    )
    .lines();
    let first: Value = lines
        .next()
        .and_then(Result::ok)
        .and_then(|l| serde_json::from_str(&l).ok())
        .unwrap_or_default();
    let port = first["port"].as_u64().unwrap_or_default();
    let s = udp(&format!("127.0.0.1:{port}"));
    s.send(&[b'x'; 2000]).unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(200));
    s.send(b"still here").unwrap_or_else(|e| panic!("{e}"));
    let mut seen = Vec::new();
    for line in lines.by_ref().map_while(Result::ok) {
        let event: Value = serde_json::from_str(&line).unwrap_or_default();
        let done = event["text"] == json!("still here");
        seen.push(event);
        if done {
            break;
        }
    }
    let not_saved: Vec<&Value> = seen.iter().filter(|e| e["event"] == "not_saved").collect();
    assert_eq!(not_saved.len(), 1, "{seen:?}");
    assert!(
        not_saved[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("too large")),
        "{seen:?}"
    );
}

#[test]
fn a_typed_line_longer_than_16_mib_is_cut_and_the_log_says_so() {
    let mut listen = Listen::start("listen", &["--tcp"]);
    let mut client = listen.tcp();
    listen.wait_connected(1);
    let mut stdin = listen.stdin.take().unwrap_or_else(|| panic!("stdin"));
    let typing = std::thread::spawn(move || {
        let mut line = vec![b'x'; 17 << 20];
        line.extend_from_slice(b"\nhi\n");
        let _ = stdin.write_all(&line);
        let _ = stdin.flush();
        // stdin stays open until the test has read what it needs.
        std::thread::sleep(Duration::from_secs(3));
    });
    let cut = listen.wait_for("line_cut", |e| e["event"] == "line_cut");
    assert_eq!(
        (cut["line"].clone(), cut["most"].clone()),
        (json!(1), json!(16 << 20))
    );
    // The first 16 MiB of the line reach the client, then the next line.
    let mut got = 0usize;
    let mut tail = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    while !tail.ends_with(b"hi") && !tail.ends_with(b"hi\n") {
        let n = client
            .read(&mut buf)
            .unwrap_or_else(|e| panic!("after {got} bytes: {e}"));
        assert!(n > 0, "closed after {got} bytes");
        got += n;
        tail.extend_from_slice(&buf[..n]);
        let keep = tail.len().saturating_sub(8);
        tail.drain(..keep);
    }
    assert!((16 << 20) < got && got < (16 << 20) + 8, "{got} bytes");
    let _ = typing.join();
}
