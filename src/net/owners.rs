//! Who holds a port on this machine: the listening TCP and bound UDP sockets, from the
//! kernel's socket tables (/proc/net/{tcp,udp}{,6}, read with procfs) joined to the processes
//! whose descriptors hold them, in this process's network namespace. Linux only; elsewhere
//! nothing is known, and nothing is guessed.

use std::net::SocketAddr;

use crate::error::Error;
use crate::ports::{Holder, Protocol};

/// The sockets holding `port` (every port when None) for `protocol` (both when None): TCP
/// sockets that listen, UDP sockets that are bound. Sorted by protocol, port and address.
pub fn holders(protocol: Option<Protocol>, port: Option<u16>) -> Vec<Holder> {
    let mut found = platform::sockets(protocol, port);
    found.sort_by_key(|(h, _)| (h.protocol, h.address.port(), h.address.ip()));
    if found.is_empty() {
        return Vec::new();
    }
    let owners = platform::owners();
    let privileged = crate::net::privileged();
    found
        .into_iter()
        .map(|(mut h, inode)| {
            h.privileged = privileged;
            if let Some((pid, program)) = owners.get(&inode) {
                h.pid = Some(*pid);
                h.program = Some(program.clone());
            }
            h
        })
        .collect()
}

/// How many connections wait in the accept queue of the TCP listener on `local`, where the
/// kernel says (Linux: the rx_queue of a LISTEN socket is its queue length).
pub fn accept_queue(local: SocketAddr) -> Option<u32> {
    platform::accept_queue(local)
}

/// A failed bind, with who holds the port when it is in use (looked up here, in the system's
/// socket tables, so the error type itself reads nothing).
pub fn bind_error(protocol: Protocol, address: SocketAddr, source: std::io::Error) -> Error {
    let held_by = (source.kind() == std::io::ErrorKind::AddrInUse)
        .then(|| held_by(protocol, address.port()))
        .flatten();
    Error::Bind {
        protocol,
        address,
        source,
        held_by,
    }
}

/// Who holds `port`, as a bind error says it: "python3 (pid 4242)", several joined by "and".
pub fn held_by(protocol: Protocol, port: u16) -> Option<String> {
    let mut who: Vec<String> = holders(Some(protocol), Some(port))
        .iter()
        .map(Holder::who)
        .collect();
    who.dedup();
    (!who.is_empty()).then(|| who.join(" and "))
}

// Linux
#[cfg(target_os = "linux")]
mod platform {
    use std::collections::HashMap;
    use std::net::SocketAddr;

    use procfs::net::TcpState;

    use super::Holder;
    use crate::ports::Protocol;

    /// (the socket, its inode) for every listening TCP and bound UDP socket that matches.
    pub fn sockets(protocol: Option<Protocol>, port: Option<u16>) -> Vec<(Holder, u64)> {
        let wanted = |p: Protocol, at: &SocketAddr| {
            protocol.is_none_or(|w| w == p) && port.is_none_or(|w| w == at.port()) && at.port() != 0
        };
        let holder = |protocol, address| Holder {
            protocol,
            address,
            pid: None,
            program: None,
            privileged: false,
        };
        let mut found = Vec::new();
        for table in [procfs::net::tcp(), procfs::net::tcp6()]
            .into_iter()
            .flatten()
        {
            found.extend(
                table
                    .into_iter()
                    .filter(|e| {
                        e.state == TcpState::Listen && wanted(Protocol::Tcp, &e.local_address)
                    })
                    .map(|e| (holder(Protocol::Tcp, e.local_address), e.inode)),
            );
        }
        for table in [procfs::net::udp(), procfs::net::udp6()]
            .into_iter()
            .flatten()
        {
            found.extend(
                table
                    .into_iter()
                    .filter(|e| wanted(Protocol::Udp, &e.local_address))
                    .map(|e| (holder(Protocol::Udp, e.local_address), e.inode)),
            );
        }
        found
    }

    /// Socket inode -> (pid, program) for every process whose descriptors this user may read.
    pub fn owners() -> HashMap<u64, (i32, String)> {
        let mut owners = HashMap::new();
        let Ok(processes) = procfs::process::all_processes() else {
            return owners;
        };
        for process in processes.flatten() {
            let Ok(fds) = process.fd() else { continue };
            let program = process.stat().map(|s| s.comm).unwrap_or_default();
            for fd in fds.flatten() {
                if let procfs::process::FDTarget::Socket(inode) = fd.target {
                    owners
                        .entry(inode)
                        .or_insert((process.pid(), program.clone()));
                }
            }
        }
        owners
    }

    pub fn accept_queue(local: SocketAddr) -> Option<u32> {
        let table = if local.is_ipv6() {
            procfs::net::tcp6()
        } else {
            procfs::net::tcp()
        };
        table
            .ok()?
            .into_iter()
            .find(|e| e.state == TcpState::Listen && e.local_address == local)
            .map(|e| e.rx_queue)
    }
}

// Elsewhere: not known.
#[cfg(not(target_os = "linux"))]
mod platform {
    use std::collections::HashMap;
    use std::net::SocketAddr;

    use super::Holder;
    use crate::ports::Protocol;

    pub fn sockets(_: Option<Protocol>, _: Option<u16>) -> Vec<(Holder, u64)> {
        Vec::new()
    }

    pub fn owners() -> HashMap<u64, (i32, String)> {
        HashMap::new()
    }

    pub fn accept_queue(_: SocketAddr) -> Option<u32> {
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_listener_of_this_process_is_found_with_its_pid() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let at = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let found = holders(Some(Protocol::Tcp), Some(at.port()));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].address, at);
        assert_eq!(found[0].pid, Some(std::process::id() as i32));
        assert!(
            held_by(Protocol::Tcp, at.port())
                .is_some_and(|w| w.contains(&format!("(pid {})", std::process::id())))
        );
        assert_eq!(accept_queue(at), Some(0));
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = udp.local_addr().map(|a| a.port()).unwrap_or_default();
        assert_eq!(holders(Some(Protocol::Udp), Some(port)).len(), 1);
    }
}
