//! A socket's error queue (Linux: IP_RECVERR, IPV6_RECVERR): the ICMP errors the kernel
//! keeps for what the socket sent, each with the router or host that sent it and the kernel's
//! stamp of its arrival. How ping's datagram socket sees unreachables, and how trace sees the
//! routers on the way (tracepath's method), unprivileged.

use std::io;
use std::net::IpAddr;

use super::stamp::{self, Read, Stamp};
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
    /// When the error arrived (the kernel's stamp).
    pub time: Stamp,
}

/// Asks the kernel to queue the ICMP errors about what `socket` sends, stamped on arrival.
pub fn enable(socket: &impl std::os::fd::AsFd, v6: bool) -> io::Result<()> {
    platform::enable(socket, v6)?;
    stamp::enable(socket)
}

/// The next ICMP error on the queue of `fd` (nonblocking: WouldBlock when there is none);
/// `Ok(None)` for a queued error that is not an ICMP one (a local error).
pub fn read(fd: i32, v6: bool) -> io::Result<Option<Queued>> {
    let mut original = [0u8; 2048];
    let how = Read {
        error_queue: true,
        ..Read::default()
    };
    let got = stamp::recv(fd, &mut original, how)?;
    // The name of an error-queue message is where the original datagram went.
    let (Some(queued), Some(to)) = (got.error.filter(|e| e.icmp), got.address) else {
        return Ok(None);
    };
    let Some(error) = IcmpError::from_type(v6, queued.icmp_type, queued.icmp_code) else {
        return Ok(None);
    };
    Ok(Some(Queued {
        from: queued.offender,
        to: to.ip(),
        error,
        original: original[..got.bytes.min(original.len())].to_vec(),
        time: got.time,
    }))
}

// Linux
#[cfg(target_os = "linux")]
mod platform {
    use std::io;

    use nix::sys::socket::{setsockopt, sockopt};

    pub fn enable(socket: &impl std::os::fd::AsFd, v6: bool) -> io::Result<()> {
        if v6 {
            setsockopt(socket, sockopt::Ipv6RecvErr, &true)?;
        } else {
            setsockopt(socket, sockopt::Ipv4RecvErr, &true)?;
        }
        Ok(())
    }
}

// Elsewhere: no error queue.
#[cfg(not(target_os = "linux"))]
mod platform {
    use std::io;

    pub fn enable(_: &impl std::os::fd::AsFd, _: bool) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}
