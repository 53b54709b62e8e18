//! Black-box tests of `netkit watch` (issue 26): the lessons' own Python programs run in a
//! namespace of the test's own, whose `lo` carries only their packets, and watch says what each
//! packet means, in order, once, as tcpdump sees them; and it ends on --count, --duration,
//! Ctrl-C and SIGTERM with its summary, and refuses bad input with exit 2. Every capture is
//! bounded (a signal, --count or --duration, and a time limit that fails the test on a hang).

mod common;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::netns::Netns;
use serde_json::{Value, json};

/// How long a stopped watch may take to print its summary and end.
const END: Duration = Duration::from_secs(10);

/// A lesson's Python program in tests/fixtures/lessons/.
fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/lessons/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A namespace with `lo` up where watch can capture; None (the caller skips, or fails under
/// NETKIT_REQUIRE_PRIVILEGED_TESTS=1) without root, ip, python3 or libpcap.
fn lab(tag: &str) -> Option<Netns> {
    if Command::new("python3").arg("--version").output().is_err() {
        common::skip("the lessons' programs need python3");
        return None;
    }
    let ns = Netns::create(tag)?;
    ns.ip("link set lo up");
    capture_works(&ns)?;
    Some(ns)
}

/// Opens a capture in `ns` and ends at once: the binary loads libpcap and the kernel lets it
/// in. None (the caller skips) without libpcap.
fn capture_works(ns: &Netns) -> Option<()> {
    let (code, _, stderr) = ns.netkit(&["watch", "--count", "0", "9"]);
    if code != 0 && (stderr.contains("libpcap") || stderr.contains("shared librar")) {
        common::skip(&format!("libpcap is missing: {stderr}"));
        return None;
    }
    assert_eq!(code, 0, "watch --count 0 in {}: {stderr}", ns.name);
    Some(())
}

/// A program running in a namespace with its output collected; killed on drop if it is still
/// running (a failed assertion must not leave it behind).
struct Running {
    child: Child,
    what: String,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
}

impl Running {
    /// Starts `program ARGS` in the namespace, stdout and stderr read by threads; with
    /// `ready`, once it has printed "ready". (Netns::python's Background would not do here: on
    /// drop it ends everything in the namespace, the watch too.)
    fn start(ns: &Netns, program: &str, args: &[&str], ready: bool) -> Running {
        let mut child = Command::new("ip")
            .args(["netns", "exec", &ns.name, program])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} {args:?} in {}: {e}", ns.name));
        let collect = |mut from: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut all = Vec::new();
                let _ = from.read_to_end(&mut all);
                String::from_utf8_lossy(&all).into_owned()
            })
        };
        let mut stdout = child.stdout.take().map(std::io::BufReader::new);
        // A server first says "ready" (its socket is listening); the rest is collected.
        let mut first = String::new();
        if let Some(out) = stdout.as_mut().filter(|_| ready) {
            let _ = std::io::BufRead::read_line(out, &mut first);
        }
        let stdout = stdout.map(|o| collect(Box::new(o)));
        let stderr = child.stderr.take().map(|e| collect(Box::new(e)));
        assert!(
            !ready || first.trim() == "ready",
            "{program} {args:?} did not start: {first:?}"
        );
        Running {
            child,
            what: format!("{program} {args:?}"),
            stdout,
            stderr,
        }
    }

    /// Sends `signal` (`-INT`, `-TERM`): `ip netns exec` has exec'd the program, so the pid
    /// is the program's own.
    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status();
    }

    /// Waits for the end, at most `limit` (a hang is killed and fails the test): (exit code,
    /// stdout, stderr).
    fn finish(mut self, limit: Duration) -> (i32, String, String) {
        let started = Instant::now();
        let status = loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                break status;
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("{} did not end within {limit:?}", self.what);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let text =
            |h: Option<JoinHandle<String>>| h.and_then(|h| h.join().ok()).unwrap_or_default();
        (
            status.code().unwrap_or(-1),
            text(self.stdout.take()),
            text(self.stderr.take()),
        )
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts `netkit watch ARGS` in the namespace.
fn watch(ns: &Netns, args: &[&str]) -> Running {
    let bin = assert_cmd::cargo::cargo_bin("netkit");
    let mut full = vec!["watch"];
    full.extend_from_slice(args);
    Running::start(ns, &bin.to_string_lossy(), &full, false)
}

/// Waits (5 s at most) until `sockets` packet sockets are open in the namespace (each
/// capture's, listed in its /proc/net/packet), then a moment for their filters: what the test
/// sends next is captured from its first packet.
fn wait_capturing(ns: &Netns, sockets: usize) {
    for _ in 0..100 {
        let out = ns.exec("cat", &["/proc/net/packet"]);
        let open = String::from_utf8_lossy(&out.stdout)
            .lines()
            .count()
            .saturating_sub(1);
        if open >= sockets {
            std::thread::sleep(Duration::from_millis(300));
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{sockets} captures did not start in {} within 5 s", ns.name);
}

/// Runs `netkit watch` once per argument list at the same time over the same traffic: each
/// starts, `scenario` runs, the captures get a moment for the last packets, then Ctrl-C ends
/// each (exit 0). Their (stdout, stderr), in order.
fn watch_during(ns: &Netns, runs: &[&[&str]], scenario: impl FnOnce()) -> Vec<(String, String)> {
    let watching: Vec<Running> = runs.iter().map(|args| watch(ns, args)).collect();
    wait_capturing(ns, runs.len());
    scenario();
    std::thread::sleep(Duration::from_millis(300));
    watching
        .into_iter()
        .zip(runs)
        .map(|(w, args)| {
            w.signal("-INT");
            let (code, stdout, stderr) = w.finish(END);
            assert_eq!(code, 0, "watch {args:?}: {stderr}\n{stdout}");
            (stdout, stderr)
        })
        .collect()
}

/// Starts a lesson's Python server and waits for its "ready"; it is killed on drop (only it).
fn server(ns: &Netns, script: &str, args: &[&str]) -> Running {
    let path = fixture(script);
    let mut full = vec![path.as_str()];
    full.extend_from_slice(args);
    Running::start(ns, "python3", &full, true)
}

/// Runs a lesson's Python client to its end (each is bounded in time) and returns its stdout;
/// it must succeed.
fn client(ns: &Netns, script: &str, args: &[&str]) -> String {
    let path = fixture(script);
    let mut full = vec![path.as_str()];
    full.extend_from_slice(args);
    let out = ns.exec("python3", &full);
    assert!(
        out.status.success(),
        "{script} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The seed lesson's exchange: the upper-case server and a client that sends `hello` to
/// `host` `port`, reads `HELLO` and closes.
fn seed_exchange(ns: &Netns, host: &str, port: u16) {
    seed_between(ns, ns, host, port);
}

/// The seed exchange with the server in `server_ns` (listening on `host`) and the client in
/// `client_ns`.
fn seed_between(client_ns: &Netns, server_ns: &Netns, host: &str, port: u16) {
    let port = port.to_string();
    let _server = server(server_ns, "tcp_upper_server.py", &[host, &port]);
    let answer = client(client_ns, "tcp_hello_client.py", &[host, &port, "hello"]);
    assert_eq!(answer.trim(), "HELLO");
}

/// The lesson's three exchanges at once: the seed exchange on `port`, then a refused connect
/// and a UDP datagram to `port + 1`, where nothing listens.
fn lesson_traffic(ns: &Netns, port: u16) {
    lesson_traffic_between(ns, ns, "127.0.0.1", port);
}

/// `lesson_traffic` from `client_ns` to `host` in `server_ns`.
fn lesson_traffic_between(client_ns: &Netns, server_ns: &Netns, host: &str, port: u16) {
    seed_between(client_ns, server_ns, host, port);
    let closed = (port + 1).to_string();
    client(client_ns, "tcp_connect_refused.py", &[host, &closed]);
    client(client_ns, "udp_send_once.py", &[host, &closed, "hi udp"]);
}

/// The JSON packets (without the summary), and the summary.
fn packets_and_summary(stdout: &str) -> (Vec<Value>, Value) {
    let lines = common::json_lines(stdout);
    let (packets, rest): (Vec<Value>, Vec<Value>) =
        lines.into_iter().partition(|v| v["type"] == "packet");
    assert_eq!(rest.len(), 1, "one summary: {stdout}");
    assert_eq!(rest[0]["type"], "summary", "{stdout}");
    (packets, rest[0].clone())
}

/// Each packet's meaning token.
fn meanings(packets: &[Value]) -> Vec<&str> {
    packets
        .iter()
        .map(|p| p["meaning"].as_str().unwrap_or("?"))
        .collect()
}

/// The meanings of the seed exchange with its bare ACKs left out (they may fall in a few
/// places, as the kernels' timing goes): everything else comes exactly in this order.
const SEED_KEY: [&str; 8] = [
    "syn",
    "syn-ack",
    "connected",
    "data",
    "data",
    "fin",
    "fin",
    "closed",
];

/// The meanings of `lesson_traffic`, as SEED_KEY.
const LESSON_KEY: [&str; 12] = [
    "syn",
    "syn-ack",
    "connected",
    "data",
    "data",
    "fin",
    "fin",
    "closed",
    "syn",
    "refused",
    "datagram",
    "port-unreachable",
];

/// The meaning tokens without the bare ACKs (`ack`, and `fin-acked` for an ACK of a FIN sent
/// on its own).
fn key_meanings(packets: &[Value]) -> Vec<&str> {
    meanings(packets)
        .into_iter()
        .filter(|t| *t != "ack" && *t != "fin-acked")
        .collect()
}

/// Each packet as tcpdump's line names it: the TCP flags (`S`, `S.`, `P.`, ...), `UDP` or
/// `ICMP`.
fn kinds_of_json(packets: &[Value]) -> Vec<String> {
    packets
        .iter()
        .map(|p| match p["protocol"].as_str() {
            Some("tcp") => p["flags"].as_str().unwrap_or("?").to_string(),
            Some("udp") => "UDP".to_string(),
            Some("icmp") => "ICMP".to_string(),
            other => format!("{other:?}"),
        })
        .collect()
}

/// The same for tcpdump's lines (`tcpdump -n`): what stands in `Flags [..]`, or UDP, or ICMP.
fn kinds_of_tcpdump(lines: &str) -> Vec<String> {
    lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            if let Some(at) = l.find("Flags [") {
                let rest = &l[at + "Flags [".len()..];
                rest.split(']').next().unwrap_or("?").to_string()
            } else if l.contains(": UDP,") {
                "UDP".to_string()
            } else if l.contains(": ICMP") {
                "ICMP".to_string()
            } else {
                format!("? {l}")
            }
        })
        .collect()
}

/// Whether tcpdump can be run; otherwise the test skips (fails when required).
fn tcpdump() -> bool {
    let there = Command::new("tcpdump").arg("--version").output().is_ok();
    if !there {
        common::skip("tcpdump is not installed");
    }
    there
}

/// The lines of `text` that contain each of `wanted`, in that order, each after the last:
/// panics naming the first one missing.
fn assert_in_order(text: &str, wanted: &[&str]) {
    let mut rest = text;
    for want in wanted {
        match rest.find(want) {
            Some(at) => rest = &rest[at + want.len()..],
            None => panic!("{want:?} missing (or out of order) in:\n{text}"),
        }
    }
}

#[test]
fn a_seed_exchange_shows_the_handshake_the_data_the_fins_and_time_wait_in_order() {
    let Some(ns) = lab("wseed") else { return };
    let outs = watch_during(&ns, &[&["9000", "--json"], &["9000"]], || {
        seed_exchange(&ns, "127.0.0.1", 9000)
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    let tokens = meanings(&packets);
    assert_eq!(key_meanings(&packets), SEED_KEY, "{}", outs[0].0);
    assert!(tokens.len() <= 11, "at most three bare ACKs: {tokens:?}");
    let by_token =
        |token: &str| -> Vec<&Value> { packets.iter().filter(|p| p["meaning"] == token).collect() };
    let data = by_token("data");
    assert_eq!(
        (&data[0]["from"], &data[0]["text"], &data[0]["length"]),
        (&json!("client"), &json!("hello"), &json!(5))
    );
    assert_eq!(
        (&data[1]["from"], &data[1]["text"], &data[1]["hex"]),
        (&json!("server"), &json!("HELLO"), &json!("48454c4c4f"))
    );
    let fins = by_token("fin");
    assert_eq!(
        (&fins[0]["from"], &fins[1]["from"]),
        (&json!("server"), &json!("client"))
    );
    let closed = by_token("closed");
    assert!(
        closed[0]["words"]
            .as_str()
            .unwrap_or("")
            .contains("TIME_WAIT"),
        "{}",
        closed[0]
    );
    assert!(packets.iter().all(|p| p["conversation"] == 1));
    assert_eq!(summary["packets"], json!(packets.len()));
    let c = &summary["connections"][0];
    assert_eq!(
        (
            &c["end"],
            &c["ended_by"],
            &c["client_sent"]["bytes"],
            &c["server_sent"]["bytes"]
        ),
        (&json!("closed"), &json!("server"), &json!(5), &json!(5)),
        "{summary}"
    );
    assert_eq!(
        (
            &c["client_sent"]["retransmitted"],
            &c["server_sent"]["retransmitted"]
        ),
        (&json!(0), &json!(0))
    );

    // The text, for people: tcpdump's lines with relative numbers, and the lesson's words.
    let (text, stderr) = &outs[1];
    assert!(
        stderr.contains("watching TCP and UDP port 9000 on lo"),
        "{stderr}"
    );
    assert_in_order(
        text,
        &[
            "Flags [S], seq 0,",
            "    #1 handshake 1/3: the client asks to connect (SYN)",
            "Flags [S.], seq 0, ack 1,",
            "    #1 handshake 2/3: the server's kernel accepts (SYN/ACK), before its program calls accept()",
            "    #1 handshake 3/3: connected",
            "Flags [P.], seq 1:6, ack 1,",
            "    \"hello\"\n    #1 5 bytes from the client",
            "    \"HELLO\"\n    #1 5 bytes from the server",
            "Flags [F.]",
            "    #1 FIN: the server closed its side",
            "Flags [F.]",
            "    #1 FIN: the client closes its side too",
            "    #1 the last ACK: the connection is closed; the server (it closed first) waits in TIME_WAIT",
            "packets shown on lo; the kernel dropped 0",
            "#1 TCP 127.0.0.1.",
            "closed: the server closed first, then the client; the server waits in TIME_WAIT",
        ],
    );
}

#[test]
fn a_connect_to_a_closed_port_shows_the_refusing_reset() {
    let Some(ns) = lab("wrefused") else { return };
    let outs = watch_during(&ns, &[&["9001", "--json"], &["9001"]], || {
        let said = client(&ns, "tcp_connect_refused.py", &["127.0.0.1", "9001"]);
        assert!(said.contains("refused"), "{said}");
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    assert_eq!(meanings(&packets), ["syn", "refused"], "{}", outs[0].0);
    let reset = &packets[1];
    assert_eq!(
        (&reset["flags"], &reset["from"]),
        (&json!("R."), &json!("server"))
    );
    let words = reset["words"].as_str().unwrap_or("");
    assert!(
        words.contains("connection refused") && words.contains("port 9001"),
        "{words}"
    );
    assert_eq!(summary["connections"][0]["end"], "refused", "{summary}");
    assert_in_order(
        &outs[1].0,
        &[
            "Flags [S], seq 0,",
            "    #1 handshake 1/3",
            "> 127.0.0.1.",
            "Flags [R.], seq 0, ack 1,",
            "    #1 a reset answering the SYN: connection refused, no socket listens on port 9001",
            "refused (a reset answered the SYN)",
        ],
    );
}

#[test]
fn a_datagram_to_a_closed_udp_port_shows_the_port_unreachable() {
    let Some(ns) = lab("wunreach") else { return };
    let outs = watch_during(&ns, &[&["9002", "--json"], &["9002"]], || {
        client(
            &ns,
            "udp_encoded_sender.py",
            &["127.0.0.1", "9002", "utf-8", "hi udp"],
        );
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    assert_eq!(
        meanings(&packets),
        ["datagram", "port-unreachable"],
        "{}",
        outs[0].0
    );
    assert_eq!(packets[0]["text"], "hi udp");
    assert_eq!(packets[1]["protocol"], "icmp");
    assert_eq!(packets[1]["about"]["dst"], "127.0.0.1:9002");
    let words = packets[1]["words"].as_str().unwrap_or("");
    assert!(
        words.contains("no socket is bound to UDP port 9002"),
        "{words}"
    );
    assert_eq!(summary["udp"][0]["port_unreachable"], json!(1), "{summary}");
    assert_in_order(
        &outs[1].0,
        &[
            "UDP, length 6",
            "    \"hi udp\"",
            "    #1 a UDP datagram of 6 bytes",
            "ICMP 127.0.0.1 udp port 9002 unreachable",
            "    #1 no socket is bound to UDP port 9002 of 127.0.0.1",
            "1 port unreachable",
        ],
    );
}

#[test]
fn three_quick_writes_show_as_fewer_data_segments_with_the_same_bytes() {
    let Some(ns) = lab("wglue") else { return };
    let outs = watch_during(&ns, &[&["9003", "--json"]], || {
        let server = server(&ns, "tcp_read_until_eof_server.py", &["127.0.0.1", "9003"]);
        let answer = client(&ns, "tcp_three_writes_client.py", &["127.0.0.1", "9003"]);
        assert_eq!(answer.trim(), "13");
        drop(server);
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    let carrying: Vec<&Value> = packets
        .iter()
        .filter(|p| p["from"] == "client" && p["length"].as_u64().unwrap_or(0) > 0)
        .collect();
    let bytes: u64 = carrying.iter().filter_map(|p| p["length"].as_u64()).sum();
    assert!(
        carrying.len() < 3,
        "three writes in {} segments: {}",
        carrying.len(),
        outs[0].0
    );
    assert_eq!(bytes, 13, "{}", outs[0].0);
    let text: String = carrying.iter().filter_map(|p| p["text"].as_str()).collect();
    assert_eq!(text, "one two three");
    assert_eq!(
        summary["connections"][0]["client_sent"]["bytes"],
        json!(13),
        "{summary}"
    );
    assert_eq!(
        summary["connections"][0]["client_sent"]["retransmitted"],
        json!(0)
    );
}

#[test]
fn clients_beyond_a_full_accept_queue_show_their_syns_sent_again() {
    let Some(ns) = lab("wbacklog") else { return };
    // Ended by Ctrl-C once the clients are done (a slow start under load must not cut the
    // capture short); --duration only bounds it.
    let w = watch(&ns, &["9004", "--json", "--duration", "20s"]);
    wait_capturing(&ns, 1);
    let _server = server(
        &ns,
        "tcp_backlog_never_accepts.py",
        &["127.0.0.1", "9004", "6"],
    );
    // Four clients hold their sockets 2.5 s: each dropped SYN is sent again after about 1 s.
    client(
        &ns,
        "tcp_nonblocking_clients.py",
        &["127.0.0.1", "9004", "4", "2.5"],
    );
    std::thread::sleep(Duration::from_millis(300));
    w.signal("-INT");
    let (code, stdout, stderr) = w.finish(END);
    assert_eq!(code, 0, "{stderr}");
    let (packets, summary) = packets_and_summary(&stdout);
    let mut again: Vec<u64> = packets
        .iter()
        .filter(|p| p["meaning"] == "syn-again")
        .filter_map(|p| p["conversation"].as_u64())
        .collect();
    again.dedup();
    // listen(1): the accept queue holds two connections; the SYNs of the other two are dropped.
    assert!(
        again.len() >= 2,
        "two clients' SYNs sent again: {again:?}\n{stdout}"
    );
    let first = packets
        .iter()
        .find(|p| p["meaning"] == "syn-again")
        .map(|p| p["words"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    assert!(
        first.contains("accept queue") || first.contains("backlog"),
        "{first}"
    );
    let resent: Vec<&Value> = summary["connections"]
        .as_array()
        .map(|c| c.iter().filter(|c| c["syns"].as_u64() >= Some(2)).collect())
        .unwrap_or_default();
    assert!(resent.len() >= 2, "{summary}");
}

#[test]
fn a_gbk_payload_shows_as_text_with_encoding_gbk() {
    let Some(ns) = lab("wgbk") else { return };
    let outs = watch_during(
        &ns,
        &[
            &["9005", "--json", "--encoding", "gbk"],
            &["9005", "--encoding", "gbk"],
            &["9005", "--json"],
        ],
        || {
            client(
                &ns,
                "udp_encoded_sender.py",
                &["127.0.0.1", "9005", "gbk", "你好"],
            );
        },
    );
    let (gbk, _) = packets_and_summary(&outs[0].0);
    assert_eq!(
        (&gbk[0]["text"], &gbk[0]["hex"]),
        (&json!("你好"), &json!("c4e3bac3")),
        "{}",
        outs[0].0
    );
    assert!(outs[1].0.contains("    \"你好\""), "{}", outs[1].0);
    let (plain, _) = packets_and_summary(&outs[2].0);
    assert_eq!(plain[0]["hex"], "c4e3bac3");
    assert_ne!(plain[0]["text"], "你好", "{}", outs[2].0);
}

#[test]
fn the_pcap_file_read_back_by_tcpdump_holds_the_same_packets() {
    if !tcpdump() {
        return;
    }
    let Some(ns) = lab("wpcap") else { return };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("lesson.pcap");
    let file = file.to_string_lossy().into_owned();
    let outs = watch_during(&ns, &[&["9006", "9007", "--json", "--pcap", &file]], || {
        lesson_traffic(&ns, 9006)
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    assert_eq!(summary["pcap"], json!(file));
    let read = Command::new("tcpdump")
        .args(["-r", &file, "-n"])
        .output()
        .unwrap_or_else(|e| panic!("tcpdump -r: {e}"));
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let lines = String::from_utf8_lossy(&read.stdout).into_owned();
    let theirs = kinds_of_tcpdump(&lines);
    let ours = kinds_of_json(&packets);
    assert_eq!(theirs, ours, "tcpdump -r:\n{lines}\nwatch:\n{}", outs[0].0);
    assert_eq!(key_meanings(&packets), LESSON_KEY, "{}", outs[0].0);
}

#[test]
fn no_packet_is_shown_twice_on_lo_and_tcpdump_counts_the_same() {
    if !tcpdump() {
        return;
    }
    let Some(ns) = lab("wonce") else { return };
    let dump = Running::start(
        &ns,
        "tcpdump",
        &[
            "-i",
            "lo",
            "-n",
            "-l",
            "tcp port 9008 or udp port 9008 or tcp port 9009 or udp port 9009 or icmp",
        ],
        false,
    );
    let outs = watch_during(&ns, &[&["9008", "9009", "--json"]], || {
        // tcpdump's socket too, before the traffic.
        wait_capturing(&ns, 2);
        lesson_traffic(&ns, 9008)
    });
    dump.signal("-INT");
    let (_, dumped, dump_err) = dump.finish(END);
    let (packets, summary) = packets_and_summary(&outs[0].0);
    let mut seen = std::collections::HashSet::new();
    for p in packets.iter().filter(|p| p["protocol"] == "tcp") {
        let key = (
            p["src_port"].to_string(),
            p["seq"].to_string(),
            p["ack"].to_string(),
            p["flags"].to_string(),
        );
        assert!(seen.insert(key), "shown twice: {p}\n{}", outs[0].0);
    }
    assert_eq!(
        kinds_of_json(&packets),
        kinds_of_tcpdump(&dumped),
        "tcpdump:\n{dumped}{dump_err}\nwatch:\n{}",
        outs[0].0
    );
    assert_eq!(key_meanings(&packets), LESSON_KEY, "{}", outs[0].0);
    assert_eq!(summary["packets"], json!(packets.len()));
}

#[test]
fn count_stops_after_n_packets_with_exit_0() {
    let Some(ns) = lab("wcount") else { return };
    let w = watch(
        &ns,
        &["9010", "--json", "--count", "3", "--duration", "20s"],
    );
    wait_capturing(&ns, 1);
    let started = Instant::now();
    seed_exchange(&ns, "127.0.0.1", 9010);
    let (code, stdout, stderr) = w.finish(END);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "ended by the count, not the 20 s"
    );
    let (packets, summary) = packets_and_summary(&stdout);
    assert_eq!(
        meanings(&packets),
        ["syn", "syn-ack", "connected"],
        "{stdout}"
    );
    assert_eq!(summary["packets"], json!(3));
}

/// A count above what libpcap counts in (a C int) is read over several batches, not a panic.
#[test]
fn a_count_above_two_to_the_31_watches_as_any_count() {
    let Some(ns) = lab("wbig") else { return };
    let w = watch(
        &ns,
        &[
            "9012",
            "--json",
            "--count",
            "3000000000",
            "--duration",
            "3s",
        ],
    );
    wait_capturing(&ns, 1);
    seed_exchange(&ns, "127.0.0.1", 9012);
    let (code, stdout, stderr) = w.finish(END);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (packets, _) = packets_and_summary(&stdout);
    assert_eq!(
        meanings(&packets)[..3],
        ["syn", "syn-ack", "connected"],
        "{stdout}"
    );
}

#[test]
fn duration_ends_on_time_with_the_summary_and_exit_0() {
    let Some(ns) = lab("wdur") else { return };
    let started = Instant::now();
    let (code, stdout, stderr) = watch(&ns, &["9011", "--duration", "1s"]).finish(END);
    let took = started.elapsed();
    assert_eq!(code, 0, "{stderr}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert!(
        stdout.contains("0 packets shown on lo; the kernel dropped 0"),
        "{stdout}"
    );
}

#[test]
fn ctrl_c_and_sigterm_end_with_the_summary_and_exit_0() {
    let Some(ns) = lab("wsig") else { return };
    for (signal, port) in [("-INT", "9012"), ("-TERM", "9013")] {
        let w = watch(&ns, &[port, "--duration", "30s"]);
        wait_capturing(&ns, 1);
        seed_exchange(&ns, "127.0.0.1", port.parse().unwrap_or(0));
        std::thread::sleep(Duration::from_millis(300));
        let stopped = Instant::now();
        w.signal(signal);
        let (code, stdout, stderr) = w.finish(END);
        assert_eq!(code, 0, "{signal}: {stderr}");
        assert!(stopped.elapsed() < Duration::from_secs(3), "{signal}");
        assert!(
            stdout.contains(" packets shown on lo; the kernel dropped 0"),
            "{signal}: {stdout}"
        );
        assert!(
            stdout.contains("closed: the server closed first"),
            "{signal}: {stdout}"
        );
        // Give the next round's capture a namespace without this one's packet socket.
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn an_ipv6_exchange_on_loopback_is_watched_too() {
    let Some(ns) = lab("wv6") else { return };
    let outs = watch_during(&ns, &[&["9014", "--json"], &["9014"]], || {
        seed_exchange(&ns, "::1", 9014)
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    assert_eq!(key_meanings(&packets), SEED_KEY, "{}", outs[0].0);
    assert!(packets.iter().all(|p| p["ip"] == 6 && p["src"] == "::1"));
    assert_eq!(
        summary["connections"][0]["server"], "[::1]:9014",
        "{summary}"
    );
    assert_in_order(
        &outs[1].0,
        &[
            "IP6 ::1.",
            " > ::1.9014: Flags [S], seq 0,",
            "    #1 handshake 1/3",
        ],
    );
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let Some(ns) = lab("wbad") else { return };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let dir_s = dir.path().to_string_lossy().into_owned();
    let fifo_s = fifo.to_string_lossy().into_owned();
    let cases: [(&[&str], &str); 5] = [
        (&["70000"], "70000 is above 65535"),
        (
            &["--iface", "nosuch0", "9000"],
            "no interface named nosuch0",
        ),
        (&["--pcap", &dir_s, "9000"], "is a directory"),
        (&["--pcap", &fifo_s, "9000"], "not a regular file"),
        (
            &["--encoding", "nosuch", "9000"],
            "unknown encoding 'nosuch'",
        ),
    ];
    for (args, want) in cases {
        let mut full = args.to_vec();
        full.extend(["--duration", "2s"]);
        let (code, stdout, stderr) = watch(&ns, &full).finish(END);
        assert_eq!(code, 2, "{args:?}: {stderr}{stdout}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(!stdout.contains("packets shown"), "{args:?}: {stdout}");
    }
    let kind = std::fs::metadata(&fifo).map(|m| m.file_type());
    assert!(
        kind.is_ok_and(|k| !k.is_file()),
        "the FIFO is left as it was"
    );
}

#[test]
fn watch_without_capture_privilege_exits_2_naming_the_fix() {
    let Some(ns) = lab("wnobody") else { return };
    if Command::new("setpriv").arg("--version").output().is_err() {
        common::skip("setpriv is not available");
        return;
    }
    // netkit runs netkit-watch from its own folder: both are copied.
    let dir = common::netkit_pair_for_anyone();
    let bin = dir.path().join("netkit").to_string_lossy().into_owned();
    let args = [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        &bin,
        "watch",
        "9000",
        "--duration",
        "2s",
    ];
    let out = ns.exec("setpriv", &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("setpriv:") {
        common::skip(&format!("setpriv cannot drop privileges here: {stderr}"));
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("setcap cap_net_raw+ep") && stderr.contains("root"),
        "{stderr}"
    );
}

/// A client sends 300,000 bytes to a server that does not read for 1.5 s (a 4 KiB receive
/// buffer): the packets and the summary, watched on `port`.
fn zero_window_exchange(ns: &Netns, port: u16) -> (Vec<Value>, Value, String) {
    let p = port.to_string();
    let outs = watch_during(ns, &[&[&p, "--json"]], || {
        let _server = server(ns, "tcp_slow_reader_server.py", &["127.0.0.1", &p, "1.5"]);
        let answer = client(
            ns,
            "tcp_bulk_sender_client.py",
            &["127.0.0.1", &p, "300000"],
        );
        assert_eq!(answer.trim(), "300000");
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    (packets, summary, outs[0].0.clone())
}

#[test]
fn a_receiver_that_does_not_read_shows_a_zero_window_then_its_opening() {
    let Some(ns) = lab("wzero") else { return };
    let (packets, summary, stdout) = zero_window_exchange(&ns, 9015);
    let tokens = meanings(&packets);
    let zero = tokens.iter().position(|t| *t == "zero-window");
    let open = tokens.iter().rposition(|t| *t == "window-open");
    assert!(
        matches!((zero, open), (Some(z), Some(o)) if z < o),
        "a zero window, then it opens: {tokens:?}"
    );
    let first = &packets[zero.unwrap_or(0)];
    assert_eq!(
        (&first["from"], &first["win"]),
        (&json!("server"), &json!(0))
    );
    let words = first["words"].as_str().unwrap_or("");
    assert!(words.contains("not calling recv()"), "{words}");
    let c = &summary["connections"][0];
    assert_eq!(c["client_sent"]["bytes"], json!(300_000), "{summary}");
    // Under load the kernel may probe a late ACK by sending a tail segment again (a true
    // "sent again"): retransmissions are not asserted here.
    assert_eq!(summary["kernel_dropped"], json!(0), "{stdout}");
}

#[test]
fn the_probes_of_a_zero_window_are_said_to_be_window_probes() {
    let Some(ns) = lab("wprobe") else { return };
    let (packets, _, stdout) = zero_window_exchange(&ns, 9016);
    let tokens = meanings(&packets);
    // The server stays at a zero window 1.5 s: Linux probes after about 200 ms, then doubling.
    assert!(
        tokens.contains(&"zero-window-probe"),
        "probes of the zero window: {tokens:?}\n{stdout}"
    );
    assert!(
        !tokens.contains(&"keep-alive"),
        "nobody set SO_KEEPALIVE: {tokens:?}"
    );
}

#[test]
fn a_server_closing_with_so_linger_0_shows_the_reset_of_an_open_connection() {
    let Some(ns) = lab("wreset") else { return };
    let outs = watch_during(&ns, &[&["9017", "--json"]], || {
        let _server = server(&ns, "tcp_answer_once.py", &["127.0.0.1", "9017", "reset"]);
        let said = client(&ns, "tcp_hello_client.py", &["127.0.0.1", "9017", "hi"]);
        assert_eq!(said.lines().collect::<Vec<_>>(), ["thanks", "reset"]);
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    let last = packets.last().cloned().unwrap_or_default();
    assert_eq!(
        (&last["meaning"], &last["from"], &last["flags"]),
        (&json!("reset"), &json!("server"), &json!("R.")),
        "{}",
        outs[0].0
    );
    let words = last["words"].as_str().unwrap_or("");
    assert!(
        words.contains("the server aborted the connection"),
        "{words}"
    );
    assert_eq!(
        key_meanings(&packets),
        ["syn", "syn-ack", "connected", "data", "data", "reset"]
    );
    assert_eq!(summary["connections"][0]["end"], "reset", "{summary}");
}

#[test]
fn quiet_shows_only_the_summary_and_hex_shows_a_dump() {
    let Some(ns) = lab("wlook") else { return };
    let outs = watch_during(&ns, &[&["9018", "--quiet"], &["9018", "--hex"]], || {
        seed_exchange(&ns, "127.0.0.1", 9018)
    });
    let quiet = &outs[0].0;
    assert!(!quiet.contains("Flags ["), "{quiet}");
    assert!(!quiet.contains("handshake 1/3"), "{quiet}");
    assert!(
        quiet.contains(" packets shown on lo; the kernel dropped 0"),
        "{quiet}"
    );
    assert!(quiet.contains("closed: the server closed first"), "{quiet}");
    assert_in_order(
        &outs[1].0,
        &[
            "Flags [P.], seq 1:6, ack 1,",
            "    00000000: 6865 6c6c 6f",
            "hello",
            "    #1 5 bytes from the client",
            "    00000000: 4845 4c4c 4f",
            "HELLO",
        ],
    );
}

#[test]
fn count_with_pcap_saves_the_packets_shown() {
    if !tcpdump() {
        return;
    }
    let Some(ns) = lab("wcountpcap") else { return };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("four.pcap");
    let file = file.to_string_lossy().into_owned();
    let w = watch(
        &ns,
        &["9019", "--count", "4", "--pcap", &file, "--duration", "20s"],
    );
    wait_capturing(&ns, 1);
    seed_exchange(&ns, "127.0.0.1", 9019);
    let (code, stdout, stderr) = w.finish(END);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!(
            "4 packets shown on lo; the kernel dropped 0; saved to {file}"
        )),
        "{stdout}"
    );
    let read = Command::new("tcpdump")
        .args(["-r", &file, "-n"])
        .output()
        .unwrap_or_else(|e| panic!("tcpdump -r: {e}"));
    let lines = String::from_utf8_lossy(&read.stdout).into_owned();
    assert_eq!(kinds_of_tcpdump(&lines), ["S", "S.", ".", "P."], "{lines}");
}

#[test]
fn an_ipv6_refused_connect_and_port_unreachable_are_watched_too() {
    let Some(ns) = lab("wv6err") else { return };
    let outs = watch_during(&ns, &[&["9021", "--json"]], || {
        client(&ns, "tcp_connect_refused.py", &["::1", "9021"]);
        client(&ns, "udp_send_once.py", &["::1", "9021", "hi v6"]);
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    assert_eq!(
        meanings(&packets),
        ["syn", "refused", "datagram", "port-unreachable"],
        "{}",
        outs[0].0
    );
    assert!(packets.iter().all(|p| p["ip"] == 6), "{}", outs[0].0);
    let words = packets[3]["words"].as_str().unwrap_or("");
    assert!(
        words.contains("no socket is bound to UDP port 9021 of ::1"),
        "{words}"
    );
    assert_eq!(summary["udp"][0]["port_unreachable"], json!(1), "{summary}");
}

#[test]
fn a_lost_data_segment_shows_as_sent_again() {
    let Some(ns) = lab("wlost") else { return };
    // The client's first data segment (its third packet) is dropped on its way in, after the
    // capture saw it: the client's kernel sends it again about 200 ms later.
    let lossy = "table inet lossy {\n\
                 chain in { type filter hook input priority 0;\n\
                 tcp dport 9022 tcp flags & psh == psh ct original packets 3 drop; }\n\
                 }\n";
    if common::netns::nft_in(&ns, lossy).is_none() {
        return;
    }
    let outs = watch_during(&ns, &[&["9022", "--json"], &["9022"]], || {
        seed_exchange(&ns, "127.0.0.1", 9022)
    });
    let (packets, summary) = packets_and_summary(&outs[0].0);
    let key: Vec<&str> = key_meanings(&packets);
    assert_eq!(
        key,
        [
            "syn",
            "syn-ack",
            "connected",
            "data",
            "retransmission",
            "data",
            "fin",
            "fin",
            "closed"
        ],
        "{}",
        outs[0].0
    );
    let again = packets
        .iter()
        .find(|p| p["meaning"] == "retransmission")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (&again["from"], &again["text"], &again["seq"]),
        (&json!("client"), &json!("hello"), &json!(1))
    );
    let c = &summary["connections"][0];
    assert_eq!(c["client_sent"]["retransmitted"], json!(1), "{summary}");
    assert_eq!(c["end"], "closed");
    assert_in_order(
        &outs[1].0,
        &[
            "    #1 5 bytes from the client",
            "    \"hello\"\n    #1 sent again: 5 bytes (bytes 1–5) went out before and were not acknowledged in time",
            "(1 sent again)",
        ],
    );
}

#[test]
fn iface_any_shows_each_loopback_packet_once() {
    let Some(ns) = lab("wany") else { return };
    let outs = watch_during(
        &ns,
        &[&["9023", "9024", "--iface", "any", "--json"]],
        || lesson_traffic(&ns, 9023),
    );
    let (packets, summary) = packets_and_summary(&outs[0].0);
    assert_eq!(key_meanings(&packets), LESSON_KEY, "{}", outs[0].0);
    assert_eq!(summary["interface"], "any");
    let c = &summary["connections"][0];
    assert_eq!(c["client_sent"]["retransmitted"], json!(0), "{summary}");
}

#[test]
fn on_a_veth_both_directions_show_once() {
    if Command::new("python3").arg("--version").output().is_err() {
        common::skip("the lessons' programs need python3");
        return;
    }
    // The server's namespace holds 10.231.0.1 on s0; watch runs in the client's, on c0, where
    // what the client sends exists only as the outgoing copy.
    let Some((server_ns, client_ns)) = Netns::veth_pair("wveth") else {
        return;
    };
    server_ns.ip("addr add 10.231.0.1/24 dev s0");
    client_ns.ip("addr add 10.231.0.2/24 dev c0");
    if capture_works(&client_ns).is_none() {
        return;
    }
    let outs = watch_during(
        &client_ns,
        &[&["9025", "9026", "--iface", "c0", "--json"]],
        || lesson_traffic_between(&client_ns, &server_ns, "10.231.0.1", 9025),
    );
    let (packets, summary) = packets_and_summary(&outs[0].0);
    assert_eq!(key_meanings(&packets), LESSON_KEY, "{}", outs[0].0);
    let from: Vec<&str> = packets
        .iter()
        .take(3)
        .map(|p| p["src"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(from, ["10.231.0.2", "10.231.0.1", "10.231.0.2"]);
    assert_eq!(
        summary["connections"][0]["server"], "10.231.0.1:9025",
        "{summary}"
    );
    assert_eq!(summary["udp"][0]["port_unreachable"], json!(1), "{summary}");
}

/// A pcap file that cannot grow (a 64 KiB tmpfs, mounted in a mount namespace of the test's
/// own) stops being written; the capture goes on, the summary is printed, and then the
/// error, exit 2. More than the 1 MiB write buffer is captured, so the write fails while the
/// capture runs, not only at its end.
#[test]
fn a_full_disk_under_the_pcap_file_is_said_after_the_summary() {
    let Some(ns) = lab("wfull") else { return };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary folder: {e}"));
    let mount = dir.path().display().to_string();
    let bin = assert_cmd::cargo::cargo_bin("netkit").display().to_string();
    let script = format!(
        "mount -t tmpfs -o size=64k none {mount} || exit 99
         (sleep 0.8; python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(2500): s.sendto(b\"x\" * 1000, (\"127.0.0.1\", 9555))') &
         {bin} watch 9555 --quiet --duration 2.5 --pcap {mount}/lesson.pcap"
    );
    let out = ns.exec("unshare", &["-m", "sh", "-c", &script]);
    if out.status.code() == Some(99) {
        common::skip("cannot mount a tmpfs in a mount namespace here");
        return;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("cannot write the pcap file") && stderr.contains("no space left"),
        "{stderr}"
    );
    // The 2,500 datagrams were all seen: the capture went on past the failed write.
    let shown: u64 = stdout
        .split(" packets shown on lo")
        .next()
        .and_then(|head| head.trim().rsplit('\n').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(shown >= 2500, "{stdout}");
    assert!(!stdout.contains("saved to"), "{stdout}");
}
