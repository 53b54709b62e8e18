//! TEMPORARY stand-in for the host-discovery engine (`net::discover`, another branch): the
//! same API, found by TCP connects to 80 and 443 only. Replaced at the merge.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::task::JoinSet;

use crate::error::Error;
use crate::net::connect::{self, Answer};
use crate::net::stop::Stop;

/// How an address was found up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Up {
    TcpOpen(u16),
    TcpRefused(u16),
}

/// Why an address is taken as down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Down {
    NoAnswer,
}

/// What discovery found of one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostState {
    Up(Up),
    Down(Down),
}

impl Up {
    pub fn token(&self) -> &'static str {
        match self {
            Up::TcpOpen(_) => "syn-ack",
            Up::TcpRefused(_) => "conn-refused",
        }
    }
    pub fn words(&self) -> String {
        match self {
            Up::TcpOpen(p) => format!("accepted a TCP connect to port {p}"),
            Up::TcpRefused(p) => format!("refused a TCP connect to port {p} (a reset)"),
        }
    }
}

impl Down {
    pub fn token(&self) -> &'static str {
        "no-response"
    }
    pub fn words(&self) -> String {
        "no answer to TCP connects to ports 80 and 443".to_string()
    }
}

/// Discovery's settings.
pub struct Discover {
    pub wait: Duration,
    pub in_flight: usize,
}

impl Default for Discover {
    fn default() -> Self {
        Discover {
            wait: Duration::from_secs(1),
            in_flight: 500,
        }
    }
}

/// Every target's state, as each is known.
pub async fn discover(
    targets: &[IpAddr],
    how: &Discover,
    _stop: &mut Stop,
    mut each: impl FnMut(IpAddr, HostState),
) -> Result<bool, Error> {
    let mut set = JoinSet::new();
    let mut next = targets.iter();
    loop {
        while set.len() < how.in_flight.max(1) {
            let Some(&a) = next.next() else { break };
            let wait = how.wait;
            set.spawn(async move {
                for port in [80, 443] {
                    let (answer, _) = connect::timed(SocketAddr::new(a, port), wait).await;
                    match answer {
                        Answer::Open => return (a, HostState::Up(Up::TcpOpen(port))),
                        Answer::Refused => return (a, HostState::Up(Up::TcpRefused(port))),
                        _ => {}
                    }
                }
                (a, HostState::Down(Down::NoAnswer))
            });
        }
        let Some(done) = set.join_next().await else {
            return Ok(true);
        };
        if let Ok((a, state)) = done {
            each(a, state);
        }
    }
}
