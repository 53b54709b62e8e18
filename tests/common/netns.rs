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
            super::skip("network namespaces need root");
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
                super::skip(&format!(
                    "ip netns add failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
                None
            }
            Err(e) => {
                super::skip(&format!("cannot run ip (install iproute2): {e}"));
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

    /// Runs a command inside the namespace. A program file another test thread's fork still
    /// holds open for writing (a copy made for `nobody`, inherited until that child's exec)
    /// cannot be run for a moment ("Text file busy"): that is tried again, a few times.
    pub fn exec(&self, program: &str, args: &[&str]) -> Output {
        let run = || {
            Command::new("ip")
                .args(["netns", "exec", &self.name, program])
                .args(args)
                .output()
                .unwrap_or_else(|e| panic!("ip netns exec {program}: {e}"))
        };
        let mut out = run();
        for _ in 0..5 {
            if !String::from_utf8_lossy(&out.stderr).contains("Text file busy") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            out = run();
        }
        out
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

    /// Runs `python3 ARGS` in the namespace and waits for it to print "ready" (its sockets
    /// are open); it ends, with anything else in the namespace, when the Background drops.
    pub fn python(&self, args: &[&str]) -> Background {
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.name, "python3"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("python3 in {}: {e}", self.name));
        let mut ready = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut ready);
        }
        let running = Background {
            child,
            ns: Some(self.name.clone()),
        };
        assert_eq!(ready.trim(), "ready", "python3 {args:?} did not start");
        running
    }

    /// Two namespaces of the test's own joined by a veth, `s0` in the server's and `c0` in the
    /// client's, their loopbacks and the link up; the addresses are the test's to add.
    pub fn veth_pair(tag: &str) -> Option<(Netns, Netns)> {
        let server = Netns::create(&format!("{tag}-s"))?;
        let client = Netns::create(&format!("{tag}-c"))?;
        server.ip(&format!(
            "link add s0 type veth peer name c0 netns {}",
            client.name
        ));
        for (ns, link) in [(&server, "s0"), (&client, "c0")] {
            ns.ip("link set lo up");
            ns.ip(&format!("link set {link} up"));
        }
        Some((server, client))
    }

    /// Starts netkit inside the namespace in the background (ended on drop, with whatever
    /// else runs there), its stdin piped, and its stdout as lines to read.
    pub fn spawn_netkit(
        &self,
        args: &[&str],
    ) -> (
        Background,
        std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
    ) {
        let bin = assert_cmd::cargo::cargo_bin("netkit");
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.name])
            .arg(bin)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("netkit {args:?} in {}: {e}", self.name));
        let out = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
        let running = Background {
            child,
            ns: Some(self.name.clone()),
        };
        (
            running,
            std::io::BufRead::lines(std::io::BufReader::new(out)),
        )
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

/// Where `ip netns exec NAME` finds the files it mounts over /etc's for what it runs.
fn etc_of(name: &str) -> std::path::PathBuf {
    std::path::Path::new("/etc/netns").join(name)
}

impl Netns {
    /// A namespace with `lo` up whose /etc/hosts is `hosts_text` for what runs in it: `ip
    /// netns exec` bind-mounts /etc/netns/NAME/hosts over /etc/hosts, so a test can give a
    /// name (say "::1 lab.test\n127.0.0.1 lab.test\n") the addresses it needs without
    /// touching the machine's own /etc/hosts. /etc/netns/NAME goes with the namespace on drop.
    /// None (the caller skips) where namespaces cannot be made.
    pub fn with_hosts(tag: &str, hosts_text: &str) -> Option<Netns> {
        let ns = Netns::create(tag)?;
        let dir = etc_of(&ns.name);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let hosts = dir.join("hosts");
        std::fs::write(&hosts, hosts_text).unwrap_or_else(|e| panic!("{}: {e}", hosts.display()));
        ns.ip("link set lo up");
        Some(ns)
    }

    /// The addresses `name` resolves to inside the namespace, in the order the system
    /// resolver gives them (getaddrinfo, through `getent ahosts`: the order netkit and
    /// Python's create_connection try them in; RFC 6724 decides it, not the hosts file).
    pub fn resolved(&self, name: &str) -> Vec<std::net::IpAddr> {
        let out = self.exec("getent", &["ahosts", name]);
        let mut found = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let addr = line.split_whitespace().next().and_then(|a| a.parse().ok());
            if let Some(addr) = addr.filter(|a| !found.contains(a)) {
                found.push(addr);
            }
        }
        found
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
        // Only this namespace's own files, made by with_hosts (or a test's resolv.conf).
        let dir = etc_of(&self.name);
        if dir.exists() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Two namespaces joined by a veth: a client (10.200.5.1/24) and a peer (10.200.5.2/24) whose
/// kernel does not answer pings; `tests/common/icmp_responder.py` answers instead, with the
/// delay and quirks asked for. Everything is removed on drop.
pub struct VethLab {
    /// Ended on drop, with anything else left in the peer namespace. Declared first: fields
    /// drop in order, so the process ends before its namespace goes.
    responder: Option<Background>,
    pub client: Netns,
    pub peer: Netns,
}

impl VethLab {
    pub const CLIENT: &'static str = "10.200.5.1";
    pub const PEER: &'static str = "10.200.5.2";
    /// On the link, but no host has it.
    pub const NOBODY: &'static str = "10.200.5.99";

    /// Builds the lab; `responder` holds the responder's options, or None for no responder.
    pub fn new(tag: &str, responder: Option<&[&str]>) -> Option<VethLab> {
        let client = Netns::create(&format!("{tag}-c"))?;
        let peer = Netns::create(&format!("{tag}-p"))?;
        if Command::new("python3").arg("--version").output().is_err() {
            super::skip("the simulated peer needs python3");
            return None;
        }
        client.ip("link set lo up");
        peer.ip("link set lo up");
        client.ip(&format!(
            "link add c0 type veth peer name p0 netns {}",
            peer.name
        ));
        client.ip("addr add 10.200.5.1/24 dev c0");
        peer.ip("addr add 10.200.5.2/24 dev p0");
        client.ip("link set c0 up");
        peer.ip("link set p0 up");
        peer.bash("echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all");
        let mut lab = VethLab {
            client,
            peer,
            responder: None,
        };
        if let Some(options) = responder {
            let script = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/common/icmp_responder.py"
            );
            let mut args = vec![script];
            args.extend_from_slice(options);
            lab.responder = Some(lab.peer_python(&args));
        }
        Some(lab)
    }

    /// Runs `python3 ARGS` in the peer and waits for it to print "ready" (its sockets are
    /// open); it ends, with anything else in the peer, when the Background drops.
    pub fn peer_python(&self, args: &[&str]) -> Background {
        self.peer.python(args)
    }

    /// Installs an nftables rule in the peer; `None` (with the reason printed) without nft.
    pub fn peer_nft(&self, script: &str) -> Option<()> {
        nft_in(&self.peer, script)
    }
}

/// Loads an nftables ruleset into a namespace; `None` (with the reason printed) without nft.
pub fn nft_in(ns: &Netns, script: &str) -> Option<()> {
    if Command::new("nft").arg("--version").output().is_err() {
        super::skip("nft is not installed (apt-get install nftables)");
        return None;
    }
    let mut child = Command::new("ip")
        .args(["netns", "exec", &ns.name, "nft", "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    if let Some(mut stdin) = child.stdin.take() {
        std::io::Write::write_all(&mut stdin, script.as_bytes()).ok()?;
    }
    let status = child.wait().ok()?;
    assert!(status.success(), "nft rules failed: {script}");
    Some(())
}

/// A process a test started in the background: killed on drop, also when the test panics, so
/// no orphan holds the test runner's output open. `ns`: also end whatever else runs there.
pub struct Background {
    pub child: std::process::Child,
    pub ns: Option<String>,
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(ns) = &self.ns {
            let _ = Command::new("ip")
                .args(["netns", "pids", ns])
                .output()
                .map(|o| {
                    for pid in String::from_utf8_lossy(&o.stdout).split_whitespace() {
                        let _ = Command::new("kill").arg(pid).output();
                    }
                });
        }
    }
}

/// Three namespaces in a row: a client, a router with forwarding on, and a server beyond it.
/// client c0 10.200.6.1/24, fd00:6::1/64 — router r0 10.200.6.2, fd00:6::2 | r1 10.200.7.1,
/// fd00:7::1 — server s0 10.200.7.2/24, fd00:7::2/64. The client and the server route through
/// the router. Everything is removed on drop.
pub struct RouterLab {
    pub client: Netns,
    pub router: Netns,
    pub server: Netns,
}

impl RouterLab {
    pub const ROUTER: &'static str = "10.200.6.2";
    pub const SERVER: &'static str = "10.200.7.2";
    pub const ROUTER6: &'static str = "fd00:6::2";
    pub const SERVER6: &'static str = "fd00:7::2";

    pub fn new(tag: &str) -> Option<RouterLab> {
        let client = Netns::create(&format!("{tag}-c"))?;
        let router = Netns::create(&format!("{tag}-r"))?;
        let server = Netns::create(&format!("{tag}-s"))?;
        // No duplicate address detection: a link-local address still tentative would hold
        // up neighbour discovery, and IPv6 for a second or two.
        for ns in [&client, &router, &server] {
            ns.ip("link set lo up");
            ns.bash(
                "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; \
                 echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad",
            );
        }
        client.ip(&format!(
            "link add c0 type veth peer name r0 netns {}",
            router.name
        ));
        router.ip(&format!(
            "link add r1 type veth peer name s0 netns {}",
            server.name
        ));
        client.ip("addr add 10.200.6.1/24 dev c0");
        client.ip("addr add fd00:6::1/64 dev c0 nodad");
        router.ip("addr add 10.200.6.2/24 dev r0");
        router.ip("addr add fd00:6::2/64 dev r0 nodad");
        router.ip("addr add 10.200.7.1/24 dev r1");
        router.ip("addr add fd00:7::1/64 dev r1 nodad");
        server.ip("addr add 10.200.7.2/24 dev s0");
        server.ip("addr add fd00:7::2/64 dev s0 nodad");
        client.ip("link set c0 up");
        router.ip("link set r0 up");
        router.ip("link set r1 up");
        server.ip("link set s0 up");
        client.ip("route add default via 10.200.6.2");
        client.ip("-6 route add default via fd00:6::2");
        server.ip("route add default via 10.200.7.1");
        server.ip("-6 route add default via fd00:7::1");
        router.bash(
            "echo 1 > /proc/sys/net/ipv4/ip_forward; \
             echo 1 > /proc/sys/net/ipv6/conf/all/forwarding",
        );
        Some(RouterLab {
            client,
            router,
            server,
        })
    }
}

/// A row of namespaces: a source, routers with forwarding on, and a destination, joined by
/// veths. Link i (from 0) carries the IPv4 prefix `prefixes[i]`.0/24 and fd00:(40+i)::/64;
/// the node on its source side holds .1 (::1), the other .2 (::2). Routers know a route to
/// every link and nothing else, so an address off the chain gets a net unreachable. Their
/// ICMP rate limits are off (real routers send about six errors a second per source, which
/// several traces in a row would exceed); a route's unreachables stay limited.
pub struct ChainLab {
    /// source, the routers, destination, in path order.
    pub nodes: Vec<Netns>,
    prefixes: Vec<String>,
}

impl ChainLab {
    /// A chain of `prefixes.len() - 1` routers.
    pub fn new(tag: &str, prefixes: &[&str]) -> Option<ChainLab> {
        let links = prefixes.len();
        let mut nodes = Vec::new();
        for i in 0..=links {
            let ns = Netns::create(&format!("{tag}{i}"))?;
            ns.ip("link set lo up");
            ns.bash(
                "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; \
                 echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad; \
                 echo 1 > /proc/sys/net/ipv4/ip_forward; \
                 echo 1 > /proc/sys/net/ipv6/conf/all/forwarding; \
                 echo 0 > /proc/sys/net/ipv4/icmp_ratelimit; \
                 echo 0 > /proc/sys/net/ipv6/icmp/ratelimit",
            );
            nodes.push(ns);
        }
        let lab = ChainLab {
            nodes,
            prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
        };
        for i in 0..links {
            let (left, right) = (&lab.nodes[i], &lab.nodes[i + 1]);
            left.ip(&format!(
                "link add e{i}a type veth peer name e{i}b netns {}",
                right.name
            ));
            left.ip(&format!("addr add {} dev e{i}a", lab.v4(i, 1) + "/24"));
            left.ip(&format!("addr add {}/64 dev e{i}a nodad", lab.v6(i, 1)));
            right.ip(&format!("addr add {} dev e{i}b", lab.v4(i, 2) + "/24"));
            right.ip(&format!("addr add {}/64 dev e{i}b nodad", lab.v6(i, 2)));
            left.ip(&format!("link set e{i}a up"));
            right.ip(&format!("link set e{i}b up"));
        }
        for (j, node) in lab.nodes.iter().enumerate() {
            for i in 0..links {
                let via = if i + 1 < j {
                    Some(j - 1) // behind: back through the link on the source side
                } else if i > j {
                    Some(j) // ahead: on through the link on the destination side
                } else {
                    None // a link of this node's own
                };
                let Some(link) = via else { continue };
                let hop = if i > j { 2 } else { 1 };
                node.ip(&format!(
                    "route add {}.0/24 via {}",
                    lab.prefixes[i],
                    lab.v4(link, hop)
                ));
                node.ip(&format!(
                    "-6 route add fd00:{}::/64 via {}",
                    40 + i,
                    lab.v6(link, hop)
                ));
            }
        }
        // The source sends everything else into the chain too.
        lab.nodes[0].ip(&format!("route add default via {}", lab.v4(0, 2)));
        lab.nodes[0].ip(&format!("-6 route add default via {}", lab.v6(0, 2)));
        lab.settle();
        Some(lab)
    }

    /// Waits (a few seconds at most) until the destination answers a ping over both
    /// families: IPv6 on a fresh link drops what it is sent for about a second.
    fn settle(&self) {
        for dest in [self.destination_v4(), self.destination_v6()] {
            for _ in 0..20 {
                let (code, _, _) = self
                    .source()
                    .netkit(&["ping", "-q", "-c", "1", "-W", "250ms", &dest]);
                if code == 0 {
                    break;
                }
            }
        }
    }

    /// The IPv4 address of host `n` (1 or 2) on link `i`.
    pub fn v4(&self, i: usize, n: u8) -> String {
        format!("{}.{n}", self.prefixes[i])
    }

    /// The IPv6 address of host `n` on link `i`.
    pub fn v6(&self, i: usize, n: u8) -> String {
        format!("fd00:{}::{n}", 40 + i)
    }

    pub fn source(&self) -> &Netns {
        &self.nodes[0]
    }

    pub fn destination(&self) -> &Netns {
        self.nodes.last().expect("a chain has nodes")
    }

    /// The destination's address (on the last link).
    pub fn destination_v4(&self) -> String {
        self.v4(self.prefixes.len() - 1, 2)
    }

    pub fn destination_v6(&self) -> String {
        self.v6(self.prefixes.len() - 1, 2)
    }

    /// Loads an nft ruleset into node `j`; None (the caller skips) when nft is missing.
    pub fn nft(&self, j: usize, script: &str) -> Option<()> {
        nft_in(&self.nodes[j], script)
    }
}

/// A /24 with three hosts on one link (a bridge), as a lab's first subnet (issue 24):
/// `OPEN` listens on TCP `OPEN_PORT`, `FIREWALLED` drops everything with nftables (ARP, which
/// nftables' inet family does not see, is still answered), `CLOSED` has nothing listening
/// (every port refuses), and every other address of 10.209.2.0/24 is empty.
///
/// `direct`: the client sits on the link itself (its bridge holds `.1`, this machine's own
/// address). `routed`: the link is behind a router (the bridge in the router holds `.1`, the
/// router's own address, an up host); the client is 10.209.1.1/24, the router 10.209.1.2,
/// with forwarding on. The same link also carries fd00:209:2::/120 (the hosts ::10, ::20, ::30,
/// the bridge ::1; the routed client fd00:209:1::1). Everything is removed on drop.
pub struct SubnetLab {
    /// Ended first (fields drop in order), before their namespaces go.
    servers: Vec<Background>,
    /// Where netkit runs.
    pub client: Netns,
    /// The namespace holding the bridge: the client itself (direct) or the router (routed).
    pub router: Option<Netns>,
    /// OPEN, FIREWALLED, CLOSED, in that order.
    pub hosts: Vec<Netns>,
}

/// No duplicate address detection in `ns`: a tentative address would hold IPv6 up for a second
/// or two.
fn no_dad(ns: &Netns) {
    ns.bash(
        "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; \
         echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad",
    );
}

impl SubnetLab {
    /// The subnet of the hosts.
    pub const NET: &'static str = "10.209.2.0/24";
    /// The bridge's address in the /24: the client (direct) or the router (routed).
    pub const GATEWAY: &'static str = "10.209.2.1";
    pub const OPEN: &'static str = "10.209.2.10";
    pub const FIREWALLED: &'static str = "10.209.2.20";
    pub const CLOSED: &'static str = "10.209.2.30";
    /// The port `OPEN` listens on.
    pub const OPEN_PORT: u16 = 22;
    /// The client's address in the routed lab.
    pub const ROUTED_CLIENT: &'static str = "10.209.1.1";
    /// The same link's IPv6 subnet (a /120: 256 addresses), and its hosts' addresses in the
    /// order above (the firewalled host lets neighbour discovery through, as IPv6 needs).
    pub const NET6: &'static str = "fd00:209:2::/120";
    pub const GATEWAY6: &'static str = "fd00:209:2::1";
    pub const OPEN6: &'static str = "fd00:209:2::10";
    pub const FIREWALLED6: &'static str = "fd00:209:2::20";
    pub const CLOSED6: &'static str = "fd00:209:2::30";

    /// The /24 on the client's own link. None (the caller skips) without root, ip, nft or
    /// python3.
    pub fn direct(tag: &str) -> Option<SubnetLab> {
        let client = Netns::create(&format!("{tag}-c"))?;
        client.ip("link set lo up");
        no_dad(&client);
        SubnetLab::build(tag, client, None)
    }

    /// The /24 behind a router. `quiet_router`: false turns the router's ICMP rate limit
    /// off (net.ipv4.icmp_ratelimit=0), so every empty address gets its host unreachable;
    /// true keeps the kernel's default (a burst of 6, then 1 a second), as real routers do.
    pub fn routed(tag: &str, quiet_router: bool) -> Option<SubnetLab> {
        let client = Netns::create(&format!("{tag}-c"))?;
        let router = Netns::create(&format!("{tag}-r"))?;
        for ns in [&client, &router] {
            ns.ip("link set lo up");
            no_dad(ns);
        }
        client.ip(&format!(
            "link add c0 type veth peer name r0 netns {}",
            router.name
        ));
        client.ip("addr add 10.209.1.1/24 dev c0");
        router.ip("addr add 10.209.1.2/24 dev r0");
        client.ip("addr add fd00:209:1::1/64 dev c0 nodad");
        router.ip("addr add fd00:209:1::2/64 dev r0 nodad");
        client.ip("link set c0 up");
        router.ip("link set r0 up");
        client.ip("route add default via 10.209.1.2");
        client.ip("-6 route add default via fd00:209:1::2");
        router.bash(
            "echo 1 > /proc/sys/net/ipv4/ip_forward; \
             echo 1 > /proc/sys/net/ipv6/conf/all/forwarding",
        );
        if !quiet_router {
            router.bash(
                "echo 0 > /proc/sys/net/ipv4/icmp_ratelimit; \
                 echo 0 > /proc/sys/net/ipv6/icmp/ratelimit",
            );
        }
        let lab = SubnetLab::build(tag, client, Some(router))?;
        // IPv6 on the fresh client-router link drops what it is sent for about a second:
        // ready once the router's side of the subnet answers over both families.
        for dest in [SubnetLab::GATEWAY, SubnetLab::GATEWAY6] {
            for _ in 0..20 {
                let (code, _, _) = lab.netkit(&["ping", "-q", "-c", "1", "-W", "250ms", dest]);
                if code == 0 {
                    break;
                }
            }
        }
        Some(lab)
    }

    /// The bridge in the client (direct) or router, and the three hosts on it.
    fn build(tag: &str, client: Netns, router: Option<Netns>) -> Option<SubnetLab> {
        if Command::new("python3").arg("--version").output().is_err() {
            super::skip("the lab's open port needs python3");
            return None;
        }
        let mut hosts = Vec::new();
        for (i, name) in ["open", "fw", "closed"].iter().enumerate() {
            let ns = Netns::create(&format!("{tag}-{name}"))?;
            ns.ip("link set lo up");
            no_dad(&ns);
            hosts.push((i, ns));
        }
        let hub = router.as_ref().unwrap_or(&client);
        hub.ip("link add br0 type bridge");
        hub.ip("addr add 10.209.2.1/24 dev br0");
        hub.ip("addr add fd00:209:2::1/120 dev br0 nodad");
        hub.ip("link set br0 up");
        let addresses = [SubnetLab::OPEN, SubnetLab::FIREWALLED, SubnetLab::CLOSED];
        let addresses6 = [SubnetLab::OPEN6, SubnetLab::FIREWALLED6, SubnetLab::CLOSED6];
        for (i, ns) in &hosts {
            hub.ip(&format!(
                "link add h{i} type veth peer name eth0 netns {}",
                ns.name
            ));
            hub.ip(&format!("link set h{i} master br0"));
            hub.ip(&format!("link set h{i} up"));
            ns.ip(&format!("addr add {}/24 dev eth0", addresses[*i]));
            ns.ip(&format!("addr add {}/120 dev eth0 nodad", addresses6[*i]));
            ns.ip("link set eth0 up");
            ns.ip("route add default via 10.209.2.1");
            ns.ip("-6 route add default via fd00:209:2::1");
        }
        let hosts: Vec<Netns> = hosts.into_iter().map(|(_, ns)| ns).collect();
        let mut lab = SubnetLab {
            servers: Vec::new(),
            client,
            router,
            hosts,
        };
        nft_in(
            &lab.hosts[1],
            "table inet wall {\n\
             chain in { type filter hook input priority 0; policy drop;\n\
             icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept; }\n\
             chain out { type filter hook output priority 0; policy drop;\n\
             icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept; }\n\
             }\n",
        )?;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/scan_target.py");
        let port = SubnetLab::OPEN_PORT.to_string();
        let server = lab.hosts[0].python(&[script, "--tcp", &port]);
        lab.servers.push(server);
        Some(lab)
    }

    /// The IPv6 addresses discovery must find up, as `up_hosts`.
    pub fn up_hosts6(&self) -> Vec<&'static str> {
        if self.router.is_some() {
            vec![SubnetLab::GATEWAY6, SubnetLab::OPEN6, SubnetLab::CLOSED6]
        } else {
            vec![
                SubnetLab::GATEWAY6,
                SubnetLab::OPEN6,
                SubnetLab::FIREWALLED6,
                SubnetLab::CLOSED6,
            ]
        }
    }

    /// Runs netkit in the client: (exit code, stdout, stderr).
    pub fn netkit(&self, args: &[&str]) -> (i32, String, String) {
        self.client.netkit(args)
    }

    /// Runs netkit in the client with at most 64 open descriptors (`ulimit -n 64`): (exit
    /// code, stdout, stderr).
    pub fn netkit_with_64_fds(&self, args: &str) -> (i32, String, String) {
        let bin = assert_cmd::cargo::cargo_bin("netkit");
        let script = format!("ulimit -n 64; exec {} {args}", bin.display());
        let out = self.client.exec("sh", &["-c", &script]);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The addresses discovery must find up, in address order: on the link every host (the
    /// firewalled one answers ARP) and the client's own `.1`; behind the router the router's
    /// `.1` and the hosts that answer anything (the firewalled one answers nothing routed).
    pub fn up_hosts(&self) -> Vec<&'static str> {
        if self.router.is_some() {
            vec![SubnetLab::GATEWAY, SubnetLab::OPEN, SubnetLab::CLOSED]
        } else {
            vec![
                SubnetLab::GATEWAY,
                SubnetLab::OPEN,
                SubnetLab::FIREWALLED,
                SubnetLab::CLOSED,
            ]
        }
    }
}
