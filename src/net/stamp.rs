//! Time from the kernel: every RTT netkit prints is the kernel's receive stamp of the answer
//! (SO_TIMESTAMPNS, read as a control message) minus the send time read on the same clock
//! (CLOCK_REALTIME) just before the send, as iputils ping and traceroute measure. A time read
//! when a task wakes after the answer would add the runtime's wake-up, the other probes in
//! flight and the read itself (tens of µs on loopback, more under load). Where the kernel gives
//! no stamp (another system, a socket without the option) the time is read on arrival.
//!
//! `recv` is the one reader of datagrams with their control messages (stamp, TTL or hop limit,
//! a queued ICMP error): ICMP sockets, error queues and UDP replies all go through it, with a
//! control buffer sized for all of them at once (a cut buffer sets MSG_CTRUNC and loses them).

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A moment on the realtime clock, the clock of the kernel's receive stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp(Duration);

impl Stamp {
    /// Now, on the stamps' clock: read as late as possible before a send.
    pub fn now() -> Stamp {
        Stamp(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
        )
    }

    /// The time from `earlier` to this moment; zero if the clock was stepped back between them.
    pub fn saturating_duration_since(self, earlier: Stamp) -> Duration {
        self.0.saturating_sub(earlier.0)
    }

    /// This moment as the time since the Unix epoch (the wall clock: arrival times are shown
    /// in local time).
    pub fn since_epoch(self) -> Duration {
        self.0
    }

    /// The time from this moment to now.
    pub fn elapsed(self) -> Duration {
        Stamp::now().saturating_duration_since(self)
    }
}

impl std::ops::Add<Duration> for Stamp {
    type Output = Stamp;

    fn add(self, later: Duration) -> Stamp {
        Stamp(self.0.saturating_add(later))
    }
}

/// Asks the kernel to stamp every datagram (and every queued error) the socket receives.
/// Done when the socket is opened: a packet that arrived before stamping was on is stamped
/// when it is read, not when it came.
pub fn enable(socket: &impl std::os::fd::AsFd) -> io::Result<()> {
    platform::enable(socket)
}

/// What one `recv` read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// The datagram's size: with `Read::whole_size`, its real size even when the buffer was
    /// smaller (then `truncated`).
    pub bytes: usize,
    /// Whether the datagram was longer than the buffer.
    pub truncated: bool,
    /// The sender (an error-queue message: where the datagram it is about was going).
    pub address: Option<std::net::SocketAddr>,
    /// The TTL or hop limit it arrived with, where that was asked for.
    pub ttl: Option<u8>,
    /// When it arrived: the kernel's stamp, else when it was read.
    pub time: Stamp,
    /// An error from the error queue (MSG_ERRQUEUE reads only).
    pub error: Option<QueuedError>,
}

/// A queued error as the kernel gives it (struct sock_extended_err and its offender).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedError {
    /// Where it came from: an ICMP or ICMPv6 message, or a local error or stamp.
    pub icmp: bool,
    pub icmp_type: u8,
    pub icmp_code: u8,
    /// Who sent the ICMP message (a router, or the destination).
    pub offender: Option<std::net::IpAddr>,
}

/// How to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Read {
    /// From the error queue (never blocks: WouldBlock when it is empty).
    pub error_queue: bool,
    /// Say a datagram's real size when it is longer than the buffer (never on TCP, where
    /// MSG_TRUNC discards the data).
    pub whole_size: bool,
}

/// One datagram (or queued error) from `fd`, nonblocking, with its stamp, TTL and error.
pub fn recv(fd: i32, buf: &mut [u8], how: Read) -> io::Result<Received> {
    platform::recv(fd, buf, how)
}

// Linux
#[cfg(target_os = "linux")]
mod platform {
    use std::io::{self, IoSliceMut};
    use std::net::{IpAddr, SocketAddr};
    use std::time::Duration;

    use nix::libc;
    use nix::sys::socket::{
        ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg, setsockopt, sockopt,
    };
    use nix::sys::time::TimeSpec;

    use super::{QueuedError, Read, Received, Stamp};

    pub fn enable(socket: &impl std::os::fd::AsFd) -> io::Result<()> {
        setsockopt(socket, sockopt::ReceiveTimestampns, &true)?;
        Ok(())
    }

    fn stamp_of(ts: &TimeSpec) -> Option<Stamp> {
        let secs = u64::try_from(ts.tv_sec()).ok()?;
        let nanos = u32::try_from(ts.tv_nsec()).ok()?;
        (secs > 0).then(|| Stamp(Duration::new(secs, nanos)))
    }

    fn socket_addr(storage: &SockaddrStorage) -> Option<SocketAddr> {
        if let Some(v4) = storage.as_sockaddr_in() {
            return Some(SocketAddr::from(std::net::SocketAddrV4::from(*v4)));
        }
        storage
            .as_sockaddr_in6()
            .map(|v6| SocketAddr::from(std::net::SocketAddrV6::from(*v6)))
    }

    pub fn recv(fd: i32, buf: &mut [u8], how: Read) -> io::Result<Received> {
        let capacity = buf.len();
        let mut iov = [IoSliceMut::new(buf)];
        // Room for everything at once, in the kernel's order: the stamp, the TTL or hop
        // limit, then an error with its offender (IPv6's, the larger).
        let mut space = nix::cmsg_space!(
            TimeSpec,
            libc::c_int,
            (libc::sock_extended_err, libc::sockaddr_in6)
        );
        let mut flags = MsgFlags::empty();
        if how.error_queue {
            flags |= MsgFlags::MSG_ERRQUEUE;
        }
        if how.whole_size {
            flags |= MsgFlags::MSG_TRUNC;
        }
        let msg = recvmsg::<SockaddrStorage>(fd, &mut iov, Some(&mut space), flags)?;
        let read_at = Stamp::now();
        let mut got = Received {
            bytes: msg.bytes,
            truncated: msg.flags.contains(MsgFlags::MSG_TRUNC) || msg.bytes > capacity,
            address: msg.address.as_ref().and_then(socket_addr),
            ttl: None,
            time: read_at,
            error: None,
        };
        // A cut control buffer: nix reads none of it; the arrival time is the read's.
        if msg.flags.contains(MsgFlags::MSG_CTRUNC) {
            return Ok(got);
        }
        for cmsg in msg.cmsgs()? {
            match cmsg {
                ControlMessageOwned::ScmTimestampns(ts) => {
                    got.time = stamp_of(&ts).unwrap_or(read_at);
                }
                ControlMessageOwned::Ipv4Ttl(t) | ControlMessageOwned::Ipv6HopLimit(t) => {
                    got.ttl = u8::try_from(t).ok();
                }
                ControlMessageOwned::Ipv4RecvErr(err, offender) => {
                    got.error = Some(QueuedError {
                        icmp: err.ee_origin == libc::SO_EE_ORIGIN_ICMP,
                        icmp_type: err.ee_type,
                        icmp_code: err.ee_code,
                        offender: offender
                            .filter(|a| a.sin_family == libc::AF_INET as libc::sa_family_t)
                            .map(|a| IpAddr::V4(u32::from_be(a.sin_addr.s_addr).into())),
                    });
                }
                ControlMessageOwned::Ipv6RecvErr(err, offender) => {
                    got.error = Some(QueuedError {
                        icmp: err.ee_origin == libc::SO_EE_ORIGIN_ICMP6,
                        icmp_type: err.ee_type,
                        icmp_code: err.ee_code,
                        offender: offender
                            .filter(|a| a.sin6_family == libc::AF_INET6 as libc::sa_family_t)
                            .map(|a| IpAddr::V6(a.sin6_addr.s6_addr.into())),
                    });
                }
                _ => {}
            }
        }
        Ok(got)
    }
}

// Elsewhere: no stamps; the time is read on arrival.
#[cfg(not(target_os = "linux"))]
mod platform {
    use std::io;

    use super::{Read, Received, Stamp};

    pub fn enable(_: &impl std::os::fd::AsFd) -> io::Result<()> {
        Ok(())
    }

    pub fn recv(_: i32, _: &mut [u8], _: Read) -> io::Result<Received> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_never_goes_back() {
        let early = Stamp::now();
        let later = Stamp(early.0 + Duration::from_micros(40));
        assert_eq!(
            later.saturating_duration_since(early),
            Duration::from_micros(40)
        );
        assert_eq!(early.saturating_duration_since(later), Duration::ZERO);
    }

    // Linux
    #[cfg(target_os = "linux")]
    #[test]
    fn a_udp_datagram_comes_with_the_kernels_stamp_and_its_real_size() {
        use std::os::fd::AsRawFd;
        let bind = || std::net::UdpSocket::bind(("127.0.0.1", 0));
        let (Ok(receiver), Ok(sender)) = (bind(), bind()) else {
            panic!("no loopback sockets");
        };
        enable(&receiver).unwrap_or_else(|e| panic!("SO_TIMESTAMPNS: {e}"));
        let to = receiver.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let before = Stamp::now();
        sender
            .send_to(&[7u8; 30], to)
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = receiver.set_read_timeout(Some(Duration::from_secs(2)));
        let mut buf = [0u8; 10];
        // Blocking (the socket is): the datagram is already queued on loopback.
        let how = Read {
            whole_size: true,
            ..Read::default()
        };
        let got = recv(receiver.as_raw_fd(), &mut buf, how).unwrap_or_else(|e| panic!("{e}"));
        let after = Stamp::now();
        assert_eq!((got.bytes, got.truncated), (30, true), "{got:?}");
        assert_eq!(got.address, sender.local_addr().ok());
        assert!(
            got.time >= before && got.time <= after,
            "stamp {:?} outside [{:?}, {:?}]",
            got.time,
            before,
            after
        );
    }
}
