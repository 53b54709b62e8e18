//! The error type, the exit-code policy, and every hint a user is given: the wording of OS
//! errors, and what to do about a refused bind, a missing privilege or a flood-sized interval.
//! The hints are pure functions with a test per case, so no root is needed to test them.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use nix::errno::Errno;

use crate::ports::Protocol;

/// How a command ended when it did not fail outright. The policy (DESIGN.md): 0 success, 1 the
/// answer asked about is no (no reply), 2 bad input or environment, 130 interrupted where that is
/// not the normal end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked: exit 0.
    Success,
    /// It ran, and the answer the user asked about is no (no reply): exit 1.
    Negative,
    /// Cut short by Ctrl-C where that is not the normal end (a scan): exit 130.
    Interrupted,
    /// Some inputs were bad; the others were handled and the bad ones reported: exit 2.
    BadInput,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Outcome::Success => 0,
            Outcome::Negative => 1,
            Outcome::Interrupted => 130,
            Outcome::BadInput => 2,
        })
    }
}

/// Writing results failed (stdout closed, a full disk). Only the renderer makes one, so a
/// socket error elsewhere can never pass for it: a `?` on an io::Error does not convert.
#[derive(Debug, thiserror::Error)]
#[error("{}", io_reason(.0))]
pub struct WriteError(#[source] pub io::Error);

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> WriteError {
        WriteError(e)
    }
}

/// A privilege the system refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// An ICMP socket for ping, of either kind.
    IcmpSocket { v6: bool },
    /// The unprivileged datagram ICMP socket, asked for by name (--socket dgram) by a user
    /// who may open the raw kind (root): net.ipv4.ping_group_range leaves the group out.
    DgramIcmp { v6: bool },
    /// Raw sockets for a SYN scan.
    RawSyn,
    /// A packet capture (watch): CAP_NET_RAW.
    Capture,
    /// A ping interval below what an ordinary user may use.
    ShortInterval(Duration),
}

/// An error that ends a command. Each names what was being done and, where it can, what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writing results to stdout failed.
    #[error("cannot write output: {0}")]
    Output(#[from] WriteError),
    /// Reading an input file or stream failed.
    #[error("cannot read {what}: {}", io_reason(.source))]
    Read { what: String, source: io::Error },
    /// A path that must be a regular file is not one.
    #[error("{what}: not a regular file ({hint})")]
    NotAFile { what: String, hint: &'static str },
    /// An input is larger than netkit reads.
    #[error("{what} is larger than {} MiB, the most netkit reads", limit >> 20)]
    TooLarge { what: String, limit: u64 },
    /// The kernel (or the platform's interface API) did not answer: a socket, a runtime, a
    /// netlink dump; never a file, so never the file hint.
    #[error("cannot {what}: {}", socket_reason(.source))]
    Kernel {
        what: &'static str,
        source: io::Error,
    },
    /// A socket could not be bound; the text says why, who holds the port where the system
    /// says, and what to do.
    #[error("{}", bind_reason(*protocol, *address, source, held_by.as_deref()))]
    Bind {
        protocol: Protocol,
        address: SocketAddr,
        source: io::Error,
        held_by: Option<String>,
    },
    /// Port 0 was asked for and no number was free on every address and protocol.
    #[error(
        "no port number was free on every address and protocol asked for (tried {tries}; give a port)"
    )]
    NoFreePort { tries: usize },
    /// A connection was refused or failed, or a datagram could not be sent.
    #[error("cannot reach {what}: {}", socket_reason(.source))]
    Connect { what: String, source: io::Error },
    /// A UDP datagram drew an ICMP port unreachable: no program has the port, or a firewall
    /// rule rejects the datagram with that answer (nft's `reject`, on the host or the way).
    #[error(
        "nothing listens on UDP port {} of {}, or a firewall rejects it (port unreachable)",
        .to.port(),
        .to.ip()
    )]
    PortUnreachable { to: SocketAddr },
    /// A name did not resolve to an address.
    #[error("cannot resolve {name}: {reason}")]
    Resolve { name: String, reason: String },
    /// The system refused a privileged operation; the text says how to allow it.
    #[error("{}", privilege_hint(*.0))]
    Permission(Privilege),
    /// An option's value that can only be checked once the command runs (a port spec needs
    /// the services database).
    #[error("{option} {value}: {reason}")]
    BadValue {
        option: &'static str,
        value: String,
        reason: String,
    },
    /// A network plan that cannot be made; the text says why.
    #[error("{0}")]
    Plan(#[from] crate::addr::plan::PlanError),
    /// An interface named on the command line does not exist.
    #[error("no interface named {name} (have: {have})")]
    NoInterface { name: String, have: String },
    /// netkit's second binary (the one that links libpcap, for watch) could not be run.
    #[error(
        "cannot run {name}, the part of netkit that captures packets (looked for it in {place}): {}; \
         `cargo install --path .` installs it beside netkit (a static build leaves it out: it links libpcap)",
        plain(.source)
    )]
    Sibling {
        name: String,
        place: String,
        source: io::Error,
    },
    /// Writing a generated file failed.
    #[error("cannot write {what}: {}", io_reason(.source))]
    Write { what: String, source: io::Error },
}

impl Error {
    /// Every error is exit 2: bad input, bad usage, or an environment problem.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(2)
    }

    /// A closed stdout (`netkit ... | head`) is the reader's choice, not a failure: exit 0 quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(WriteError(e)) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Why a bind failed, and what to do about it.
pub fn bind_reason(
    protocol: Protocol,
    address: SocketAddr,
    e: &io::Error,
    held_by: Option<&str>,
) -> String {
    let protocol = protocol.upper();
    let port = address.port();
    match e.kind() {
        io::ErrorKind::AddrInUse if held_by.is_some() => format!(
            "{protocol} port {port} is already in use by {}; stop it or choose another port (0 lets the OS choose)",
            held_by.unwrap_or_default()
        ),
        io::ErrorKind::AddrInUse => format!(
            "{protocol} port {port} is already in use (another program listens there: stop it, pick another port, or use 0 to let the OS choose)"
        ),
        io::ErrorKind::PermissionDenied if port < 1024 => format!(
            "cannot bind {protocol} {address}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; try a port ≥ 1024)"
        ),
        io::ErrorKind::AddrNotAvailable => format!(
            "cannot bind {protocol} {address}: no interface of this machine has that address (pick one `netkit ifaces` lists, or leave out --bind to listen on all)"
        ),
        _ => format!("cannot bind {protocol} {address}: {}", io_reason(e)),
    }
}

/// What to do when a privilege is refused: every fix, and the way around it.
pub fn privilege_hint(refused: Privilege) -> String {
    match refused {
        Privilege::IcmpSocket { v6 } => {
            let family = if v6 { "ICMPv6" } else { "ICMP" };
            format!(
                "cannot open an {family} socket: permission denied (allow unprivileged ping with \
                 `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`, or give netkit raw sockets with \
                 `setcap cap_net_raw+ep $(command -v netkit)` or run it as root; or use --tcp PORT, which \
                 needs no privilege)"
            )
        }
        Privilege::DgramIcmp { v6 } => {
            let family = if v6 { "ICMPv6" } else { "ICMP" };
            format!(
                "cannot open an unprivileged {family} datagram socket (--socket dgram): \
                 net.ipv4.ping_group_range leaves this user's group out; as root the raw socket \
                 is available: leave out --socket dgram (or use --socket raw), or allow datagram \
                 ICMP with `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`"
            )
        }
        Privilege::RawSyn => "cannot open a raw socket for --syn: permission denied (a SYN scan \
             needs root or CAP_NET_RAW: run it with sudo, or `setcap cap_net_raw+ep $(command -v \
             netkit)`; or leave out --syn for a connect scan, which needs no privilege)"
            .to_string(),
        Privilege::Capture => "cannot capture packets: permission denied (watching the wire \
             needs root or CAP_NET_RAW: run it with sudo, or give the capturing binary the \
             capability: `setcap cap_net_raw+ep $(command -v netkit-watch)`)"
            .to_string(),
        Privilege::ShortInterval(interval) => format!(
            "an interval of {:.3} s is below 0.2 s, which only root may use (it floods the network); run as root or use -i 0.2 or more",
            interval.as_secs_f64()
        ),
    }
}

/// The shortest ping interval an ordinary user may ask for (iputils' flood guard).
pub const MIN_USER_INTERVAL: Duration = Duration::from_millis(200);

/// Whether an interval is refused: below 0.2 s needs privilege, as in iputils.
pub fn interval_refusal(interval: Duration, privileged: bool) -> Option<Privilege> {
    (interval < MIN_USER_INTERVAL && !privileged).then_some(Privilege::ShortInterval(interval))
}

/// A file's OS error in plain words, plus the fix when known. For sockets, `socket_reason`.
pub fn io_reason(e: &io::Error) -> String {
    let plain = plain(e);
    match e.kind() {
        io::ErrorKind::NotFound => format!("{plain} (check the path)"),
        io::ErrorKind::PermissionDenied => {
            format!("{plain} (check the file's permissions, or run as a user who may read it)")
        }
        io::ErrorKind::IsADirectory => format!("{plain} (give a file, not a directory)"),
        _ => plain,
    }
}

/// A socket's OS error in plain words, plus the fix when known. Rust files EPERM and EACCES
/// both under PermissionDenied, but on a socket they mean different things, so the raw errno
/// decides: EPERM on a send is a local firewall rule or policy refusing the packet (netfilter
/// answers a dropped output packet with EPERM); EACCES on a UDP send or connect is a
/// broadcast address without SO_BROADCAST (ip4_datagram_connect, udp_sendmsg).
pub fn socket_reason(e: &io::Error) -> String {
    let plain = plain(e);
    match e.raw_os_error().map(Errno::from_raw) {
        Some(Errno::EPERM) => format!(
            "{plain} (a firewall rule or security policy of this machine refused it: see `nft list ruleset`)"
        ),
        Some(Errno::EACCES) => format!(
            "{plain} (sending to a broadcast address needs SO_BROADCAST: `netkit send --broadcast`)"
        ),
        _ => plain,
    }
}

/// A ping's send error in plain words: as `socket_reason`, except that EACCES is a broadcast
/// address, which ping does not ask (a subnet is swept instead).
pub fn ping_reason(e: &io::Error) -> String {
    match e.raw_os_error().map(Errno::from_raw) {
        Some(Errno::EACCES) => format!(
            "{}: a broadcast address, which the kernel does not let ping without SO_BROADCAST (to find a subnet's hosts, ping the subnet: `netkit ping 10.0.0.0/24`)",
            plain(e)
        ),
        _ => socket_reason(e),
    }
}

/// An OS error without Rust's "(os error N)" suffix, starting lower-case.
fn plain(e: &io::Error) -> String {
    let text = e.to_string();
    let plain = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    lowercase_first(plain)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_policy() {
        assert_eq!(Outcome::Success.exit_code(), ExitCode::from(0));
        assert_eq!(Outcome::Negative.exit_code(), ExitCode::from(1));
        assert_eq!(Outcome::Interrupted.exit_code(), ExitCode::from(130));
        assert_eq!(Outcome::BadInput.exit_code(), ExitCode::from(2));
        let e = Error::Output(WriteError(io::Error::other("x")));
        assert_eq!(e.exit_code(), ExitCode::from(2));
    }

    #[test]
    fn broken_pipe_is_recognised_only_on_output() {
        let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(Error::Output(WriteError(pipe())).is_broken_pipe());
        let read = Error::Read {
            what: "stdin".into(),
            source: pipe(),
        };
        assert!(!read.is_broken_pipe());
        let socket = Error::Connect {
            what: "TCP 127.0.0.1:9".into(),
            source: pipe(),
        };
        assert!(
            !socket.is_broken_pipe(),
            "a peer's closed socket is not a closed stdout"
        );
    }

    #[test]
    fn bind_failures_say_what_to_do() {
        let at = |s: &str| {
            s.parse()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
        };
        let in_use = bind_reason(
            Protocol::Tcp,
            at("0.0.0.0:7788"),
            &io::Error::from(io::ErrorKind::AddrInUse),
            None,
        );
        assert!(
            in_use.starts_with("TCP port 7788 is already in use"),
            "{in_use}"
        );
        let held = bind_reason(
            Protocol::Tcp,
            at("0.0.0.0:8080"),
            &io::Error::from(io::ErrorKind::AddrInUse),
            Some("python3 (pid 4242)"),
        );
        assert_eq!(
            held,
            "TCP port 8080 is already in use by python3 (pid 4242); stop it or choose another port (0 lets the OS choose)"
        );
        let denied = bind_reason(
            Protocol::Udp,
            at("0.0.0.0:80"),
            &io::Error::from(io::ErrorKind::PermissionDenied),
            None,
        );
        assert!(denied.contains("cannot bind UDP 0.0.0.0:80: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE"), "{denied}");
        let absent = bind_reason(
            Protocol::Tcp,
            at("10.9.9.9:9000"),
            &io::Error::from(io::ErrorKind::AddrNotAvailable),
            None,
        );
        assert!(
            absent.contains("no interface of this machine has that address"),
            "{absent}"
        );
    }

    #[test]
    fn the_ping_permission_hint_names_both_fixes_and_the_way_around() {
        for v6 in [false, true] {
            let hint = privilege_hint(Privilege::IcmpSocket { v6 });
            assert!(hint.contains("net.ipv4.ping_group_range"), "{hint}");
            assert!(hint.contains("setcap cap_net_raw+ep"), "{hint}");
            assert!(hint.contains("--tcp PORT"), "{hint}");
        }
        assert!(privilege_hint(Privilege::IcmpSocket { v6: true }).contains("ICMPv6"));
        // Root asked for the datagram kind: not "run it as root", but the raw kind it has.
        let hint = privilege_hint(Privilege::DgramIcmp { v6: false });
        assert!(!hint.contains("run it as root"), "{hint}");
        assert!(
            hint.contains("--socket raw") && hint.contains("ping_group_range"),
            "{hint}"
        );
    }

    #[test]
    fn the_syn_hint_names_sudo_setcap_and_the_connect_scan() {
        let hint = privilege_hint(Privilege::RawSyn);
        assert!(hint.starts_with("cannot open a raw socket for --syn: permission denied"));
        for fix in ["sudo", "setcap cap_net_raw+ep", "leave out --syn"] {
            assert!(hint.contains(fix), "{fix}: {hint}");
        }
    }

    #[test]
    fn short_intervals_need_privilege() {
        let short = Duration::from_millis(5);
        let refused = interval_refusal(short, false).map(privilege_hint);
        assert!(
            refused
                .is_some_and(|r| r.contains("0.005 s is below 0.2 s") && r.contains("run as root")),
        );
        assert!(interval_refusal(short, true).is_none());
        assert!(interval_refusal(MIN_USER_INTERVAL, false).is_none());
    }

    #[test]
    fn large_and_odd_inputs_are_named() {
        let big = Error::TooLarge {
            what: "services file /dev/zero".into(),
            limit: 16 << 20,
        };
        assert_eq!(
            big.to_string(),
            "services file /dev/zero is larger than 16 MiB, the most netkit reads"
        );
        let fifo = Error::NotAFile {
            what: "--file f".into(),
            hint: "save it first",
        };
        assert_eq!(
            fifo.to_string(),
            "--file f: not a regular file (save it first)"
        );
    }

    // The wording is glibc's strerror.
    #[cfg(target_os = "linux")]
    #[test]
    fn io_reasons_are_plain_and_say_what_to_do() {
        use nix::errno::Errno;
        let os = |e: Errno| io::Error::from_raw_os_error(e as i32);
        let cases = [
            (
                os(Errno::ENOENT),
                "no such file or directory (check the path)",
            ),
            (
                os(Errno::EACCES),
                "permission denied (check the file's permissions, or run as a user who may read it)",
            ),
            (
                os(Errno::EISDIR),
                "is a directory (give a file, not a directory)",
            ),
        ];
        for (err, want) in cases {
            assert_eq!(io_reason(&err), want, "{err:?}");
        }
    }

    // The wording is glibc's strerror.
    #[cfg(target_os = "linux")]
    #[test]
    fn socket_reasons_never_name_a_file() {
        let os = |e: Errno| io::Error::from_raw_os_error(e as i32);
        let cases = [
            (
                os(Errno::EPERM),
                "operation not permitted (a firewall rule or security policy of this machine refused it: see `nft list ruleset`)",
            ),
            (
                os(Errno::EACCES),
                "permission denied (sending to a broadcast address needs SO_BROADCAST: `netkit send --broadcast`)",
            ),
            (os(Errno::ECONNREFUSED), "connection refused"),
            (os(Errno::ENOENT), "no such file or directory"),
            (
                io::Error::from(io::ErrorKind::PermissionDenied),
                "permission denied",
            ),
        ];
        for (err, want) in cases {
            let got = socket_reason(&err);
            assert_eq!(got, want, "{err:?}");
            assert!(!got.contains("file's permissions"), "{err:?}: {got}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_ping_to_a_broadcast_address_says_so_and_names_the_sweep() {
        let eacces = io::Error::from_raw_os_error(Errno::EACCES as i32);
        let got = ping_reason(&eacces);
        assert!(
            got.starts_with("permission denied: a broadcast address")
                && got.contains("netkit ping 10.0.0.0/24"),
            "{got}"
        );
        let eperm = io::Error::from_raw_os_error(Errno::EPERM as i32);
        assert_eq!(ping_reason(&eperm), socket_reason(&eperm));
    }

    #[test]
    fn socket_errors_use_the_socket_reason() {
        let refused = io::Error::from_raw_os_error(Errno::EPERM as i32);
        let connect = Error::Connect {
            what: "UDP 127.0.0.1:9".into(),
            source: refused,
        };
        assert!(
            connect.to_string().starts_with(
                "cannot reach UDP 127.0.0.1:9: operation not permitted (a firewall rule"
            ),
            "{connect}"
        );
        let kernel = Error::Kernel {
            what: "open a raw socket",
            source: io::Error::from_raw_os_error(Errno::EACCES as i32),
        };
        assert!(
            !kernel.to_string().contains("file's permissions"),
            "{kernel}"
        );
        let read = Error::Read {
            what: "services file /etc/services".into(),
            source: io::Error::from_raw_os_error(Errno::EACCES as i32),
        };
        assert!(read.to_string().contains("file's permissions"), "{read}");
    }
}
