//! Where a UDP datagram arrived, and answering from there: a multi-homed lab machine answers
//! from the address the client used (a connected client socket drops replies from any other),
//! and a server can tell a unicast datagram from a broadcast or a multicast one.
//! Linux: IP_PKTINFO / IPV6_PKTINFO on one wildcard socket. Elsewhere: the kernel's choice.

use std::io;
use std::net::{IpAddr, SocketAddr};

use tokio::net::UdpSocket;

/// Where a datagram arrived: the local address (and interface) to answer from.
#[derive(Clone, Copy)]
pub struct Arrived(
    #[cfg(target_os = "linux")] linux::Local,
    #[cfg(not(target_os = "linux"))] (),
);

impl Arrived {
    /// The datagram's destination address as its header gave it (a broadcast or multicast
    /// address where it was sent to one); `None` where the platform does not say.
    pub fn destination(&self) -> Option<IpAddr> {
        #[cfg(target_os = "linux")]
        {
            self.0.destination()
        }
        #[cfg(not(target_os = "linux"))]
        {
            None
        }
    }
}

// Linux
#[cfg(target_os = "linux")]
mod linux {
    use std::io::{self, IoSlice, IoSliceMut};
    use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
    use std::os::fd::AsRawFd;

    use nix::libc;
    use nix::sys::socket::{
        ControlMessage, ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg, sendmsg,
        setsockopt, sockopt,
    };
    use tokio::io::Interest;
    use tokio::net::UdpSocket;

    #[derive(Clone, Copy)]
    pub enum Local {
        V4(libc::in_pktinfo),
        V6(libc::in6_pktinfo),
        Unknown,
    }

    impl Local {
        pub fn destination(&self) -> Option<std::net::IpAddr> {
            match self {
                // ip(7): ipi_addr is the destination address in the packet header.
                Local::V4(info) => {
                    Some(std::net::Ipv4Addr::from(u32::from_be(info.ipi_addr.s_addr)).into())
                }
                Local::V6(info) => Some(std::net::Ipv6Addr::from(info.ipi6_addr.s6_addr).into()),
                Local::Unknown => None,
            }
        }
    }

    pub fn enable(socket: &UdpSocket) -> io::Result<()> {
        if socket.local_addr()?.is_ipv6() {
            setsockopt(socket, sockopt::Ipv6RecvPacketInfo, &true)?;
        } else {
            setsockopt(socket, sockopt::Ipv4PacketInfo, &true)?;
        }
        Ok(())
    }

    pub async fn recv(
        socket: &UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<(usize, SocketAddr, Local)> {
        let fd = socket.as_raw_fd();
        socket
            .async_io(Interest::READABLE, || {
                let mut iov = [IoSliceMut::new(buf)];
                let mut space = nix::cmsg_space!(libc::in6_pktinfo);
                // MSG_TRUNC: the length returned is the datagram's as sent, even when the
                // buffer held less (recvfrom(N) cuts the rest; the log says how much).
                let msg = recvmsg::<SockaddrStorage>(
                    fd,
                    &mut iov,
                    Some(&mut space),
                    MsgFlags::MSG_TRUNC,
                )?;
                let peer = msg
                    .address
                    .as_ref()
                    .and_then(to_socket_addr)
                    .ok_or_else(|| io::Error::other("datagram without a source address"))?;
                let mut local = Local::Unknown;
                for cmsg in msg.cmsgs()? {
                    match cmsg {
                        ControlMessageOwned::Ipv4PacketInfo(info) => local = Local::V4(info),
                        ControlMessageOwned::Ipv6PacketInfo(info) => local = Local::V6(info),
                        _ => {}
                    }
                }
                Ok((msg.bytes, peer, local))
            })
            .await
    }

    pub async fn send(
        socket: &UdpSocket,
        data: &[u8],
        peer: SocketAddr,
        local: Local,
    ) -> io::Result<usize> {
        let fd = socket.as_raw_fd();
        let to = SockaddrStorage::from(peer);
        socket
            .async_io(Interest::WRITABLE, || {
                let iov = [IoSlice::new(data)];
                let sent = match local {
                    Local::V4(info) => {
                        // ip(7): ipi_spec_dst is the local address the datagram arrived at.
                        let reply = libc::in_pktinfo {
                            ipi_ifindex: 0,
                            ipi_spec_dst: info.ipi_spec_dst,
                            ipi_addr: libc::in_addr { s_addr: 0 },
                        };
                        sendmsg(
                            fd,
                            &iov,
                            &[ControlMessage::Ipv4PacketInfo(&reply)],
                            MsgFlags::empty(),
                            Some(&to),
                        )
                    }
                    Local::V6(info) => {
                        // Answering a datagram sent to a group: the source cannot be the
                        // group; the kernel picks one on the same interface.
                        let mut reply = info;
                        if reply.ipi6_addr.s6_addr[0] == 0xff {
                            reply.ipi6_addr.s6_addr = [0; 16];
                        }
                        sendmsg(
                            fd,
                            &iov,
                            &[ControlMessage::Ipv6PacketInfo(&reply)],
                            MsgFlags::empty(),
                            Some(&to),
                        )
                    }
                    Local::Unknown => sendmsg(fd, &iov, &[], MsgFlags::empty(), Some(&to)),
                };
                sent.map_err(io::Error::from)
            })
            .await
    }

    fn to_socket_addr(storage: &SockaddrStorage) -> Option<SocketAddr> {
        if let Some(v4) = storage.as_sockaddr_in() {
            return Some(SocketAddr::V4(SocketAddrV4::from(*v4)));
        }
        storage
            .as_sockaddr_in6()
            .map(|v6| SocketAddr::V6(SocketAddrV6::from(*v6)))
    }
}

/// Asks the kernel to say where each datagram arrived.
pub fn enable(socket: &UdpSocket) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        linux::enable(socket)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = socket;
        Ok(())
    }
}

/// One datagram as received.
#[derive(Clone, Copy)]
pub struct Datagram {
    /// The bytes now in the buffer.
    pub len: usize,
    /// Its length as sent: more than `len` when the buffer was smaller (Linux tells it).
    pub sent: usize,
    pub peer: SocketAddr,
    pub arrived: Arrived,
}

impl Datagram {
    /// Whether the buffer cut it.
    pub fn truncated(&self) -> bool {
        self.sent > self.len
    }
}

/// Receives one datagram into `buf`: what fitted, its length as sent, its source, and where
/// it arrived.
pub async fn recv(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<Datagram> {
    #[cfg(target_os = "linux")]
    {
        let (sent, peer, local) = linux::recv(socket, buf).await?;
        Ok(Datagram {
            len: sent.min(buf.len()),
            sent,
            peer,
            arrived: Arrived(local),
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let (n, peer) = socket.recv_from(buf).await?;
        Ok(Datagram {
            len: n,
            sent: n,
            peer,
            arrived: Arrived(()),
        })
    }
}

/// Sends `data` to `peer` from the address `arrived` names.
pub async fn send(
    socket: &UdpSocket,
    data: &[u8],
    peer: SocketAddr,
    arrived: Arrived,
) -> io::Result<usize> {
    #[cfg(target_os = "linux")]
    {
        linux::send(socket, data, peer, arrived.0).await
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = arrived;
        socket.send_to(data, peer).await
    }
}
