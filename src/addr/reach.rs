//! Whether an address is up, and why: how it was found up (`Up`) or why it is taken as down
//! (`Down`), each with a stable token for JSON and words for people. Pure: no I/O (issue 24).

use std::net::IpAddr;
use std::time::Duration;

use serde::{Serialize, Serializer};

/// How an address was found up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Up {
    /// An ARP reply to netkit's own request (IPv4, on the link; with root or CAP_NET_RAW).
    Arp,
    /// A neighbour advertisement to netkit's own solicitation (IPv6, on the link; with root
    /// or CAP_NET_RAW).
    Ndp,
    /// The kernel's neighbour resolution reached REACHABLE: the host answered ARP or
    /// neighbour discovery, whatever its firewall does above that.
    Neighbour,
    /// An ICMP echo reply.
    EchoReply,
    /// A TCP connect to this port was accepted.
    TcpOpen(u16),
    /// A TCP connect to this port was refused (a reset comes from the host itself).
    TcpRefused(u16),
}

/// Why an address is taken as down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Down {
    /// On the link: ARP, neighbour discovery or the kernel's resolution got no answer within
    /// the wait.
    NoNeighbour,
    /// A router (or the host's own network) answered that the host cannot be reached: ICMP
    /// host unreachable, or network unreachable when `net` (the router has no route there).
    HostUnreachable { from: IpAddr, net: bool },
    /// Routed: nothing answered within the wait (routers rate-limit their ICMP errors, so
    /// this is the usual case for an empty address behind a router). `echo_refused`: the
    /// echo request never went (this machine refused it, for this reason), only the connects.
    NoAnswer { echo_refused: Option<String> },
    /// Not asked at all: this machine refused to send to it (a local firewall's EPERM, a
    /// broadcast address's EACCES, ...); `why` is the OS's reason in words. Counted with the
    /// down ones, as fping counts a send error, but never said to be silent.
    NotSent { why: String },
}

/// What discovery found of one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostState {
    Up(Up),
    Down(Down),
}

impl Up {
    /// A stable token for JSON (nmap's reason words where it has one).
    pub fn token(&self) -> &'static str {
        match self {
            Up::Arp => "arp-response",
            Up::Ndp => "nd-response",
            Up::Neighbour => "neighbour-reachable",
            Up::EchoReply => "echo-reply",
            Up::TcpOpen(_) => "syn-ack",
            Up::TcpRefused(_) => "conn-refused",
        }
    }

    /// In words: what was received.
    pub fn words(&self) -> String {
        match self {
            Up::Arp => "received an ARP reply".to_string(),
            Up::Ndp => "received a neighbour advertisement".to_string(),
            Up::Neighbour => {
                "answered the kernel's neighbour resolution (ARP or neighbour discovery)"
                    .to_string()
            }
            Up::EchoReply => "received an ICMP echo reply".to_string(),
            Up::TcpOpen(port) => format!("accepted a TCP connect to port {port}"),
            Up::TcpRefused(port) => format!("refused a TCP connect to port {port} (a reset)"),
        }
    }
}

impl Down {
    /// A stable token for JSON.
    pub fn token(&self) -> &'static str {
        match self {
            Down::NoNeighbour => "no-neighbour",
            Down::HostUnreachable { net: false, .. } => "host-unreachable",
            Down::HostUnreachable { net: true, .. } => "net-unreachable",
            Down::NoAnswer { .. } => "no-response",
            Down::NotSent { .. } => "send-refused",
        }
    }

    /// In words, without the wait (see `words_within`).
    pub fn words(&self) -> String {
        match self {
            Down::NoNeighbour => "no ARP or neighbour-discovery reply on the link".to_string(),
            Down::HostUnreachable { from, net } => {
                let what = if *net { "network" } else { "host" };
                format!("{from} answered {what} unreachable")
            }
            Down::NoAnswer { echo_refused: None } => {
                "no answer to an ICMP echo or TCP connects to ports 80 and 443".to_string()
            }
            Down::NoAnswer {
                echo_refused: Some(why),
            } => format!(
                "no answer to TCP connects to ports 80 and 443 (the ICMP echo request was not \
                 sent: this machine refused it: {why})"
            ),
            Down::NotSent { why } => {
                format!("not asked: this machine refused to send to it ({why})")
            }
        }
    }

    /// In words, naming how long netkit waited: "no ARP or neighbour-discovery reply on the
    /// link within 1.0 s".
    pub fn words_within(&self, wait: Duration) -> String {
        let seconds = wait.as_secs_f64();
        match self {
            Down::HostUnreachable { .. } | Down::NotSent { .. } => self.words(),
            Down::NoAnswer {
                echo_refused: Some(why),
            } => format!(
                "no answer to TCP connects to ports 80 and 443 within {seconds:.1} s (the ICMP echo \
                 request was not sent: this machine refused it: {why})"
            ),
            _ => format!("{} within {seconds:.1} s", self.words()),
        }
    }
}

impl HostState {
    /// "up" or "down".
    pub fn token(&self) -> &'static str {
        match self {
            HostState::Up(_) => "up",
            HostState::Down(_) => "down",
        }
    }

    /// Whether the address was found up.
    pub fn is_up(&self) -> bool {
        matches!(self, HostState::Up(_))
    }

    /// Whether nothing was sent to it: this machine refused every probe.
    pub fn not_sent(&self) -> bool {
        matches!(self, HostState::Down(Down::NotSent { .. }))
    }

    /// The reason's token: how it was found up, or why it is taken as down.
    pub fn reason(&self) -> &'static str {
        match self {
            HostState::Up(up) => up.token(),
            HostState::Down(down) => down.token(),
        }
    }
}

impl Serialize for Up {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.token())
    }
}

impl Serialize for Down {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.token())
    }
}

impl Serialize for HostState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.token())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_token_and_words() {
        let ups = [
            (Up::Arp, "arp-response", "ARP reply"),
            (Up::Ndp, "nd-response", "neighbour advertisement"),
            (Up::Neighbour, "neighbour-reachable", "neighbour resolution"),
            (Up::EchoReply, "echo-reply", "echo reply"),
            (Up::TcpOpen(80), "syn-ack", "port 80"),
            (
                Up::TcpRefused(443),
                "conn-refused",
                "refused a TCP connect to port 443",
            ),
        ];
        for (up, token, words) in ups {
            assert_eq!(up.token(), token, "{up:?}");
            assert!(up.words().contains(words), "{up:?}: {}", up.words());
        }
        let from = IpAddr::from([10, 0, 0, 1]);
        let downs = [
            (Down::NoNeighbour, "no-neighbour", "within 1.0 s"),
            (
                Down::HostUnreachable { from, net: false },
                "host-unreachable",
                "10.0.0.1 answered host unreachable",
            ),
            (
                Down::HostUnreachable { from, net: true },
                "net-unreachable",
                "10.0.0.1 answered network unreachable",
            ),
            (
                Down::NoAnswer { echo_refused: None },
                "no-response",
                "ports 80 and 443 within 1.0 s",
            ),
            (
                Down::NoAnswer {
                    echo_refused: Some("operation not permitted".into()),
                },
                "no-response",
                "ports 80 and 443 within 1.0 s (the ICMP echo request was not sent",
            ),
        ];
        for (down, token, words) in downs {
            assert_eq!(down.token(), token, "{down:?}");
            let said = down.words_within(Duration::from_secs(1));
            assert!(said.contains(words), "{down:?}: {said}");
        }
    }

    #[test]
    fn a_state_says_up_or_down_and_why() {
        let up = HostState::Up(Up::EchoReply);
        let down = HostState::Down(Down::NoAnswer { echo_refused: None });
        assert_eq!(
            (up.token(), up.reason(), up.is_up()),
            ("up", "echo-reply", true)
        );
        assert_eq!(
            (down.token(), down.reason(), down.is_up()),
            ("down", "no-response", false)
        );
    }
}
