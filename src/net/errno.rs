//! The OS errors netkit acts on, named once (nix::errno on Unix, io::ErrorKind elsewhere):
//! which mean "this machine is busy, try again", which report an ICMP error that came back
//! for a socket, and which say the system lacks an address family.

use std::io;

use crate::packet::icmp::Reason;

/// The machine is out of something a probe needs for a moment (descriptors, local ports,
/// buffers): wait and try the same probe again, never report it as the target's answer.
pub fn is_busy(e: &io::Error) -> bool {
    is_out_of_descriptors(e) || platform::is_busy(e)
}

/// The process or the system has no file descriptor left (EMFILE, ENFILE).
pub fn is_out_of_descriptors(e: &io::Error) -> bool {
    platform::is_out_of_descriptors(e)
}

/// A nonblocking connect has started and not finished yet (EINPROGRESS).
pub fn is_in_progress(e: &io::Error) -> bool {
    platform::is_in_progress(e)
}

/// A local firewall rule refused to let the packet out (netfilter's EPERM): nothing was
/// sent.
pub fn is_firewall_refusal(e: &io::Error) -> bool {
    platform::is_firewall_refusal(e)
}

/// A datagram to a broadcast address without SO_BROADCAST (EACCES): nothing was sent. (A
/// connect's EACCES can also be a router's "administratively prohibited".)
pub fn is_broadcast_refusal(e: &io::Error) -> bool {
    platform::is_broadcast_refusal(e)
}

/// The system has no such address family (IPv6 switched off: EAFNOSUPPORT), or no
/// address of it to bind.
pub fn is_family_missing(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::AddrNotAvailable | io::ErrorKind::Unsupported
    ) || platform::is_family_unsupported(e)
}

/// The ICMP error a socket error stands for: the kernel hands an unreachable back to a
/// connected socket as an errno (Linux: icmp_err_convert). A refused connection (port
/// unreachable for UDP, a reset for TCP) is ConnectionRefused, which callers read first.
pub fn unreachable(e: &io::Error) -> Option<Reason> {
    match e.kind() {
        io::ErrorKind::HostUnreachable => return Some(Reason::HostUnreach),
        io::ErrorKind::NetworkUnreachable => return Some(Reason::NetUnreach),
        // A local firewall's verdict (EPERM from netfilter, EACCES).
        io::ErrorKind::PermissionDenied => return Some(Reason::AdminProhibited),
        _ => {}
    }
    platform::unreachable(e)
}

/// The --reason word for an error that ended a probe: the unreachable it stands for, or
/// "error" for anything else.
pub fn reason_word(e: &io::Error) -> &'static str {
    unreachable(e).map_or("error", Reason::word)
}

// Unix
#[cfg(unix)]
mod platform {
    use std::io;

    use nix::errno::Errno;

    use crate::packet::icmp::Reason;

    fn errno(e: &io::Error) -> Option<Errno> {
        e.raw_os_error().map(Errno::from_raw)
    }

    pub fn is_busy(e: &io::Error) -> bool {
        matches!(errno(e), Some(Errno::EADDRNOTAVAIL | Errno::ENOBUFS))
    }

    pub fn is_out_of_descriptors(e: &io::Error) -> bool {
        matches!(errno(e), Some(Errno::EMFILE | Errno::ENFILE))
    }

    pub fn is_in_progress(e: &io::Error) -> bool {
        errno(e) == Some(Errno::EINPROGRESS)
    }

    pub fn is_family_unsupported(e: &io::Error) -> bool {
        errno(e) == Some(Errno::EAFNOSUPPORT)
    }

    pub fn is_firewall_refusal(e: &io::Error) -> bool {
        errno(e) == Some(Errno::EPERM)
    }

    pub fn is_broadcast_refusal(e: &io::Error) -> bool {
        errno(e) == Some(Errno::EACCES)
    }

    pub fn unreachable(e: &io::Error) -> Option<Reason> {
        match errno(e)? {
            Errno::ENOPROTOOPT => Some(Reason::ProtoUnreach),
            Errno::EHOSTDOWN => Some(Reason::HostUnreach),
            _ => None,
        }
    }
}

// Elsewhere: what io::ErrorKind says.
#[cfg(not(unix))]
mod platform {
    use std::io;

    use crate::packet::icmp::Reason;

    pub fn is_busy(e: &io::Error) -> bool {
        e.kind() == io::ErrorKind::AddrNotAvailable
    }

    pub fn is_out_of_descriptors(_: &io::Error) -> bool {
        false
    }

    pub fn is_in_progress(e: &io::Error) -> bool {
        e.kind() == io::ErrorKind::WouldBlock
    }

    pub fn is_family_unsupported(_: &io::Error) -> bool {
        false
    }

    pub fn is_firewall_refusal(e: &io::Error) -> bool {
        e.kind() == io::ErrorKind::PermissionDenied
    }

    pub fn is_broadcast_refusal(_: &io::Error) -> bool {
        false
    }

    pub fn unreachable(_: &io::Error) -> Option<Reason> {
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use nix::errno::Errno;

    fn os(errno: Errno) -> io::Error {
        io::Error::from_raw_os_error(errno as i32)
    }

    #[test]
    fn busy_errors_are_retried_and_others_are_not() {
        for busy in [
            Errno::EMFILE,
            Errno::ENFILE,
            Errno::EADDRNOTAVAIL,
            Errno::ENOBUFS,
        ] {
            assert!(is_busy(&os(busy)), "{busy}");
        }
        for other in [Errno::ECONNREFUSED, Errno::EHOSTUNREACH, Errno::EINVAL] {
            assert!(!is_busy(&os(other)), "{other}");
        }
        assert!(is_out_of_descriptors(&os(Errno::EMFILE)));
        assert!(!is_out_of_descriptors(&os(Errno::ENOBUFS)));
        assert!(is_in_progress(&os(Errno::EINPROGRESS)));
        assert!(is_family_missing(&os(Errno::EAFNOSUPPORT)));
        assert!(is_family_missing(&os(Errno::EADDRNOTAVAIL)));
    }

    #[test]
    fn socket_errors_read_as_the_icmp_error_behind_them() {
        let cases = [
            (Errno::EHOSTUNREACH, "host-unreach"),
            (Errno::EHOSTDOWN, "host-unreach"),
            (Errno::ENETUNREACH, "net-unreach"),
            (Errno::ENOPROTOOPT, "proto-unreach"),
            (Errno::EACCES, "admin-prohibited"),
            (Errno::EPERM, "admin-prohibited"),
            (Errno::EINVAL, "error"),
        ];
        for (errno, word) in cases {
            assert_eq!(reason_word(&os(errno)), word, "{errno}");
        }
    }
}
