//! `netkit listen`: a server you answer by hand. It shows each connection and message, never
//! answers by itself (unless --reply), and sends each line typed on stdin: over TCP to every
//! connected client (or, `@N line`, to client #N only), over UDP to the peer heard from last.
//! The binding, the log and the stop signal, the connection loop are the servers' (serve/).

mod rules;
mod tcp;
mod udp;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, broadcast};

use crate::cli::ListenArgs;
use crate::error::{Error, Outcome};
use crate::net::pktinfo::Arrived;
use crate::output::Output;
use crate::output::server::{ServerEvent, Unsent};
use crate::serve::{self, Pushed, Server};
use rules::Rules;

/// Typed lines waiting for a slow TCP client; beyond it that client misses some (logged).
const TYPED_QUEUE: usize = 256;

/// What the listen tasks share: the server's log, wire and limits, and listen's own.
pub type Shared = serve::Shared<Listen>;

/// Listen's own settings and state.
pub struct Listen {
    /// --serial: one TCP client at a time.
    pub serial: bool,
    /// Most TCP clients at once.
    pub max_clients: usize,
    /// How long a client may stop reading what is sent to it.
    pub stall: Duration,
    /// --reply: what messages are answered with.
    pub reply: Rules,
    /// --once: the end, when the first TCP client leaves.
    pub once: Option<Notify>,
    /// Typed lines for the TCP clients, framed with --framed or --framed-out.
    pub typed: broadcast::Sender<Pushed>,
    /// The TCP clients connected now, by number.
    pub clients: Mutex<BTreeMap<u64, SocketAddr>>,
    /// The UDP peer heard from last: its address, where its datagram arrived, and the socket.
    pub last_peer: Mutex<Option<(SocketAddr, Arrived, Arc<tokio::net::UdpSocket>)>>,
}

impl Listen {
    /// Listen's settings from its arguments: --reply in --encoding (or hex digits).
    fn of(args: &ListenArgs) -> Result<Listen, Error> {
        let reply = Rules::parse(&args.reply, args.text.encoding, args.text.hex).map_err(
            |(value, reason)| Error::BadValue {
                option: "--reply",
                value,
                reason,
            },
        )?;
        Ok(Listen {
            serial: args.serial,
            max_clients: args.max_clients,
            stall: args.stall_timeout,
            reply,
            once: args.once.then(Notify::new),
            typed: broadcast::channel(TYPED_QUEUE).0,
            clients: Mutex::new(BTreeMap::new()),
            last_peer: Mutex::new(None),
        })
    }
}

pub fn run(args: &ListenArgs, out: &mut Output) -> Result<Outcome, Error> {
    let runtime = crate::net::runtime(crate::net::cores(4))?;
    runtime.block_on(listen(args, out))
}

async fn listen(args: &ListenArgs, out: &mut Output) -> Result<Outcome, Error> {
    let (tcp_on, udp_on) = args.at.protocols();
    let listen = Listen::of(args)?;
    let (bound, wire, logging) =
        super::serving::set_up(&args.at, &args.wire, &args.text, &args.record, args.quiet)?;
    for socket in &bound.udp {
        join_groups(socket, &args.join, args.iface.as_deref())?;
    }
    let (server, shared) = Server::start(out, &bound, logging, wire, listen)?;
    let mut tasks = tokio::task::JoinSet::new();
    for listener in bound.tcp {
        tasks.spawn(tcp::accept_loop(
            listener,
            Arc::clone(&shared),
            server.stop.clone(),
        ));
    }
    let broadcasts = broadcast_addresses();
    for socket in bound.udp {
        tasks.spawn(udp::serve(
            Arc::new(socket),
            Arc::clone(&shared),
            broadcasts.clone(),
            server.stop.clone(),
        ));
    }
    tasks.spawn(typed_lines(
        Arc::clone(&shared),
        args.text.encoding,
        args.text.hex,
        tcp_on,
        udp_on,
        server.stop.clone(),
    ));
    let ended = first_left(Arc::clone(&shared));
    server.run(out, tasks, ended).await?;
    Ok(Outcome::Success)
}

/// The end with --once: the first TCP client left (never without it).
async fn first_left(shared: Arc<Shared>) {
    match &shared.own.once {
        Some(first_left) => first_left.notified().await,
        None => std::future::pending().await,
    }
}

/// Joins each multicast group of the socket's family, on --iface or the interface the
/// routing table picks.
fn join_groups(
    socket: &tokio::net::UdpSocket,
    groups: &[IpAddr],
    iface: Option<&str>,
) -> Result<(), Error> {
    let Ok(local) = socket.local_addr() else {
        return Ok(());
    };
    let fail = |group: &IpAddr| {
        let group = *group;
        move |source| Error::Connect {
            what: format!("the multicast group {group} (joining it)"),
            source,
        }
    };
    for group in groups.iter().filter(|g| g.is_ipv6() == local.is_ipv6()) {
        match group {
            IpAddr::V4(g) => {
                let on = match iface {
                    Some(name) => interface_ipv4(name)?,
                    None => Ipv4Addr::UNSPECIFIED,
                };
                socket.join_multicast_v4(*g, on).map_err(fail(group))?;
            }
            IpAddr::V6(g) => {
                let index = match iface {
                    Some(name) => interface_index(name)?,
                    None => 0,
                };
                socket.join_multicast_v6(g, index).map_err(fail(group))?;
            }
        }
    }
    Ok(())
}

fn interface_index(name: &str) -> Result<u32, Error> {
    crate::net::interface_index(name).ok_or_else(|| crate::net::interfaces::no_interface(name))
}

/// The first IPv4 address of an interface (IPv4 joins name the interface by address).
fn interface_ipv4(name: &str) -> Result<Ipv4Addr, Error> {
    let index = interface_index(name)?;
    let snapshot = crate::net::interfaces::snapshot().map_err(|source| Error::Kernel {
        what: "read the interface list",
        source,
    })?;
    snapshot
        .addresses
        .iter()
        .filter(|a| a.index == index)
        .find_map(|a| match a.addr {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        })
        .ok_or_else(|| Error::BadValue {
            option: "--iface",
            value: name.to_string(),
            reason: "it has no IPv4 address to join an IPv4 group on".to_string(),
        })
}

/// The broadcast addresses of this machine's networks, to tell a broadcast datagram from a
/// unicast one.
fn broadcast_addresses() -> Arc<Vec<Ipv4Addr>> {
    let mut found = vec![Ipv4Addr::BROADCAST];
    if let Ok(kernel) = crate::net::interfaces::broadcast_addresses() {
        found.extend(kernel);
    }
    Arc::new(found)
}

/// Sends each typed line: to every TCP client, and to the UDP peer heard from last (`@N line`:
/// to TCP client #N alone); says so when there is nobody to send to, and why a line cannot be
/// sent (the session goes on).
async fn typed_lines(
    shared: Arc<Shared>,
    encoding: crate::text::Encoding,
    hex: bool,
    tcp_on: bool,
    udp_on: bool,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let most = crate::net::stop::MAX_TCP_LINE;
    let mut lines = crate::net::stop::stdin_lines(most);
    let mut number = 0u64;
    loop {
        let line = tokio::select! {
            line = lines.recv() => line,
            _ = stop.changed() => return,
        };
        // End of input leaves the server running.
        let Some(Ok(line)) = line else {
            return;
        };
        number += 1;
        if line.cut {
            let line = number;
            shared.log(ServerEvent::LineCut { line, most });
        }
        let (client, line) = addressed(&line.bytes);
        let bytes = match crate::text::typed(line, encoding, hex) {
            Ok(bytes) => bytes,
            Err(reason) => {
                let reason = Unsent::BadLine {
                    line: number,
                    reason,
                };
                shared.log(ServerEvent::NotSent { reason });
                continue;
            }
        };
        if let Some(client) = client {
            tcp::send_to_client(&shared, (number, client), &bytes);
            continue;
        }
        let mut delivered = false;
        if tcp_on {
            delivered |= tcp::send_typed(&shared, &bytes);
        }
        if udp_on {
            delivered |= udp::send_typed(&shared, &bytes).await;
        }
        if !delivered {
            let (line, tcp, udp) = (number, tcp_on, udp_on);
            let reason = Unsent::Nobody { line, tcp, udp };
            shared.log(ServerEvent::NotSent { reason });
        }
    }
}

/// A typed line's client: `@N rest` is for TCP client #N alone (`None`: for everyone), and
/// `@@...` is a line for everyone that starts with one `@`.
fn addressed(line: &[u8]) -> (Option<u64>, &[u8]) {
    if line.starts_with(b"@@") {
        return (None, &line[1..]);
    }
    let Some(rest) = line.strip_prefix(b"@") else {
        return (None, line);
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let number = std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|n| n.parse::<u64>().ok());
    match (number, rest.get(digits)) {
        (Some(n), Some(b' ')) => (Some(n), &rest[digits + 1..]),
        // "@2" and a line ending: an empty message for #2.
        (Some(n), Some(b'\r' | b'\n') | None) => (Some(n), &rest[digits..]),
        _ => (None, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_starting_with_at_n_is_for_client_n() {
        let cases: [(&[u8], Option<u64>, &[u8]); 7] = [
            (b"@2 hello\n", Some(2), b"hello\n"),
            (b"@12 a b\n", Some(12), b"a b\n"),
            (b"@2\n", Some(2), b"\n"),
            (b"hello @2\n", None, b"hello @2\n"),
            (b"@home\n", None, b"@home\n"),
            (b"@2x\n", None, b"@2x\n"),
            (b"@@2 to all\n", None, b"@2 to all\n"),
        ];
        for (line, client, rest) in cases {
            assert_eq!(addressed(line), (client, rest), "{line:?}");
        }
    }
}
