//! The kernel's own facts about one of our TCP sockets, read over netlink socket diagnostics
//! (NETLINK_SOCK_DIAG, what `ss -ti` asks): the RTT the kernel measured for the handshake
//! (tcpi_rtt), so a connect is timed by the kernel, not by when a task woke up. Linux only;
//! elsewhere nothing is known.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// The kernel's smoothed RTT of the TCP socket `local` → `peer`; `None` where the kernel has
/// no such socket (closed, never connected) or does not tell. Read right after the handshake,
/// before any data, it is the SYN → SYN/ACK time.
pub fn tcp_rtt(local: SocketAddr, peer: SocketAddr) -> io::Result<Option<Duration>> {
    platform::tcp_rtt(local, peer)
}

// Linux
#[cfg(target_os = "linux")]
mod platform {
    use std::io;
    use std::net::SocketAddr;
    use std::time::Duration;

    use netlink_packet_core::{NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload};
    use netlink_packet_sock_diag::SockDiagMessage;
    use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP};
    use netlink_packet_sock_diag::inet::nlas::Nla;
    use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
    use netlink_sys::{Socket, SocketAddr as NetlinkAddr, protocols::NETLINK_SOCK_DIAG};

    /// Where tcpi_rtt (µs) sits in struct tcp_info: eight one-byte fields, then fifteen u32
    /// before it. Unchanged since Linux 2.6.
    const TCPI_RTT: usize = 68;

    pub fn tcp_rtt(local: SocketAddr, peer: SocketAddr) -> io::Result<Option<Duration>> {
        let family = match (local, peer) {
            (SocketAddr::V4(_), SocketAddr::V4(_)) => AF_INET,
            (SocketAddr::V6(_), SocketAddr::V6(_)) => AF_INET6,
            _ => return Ok(None),
        };
        let interface_id = match local {
            SocketAddr::V6(a) => a.scope_id(),
            SocketAddr::V4(_) => 0,
        };
        let mut socket = Socket::new(NETLINK_SOCK_DIAG)?;
        socket.bind_auto()?;
        socket.connect(&NetlinkAddr::new(0, 0))?;
        let mut header = NetlinkHeader::default();
        // No NLM_F_DUMP: the kernel looks up this one socket by its exact four-tuple.
        header.flags = NLM_F_REQUEST;
        header.sequence_number = 1;
        let request = SockDiagMessage::InetRequest(InetRequest {
            family,
            protocol: IPPROTO_TCP,
            extensions: ExtensionFlags::INFO,
            states: StateFlags::all(),
            socket_id: SocketId {
                source_port: local.port(),
                destination_port: peer.port(),
                source_address: local.ip(),
                destination_address: peer.ip(),
                interface_id,
                // INET_DIAG_NOCOOKIE (all ones): zeros would make the kernel compare cookies.
                cookie: [0xff; 8],
            },
        });
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(request));
        packet.finalize();
        let mut out = vec![0u8; packet.buffer_len()];
        packet.serialize(&mut out);
        socket.send(&out, 0)?;
        // One answer: the socket's inet_diag_msg with tcp_info, or an error (ENOENT: none).
        let mut buf = vec![0u8; 8192];
        let size = socket.recv(&mut &mut buf[..], 0)?;
        let reply = NetlinkMessage::<SockDiagMessage>::deserialize(&buf[..size.min(buf.len())])
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        Ok(match reply.payload {
            NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(response)) => {
                response.nlas.iter().find_map(|nla| match nla {
                    Nla::TcpInfo(info) => info
                        .get(TCPI_RTT..TCPI_RTT + 4)
                        .and_then(|b| <[u8; 4]>::try_from(b).ok())
                        .map(|b| Duration::from_micros(u64::from(u32::from_ne_bytes(b))))
                        .filter(|rtt| !rtt.is_zero()),
                    _ => None,
                })
            }
            _ => None,
        })
    }
}

// Elsewhere: not known.
#[cfg(not(target_os = "linux"))]
mod platform {
    use std::io;
    use std::net::SocketAddr;
    use std::time::Duration;

    pub fn tcp_rtt(_: SocketAddr, _: SocketAddr) -> io::Result<Option<Duration>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Linux
    #[cfg(target_os = "linux")]
    #[test]
    fn a_loopback_handshake_has_the_kernels_rtt() {
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            panic!("no loopback listener");
        };
        let to = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let client = std::net::TcpStream::connect(to).unwrap_or_else(|e| panic!("{e}"));
        let local = client.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let rtt = tcp_rtt(local, to).unwrap_or_else(|e| panic!("sock_diag: {e}"));
        let rtt = rtt.unwrap_or_else(|| panic!("no tcp_info for {local} -> {to}"));
        assert!(rtt < Duration::from_millis(100), "{rtt:?} on loopback");
        // A four-tuple the kernel does not have.
        let gone = SocketAddr::from(([127, 0, 0, 1], 9));
        assert_eq!(tcp_rtt(local, gone).ok().flatten(), None);
    }
}
