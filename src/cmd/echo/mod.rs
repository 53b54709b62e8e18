//! `netkit echo`: UDP and TCP echo endpoints for socket labs. Servers take already-bound
//! sockets and a shutdown signal; events go through a bounded channel to the one renderer,
//! so a slow log never slows serving.

mod guard;
mod pktinfo;
mod tcp;
mod udp;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use socket2::{Domain, Socket, Type};
use tokio::sync::{mpsc, watch};

use crate::cli::{EchoArgs, EchoMode};
use crate::error::{Error, Outcome};
use crate::net::errno;
use crate::output::Output;
use crate::output::echo::EchoEvent;
use crate::ports::Protocol;

/// Events waiting for the renderer; beyond this they are counted, not logged.
const EVENT_QUEUE: usize = 8192;
/// Most worker threads: one serves the renderer's channel and the UDP sockets, the rest the
/// TCP clients; past four, one echo endpoint's clients gain nothing on a lab machine.
const MAX_WORKERS: usize = 4;
/// How many times port 0 is tried when the OS's pick is taken on another address.
const PORT_TRIES: usize = 16;

/// What every server task shares.
pub struct Shared {
    pub mode: EchoMode,
    pub framed: bool,
    pub quiet: bool,
    pub max_clients: usize,
    pub idle: Duration,
    pub max_rate: u32,
    pub events: mpsc::Sender<EchoEvent>,
    pub clients_now: AtomicUsize,
    pub clients: AtomicU64,
    pub datagrams: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub dropped: AtomicU64,
    pub unlogged: AtomicU64,
}

impl Shared {
    /// Logs an event unless the log is full (then it is only counted) or --quiet.
    pub fn log(&self, event: EchoEvent) {
        if self.quiet && !matches!(event, EchoEvent::Listening { .. }) {
            return;
        }
        if self.events.try_send(event).is_err() {
            self.unlogged.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Applies the mode to one message (echo or upper; relay forwards unchanged).
    pub fn answer(&self, message: &mut [u8]) {
        if self.mode == EchoMode::Upper {
            message.make_ascii_uppercase();
        }
    }
}

pub fn run(args: &EchoArgs, out: &mut Output) -> Result<Outcome, Error> {
    let runtime = crate::net::runtime(crate::net::cores(MAX_WORKERS))?;
    runtime.block_on(serve(args, out))
}

async fn serve(args: &EchoArgs, out: &mut Output) -> Result<Outcome, Error> {
    let (tcp_on, udp_on) = match (args.tcp, args.udp) {
        (false, false) => (true, true),
        both => both,
    };
    let bound = bind(args, tcp_on, udp_on)?;
    let (events_tx, mut events) = mpsc::channel(EVENT_QUEUE);
    let shared = Arc::new(Shared {
        mode: args.mode,
        framed: args.framed,
        quiet: args.quiet,
        max_clients: args.max_clients,
        idle: args.idle_timeout,
        max_rate: args.max_rate,
        events: events_tx,
        clients_now: AtomicUsize::new(0),
        clients: AtomicU64::new(0),
        datagrams: AtomicU64::new(0),
        bytes_in: AtomicU64::new(0),
        bytes_out: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        unlogged: AtomicU64::new(0),
    });
    let (stop_tx, stop) = watch::channel(false);
    for listener in &bound.tcp {
        out.echo_event(&listening(Protocol::Tcp, listener.local_addr()))?;
    }
    for socket in &bound.udp {
        out.echo_event(&listening(Protocol::Udp, socket.local_addr()))?;
    }
    out.echo_reach(&reach(&bound, args))?;
    out.flush()?;

    let mut tasks = tokio::task::JoinSet::new();
    for listener in bound.tcp {
        tasks.spawn(tcp::accept_loop(
            listener,
            Arc::clone(&shared),
            stop.clone(),
        ));
    }
    for socket in bound.udp {
        tasks.spawn(udp::serve(socket, Arc::clone(&shared), stop.clone()));
    }

    let stopped = stop_signal();
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => {
                    out.echo_event(&event)?;
                    if events.is_empty() {
                        out.flush()?;
                    }
                }
                None => break,
            },
            _ = &mut stopped => break,
        }
    }
    // Stop accepting, let clients close (bounded), then log what is left and sum up.
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    while let Ok(event) = events.try_recv() {
        out.echo_event(&event)?;
    }
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    out.echo_event(&EchoEvent::Summary {
        clients: load(&shared.clients),
        datagrams: load(&shared.datagrams),
        bytes_in: load(&shared.bytes_in),
        bytes_out: load(&shared.bytes_out),
        dropped: load(&shared.dropped),
        unlogged: load(&shared.unlogged),
    })?;
    Ok(Outcome::Success)
}

fn listening(protocol: Protocol, address: io::Result<SocketAddr>) -> EchoEvent {
    let address = address.unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    EchoEvent::Listening {
        protocol,
        address,
        port: address.port(),
    }
}

/// Ctrl-C or SIGTERM: the normal end of an echo endpoint.
async fn stop_signal() {
    // Unix
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    // Elsewhere
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The sockets echo serves on.
struct Bound {
    tcp: Vec<tokio::net::TcpListener>,
    udp: Vec<tokio::net::UdpSocket>,
}

/// Binds every (address, protocol) on one port number. Port 0: the OS picks it for the first
/// socket and the rest follow; if that number is taken for another, pick again (bounded).
fn bind(args: &EchoArgs, tcp_on: bool, udp_on: bool) -> Result<Bound, Error> {
    let defaults = args.bind.is_empty();
    let addresses: Vec<IpAddr> = if defaults {
        vec![
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ]
    } else {
        args.bind.clone()
    };
    let wanted = args.port.unwrap_or(0);
    let mut last_error = None;
    for _attempt in 0..PORT_TRIES {
        match bind_once(&addresses, wanted, tcp_on, udp_on, defaults) {
            Ok(bound) => return Ok(bound),
            // The OS's choice for the first socket was taken for another: try a new one.
            Err(e)
                if wanted == 0
                    && matches!(e, Error::Bind { ref source, .. } if source.kind() == io::ErrorKind::AddrInUse) =>
            {
                last_error = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or(Error::NoFreePort { tries: PORT_TRIES }))
}

fn bind_once(
    addresses: &[IpAddr],
    wanted: u16,
    tcp_on: bool,
    udp_on: bool,
    defaults: bool,
) -> Result<Bound, Error> {
    let mut port = wanted;
    let mut bound = Bound {
        tcp: Vec::new(),
        udp: Vec::new(),
    };
    for &ip in addresses {
        for (on, proto) in [(tcp_on, Protocol::Tcp), (udp_on, Protocol::Udp)] {
            if !on {
                continue;
            }
            let at = SocketAddr::new(ip, port);
            match open(at, proto) {
                Ok(Opened::Tcp(l)) => {
                    port = l.local_addr().map(|a| a.port()).unwrap_or(port);
                    bound.tcp.push(l);
                }
                Ok(Opened::Udp(u)) => {
                    port = u.local_addr().map(|a| a.port()).unwrap_or(port);
                    bound.udp.push(u);
                }
                // Listening everywhere on a machine without IPv6: IPv4 alone will do.
                Err(e) if defaults && ip.is_ipv6() && errno::is_family_missing(&e) => {}
                Err(source) => {
                    return Err(Error::Bind {
                        protocol: proto,
                        address: at,
                        source,
                    });
                }
            }
        }
    }
    Ok(bound)
}

enum Opened {
    Tcp(tokio::net::TcpListener),
    Udp(tokio::net::UdpSocket),
}

/// One socket: SO_REUSEADDR on TCP only, IPV6_V6ONLY set explicitly (the IPv4 socket covers
/// IPv4), a deep accept queue, large UDP buffers.
fn open(at: SocketAddr, proto: Protocol) -> io::Result<Opened> {
    let domain = Domain::for_address(at);
    let kind = if proto == Protocol::Tcp {
        Type::STREAM
    } else {
        Type::DGRAM
    };
    let socket = Socket::new(domain, kind, None)?;
    // TCP: a restart need not wait out TIME_WAIT. Never on UDP, where Linux would let a
    // second endpoint share the port and take some of the datagrams.
    if proto == Protocol::Tcp {
        socket.set_reuse_address(true)?;
    }
    if at.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    if proto == Protocol::Udp {
        // Room for bursts of 64 KiB datagrams; the kernel caps it at net.core.*mem_max.
        let _ = socket.set_recv_buffer_size(4 << 20);
        let _ = socket.set_send_buffer_size(4 << 20);
    }
    socket.bind(&at.into())?;
    Ok(match proto {
        Protocol::Tcp => {
            socket.listen(1024)?;
            Opened::Tcp(tokio::net::TcpListener::from_std(socket.into())?)
        }
        Protocol::Udp => Opened::Udp(tokio::net::UdpSocket::from_std(socket.into())?),
    })
}

/// "reach me at" addresses: for a wildcard bind, this machine's addresses other than loopback.
fn reach(bound: &Bound, args: &EchoArgs) -> Vec<String> {
    let port = bound
        .tcp
        .first()
        .and_then(|l| l.local_addr().ok())
        .or_else(|| bound.udp.first().and_then(|u| u.local_addr().ok()))
        .map_or(0, |a| a.port());
    if !args.bind.is_empty() {
        return Vec::new();
    }
    let protocols: Vec<&str> = [
        (!bound.tcp.is_empty(), "tcp"),
        (!bound.udp.is_empty(), "udp"),
    ]
    .into_iter()
    .filter_map(|(on, p)| on.then_some(p))
    .collect();
    let Ok(addresses) = crate::net::interfaces::local_addresses() else {
        return Vec::new();
    };
    addresses
        .into_iter()
        .filter(|(_, ip)| !ip.is_loopback())
        .flat_map(|(name, ip)| {
            let at = match ip {
                IpAddr::V4(v4) => format!("{v4}:{port}"),
                IpAddr::V6(v6) if v6.is_unicast_link_local() => {
                    format!("[{v6}%{name}]:{port}")
                }
                IpAddr::V6(v6) => format!("[{v6}]:{port}"),
            };
            protocols
                .iter()
                .map(move |p| format!("{at}/{p}"))
                .collect::<Vec<_>>()
        })
        .collect()
}
