//! Who holds a port, as facts: the socket's protocol and local address, and the process where
//! this user may see it. Found by net::owners in the kernel's tables; worded here. Pure.

use std::net::SocketAddr;

use serde::Serialize;

use super::Protocol;

/// A socket that holds a port (a listening TCP socket, a bound UDP socket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    pub protocol: Protocol,
    /// The local address: a wildcard (every interface), loopback, or one address.
    pub address: SocketAddr,
    /// The process, where this user may see it; None for a process hidden from it.
    pub pid: Option<i32>,
    pub program: Option<String>,
    /// Whether it was looked up as root: a process not shown is then in another PID
    /// namespace, not hidden by permissions.
    #[serde(skip)]
    pub privileged: bool,
}

impl Holder {
    /// "python3 (pid 4242)", or "a process you cannot see (try sudo)" (for root: one in
    /// another PID namespace, such as a container's).
    pub fn who(&self) -> String {
        match (&self.program, self.pid) {
            (Some(program), Some(pid)) => format!("{program} (pid {pid})"),
            (None, Some(pid)) => format!("pid {pid}"),
            _ if self.privileged => {
                "a process this machine's process list does not show (another PID namespace?)"
                    .to_string()
            }
            _ => "a process you cannot see (try sudo)".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_says_what_it_knows() {
        let mut h = Holder {
            protocol: Protocol::Tcp,
            address: SocketAddr::from(([0, 0, 0, 0], 8080)),
            pid: Some(4242),
            program: Some("python3".into()),
            privileged: false,
        };
        assert_eq!(h.who(), "python3 (pid 4242)");
        h.program = None;
        assert_eq!(h.who(), "pid 4242");
        h.pid = None;
        assert_eq!(h.who(), "a process you cannot see (try sudo)");
        h.privileged = true;
        assert!(h.who().contains("another PID namespace"), "{}", h.who());
    }
}
