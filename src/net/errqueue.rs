//! A socket's error queue (Linux: IP_RECVERR, IPV6_RECVERR): the ICMP errors the kernel
//! keeps for what the socket sent, each with the router or host that sent it. How ping's
//! datagram socket sees unreachables, and how trace sees the routers on the way (tracepath's
//! method), unprivileged.

use std::io;
use std::net::IpAddr;

use crate::packet::icmp::IcmpError;

/// One ICMP error from the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Who sent the error (the router, or the destination).
    pub from: Option<IpAddr>,
    /// Where the datagram it is about was going.
    pub to: IpAddr,
    pub error: IcmpError,
    /// The start of that datagram's payload, as sent.
    pub original: Vec<u8>,
}

/// Asks the kernel to queue the ICMP errors about what `socket` sends.
pub fn enable(socket: &impl std::os::fd::AsFd, v6: bool) -> io::Result<()> {
    platform::enable(socket, v6)
}

/// The next ICMP error on the queue of `fd` (nonblocking: WouldBlock when there is none);
/// `Ok(None)` for a queued error that is not an ICMP one (a local error).
pub fn read(fd: i32, v6: bool) -> io::Result<Option<Queued>> {
    platform::read(fd, v6)
}

// Linux
#[cfg(target_os = "linux")]
mod platform {
    use std::io::{self, IoSliceMut};
    use std::net::IpAddr;

    use nix::libc;
    use nix::sys::socket::{
        ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg, setsockopt, sockopt,
    };

    use super::Queued;
    use crate::packet::icmp::IcmpError;

    pub fn enable(socket: &impl std::os::fd::AsFd, v6: bool) -> io::Result<()> {
        if v6 {
            setsockopt(socket, sockopt::Ipv6RecvErr, &true)?;
        } else {
            setsockopt(socket, sockopt::Ipv4RecvErr, &true)?;
        }
        Ok(())
    }

    pub fn read(fd: i32, v6: bool) -> io::Result<Option<Queued>> {
        let mut original = [0u8; 2048];
        let mut iov = [IoSliceMut::new(&mut original)];
        // The error, and the TTL or hop limit it arrived with where that was asked for.
        let mut space = nix::cmsg_space!(libc::c_int, libc::sock_extended_err, libc::sockaddr_in6);
        let msg =
            recvmsg::<SockaddrStorage>(fd, &mut iov, Some(&mut space), MsgFlags::MSG_ERRQUEUE)?;
        // The name of an error-queue message is where the original datagram went.
        let to = msg.address.as_ref().and_then(crate::net::ip_of);
        let mut found = None;
        for cmsg in msg.cmsgs()? {
            let (err, from) = match cmsg {
                ControlMessageOwned::Ipv4RecvErr(err, offender) => (
                    err,
                    offender.map(|a| IpAddr::V4(u32::from_be(a.sin_addr.s_addr).into())),
                ),
                ControlMessageOwned::Ipv6RecvErr(err, offender) => (
                    err,
                    offender.map(|a| IpAddr::V6(a.sin6_addr.s6_addr.into())),
                ),
                _ => continue,
            };
            let icmp_origin = if v6 {
                libc::SO_EE_ORIGIN_ICMP6
            } else {
                libc::SO_EE_ORIGIN_ICMP
            };
            if err.ee_origin != icmp_origin {
                continue;
            }
            found = IcmpError::from_type(v6, err.ee_type, err.ee_code).map(|e| (e, from));
        }
        let size = msg.bytes.min(original.len());
        let (Some((error, from)), Some(to)) = (found, to) else {
            return Ok(None);
        };
        Ok(Some(Queued {
            from,
            to,
            error,
            original: original[..size].to_vec(),
        }))
    }
}

// Elsewhere: no error queue.
#[cfg(not(target_os = "linux"))]
mod platform {
    use std::io;

    use super::Queued;

    pub fn enable(_: &impl std::os::fd::AsFd, _: bool) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }

    pub fn read(_: i32, _: bool) -> io::Result<Option<Queued>> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}
