//! What arrives on the wire, read without sockets: ICMP and ICMPv6 messages and the datagram
//! an error quotes, the IPv4 header a raw socket hands over, captured frames down to TCP and
//! UDP, and what each captured packet means in its conversation. Pure: no I/O; the engines
//! that own the sockets and the capture hand the bytes in.

pub mod conversation;
pub mod frame;
pub mod icmp;

use std::net::Ipv4Addr;

use pnet_packet::ipv4::Ipv4Packet;

/// An IPv4 packet as a raw socket hands it over: (source, TTL, payload after the header).
pub fn strip_ipv4(packet: &[u8]) -> Option<(Ipv4Addr, u8, &[u8])> {
    let ip = Ipv4Packet::new(packet)?;
    let header = usize::from(ip.get_header_length()) * 4;
    if header < 20 {
        return None;
    }
    Some((ip.get_source(), ip.get_ttl(), packet.get(header..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ipv4_packets_give_their_source_and_ttl() {
        let mut packet = vec![
            0x45, 0, 0, 28, 0, 0, 0, 0, 63, 1, 0, 0, 10, 200, 5, 2, 10, 200, 5, 1,
        ];
        packet.extend([0, 0, 0, 0, 0, 1, 0, 1]);
        let (from, ttl, rest) = strip_ipv4(&packet).unwrap_or_else(|| panic!("short"));
        assert_eq!(
            (from, ttl, rest.len()),
            (Ipv4Addr::new(10, 200, 5, 2), 63, 8)
        );
        assert!(strip_ipv4(&packet[..10]).is_none());
    }
}
