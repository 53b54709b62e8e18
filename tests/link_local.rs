//! Black-box tests of a link-local IPv6 address with its `%zone` (`fe80::2%c0`, or the
//! interface's index) for ping, trace and scan, as send takes it: on a veth pair between two
//! namespaces the test builds, beside a second link that also holds fe80::/64, so the probes
//! reach the peer only on the interface the zone names.

mod common;

use common::netns::Netns;
use serde_json::{Value, json};

/// The peer's link-local address.
const PEER: &str = "fe80::2";

/// A client with two links holding fe80::/64 (c0 to the peer, and d0, a veth to nowhere), and a peer whose
/// kernel answers echo requests and sends its ICMPv6 errors without a rate limit.
struct Lab {
    client: Netns,
    _peer: Netns,
}

impl Lab {
    fn new(tag: &str) -> Option<Lab> {
        let client = Netns::create(&format!("{tag}-c"))?;
        let peer = Netns::create(&format!("{tag}-p"))?;
        client.ip("link set lo up");
        peer.ip("link set lo up");
        // A second link comes first: without the zone's interface, fe80::/64 is its route too.
        client.ip("link add d0 type veth peer name d1");
        client.ip("addr add fe80::99/64 dev d0 nodad");
        client.ip("link set d1 up");
        client.ip("link set d0 up");
        client.ip(&format!(
            "link add c0 type veth peer name p0 netns {}",
            peer.name
        ));
        client.ip("addr add fe80::1/64 dev c0 nodad");
        peer.ip("addr add fe80::2/64 dev p0 nodad");
        client.ip("link set c0 up");
        peer.ip("link set p0 up");
        peer.bash("echo 0 > /proc/sys/net/ipv6/icmp/ratelimit");
        client.bash("echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range");
        let lab = Lab {
            client,
            _peer: peer,
        };
        // The veth's carrier takes a moment; the first ping may be lost to it.
        for _ in 0..30 {
            let (code, _, _) = lab
                .client
                .netkit(&["ping", "-c", "1", "-W", "0.2", "fe80::2%c0"]);
            if code == 0 {
                break;
            }
        }
        Some(lab)
    }

    /// The index of the client's c0, for a numeric zone.
    fn c0_index(&self) -> String {
        let out = self.client.exec("cat", &["/sys/class/net/c0/ifindex"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

#[test]
fn ping_sends_on_the_interface_of_the_zone() {
    let Some(lab) = Lab::new("llping") else {
        return;
    };
    let by_index = format!("{PEER}%{}", lab.c0_index());
    for zoned in [format!("{PEER}%c0"), by_index] {
        for socket in ["raw", "dgram"] {
            let args = ["ping", &zoned, "-c", "2", "-i", "0.2", "--socket", socket];
            let (code, stdout, stderr) = lab.client.netkit(&args);
            assert_eq!(code, 0, "{zoned} {socket}: {stdout} {stderr}");
            assert!(
                stdout.contains(&format!("PING {zoned} ({PEER}) 56 data bytes")),
                "{stdout}"
            );
            assert!(
                stdout.contains("2 packets transmitted, 2 received, 0% packet loss"),
                "{zoned} {socket}: {stdout}"
            );
        }
    }
    // A TCP ping to a closed port: the peer's reset comes back over c0.
    let zoned = format!("{PEER}%c0");
    let (code, stdout, stderr) = lab
        .client
        .netkit(&["ping", &zoned, "--tcp", "9", "-c", "1", "--json"]);
    assert_eq!(code, 0, "{stdout} {stderr}");
    let lines = common::json_lines(&stdout);
    assert_eq!(lines[0]["event"], "tcp_reply", "{stdout}");
    assert_eq!(lines[0]["open"], json!(false), "{stdout}");
    // A zone names an interface this machine has.
    let (code, _, stderr) = lab.client.netkit(&["ping", "fe80::2%nosuch0", "-c", "1"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no interface named nosuch0"), "{stderr}");
}

#[test]
fn trace_reaches_the_zone_s_neighbour_in_one_hop() {
    let Some(lab) = Lab::new("lltrace") else {
        return;
    };
    let zoned = format!("{PEER}%c0");
    for method in [&[][..], &["--icmp"][..]] {
        let mut args = vec!["trace", "--json", "-n", "-w", "1", "-q", "1", &zoned];
        args.extend_from_slice(method);
        let (code, stdout, stderr) = lab.client.netkit(&args);
        assert_eq!(code, 0, "{method:?}: {stdout} {stderr}");
        let lines = common::json_lines(&stdout);
        let report: &Value = lines.last().unwrap_or_else(|| panic!("{stdout}"));
        assert_eq!(report["reached"], json!(true), "{method:?}: {stdout}");
        assert_eq!(report["hops"].as_array().map(Vec::len), Some(1), "{stdout}");
    }
}

#[test]
fn scan_connects_on_the_interface_of_the_zone() {
    let Some(lab) = Lab::new("llscan") else {
        return;
    };
    let zoned = format!("{PEER}%c0");
    let (code, stdout, stderr) = lab.client.netkit(&["scan", &zoned, "-p", "9,10", "--json"]);
    assert_eq!(code, 0, "{stdout} {stderr}");
    let lines = common::json_lines(&stdout);
    let scan = &lines[0]["scans"][0];
    assert_eq!(scan["address"], PEER, "{stdout}");
    assert_eq!(scan["counts"]["closed"], json!(2), "{stdout}");
}
