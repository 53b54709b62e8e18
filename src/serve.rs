//! What the servers (echo and listen) share: binding one port on every address asked for,
//! the "reach me at" addresses, the stop signal, and the event log with its counters. Server
//! tasks log through a bounded channel that the command's own task drains into the renderer,
//! so a slow log never slows serving.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use socket2::{Domain, Socket, Type};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::cli::ServeArgs;
use crate::error::Error;
use crate::net::errno;
use crate::net::pktinfo::{self, Datagram};
use crate::output::Output;
use crate::output::messages::{Destination, Look, Payload, ServerEvent};
use crate::ports::Protocol;

/// Events waiting for the renderer; beyond this they are counted, not logged.
const EVENT_QUEUE: usize = 8192;
/// How many times port 0 is tried when the OS's pick is taken on another address.
const PORT_TRIES: usize = 16;
/// How long clients get to finish when the server stops.
const GRACE: Duration = Duration::from_secs(2);

/// The log every server task writes to, and the counters of the summary.
pub struct Log {
    events: mpsc::Sender<ServerEvent>,
    quiet: bool,
    /// JSON: messages are logged whole (lossless); text shows at most text::SHOWN bytes.
    whole: bool,
    look: Look,
    pub clients_now: AtomicUsize,
    pub clients: AtomicU64,
    pub datagrams: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub dropped: AtomicU64,
    unlogged: AtomicU64,
}

impl Log {
    /// Logs an event unless the log is full (then it is only counted) or --quiet.
    pub fn log(&self, event: ServerEvent) {
        let always = matches!(
            event,
            ServerEvent::Listening { .. } | ServerEvent::Sent { .. } | ServerEvent::NotSent { .. }
        );
        if self.quiet && !always {
            return;
        }
        if self.events.try_send(event).is_err() {
            self.unlogged.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Whether messages are logged at all (not with --quiet): when not, none is copied.
    /// Logs a datagram that arrived (`message`: its bytes in the buffer), where messages are
    /// logged.
    pub fn datagram(&self, d: &Datagram, message: &[u8], destination: Option<Destination>) {
        if self.logs_messages() {
            self.log(ServerEvent::Datagram {
                protocol: Protocol::Udp,
                peer: d.peer,
                bytes: d.len,
                sent_bytes: d.sent,
                truncated: d.truncated(),
                destination,
                payload: self.payload(message),
            });
        }
    }

    pub fn logs_messages(&self) -> bool {
        !self.quiet
    }

    /// A message's bytes as the log keeps them.
    pub fn payload(&self, message: &[u8]) -> Payload {
        Payload::of(message, self.whole, self.look)
    }

    fn count(&self, a: &AtomicU64) -> u64 {
        a.load(Ordering::Relaxed)
    }
}

/// The next TCP client; `None` once the server stops. Out of file descriptors, it says so
/// once (`told`) and backs off; it never gives up.
pub async fn accept_one(
    listener: &TcpListener,
    log: &Log,
    stop: &mut watch::Receiver<bool>,
    told: &mut bool,
) -> Option<(TcpStream, SocketAddr)> {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return None,
        };
        match accepted {
            Ok(pair) => return Some(pair),
            Err(e) => {
                if !*told && errno::is_out_of_descriptors(&e) {
                    *told = true;
                    let here = listener
                        .local_addr()
                        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
                    log.log(ServerEvent::Dropped {
                        protocol: Protocol::Tcp,
                        peer: here,
                        reason:
                            "out of file descriptors: not accepting for a moment (raise ulimit -n)"
                                .to_string(),
                    });
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Counts a client out and logs why it left, with its (messages, bytes in, bytes out).
pub fn disconnected(
    log: &Log,
    peer: SocketAddr,
    (messages, bytes_in, bytes_out): (u64, u64, u64),
    reason: String,
) {
    log.clients_now.fetch_sub(1, Ordering::Relaxed);
    log.log(ServerEvent::Disconnected {
        protocol: Protocol::Tcp,
        peer,
        messages,
        bytes_in,
        bytes_out,
        reason,
    });
}

/// Counts a client in and logs it as connected; `clients` is how many are connected now.
pub fn connected(log: &Log, peer: SocketAddr, waited_ms: Option<f64>, queued: Option<u32>) {
    let clients = log.clients_now.fetch_add(1, Ordering::Relaxed) + 1;
    log.clients.fetch_add(1, Ordering::Relaxed);
    log.log(ServerEvent::Connected {
        protocol: Protocol::Tcp,
        peer,
        clients,
        waited_ms,
        queued,
    });
}

/// Accepts TCP clients until the server stops, within `max_clients`: each one is counted,
/// logged as connected and handed to `serve_client` with its number, on a task of its own.
pub async fn accept_clients<F, Fut>(
    listener: TcpListener,
    log: Arc<Log>,
    max_clients: usize,
    mut stop: watch::Receiver<bool>,
    mut serve_client: F,
) where
    F: FnMut(u64, TcpStream, SocketAddr) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut told = false;
    let mut ids = 0u64;
    while let Some((stream, peer)) = accept_one(&listener, &log, &mut stop, &mut told).await {
        if log.clients_now.load(Ordering::Relaxed) >= max_clients {
            log.dropped.fetch_add(1, Ordering::Relaxed);
            log.log(ServerEvent::Dropped {
                protocol: Protocol::Tcp,
                peer,
                reason: format!("{max_clients} clients already connected (--max-clients)"),
            });
            continue;
        }
        // The client is set up before its connection is logged: whoever acts on the log
        // line (a person typing, a test) finds it ready.
        let serving = serve_client(ids, stream, peer);
        connected(&log, peer, None, None);
        tokio::spawn(serving);
        ids += 1;
    }
}

/// Whether an unframed TCP read shows the stream's nature: several lines in one read (sends
/// glued together), or a read that filled the buffer (a send split). Said once per connection.
pub fn shows_the_stream(read: &[u8], buffer: usize) -> bool {
    let inner_newline = read
        .iter()
        .take(read.len().saturating_sub(1))
        .any(|&b| b == b'\n');
    inner_newline || read.len() == buffer
}

/// The next datagram on a server's UDP socket, with its source and where it arrived, counted
/// in the summary; `None` once the server stops. A receive error (an ICMP error from an
/// earlier send, a port unreachable) is not the server's to end on.
pub async fn next_datagram(
    socket: &UdpSocket,
    buf: &mut [u8],
    log: &Log,
    stop: &mut watch::Receiver<bool>,
) -> Option<Datagram> {
    loop {
        tokio::select! {
            got = pktinfo::recv(socket, buf) => if let Ok(got) = got {
                log.datagrams.fetch_add(1, Ordering::Relaxed);
                log.bytes_in.fetch_add(got.len as u64, Ordering::Relaxed);
                return Some(got);
            },
            _ = stop.changed() => return None,
        }
    }
}

/// The receive buffer of a server's UDP socket: --recv-size, or room for the largest datagram
/// (65,507 bytes over IPv4, 65,527 over IPv6).
pub fn datagram_buffer(recv_size: Option<u32>) -> Vec<u8> {
    vec![0u8; recv_size.map_or(65_536, |n| n as usize)]
}

/// Why a client's connection ended, in a log's words.
pub fn client_gone(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionReset => "reset by the client".to_string(),
        io::ErrorKind::BrokenPipe => "the client closed its side".to_string(),
        _ => crate::error::io_reason(e),
    }
}

/// A server's log, its stop switch, and the receiving end the command drains.
pub struct Server {
    pub log: Arc<Log>,
    pub stop: watch::Receiver<bool>,
    stop_tx: watch::Sender<bool>,
    events: mpsc::Receiver<ServerEvent>,
}

impl Server {
    pub fn new(quiet: bool, json: bool, look: Look) -> Server {
        let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
        let (stop_tx, stop) = watch::channel(false);
        let log = Arc::new(Log {
            events: events_tx,
            quiet,
            whole: json,
            look,
            clients_now: AtomicUsize::new(0),
            clients: AtomicU64::new(0),
            datagrams: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            unlogged: AtomicU64::new(0),
        });
        Server {
            log,
            stop,
            stop_tx,
            events,
        }
    }

    /// Says where the server listens: a line per socket, and "reach me at" lines.
    pub fn announce(&self, out: &mut Output, bound: &Bound) -> Result<(), Error> {
        for listener in &bound.tcp {
            out.server_event(&listening(Protocol::Tcp, listener.local_addr()))?;
        }
        for socket in &bound.udp {
            out.server_event(&listening(Protocol::Udp, socket.local_addr()))?;
        }
        out.reach_lines(&reach(bound))?;
        out.flush()?;
        Ok(())
    }

    /// Renders events until Ctrl-C, SIGTERM or `ended`; then stops the tasks (giving clients a
    /// moment to close), renders what is left, and the summary.
    pub async fn run(
        mut self,
        out: &mut Output,
        mut tasks: JoinSet<()>,
        ended: impl Future<Output = ()>,
    ) -> Result<(), Error> {
        let stopped = crate::net::stop::stop();
        tokio::pin!(stopped, ended);
        loop {
            tokio::select! {
                event = self.events.recv() => match event {
                    Some(event) => {
                        out.server_event(&event)?;
                        if self.events.is_empty() {
                            out.flush()?;
                        }
                    }
                    None => break,
                },
                _ = &mut stopped => break,
                _ = &mut ended => break,
            }
        }
        let _ = self.stop_tx.send(true);
        let _ =
            tokio::time::timeout(GRACE, async { while tasks.join_next().await.is_some() {} }).await;
        while let Ok(event) = self.events.try_recv() {
            out.server_event(&event)?;
        }
        let log = &self.log;
        out.server_event(&ServerEvent::Summary {
            clients: log.count(&log.clients),
            datagrams: log.count(&log.datagrams),
            bytes_in: log.count(&log.bytes_in),
            bytes_out: log.count(&log.bytes_out),
            dropped: log.count(&log.dropped),
            unlogged: log.count(&log.unlogged),
        })?;
        Ok(())
    }
}

fn listening(protocol: Protocol, address: io::Result<SocketAddr>) -> ServerEvent {
    let address = address.unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    ServerEvent::Listening {
        protocol,
        address,
        port: address.port(),
    }
}

/// The sockets a server serves on.
pub struct Bound {
    pub tcp: Vec<tokio::net::TcpListener>,
    pub udp: Vec<tokio::net::UdpSocket>,
    /// On every address (no --bind): then the reach-me-at lines name this machine's.
    pub everywhere: bool,
}

/// Binds what `at` asks for: every (address, protocol) on one port number, the --bind
/// addresses or every IPv4 and IPv6 address when none are given. Port 0 (or none): the OS
/// picks it for the first socket and the rest follow; if that number is taken for another,
/// pick again (bounded).
pub fn bind(at: &ServeArgs) -> Result<Bound, Error> {
    let (addresses, wanted, backlog) = (&at.bind, at.port.unwrap_or(0), at.backlog);
    let (tcp_on, udp_on) = at.protocols();
    let defaults = addresses.is_empty();
    let addresses: Vec<IpAddr> = if defaults {
        vec![
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ]
    } else {
        addresses.to_vec()
    };
    let mut last_error = None;
    for _attempt in 0..PORT_TRIES {
        match bind_once(&addresses, wanted, (tcp_on, udp_on), backlog, defaults) {
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
    (tcp_on, udp_on): (bool, bool),
    backlog: u32,
    defaults: bool,
) -> Result<Bound, Error> {
    let mut port = wanted;
    let mut bound = Bound {
        tcp: Vec::new(),
        udp: Vec::new(),
        everywhere: defaults,
    };
    for &ip in addresses {
        for (on, proto) in [(tcp_on, Protocol::Tcp), (udp_on, Protocol::Udp)] {
            if !on {
                continue;
            }
            let at = SocketAddr::new(ip, port);
            match open(at, proto, backlog) {
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
                    return Err(crate::net::owners::bind_error(proto, at, source));
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
/// IPv4), the accept queue asked for (--backlog), large UDP buffers.
fn open(at: SocketAddr, proto: Protocol, backlog: u32) -> io::Result<Opened> {
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
            socket.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
            Opened::Tcp(tokio::net::TcpListener::from_std(socket.into())?)
        }
        Protocol::Udp => Opened::Udp(tokio::net::UdpSocket::from_std(socket.into())?),
    })
}

/// "reach me at" addresses: for a wildcard bind, this machine's addresses other than loopback.
pub fn reach(bound: &Bound) -> Vec<String> {
    let port = bound
        .tcp
        .first()
        .and_then(|l| l.local_addr().ok())
        .or_else(|| bound.udp.first().and_then(|u| u.local_addr().ok()))
        .map_or(0, |a| a.port());
    if !bound.everywhere {
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
