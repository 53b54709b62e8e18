//! netkit's own ARP on a directly connected IPv4 link, as nmap's ARP ping (issue 24): request
//! frames sent on the interface's datalink channel, every reply's sender read on a thread of
//! its own. It needs privilege (root or CAP_NET_RAW); without it `Link::open` fails and
//! discovery keeps to the kernel's resolution. The packet socket itself (its `sockaddr_ll`,
//! which needs unsafe code) is pnet_datalink's.

use std::io;
use std::net::{IpAddr, Ipv4Addr};

use tokio::sync::mpsc;

/// An ARP reply or neighbour advertisement seen on a link: whom it speaks for. No time: the
/// datalink channel ARP is read on gives no kernel receive stamp, and the ICMPv6 socket
/// advertisements are read on is not asked for one.
#[derive(Debug, Clone, Copy)]
pub struct Reply {
    pub from: IpAddr,
}

/// One interface's facts a request carries: its index and name, its own link address and its
/// address in the subnet asked (the request's sender: IPv4 for ARP, IPv6 for NDP).
#[derive(Debug, Clone)]
pub struct Interface {
    pub index: u32,
    pub name: String,
    pub mac: [u8; 6],
    pub ip: IpAddr,
}

// Linux
#[cfg(target_os = "linux")]
mod platform {
    use pnet_datalink::{Channel, ChannelType, Config, DataLinkSender, MacAddr, NetworkInterface};
    use pnet_packet::Packet;
    use pnet_packet::arp::{ArpHardwareTypes, ArpOperations, ArpPacket, MutableArpPacket};
    use pnet_packet::ethernet::{EtherTypes, EthernetPacket, MutableEthernetPacket};

    use super::*;

    /// The length of an ARP request for IPv4 over Ethernet: a 14-byte header, a 28-byte body.
    pub const FRAME: usize = 42;

    /// How often the reading thread looks whether discovery still listens.
    const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(100);

    /// How long a send may wait for room in the socket's buffer before it is tried again later.
    const WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(20);

    /// An open datalink channel on one interface: sends requests; its thread hands every
    /// reply's sender to the channel given at `open`.
    pub struct Link {
        sender: Box<dyn DataLinkSender>,
        mac: [u8; 6],
        ip: Ipv4Addr,
    }

    impl Link {
        /// Opens the interface's channel (fails without root or CAP_NET_RAW) and starts the
        /// thread that reads replies into `replies`; the thread ends within `READ_TIMEOUT`
        /// of `replies`' receiver being dropped.
        pub fn open(interface: &Interface, replies: mpsc::Sender<Reply>) -> io::Result<Link> {
            let IpAddr::V4(ip) = interface.ip else {
                return Err(io::Error::from(io::ErrorKind::InvalidInput));
            };
            let [a, b, c, d, e, f] = interface.mac;
            let nic = NetworkInterface {
                name: interface.name.clone(),
                description: String::new(),
                index: interface.index,
                mac: Some(MacAddr(a, b, c, d, e, f)),
                ips: Vec::new(),
                flags: 0,
            };
            let config = Config {
                read_timeout: Some(READ_TIMEOUT),
                write_timeout: Some(WRITE_TIMEOUT),
                channel_type: ChannelType::Layer2,
                // Replies come to this interface's own address: nothing else is read.
                promiscuous: false,
                ..Config::default()
            };
            let Channel::Ethernet(sender, mut receiver) = pnet_datalink::channel(&nic, config)?
            else {
                return Err(io::Error::other("not an Ethernet channel"));
            };
            std::thread::Builder::new()
                .name(format!("arp-{}", interface.name))
                .spawn(move || {
                    while !replies.is_closed() {
                        match receiver.next() {
                            Ok(frame) => {
                                if let Some(from) = reply_sender(frame) {
                                    let reply = Reply {
                                        from: IpAddr::V4(from),
                                    };
                                    // Bounded: the thread waits while discovery catches up.
                                    if replies.blocking_send(reply).is_err() {
                                        return;
                                    }
                                }
                            }
                            Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            // A channel that fails its reads is given up: the addresses
                            // asked end with their wait.
                            Err(_) => return,
                        }
                    }
                })?;
            Ok(Link {
                sender,
                mac: interface.mac,
                ip,
            })
        }

        /// Sends one ARP request for `target` (broadcast, as the kernel's first one).
        pub fn ask(&mut self, target: Ipv4Addr) -> io::Result<()> {
            let frame = request(self.mac, self.ip, target);
            match self.sender.send_to(&frame, None) {
                Some(sent) => sent,
                None => Err(io::Error::other("the frame does not fit the send buffer")),
            }
        }
    }

    /// An ARP request for `target` from `mac`/`ip`, to the link's broadcast address.
    pub fn request(mac: [u8; 6], ip: Ipv4Addr, target: Ipv4Addr) -> [u8; FRAME] {
        let [a, b, c, d, e, f] = mac;
        let own = MacAddr(a, b, c, d, e, f);
        let mut frame = [0u8; FRAME];
        if let Some(mut eth) = MutableEthernetPacket::new(&mut frame) {
            eth.set_destination(MacAddr::broadcast());
            eth.set_source(own);
            eth.set_ethertype(EtherTypes::Arp);
        }
        if let Some(mut arp) = MutableArpPacket::new(&mut frame[14..]) {
            arp.set_hardware_type(ArpHardwareTypes::Ethernet);
            arp.set_protocol_type(EtherTypes::Ipv4);
            arp.set_hw_addr_len(6);
            arp.set_proto_addr_len(4);
            arp.set_operation(ArpOperations::Request);
            arp.set_sender_hw_addr(own);
            arp.set_sender_proto_addr(ip);
            arp.set_target_hw_addr(MacAddr::zero());
            arp.set_target_proto_addr(target);
        }
        frame
    }

    /// The sender's IPv4 address of an ARP reply for IPv4 over Ethernet; None for any other
    /// frame (requests, our own included, and everything that is not ARP).
    pub fn reply_sender(frame: &[u8]) -> Option<Ipv4Addr> {
        let eth = EthernetPacket::new(frame)?;
        if eth.get_ethertype() != EtherTypes::Arp {
            return None;
        }
        let arp = ArpPacket::new(eth.payload())?;
        (arp.get_operation() == ArpOperations::Reply
            && arp.get_hardware_type() == ArpHardwareTypes::Ethernet
            && arp.get_protocol_type() == EtherTypes::Ipv4
            && arp.get_hw_addr_len() == 6
            && arp.get_proto_addr_len() == 4)
            .then(|| arp.get_sender_proto_addr())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        const MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];

        #[test]
        fn a_request_is_a_broadcast_asking_for_the_target() {
            let frame = request(MAC, Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 7));
            let want: [u8; FRAME] = [
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, // Ethernet
                0, 1, 0x08, 0, 6, 4, 0, 1, // Ethernet, IPv4, 6, 4, request
                2, 0, 0, 0, 0, 1, 10, 0, 0, 1, // sender
                0, 0, 0, 0, 0, 0, 10, 0, 0, 7, // target
            ];
            assert_eq!(frame, want);
            // A request, ours or anyone's, is no reply.
            assert_eq!(reply_sender(&frame), None);
        }

        #[test]
        fn a_reply_gives_its_sender_and_nothing_else_does() {
            let mut frame = request(MAC, Ipv4Addr::new(10, 0, 0, 7), Ipv4Addr::new(10, 0, 0, 1));
            frame[21] = 2; // the operation: reply
            assert_eq!(reply_sender(&frame), Some(Ipv4Addr::new(10, 0, 0, 7)));
            // Padded to Ethernet's 60 bytes, as a NIC sends it: the same.
            let mut padded = frame.to_vec();
            padded.resize(60, 0);
            assert_eq!(reply_sender(&padded), Some(Ipv4Addr::new(10, 0, 0, 7)));
            // Cut short, another EtherType, another protocol: nothing.
            assert_eq!(reply_sender(&frame[..30]), None);
            let mut other = frame;
            other[13] = 0x00; // IPv4's EtherType
            assert_eq!(reply_sender(&other), None);
            let mut other = frame;
            other[17] = 0xdd; // protocol 0x86dd
            assert_eq!(reply_sender(&other), None);
        }
    }
}

// Elsewhere: no datagram channel here; discovery keeps to the kernel's resolution.
#[cfg(not(target_os = "linux"))]
mod platform {
    use super::*;

    /// Never opened on this platform.
    pub struct Link;

    impl Link {
        pub fn open(_: &Interface, _: mpsc::Sender<Reply>) -> io::Result<Link> {
            Err(io::Error::from(io::ErrorKind::Unsupported))
        }

        pub fn ask(&mut self, _: Ipv4Addr) -> io::Result<()> {
            Err(io::Error::from(io::ErrorKind::Unsupported))
        }
    }
}

pub use platform::Link;
