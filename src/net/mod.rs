//! The shared network leaf: what several commands ask of the operating system, written once.
//! Name resolution, the meaning of socket errors, this machine's interfaces, the services
//! database file, privilege and descriptor limits, and the async runtime of the socket
//! commands. Commands call in here; they never call each other. `#[cfg]` stays in here.

pub mod arp;
pub mod capture;
pub mod clock;
pub mod connect;
pub mod diag;
pub mod discover;
pub mod errno;
pub mod errqueue;
pub mod icmp;
pub mod interfaces;
pub mod ndp;
pub mod owners;
pub mod pktinfo;
pub mod probe;
pub mod resolve;
pub mod services;
pub mod stamp;
pub mod stop;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use crate::error::Error;

/// How many threads a command's runtime may use: one per core the system gives this process,
/// at most `most` (the command knows where more stops helping).
pub fn cores(most: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, most.max(1))
}

/// A tokio runtime for a command with sockets: one thread, or `workers` threads.
pub fn runtime(workers: usize) -> Result<tokio::runtime::Runtime, Error> {
    let mut builder = if workers > 1 {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(workers);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder
        .enable_all()
        .build()
        .map_err(|source| Error::Kernel {
            what: "start the async runtime",
            source,
        })
}

/// A socket opened nonblocking (and close-on-exec). Linux takes the flag in the one
/// socket() call; elsewhere it is set after, which costs a call more. A scan opens a socket
/// per port, so the calls count.
pub fn nonblocking_socket(
    domain: socket2::Domain,
    ty: socket2::Type,
    protocol: Option<socket2::Protocol>,
) -> std::io::Result<socket2::Socket> {
    // Linux
    #[cfg(target_os = "linux")]
    {
        socket2::Socket::new(domain, ty.nonblocking(), protocol)
    }
    // Elsewhere
    #[cfg(not(target_os = "linux"))]
    {
        let socket = socket2::Socket::new(domain, ty, protocol)?;
        socket.set_nonblocking(true)?;
        Ok(socket)
    }
}

/// Asks for a receive buffer of `bytes`, best effort: root may go past net.core.rmem_max
/// (Linux); anyone else gets what the system allows.
pub fn grow_receive_buffer(socket: &socket2::Socket, bytes: usize) {
    // Linux
    #[cfg(target_os = "linux")]
    if nix::sys::socket::setsockopt(socket, nix::sys::socket::sockopt::RcvBufForce, &bytes).is_ok()
    {
        return;
    }
    let _ = socket.set_recv_buffer_size(bytes);
}

/// Whether `raw_ipv4_tcp_only_to` filters on this system.
pub fn sorts_raw_ipv4_tcp() -> bool {
    cfg!(target_os = "linux")
}

/// Lets a raw IPv4 TCP socket queue only the segments sent to `port`: a classic BPF filter
/// on the destination port, past the IP header a raw IPv4 socket hands over. A raw socket
/// otherwise reads every TCP segment the machine receives, and on loopback that includes
/// the scan's own SYNs, one read per port more. Elsewhere nothing is filtered (the reader
/// still drops what is not for it).
pub fn raw_ipv4_tcp_only_to(socket: &impl std::os::fd::AsFd, port: u16) -> std::io::Result<()> {
    // Linux
    #[cfg(target_os = "linux")]
    {
        use socket2::SockFilter;
        // linux/filter.h: BPF_LDX|BPF_B|BPF_MSH, BPF_LD|BPF_H|BPF_IND, BPF_JMP|BPF_JEQ|BPF_K,
        // BPF_RET|BPF_K.
        let program = [
            SockFilter::new(0xb1, 0, 0, 0), // x = the IP header's length
            SockFilter::new(0x48, 0, 0, 2), // a = the TCP destination port
            SockFilter::new(0x15, 0, 1, u32::from(port)),
            SockFilter::new(0x06, 0, 0, 0x0004_0000), // keep the packet
            SockFilter::new(0x06, 0, 0, 0),           // drop it
        ];
        socket2::SockRef::from(socket).attach_filter(&program)
    }
    // Elsewhere
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (socket, port);
        Ok(())
    }
}

/// Why a small system file was not read.
#[derive(Debug)]
pub enum FileRefusal {
    Read(std::io::Error),
    /// A directory, a FIFO, a device: not a file to read.
    NotAFile,
    /// Longer than the limit.
    TooLarge,
}

/// The bytes of a regular file of at most `limit` bytes (the services database,
/// resolv.conf). Checked before opening, since opening a FIFO waits for a writer; the read
/// stops just past the limit.
pub fn read_small_file(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, FileRefusal> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(FileRefusal::Read)?;
    if !meta.is_file() {
        return Err(FileRefusal::NotAFile);
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(FileRefusal::Read)?;
    if bytes.len() as u64 > limit {
        return Err(FileRefusal::TooLarge);
    }
    Ok(bytes)
}

/// The wildcard address of `to`'s family, port 0: what a client socket binds.
pub fn any_of_family(to: IpAddr) -> SocketAddr {
    match to {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    }
}

/// The local address the kernel would send from to reach `to` (a routing lookup by a
/// connected UDP socket; nothing is sent).
pub fn source_for(to: IpAddr) -> std::io::Result<IpAddr> {
    let socket = UdpSocket::bind(any_of_family(to))?;
    socket.connect((to, 9))?;
    Ok(socket.local_addr()?.ip())
}

/// The index of the interface called `name`, if there is one (for a `%zone`).
pub fn interface_index(name: &str) -> Option<u32> {
    // Unix
    #[cfg(unix)]
    {
        nix::net::if_::if_nametoindex(name).ok()
    }
    // Elsewhere: only numeric zones.
    #[cfg(not(unix))]
    {
        let _ = name;
        None
    }
}

/// The first and last port this machine's kernel chooses from when a socket binds port 0 or
/// connects unbound: net.ipv4.ip_local_port_range on Linux (it serves IPv6 too; each network
/// namespace has its own). None where it is not to be read.
pub fn local_port_range() -> Option<(u16, u16)> {
    // Linux
    #[cfg(target_os = "linux")]
    {
        let path = std::path::Path::new("/proc/sys/net/ipv4/ip_local_port_range");
        let bytes = read_small_file(path, 64).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        // Two numbers with a tab between: "32768\t60999\n".
        let mut numbers = text.split_whitespace().map(str::parse::<u16>);
        let (first, last) = (numbers.next()?.ok()?, numbers.next()?.ok()?);
        (first <= last).then_some((first, last))
    }
    // Elsewhere: the range is the system's own, and not read here.
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Why netkit cannot write to `path` as a file, if it cannot: a directory, or something
/// that is not a regular file (a FIFO would hold netkit until some reader opened it, and a
/// device or a socket is no place to keep what it writes). `None` for a regular file or a
/// path with nothing there yet.
pub fn not_a_file(path: &std::path::Path) -> Option<&'static str> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        Some("it is a directory")
    } else if !meta.is_file() {
        Some("it is not a regular file (a FIFO, a device or a socket)")
    } else {
        None
    }
}

/// Runs netkit's binary `name` (beside this one) with this process's arguments in its place:
/// on Unix it replaces this process (exec), so only a failure returns, as the error to show.
pub fn run_sibling(name: &str) -> Error {
    let path = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(name),
        Err(source) => {
            return Error::Sibling {
                name: name.to_string(),
                place: "netkit's own folder".into(),
                source,
            };
        }
    };
    let place = path
        .parent()
        .map_or_else(|| ".".into(), |p| p.display().to_string());
    let mut command = std::process::Command::new(&path);
    command.args(std::env::args_os().skip(1));
    // Unix
    #[cfg(unix)]
    let source = {
        use std::os::unix::process::CommandExt;
        command.exec()
    };
    // Elsewhere
    #[cfg(not(unix))]
    let source = match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(2)),
        Err(e) => e,
    };
    Error::Sibling {
        name: name.to_string(),
        place,
        source,
    }
}

/// Whether this process runs as root (effective uid 0): raw sockets, short ping intervals.
pub fn privileged() -> bool {
    // Unix
    #[cfg(unix)]
    {
        nix::unistd::geteuid().is_root()
    }
    // Elsewhere: unknown, so the conservative answer.
    #[cfg(not(unix))]
    {
        false
    }
}

/// Raises the soft file-descriptor limit to the hard one and says how many descriptors the
/// process may hold, less `reserve` kept for everything that is not a probe.
pub fn descriptor_budget(reserve: u64) -> u64 {
    // Unix
    #[cfg(unix)]
    {
        use nix::sys::resource::{Resource, getrlimit, setrlimit};
        if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
            let soft = if setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
                hard
            } else {
                soft
            };
            return soft.saturating_sub(reserve).max(1);
        }
        256
    }
    // Elsewhere: a conservative guess.
    #[cfg(not(unix))]
    {
        let _ = reserve;
        256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cores_are_bounded() {
        assert_eq!(cores(1), 1);
        assert_eq!(cores(0), 1);
        assert!((1..=64).contains(&cores(64)));
    }

    #[test]
    fn sockets_open_nonblocking() {
        let socket = nonblocking_socket(socket2::Domain::IPV4, socket2::Type::STREAM, None);
        assert!(socket.is_ok_and(|s| s.nonblocking().unwrap_or(false)));
    }

    #[test]
    fn the_local_port_range_is_read_where_there_is_one() {
        let range = local_port_range();
        // Linux
        #[cfg(target_os = "linux")]
        assert!(
            range.is_some_and(|(first, last)| first > 0 && first <= last),
            "{range:?}"
        );
        // Elsewhere
        #[cfg(not(target_os = "linux"))]
        assert_eq!(range, None);
    }

    #[test]
    fn loopback_is_reached_from_loopback() {
        let from = source_for(IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert!(from.is_ok_and(|a| a.is_loopback()));
        assert_eq!(
            any_of_family(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0))
        );
    }
}
