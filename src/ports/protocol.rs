//! The transport protocols that have port numbers, and the states a probed port answers in.
//! Pure.

use serde::Serialize;

/// A transport protocol that has port numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    /// As in `80/tcp`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }

    /// As in "TCP port 7788".
    pub fn upper(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }
}

/// What a probed port answered, in nmap's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PortState {
    /// Something accepts connections or datagrams there.
    #[serde(rename = "open")]
    Open,
    /// The host answered that nothing listens there.
    #[serde(rename = "closed")]
    Closed,
    /// No answer, or an ICMP error from a filter: nothing tells whether something listens.
    #[serde(rename = "filtered")]
    Filtered,
    /// UDP silence: open, or a firewall dropped the probe; nothing tells which.
    #[serde(rename = "open|filtered")]
    OpenFiltered,
    /// No machine answered at the address (host discovery found it down, and `-Pn` scanned it
    /// anyway): nothing is known of the port, and no firewall is implied (issue 24).
    #[serde(rename = "unreachable")]
    Unreachable,
}

impl PortState {
    /// Open, or perhaps open (UDP silence): what nmap's --open lists.
    pub fn may_be_open(self) -> bool {
        matches!(self, PortState::Open | PortState::OpenFiltered)
    }

    pub fn name(self) -> &'static str {
        match self {
            PortState::Open => "open",
            PortState::Closed => "closed",
            PortState::Filtered => "filtered",
            PortState::OpenFiltered => "open|filtered",
            PortState::Unreachable => "unreachable",
        }
    }
}
