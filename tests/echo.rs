//! Black-box tests of `netkit echo` and `netkit send`, over loopback only.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::run;
use serde_json::{Value, json};

use common::server::{Running as Echo, WAIT};

fn udp_to(addr: &str) -> UdpSocket {
    let bind = if addr.starts_with('[') {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    };
    let s = UdpSocket::bind(bind).unwrap_or_else(|e| panic!("{e}"));
    s.connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    s.set_read_timeout(Some(WAIT))
        .unwrap_or_else(|e| panic!("{e}"));
    s
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn udp_echo_returns_the_largest_datagrams_whole_over_ipv4_and_ipv6() {
    let echo = Echo::start("echo", &["--udp", "--bind", "127.0.0.1", "--bind", "::1"]);
    for (addr, size) in [
        (format!("127.0.0.1:{}", echo.port), 65_507),
        (format!("[::1]:{}", echo.port), 65_527),
    ] {
        let s = udp_to(&addr);
        s.send(b"hello").unwrap_or_else(|e| panic!("{e}"));
        let mut buf = vec![0u8; 70_000];
        let n = s.recv(&mut buf).unwrap_or_else(|e| panic!("{addr}: {e}"));
        assert_eq!(&buf[..n], b"hello");
        let big = pattern(size);
        s.send(&big)
            .unwrap_or_else(|e| panic!("{addr} {size}: {e}"));
        let n = s.recv(&mut buf).unwrap_or_else(|e| panic!("{addr}: {e}"));
        assert_eq!(n, size, "{addr}: the whole datagram came back");
        assert!(buf[..n] == big[..], "{addr}: byte-identical");
    }
}

#[test]
fn tcp_echo_returns_ten_megabytes_byte_identical() {
    let echo = Echo::start("echo", &["--tcp", "--quiet"]);
    let mut stream = echo.tcp();
    let data = pattern(10 * 1024 * 1024);
    let mut writer = stream.try_clone().unwrap_or_else(|e| panic!("{e}"));
    let sent = data.clone();
    let feeding = std::thread::spawn(move || {
        writer.write_all(&sent).unwrap_or_else(|e| panic!("{e}"));
        writer
            .shutdown(std::net::Shutdown::Write)
            .unwrap_or_else(|e| panic!("{e}"));
    });
    let mut back = Vec::with_capacity(data.len());
    stream
        .read_to_end(&mut back)
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = feeding.join();
    assert_eq!(
        back.len(),
        data.len(),
        "after the half-close, the whole echo, then EOF"
    );
    assert!(back == data, "byte-identical");
}

#[test]
fn upper_mode_changes_ascii_letters_only() {
    let echo = Echo::start("echo", &["--mode", "upper"]);
    let input = "Hello, wörld 123\u{1}".as_bytes();
    let want = "HELLO, WöRLD 123\u{1}".as_bytes();
    let mut tcp = echo.tcp();
    tcp.write_all(input).unwrap_or_else(|e| panic!("{e}"));
    let mut buf = vec![0u8; want.len()];
    tcp.read_exact(&mut buf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(buf, want);
    let udp = udp_to(&format!("127.0.0.1:{}", echo.port));
    udp.send(input).unwrap_or_else(|e| panic!("{e}"));
    let mut buf = vec![0u8; 100];
    let n = udp.recv(&mut buf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&buf[..n], want);
}

#[test]
fn relay_sends_each_message_to_every_other_client() {
    let echo = Echo::start("echo", &["--tcp", "--mode", "relay"]);
    let mut clients: Vec<TcpStream> = (0..3).map(|_| echo.tcp()).collect();
    for _ in 0..3 {
        echo.wait_for("connected", |e| e["event"] == json!("connected"));
    }
    clients[0]
        .write_all(b"hi all")
        .unwrap_or_else(|e| panic!("{e}"));
    for other in &mut clients[1..] {
        let mut buf = [0u8; 6];
        other.read_exact(&mut buf).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&buf, b"hi all");
    }
    clients[0]
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 16];
    assert!(
        clients[0].read(&mut buf).is_err(),
        "the sender does not get its own message"
    );
    let message = echo.wait_for("message", |e| e["event"] == json!("message"));
    assert_eq!(message["bytes"], json!(6));
}

#[test]
fn framed_messages_survive_tcp_gluing_and_splitting() {
    let echo = Echo::start("echo", &["--tcp", "--framed", "--mode", "upper"]);
    let frame = |p: &[u8]| {
        let mut f = (p.len() as u32).to_be_bytes().to_vec();
        f.extend_from_slice(p);
        f
    };
    let read_frame = |s: &mut TcpStream| {
        let mut len = [0u8; 4];
        s.read_exact(&mut len).unwrap_or_else(|e| panic!("{e}"));
        let mut p = vec![0u8; u32::from_be_bytes(len) as usize];
        s.read_exact(&mut p).unwrap_or_else(|e| panic!("{e}"));
        p
    };
    let mut s = echo.tcp();
    let mut glued = frame(b"one");
    glued.extend(frame(b"two"));
    s.write_all(&glued).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read_frame(&mut s), b"ONE");
    assert_eq!(read_frame(&mut s), b"TWO");
    let split = frame(b"split in three");
    for part in [&split[..3], &split[3..9], &split[9..]] {
        s.write_all(part).unwrap_or_else(|e| panic!("{e}"));
        s.flush().unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(read_frame(&mut s), b"SPLIT IN THREE");
}

#[test]
fn a_thousand_concurrent_clients_each_get_their_own_reply() {
    let echo = Echo::start("echo", &["--tcp", "--quiet"]);
    let mut clients: Vec<TcpStream> = (0..1000).map(|_| echo.tcp()).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.write_all(format!("client {i:04}").as_bytes())
            .unwrap_or_else(|e| panic!("{i}: {e}"));
    }
    for (i, c) in clients.iter_mut().enumerate() {
        let mut buf = [0u8; 11];
        c.read_exact(&mut buf)
            .unwrap_or_else(|e| panic!("{i}: {e}"));
        assert_eq!(buf, *format!("client {i:04}").as_bytes());
    }
}

#[test]
fn a_reset_and_a_client_that_never_reads_disturb_no_one() {
    let echo = Echo::start("echo", &["--tcp", "--idle-timeout", "2"]);
    // One resets mid-stream.
    let reset = echo.tcp();
    (&reset)
        .write_all(b"about to reset")
        .unwrap_or_else(|e| panic!("{e}"));
    socket2::SockRef::from(&reset)
        .set_linger(Some(Duration::ZERO))
        .unwrap_or_else(|e| panic!("{e}"));
    drop(reset);
    // One sends and never reads: its answers pile up until its idle timeout drops it.
    let hog = echo.tcp();
    let mut hog_writer = hog.try_clone().unwrap_or_else(|e| panic!("{e}"));
    hog_writer
        .set_write_timeout(Some(Duration::from_secs(6)))
        .unwrap_or_else(|e| panic!("{e}"));
    let hogging = std::thread::spawn(move || {
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..512 {
            if hog_writer.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    // Meanwhile a well-behaved client is answered promptly, again and again.
    let mut good = echo.tcp();
    for i in 0..20 {
        let message = format!("still here {i:02}");
        let began = Instant::now();
        good.write_all(message.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut buf = vec![0u8; message.len()];
        good.read_exact(&mut buf).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(buf, message.as_bytes());
        assert!(
            began.elapsed() < Duration::from_secs(1),
            "answered promptly"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    echo.wait_for("reset", |e| {
        e["event"] == json!("disconnected")
            && e["reason"] == json!("reset_by_client")
            && e["reason_text"] == json!("reset by the client")
    });
    let dropped = echo.wait_for("stalled", |e| {
        e["event"] == json!("disconnected")
            && e["reason"] == json!("stalled")
            && e["reason_text"]
                .as_str()
                .is_some_and(|r| r.contains("idle timeout"))
    });
    assert!(dropped["bytes_in"].as_u64().unwrap_or(0) > 0);
    let _ = hogging.join();
    drop(hog);
}

#[test]
fn max_clients_is_enforced_with_a_log_line() {
    let echo = Echo::start("echo", &["--tcp", "--max-clients", "2"]);
    let _a = echo.tcp();
    let _b = echo.tcp();
    for _ in 0..2 {
        echo.wait_for("connected", |e| e["event"] == json!("connected"));
    }
    let mut c = echo.tcp();
    let refused = echo.wait_for("dropped", |e| e["event"] == json!("dropped"));
    assert!(
        refused["reason"] == json!("max_clients")
            && refused["reason_text"]
                .as_str()
                .is_some_and(|r| r.contains("--max-clients")),
        "{refused}"
    );
    let mut buf = [0u8; 1];
    assert!(
        matches!(c.read(&mut buf), Ok(0) | Err(_)),
        "the third is closed"
    );
}

#[test]
fn sigterm_ends_with_a_summary_and_exit_0() {
    let echo = Echo::start("echo", &[]);
    let udp = udp_to(&format!("127.0.0.1:{}", echo.port));
    udp.send(b"ping").unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 8];
    let n = udp.recv(&mut buf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&buf[..n], b"ping");
    let (code, rest) = echo.stop();
    assert_eq!(code, Some(0));
    let summary = rest
        .last()
        .unwrap_or_else(|| panic!("no events after SIGTERM"));
    assert_eq!(summary["event"], json!("summary"), "{rest:?}");
    assert_eq!(summary["datagrams"], json!(1));
    assert_eq!(summary["bytes_in"], json!(4));
    assert_eq!(summary["bytes_out"], json!(4));
}

#[test]
fn a_service_port_source_is_never_answered() {
    // Root may bind port 999; elsewhere this check is skipped.
    let Ok(service) = UdpSocket::bind("127.0.0.1:999") else {
        common::skip("cannot bind a port below 1024 here");
        return;
    };
    let echo = Echo::start("echo", &["--udp"]);
    service
        .connect(("127.0.0.1", echo.port))
        .unwrap_or_else(|e| panic!("{e}"));
    service
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap_or_else(|e| panic!("{e}"));
    service
        .send(b"chargen says hi")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 64];
    assert!(
        service.recv(&mut buf).is_err(),
        "no answer to a service port"
    );
    let dropped = echo.wait_for("dropped", |e| e["event"] == json!("dropped"));
    assert!(
        dropped["reason"] == json!("service_port")
            && dropped["reason_text"]
                .as_str()
                .is_some_and(|r| r.contains("below 1024")),
        "{dropped}"
    );
}

#[test]
fn a_port_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = taken
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_default()
        .to_string();
    let (code, stdout, stderr) = run(&["echo", &port, "--tcp", "--bind", "127.0.0.1"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(&format!("TCP port {port} is already in use")),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["echo", "--bind", "300.1.1.1"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("octet 1 is 300"), "{stderr}");
}

#[test]
fn a_handout_style_python_client_works_against_it() {
    if Command::new("python3").arg("--version").output().is_err() {
        common::skip("no python3");
        return;
    }
    let echo = Echo::start("echo", &["--mode", "upper"]);
    let script = format!(
        "import socket\n\
         u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
         u.settimeout(5)\n\
         u.sendto(b'hello udp', ('127.0.0.1', {port}))\n\
         data, addr = u.recvfrom(1024)\n\
         print(data.decode())\n\
         t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n\
         t.settimeout(5)\n\
         t.connect(('127.0.0.1', {port}))\n\
         t.send(b'hello tcp')\n\
         print(t.recv(1024).decode())\n\
         t.close()\n",
        port = echo.port
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "HELLO UDP\nHELLO TCP\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn send_talks_to_echo_and_reports_each_exchange() {
    let echo = Echo::start("echo", &["--framed"]);
    let target = format!("127.0.0.1:{}", echo.port);
    let (code, stdout, _) = run(&["send", "--udp", &target, "hello", "world"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(&format!("reply from {target}: \"hello\" (5 bytes, ")),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 sent, 2 replies; rtt min/avg/max/mdev = "),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["send", "--framed", "--json", &target, "framed hi"]);
    assert_eq!(code, 0);
    let lines = common::json_lines(&stdout);
    assert_eq!(lines[0]["text"], json!("framed hi"));
    assert_eq!(lines[0]["hex"], json!("6672616d6564206869"));
    assert_eq!(lines[0]["identical"], json!(true));
    assert_eq!(lines[0]["sent_bytes"], json!(9));
    assert!(lines[0]["rtt_ms"].is_f64());
    assert_eq!(lines[1]["summary"]["replies"], json!(1));
}

#[test]
fn send_exit_codes() {
    // Silence: a UDP socket that never answers.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let target = format!(
        "127.0.0.1:{}",
        silent.local_addr().map(|a| a.port()).unwrap_or_default()
    );
    // No reply is no failure unless one was asked for (issue 23): the datagram went out.
    let (code, stdout, _) = run(&["send", "--udp", "--timeout", "0.3", &target, "anyone?"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("no reply from"), "{stdout}");
    let (code, stdout, _) = run(&[
        "send",
        "--udp",
        "--timeout",
        "0.3",
        "--expect-reply",
        &target,
        "anyone?",
    ]);
    assert_eq!(code, 1, "{stdout}");
    // Refused: nothing listens on that TCP port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = closed.local_addr().map(|a| a.port()).unwrap_or_default();
    drop(closed);
    let (code, _, stderr) = run(&["send", &format!("127.0.0.1:{port}"), "x"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "cannot reach TCP 127.0.0.1:{port}: connection refused"
        )),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["send", "127.0.0.1", "x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("give the server as HOST:PORT"), "{stderr}");
}

#[test]
fn udp_answers_come_from_the_address_the_client_used() {
    use common::netns::Netns;
    let Some((server, client)) = Netns::veth_pair("mh") else {
        return;
    };
    server.ip("addr add 10.200.7.1/24 dev s0");
    server.ip("addr add 10.200.7.2/24 dev s0");
    server.ip("addr add fd00:7::1/64 dev s0 nodad");
    server.ip("addr add fd00:7::2/64 dev s0 nodad");
    server.ip("addr add fe80::7:1/64 dev s0 nodad");
    client.ip("addr add 10.200.7.10/24 dev c0");
    client.ip("addr add fd00:7::10/64 dev c0 nodad");
    client.ip("addr add fe80::7:10/64 dev c0 nodad");
    // Ended on drop, also when an assertion fails, so no orphan outlives the test.
    let (_echo, mut out) = server.spawn_netkit(&["echo", "7788", "--udp", "--quiet"]);
    let first = out.next().and_then(Result::ok).unwrap_or_default();
    assert!(first.starts_with("listening on"), "{first}");
    // The secondary addresses: a reply from the primary would be dropped by the client's
    // connected socket, and the exchange would time out. And a link-local address with its
    // %zone, as echo's "reach me at" lines print it.
    for target in ["10.200.7.2:7788", "[fd00:7::2]:7788", "[fe80::7:1%c0]:7788"] {
        let (code, stdout, stderr) =
            client.netkit(&["send", "--udp", "--timeout", "2", target, "which address?"]);
        assert_eq!(code, 0, "{target}: {stdout}{stderr}");
        assert!(stdout.contains("\"which address?\""), "{target}: {stdout}");
    }
}

#[test]
fn send_a_file_and_check_the_echo() {
    let echo = Echo::start("echo", &["--quiet"]);
    let target = format!("127.0.0.1:{}", echo.port);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("blob.bin");
    std::fs::write(&path, pattern(1_048_576)).unwrap_or_else(|e| panic!("{e}"));
    let path = path.to_string_lossy().into_owned();
    for extra in [&[][..], &["--udp"], &["--framed"]] {
        let mut args = vec!["send", &target, "--file", &path];
        args.extend(extra);
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 0, "{extra:?}: {stdout}{stderr}");
        assert!(
            stdout.starts_with("sent 1048576 bytes, received 1048576, identical ("),
            "{extra:?}: {stdout}"
        );
    }
}

#[test]
fn send_file_refuses_a_pipe_it_could_not_read_twice() {
    let echo = Echo::start("echo", &["--quiet"]);
    let target = format!("127.0.0.1:{}", echo.port);
    let out = assert_cmd::Command::cargo_bin("netkit")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["send", &target, "--file", "/dev/stdin"])
        .write_stdin("some bytes")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert!(out.stdout.is_empty(), "no claim of what was sent");
}

#[test]
fn send_a_file_to_a_server_that_changes_it_says_where() {
    let echo = Echo::start("echo", &["--tcp", "--mode", "upper", "--quiet"]);
    let target = format!("127.0.0.1:{}", echo.port);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("text.txt");
    std::fs::write(&path, "0123456789abc").unwrap_or_else(|e| panic!("{e}"));
    let (code, stdout, _) = run(&["send", &target, "--file", &path.to_string_lossy()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("received 13, different from byte 10 on"),
        "{stdout}"
    );
}

#[test]
fn count_measures_loss_reordering_and_rtt() {
    let echo = Echo::start("echo", &["--quiet", "--max-rate", "0"]);
    let target = format!("127.0.0.1:{}", echo.port);
    let (code, stdout, _) = run(&[
        "send",
        "--udp",
        &target,
        "--count",
        "200",
        "--size",
        "512",
        "--interval",
        "0.001",
        "--json",
    ]);
    assert_eq!(code, 0, "{stdout}");
    let lines = common::json_lines(&stdout);
    assert_eq!(lines.len(), 201, "200 replies and a summary");
    assert!(
        lines[..200]
            .iter()
            .all(|l| l["bytes"] == json!(512) && l["identical"] == json!(true))
    );
    let summary = &lines[200]["summary"];
    assert_eq!(summary["sent"], json!(200));
    assert_eq!(summary["replies"], json!(200));
    assert_eq!(summary["loss_percent"], json!(0.0));
    assert!(summary["rtt_ms"]["p95"].is_f64());
    let (code, stdout, _) = run(&[
        "send",
        &target,
        "--count",
        "3",
        "--size",
        "8",
        "--interval",
        "0",
    ]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("3 sent, 3 replies, 0 lost (0%), 0 reordered, 0 corrupted"),
        "{stdout}"
    );
}

#[test]
fn the_rate_limit_caps_one_source() {
    let echo = Echo::start("echo", &["--udp", "--max-rate", "5"]);
    let udp = udp_to(&format!("127.0.0.1:{}", echo.port));
    udp.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..20 {
        udp.send(b"flood").unwrap_or_else(|e| panic!("{e}"));
    }
    let mut answered = 0;
    let mut buf = [0u8; 16];
    while udp.recv(&mut buf).is_ok() {
        answered += 1;
    }
    assert!(
        (5..=6).contains(&answered),
        "{answered} of 20 answered at --max-rate 5"
    );
    let dropped = echo.wait_for("dropped", |e| e["event"] == json!("dropped"));
    assert!(
        dropped["reason"] == json!("max_rate")
            && dropped["reason_text"]
                .as_str()
                .is_some_and(|r| r.contains("--max-rate")),
        "{dropped}"
    );
}

#[test]
fn out_of_file_descriptors_is_logged_once_and_serving_goes_on() {
    // Run echo with a soft limit of 24 descriptors; 30 clients exhaust it.
    let bin = assert_cmd::cargo::cargo_bin("netkit")
        .to_string_lossy()
        .into_owned();
    let mut all = vec!["--nofile=24".to_string(), bin];
    for a in ["echo", "0", "--json", "--tcp", "--bind", "127.0.0.1"] {
        all.push(a.to_string());
    }
    let Ok(child) = Command::new("prlimit")
        .args(&all)
        .stdout(Stdio::piped())
        .spawn()
    else {
        common::skip("no prlimit (util-linux)");
        return;
    };
    let mut server = common::netns::Background { child, ns: None };
    let mut lines = BufReader::new(
        server
            .child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("stdout")),
    )
    .lines();
    let first: Value = serde_json::from_str(&lines.next().and_then(Result::ok).unwrap_or_default())
        .unwrap_or_default();
    let port = first["port"].as_u64().unwrap_or_default() as u16;
    let clients: Vec<TcpStream> = (0..30)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + WAIT;
    let mut said = 0;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left.min(Duration::from_millis(500))) {
            Ok(line) if line.contains("out of file descriptors") => said += 1,
            Ok(_) => {}
            Err(_) if said > 0 => break,
            Err(_) => {}
        }
    }
    assert_eq!(said, 1, "EMFILE is logged once");
    drop(clients);
    // Once descriptors are free again, new clients are served.
    std::thread::sleep(Duration::from_millis(300));
    let mut fresh = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
    fresh
        .set_read_timeout(Some(WAIT))
        .unwrap_or_else(|e| panic!("{e}"));
    fresh.write_all(b"back").unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 4];
    fresh.read_exact(&mut buf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&buf, b"back");
}

#[test]
fn every_mode_over_tcp_and_udp_on_ipv4_and_ipv6_loopback() {
    for (mode, want) in [("echo", &b"Mixed Case 1"[..]), ("upper", b"MIXED CASE 1")] {
        let echo = Echo::start(
            "echo",
            &[
                "--mode",
                mode,
                "--bind",
                "127.0.0.1",
                "--bind",
                "::1",
                "--quiet",
            ],
        );
        for host in ["127.0.0.1", "[::1]"] {
            let at = format!("{host}:{}", echo.port);
            let udp = udp_to(&at);
            udp.send(b"Mixed Case 1")
                .unwrap_or_else(|e| panic!("{mode} {at}: {e}"));
            let mut buf = [0u8; 32];
            let n = udp
                .recv(&mut buf)
                .unwrap_or_else(|e| panic!("{mode} udp {at}: {e}"));
            assert_eq!(&buf[..n], want, "{mode} udp {at}");
            let mut tcp = TcpStream::connect(&at).unwrap_or_else(|e| panic!("{mode} {at}: {e}"));
            tcp.set_read_timeout(Some(WAIT))
                .unwrap_or_else(|e| panic!("{e}"));
            tcp.write_all(b"Mixed Case 1")
                .unwrap_or_else(|e| panic!("{e}"));
            let mut buf = [0u8; 12];
            tcp.read_exact(&mut buf)
                .unwrap_or_else(|e| panic!("{mode} tcp {at}: {e}"));
            assert_eq!(&buf[..], want, "{mode} tcp {at}");
        }
    }
    // Relay over UDP: a peer heard from recently gets what another sends.
    let echo = Echo::start(
        "echo",
        &["--udp", "--mode", "relay", "--bind", "::1", "--quiet"],
    );
    let at = format!("[::1]:{}", echo.port);
    let (a, b) = (udp_to(&at), udp_to(&at));
    b.send(b"b joins").unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(100));
    a.send(b"from a").unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 16];
    let n = b
        .recv(&mut buf)
        .unwrap_or_else(|e| panic!("relay udp: {e}"));
    assert_eq!(&buf[..n], b"from a");
}

// Issue 11: each of these hung, crashed or answered wrongly before its fix.

#[test]
fn a_second_udp_echo_on_a_taken_port_exits_2() {
    let first = Echo::start("echo", &["--udp"]);
    let port = first.port.to_string();
    let (code, _, stderr) = common::run_within(
        &["echo", &port, "--udp", "--bind", "127.0.0.1"],
        Vec::new(),
        Duration::from_secs(5),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("UDP port {port} is already in use")),
        "{stderr}"
    );
}

#[test]
fn send_with_a_huge_count_keeps_its_memory_bounded() {
    let echo = Echo::start("echo", &["--udp", "--quiet", "--max-rate", "0"]);
    let target = format!("127.0.0.1:{}", echo.port);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args([
            "send",
            "--udp",
            &target,
            "--count",
            "18446744073709551615",
            "--interval",
            "1ms",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(1500));
    let still_running = matches!(child.try_wait(), Ok(None));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    assert!(still_running, "send ended early: {stderr}");
    let rss_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    assert!(rss_kb > 0 && rss_kb < 64 * 1024, "VmRSS {rss_kb} kB");
}

#[test]
fn a_message_larger_than_the_socket_buffers_comes_back_whole() {
    let echo = Echo::start("echo", &["--tcp", "--quiet"]);
    let target = format!("127.0.0.1:{}", echo.port);
    let mut line = vec![b'x'; 16 << 20];
    line.push(b'\n');
    // As a typed line (interactive mode) and as a MESSAGE argument (one exchange).
    let (code, stdout, stderr) =
        common::run_within(&["send", &target, "--json"], line, Duration::from_secs(60));
    assert_eq!(code, 0, "{stderr}");
    let events = common::json_lines(&stdout);
    let arrived: u64 = events.iter().filter_map(|e| e["bytes"].as_u64()).sum();
    assert_eq!(arrived, 16 << 20, "every byte came back");
    assert_eq!(
        events.last().map(|e| e["summary"]["replies"].clone()),
        Some(json!(1))
    );
    // One argument may hold at most 128 KiB (MAX_ARG_STRLEN).
    let big = "y".repeat(120_000);
    let (code, stdout, stderr) = common::run_within(
        &["send", &target, "--json", &big],
        Vec::new(),
        Duration::from_secs(60),
    );
    assert_eq!(code, 0, "{stderr}");
    let exchange = &common::json_lines(&stdout)[0];
    assert_eq!(exchange["received_bytes"], json!(120_000));
    assert_eq!(exchange["identical"], json!(true));
}

#[test]
fn send_file_refuses_a_fifo_before_opening_it() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        common::skip("mkfifo is not available");
        return;
    }
    let fifo = fifo.to_string_lossy().into_owned();
    let (code, _, stderr) = common::run_within(
        &["send", "127.0.0.1:9", "--file", &fifo],
        Vec::new(),
        Duration::from_secs(5),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn an_empty_line_is_skipped_over_tcp_with_the_reason_and_sent_over_udp() {
    let echo = Echo::start("echo", &["--quiet"]);
    let target = format!("127.0.0.1:{}", echo.port);
    let began = Instant::now();
    let (code, stdout, stderr) = common::run_within(
        &["send", &target, "--timeout", "3", "--json"],
        b"a\n\nb\n".to_vec(),
        Duration::from_secs(10),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        began.elapsed() < Duration::from_secs(3),
        "waited for an echo of nothing"
    );
    assert!(
        stderr.contains("empty message not sent: over TCP an empty send()"),
        "{stderr}"
    );
    let events = common::json_lines(&stdout);
    let echoed: String = events.iter().filter_map(|e| e["text"].as_str()).collect();
    assert_eq!(echoed, "ab", "{stdout}");
    assert_eq!(
        events.last().map(|e| e["summary"]["sent"].clone()),
        Some(json!(2))
    );
    let (code, stdout, stderr) = common::run_within(
        &["send", "--udp", &target, "--timeout", "3"],
        b"\n".to_vec(),
        Duration::from_secs(10),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(": \"\" (0 bytes"), "{stdout}");
}

#[test]
fn gbk_over_tcp_in_the_utf8_view_is_noted_once_per_client() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("netkit"))
        .args(["echo", "0", "--tcp", "--bind", "127.0.0.1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = rx.recv_timeout(WAIT).unwrap_or_default();
    let port = first
        .rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .unwrap_or_default()
        .to_string();
    // Two clients: the first sends 你好 in GBK three times, the second once.
    for times in [3, 1] {
        let mut client = TcpStream::connect(format!("127.0.0.1:{port}"))
            .unwrap_or_else(|e| panic!("{first}: {e}"));
        client
            .set_read_timeout(Some(WAIT))
            .unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..times {
            client
                .write_all(&[0xc4, 0xe3, 0xba, 0xc3])
                .unwrap_or_else(|e| panic!("{e}"));
            let mut back = [0u8; 4];
            client
                .read_exact(&mut back)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + WAIT;
    let mut log = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(line) = rx.recv_timeout(left) else {
            break;
        };
        let done = line.starts_with("summary:");
        log.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        log.iter()
            .filter(|l| l.ends_with("tcp 4 bytes: hex c4 e3 ba c3"))
            .count(),
        4,
        "{log:?}"
    );
    let notes: Vec<&String> = log.iter().filter(|l| l.contains(" note: ")).collect();
    assert_eq!(notes.len(), 2, "one per client: {log:?}");
    assert!(
        notes.iter().all(|n| n.contains(
            "note: these bytes are not UTF-8 text; they read as GBK: \"你好\" (use --encoding gbk"
        )),
        "{log:?}"
    );
}

#[test]
fn chat_sends_each_message_to_every_client_the_sender_too_and_logs_who_got_it() {
    let echo = Echo::start("echo", &["--tcp", "--mode", "chat"]);
    let mut clients: Vec<TcpStream> = (0..3).map(|_| echo.tcp()).collect();
    echo.wait_connected(3);
    clients[1]
        .write_all(b"hi all")
        .unwrap_or_else(|e| panic!("{e}"));
    for (i, client) in clients.iter_mut().enumerate() {
        let mut buf = [0u8; 6];
        client
            .read_exact(&mut buf)
            .unwrap_or_else(|e| panic!("client {i}: {e}"));
        assert_eq!(&buf, b"hi all", "client {i}");
    }
    let relayed = echo.wait_for("relayed", |e| e["event"] == "relayed");
    let mut to: Vec<String> = relayed["to"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    to.sort();
    let mut all: Vec<String> = clients
        .iter()
        .filter_map(|c| c.local_addr().ok().map(|a| a.to_string()))
        .collect();
    all.sort();
    assert_eq!(to, all, "{relayed}");
    assert_eq!(
        (relayed["client"].clone(), relayed["peers"].clone()),
        (json!(2), json!(3)),
        "{relayed}"
    );
    // The text log names them, the sender marked; relay names only the others.
    for (mode, want) in [("chat", 2), ("relay", 1)] {
        let mut addresses = Vec::new();
        let log = common::server::text_log("echo", &["--udp", "--mode", mode], |port, _| {
            let (a, b) = (
                udp_to(&format!("127.0.0.1:{port}")),
                udp_to(&format!("127.0.0.1:{port}")),
            );
            a.send(b"x").unwrap_or_else(|e| panic!("{e}"));
            std::thread::sleep(Duration::from_millis(100));
            b.send(b"y").unwrap_or_else(|e| panic!("{e}"));
            for s in [&a, &b] {
                addresses.push(s.local_addr().map(|l| l.to_string()).unwrap_or_default());
            }
        });
        let (a, b) = (&addresses[0], &addresses[1]);
        let line = match want {
            2 => format!("relayed 1 byte from {b} to 2 peers: {b} (the sender), {a}"),
            _ => format!("relayed 1 byte from {b} to 1 peer: {a}"),
        };
        assert!(log.contains(&line), "{mode}: {line}\n{log}");
    }
}
