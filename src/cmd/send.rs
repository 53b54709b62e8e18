//! `netkit send`: the client for echo endpoints and for the servers students write. Each
//! message is one exchange: send, wait for the reply (bounded by --timeout), print it with its
//! round-trip time.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::frame::{self, Deframer};
use crate::output::Output;
use crate::output::echo::{Exchange, FileCheck, Measured, SendSummary, preview};
use crate::stats;

/// After the first bytes of an unframed TCP reply, how long a pause ends it.
const QUIET: Duration = Duration::from_millis(200);

pub fn run(args: &SendArgs, out: &mut Output) -> Result<Outcome, Error> {
    let runtime = crate::cmd::runtime(1)?;
    runtime.block_on(send(args, out))
}

/// `HOST:PORT` or `[IPv6]:PORT`, split.
pub fn split_target(text: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("'{text}': a '[' without its ']'"))?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| format!("'{text}': give the port after the ']', as [::1]:7788"))?;
        (host, port)
    } else {
        let (host, port) = text.rsplit_once(':').ok_or_else(|| {
            format!("'{text}': give the server as HOST:PORT, e.g. 127.0.0.1:7788")
        })?;
        if host.contains(':') {
            return Err(format!(
                "'{text}': write an IPv6 address in brackets, as [::1]:7788"
            ));
        }
        (host, port)
    };
    if host.is_empty() {
        return Err(format!("'{text}': the host is missing"));
    }
    let port: u16 = port
        .parse()
        .map_err(|_| format!("'{port}' is not a port number (0-65535)"))?;
    if port == 0 {
        return Err("port 0 cannot be sent to".to_string());
    }
    Ok((host.to_string(), port))
}

enum Link {
    Tcp(TcpStream, Deframer),
    Udp(UdpSocket),
}

async fn send(args: &SendArgs, out: &mut Output) -> Result<Outcome, Error> {
    let (host, port) = split_target(&args.target).map_err(Error::Usage)?;
    let peer = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| Error::Resolve {
            name: host.clone(),
            reason: crate::error::io_reason(&e),
        })?
        .next()
        .ok_or_else(|| Error::Resolve {
            name: host.clone(),
            reason: "it has no address".to_string(),
        })?;
    let connect_error = link_error(args, peer);
    let mut link = if args.udp {
        let local: SocketAddr = if peer.is_ipv6() {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        }
        .parse()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let socket = UdpSocket::bind(local).await.map_err(&connect_error)?;
        socket.connect(peer).await.map_err(&connect_error)?;
        Link::Udp(socket)
    } else {
        let stream = timeout(args.timeout, TcpStream::connect(peer))
            .await
            .map_err(|_| connect_error(io::Error::from(io::ErrorKind::TimedOut)))?
            .map_err(&connect_error)?;
        let _ = stream.set_nodelay(true);
        Link::Tcp(stream, Deframer::default())
    };

    if let Some(path) = &args.file {
        return send_file(link, path, peer, args, out).await;
    }
    if let Some(count) = args.count {
        return measure(&mut link, count, peer, args, out).await;
    }
    messages(&mut link, peer, args, out).await
}

/// Turns a socket error into the error that names the link ("cannot reach TCP 127.0.0.1:9").
fn link_error(args: &SendArgs, peer: SocketAddr) -> impl Fn(io::Error) -> Error {
    let what = format!("{} {peer}", if args.udp { "UDP" } else { "TCP" });
    move |source| Error::Connect {
        what: what.clone(),
        source,
    }
}

/// Each message (or stdin line) is one exchange.
async fn messages(
    link: &mut Link,
    peer: SocketAddr,
    args: &SendArgs,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let connect_error = link_error(args, peer);
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut given = args.messages.iter();
    let mut rtts = Vec::new();
    let (mut sent, mut timeouts) = (0u64, 0u64);
    loop {
        let message = if args.messages.is_empty() {
            match stdin.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(source) => {
                    return Err(Error::Read {
                        what: "stdin".to_string(),
                        source,
                    });
                }
            }
        } else {
            match given.next() {
                Some(m) => m.clone(),
                None => break,
            }
        };
        sent += 1;
        let began = Instant::now();
        let reply = exchange(link, message.as_bytes(), args)
            .await
            .map_err(&connect_error)?;
        let exchange = match reply {
            Some(reply) => {
                let rtt = began.elapsed().as_secs_f64() * 1000.0;
                rtts.push(rtt);
                Exchange {
                    seq: sent,
                    sent_bytes: message.len(),
                    received_bytes: reply.len(),
                    rtt_ms: Some(rtt),
                    identical: reply == message.as_bytes(),
                    reply: if out.json() {
                        String::from_utf8_lossy(&reply).into_owned()
                    } else {
                        preview(&reply)
                    },
                }
            }
            None => {
                timeouts += 1;
                Exchange {
                    seq: sent,
                    sent_bytes: message.len(),
                    received_bytes: 0,
                    rtt_ms: None,
                    identical: false,
                    reply: String::new(),
                }
            }
        };
        out.send_exchange(peer, &exchange)?;
        out.flush()?;
    }
    out.send_summary(&SendSummary {
        sent,
        replies: sent - timeouts,
        timeouts,
        loss_percent: stats::loss_percent(sent, sent - timeouts),
        reordered: 0,
        corrupted: 0,
        rtt_ms: stats::summarize(&rtts),
    })?;
    Ok(if timeouts > 0 {
        Outcome::Negative
    } else {
        Outcome::Success
    })
}

/// Message `seq` of --count: the sequence number, then a pattern, `size` bytes in all.
fn probe(seq: u64, size: usize) -> Vec<u8> {
    let mut p = seq.to_be_bytes().to_vec();
    p.extend((8..size).map(|i| (i as u64).wrapping_add(seq) as u8));
    p
}

/// `--count`: N messages, each checked byte for byte. UDP keeps them in flight on the
/// --interval schedule (so loss and reordering show); TCP, an ordered stream, takes turns.
async fn measure(
    link: &mut Link,
    count: u64,
    peer: SocketAddr,
    args: &SendArgs,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let size = usize::from(args.size.unwrap_or(64));
    let fail = link_error(args, peer);
    let mut sent_at: Vec<Option<Instant>> = vec![None; count as usize];
    let mut tally = Tally {
        answered: vec![false; count as usize],
        ..Tally::default()
    };
    match link {
        Link::Udp(socket) => {
            let start = Instant::now();
            let mut next = 0u64;
            let mut buf = vec![0u8; 65_536];
            let mut last_send = start;
            loop {
                let sending = next < count;
                let due =
                    tokio::time::Instant::from_std(start + args.interval.mul_f64(next as f64));
                let give_up = tokio::time::Instant::from_std(last_send + args.timeout);
                tokio::select! {
                    _ = tokio::time::sleep_until(due), if sending => {
                        sent_at[next as usize] = Some(Instant::now());
                        socket.send(&probe(next, size)).await.map_err(&fail)?;
                        last_send = Instant::now();
                        next += 1;
                    }
                    got = socket.recv(&mut buf) => {
                        let n = got.map_err(&fail)?;
                        if n >= 8 {
                            let seq = u64::from_be_bytes(buf[..8].try_into().unwrap_or([0; 8]));
                            tally.record(seq, &buf[..n], &sent_at, size, peer, out)?;
                        }
                        if !sending && tally.rtts.len() as u64 == count {
                            break;
                        }
                    }
                    _ = tokio::time::sleep_until(give_up), if !sending => break,
                }
            }
        }
        Link::Tcp(..) => {
            for seq in 0..count {
                if seq > 0 {
                    tokio::time::sleep(args.interval).await;
                }
                sent_at[seq as usize] = Some(Instant::now());
                if let Some(reply) = exchange(link, &probe(seq, size), args)
                    .await
                    .map_err(&fail)?
                {
                    tally.record(seq, &reply, &sent_at, size, peer, out)?;
                }
            }
        }
    }
    let replies = tally.rtts.len() as u64;
    out.send_summary(&SendSummary {
        sent: count,
        replies,
        timeouts: count - replies,
        loss_percent: stats::loss_percent(count, replies),
        reordered: tally.reordered,
        corrupted: tally.corrupted,
        rtt_ms: stats::summarize(&tally.rtts),
    })?;
    Ok(if replies < count || tally.corrupted > 0 {
        Outcome::Negative
    } else {
        Outcome::Success
    })
}

/// What `--count` has seen so far.
#[derive(Default)]
struct Tally {
    answered: Vec<bool>,
    rtts: Vec<f64>,
    reordered: u64,
    corrupted: u64,
    highest: Option<u64>,
}

impl Tally {
    /// Notes the reply to message `seq` (a repeat is ignored) and prints it.
    fn record(
        &mut self,
        seq: u64,
        reply: &[u8],
        sent_at: &[Option<Instant>],
        size: usize,
        peer: SocketAddr,
        out: &mut Output,
    ) -> io::Result<()> {
        let Some(Some(at)) = sent_at.get(seq as usize) else {
            return Ok(());
        };
        if std::mem::replace(&mut self.answered[seq as usize], true) {
            return Ok(());
        }
        let rtt_ms = at.elapsed().as_secs_f64() * 1000.0;
        let identical = reply == probe(seq, size).as_slice();
        let late = self.highest.is_some_and(|h| seq < h);
        self.highest = Some(self.highest.map_or(seq, |h| h.max(seq)));
        self.rtts.push(rtt_ms);
        self.reordered += u64::from(late);
        self.corrupted += u64::from(!identical);
        out.send_measured(
            peer,
            &Measured {
                seq: seq + 1,
                bytes: reply.len(),
                rtt_ms,
                identical,
                reordered: late,
            },
        )
    }
}

/// `--file`: the file's bytes go out and must come back identical. Over plain TCP they
/// stream (written and compared at once, never all in memory); UDP and framed TCP go in
/// pieces of --size bytes, one exchange each.
async fn send_file(
    mut link: Link,
    path: &std::path::Path,
    peer: SocketAddr,
    args: &SendArgs,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let fail = link_error(args, peer);
    let read_fail = |source| Error::Read {
        what: path.display().to_string(),
        source,
    };
    let mut file = tokio::fs::File::open(path).await.map_err(read_fail)?;
    let meta = file.metadata().await.map_err(read_fail)?;
    // The echo is checked against a second read of the file: a pipe cannot be read twice.
    if !meta.is_file() {
        return Err(Error::Usage(format!(
            "--file {}: not a regular file (the echo is compared with a second read of it; \
             save the data to a file first, or pipe it into interactive mode without --file)",
            path.display()
        )));
    }
    let total = meta.len();
    let started = Instant::now();
    let mut check = FileCheck {
        sent_bytes: 0,
        received_bytes: 0,
        identical: false,
        first_difference: None,
        seconds: 0.0,
    };
    match link {
        Link::Tcp(stream, _) if !args.framed => {
            // One connection, as fast as it goes: blocking I/O on its own threads (on Linux,
            // std::io::copy from a file to a socket is sendfile), compared 128 KiB at a time.
            let stream = stream.into_std().map_err(&fail)?;
            let (path, limit) = (path.to_path_buf(), args.timeout);
            let streamed =
                tokio::task::spawn_blocking(move || stream_file(stream, &path, limit, total))
                    .await
                    .map_err(|e| fail(io::Error::other(e.to_string())))?;
            let (received, first_difference) = streamed.map_err(&fail)?;
            check.sent_bytes = total;
            check.received_bytes = received;
            check.first_difference = first_difference;
            drop(file);
        }
        _ => {
            let piece = usize::from(args.size.unwrap_or(if args.udp { 1400 } else { 65_507 }));
            let mut buf = vec![0u8; piece];
            loop {
                let n = read_piece(&mut file, &mut buf).await.map_err(read_fail)?;
                if n == 0 {
                    break;
                }
                check.sent_bytes += n as u64;
                let Some(reply) = exchange(&mut link, &buf[..n], args).await.map_err(&fail)? else {
                    break;
                };
                if check.first_difference.is_none() && reply != buf[..n] {
                    let at = (0..n).find(|&i| reply.get(i) != Some(&buf[i])).unwrap_or(n);
                    check.first_difference = Some(check.received_bytes + at as u64);
                }
                check.received_bytes += reply.len() as u64;
            }
        }
    }
    check.seconds = started.elapsed().as_secs_f64();
    check.identical = check.first_difference.is_none()
        && check.received_bytes == total
        && check.sent_bytes == total;
    out.send_file(&check)?;
    Ok(if check.identical {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// Sends a whole file: with sendfile(2) on Linux, so its bytes go from the page cache to the
/// socket without a copy in this process (std::io::copy does not use it for a socket here: it
/// copied 8 KiB at a time, and the client was the slowest part of a 1 GiB echo).
fn send_whole_file(file: &mut std::fs::File, socket: &mut std::net::TcpStream) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    loop {
        match nix::sys::sendfile::sendfile(&*socket, &*file, None, 1 << 30) {
            Ok(0) => return Ok(()),
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            // Not a file sendfile can read (a pipe, say): copy it instead.
            Err(nix::errno::Errno::EINVAL | nix::errno::Errno::ENOSYS) => break,
            Err(e) => return Err(e.into()),
        }
    }
    std::io::copy(file, socket).map(|_| ())
}

/// How much of the echo is compared at a time.
const COMPARE_CHUNK: usize = 128 * 1024;

/// Writes the file to `stream` on a second thread while reading the echo here and comparing
/// it with the file: (bytes received, offset of the first difference).
fn stream_file(
    stream: std::net::TcpStream,
    path: &std::path::Path,
    limit: Duration,
    total: u64,
) -> io::Result<(u64, Option<u64>)> {
    use std::io::Read;
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(limit))?;
    let mut writer = stream.try_clone()?;
    let source = path.to_path_buf();
    let writing = std::thread::spawn(move || -> io::Result<()> {
        let mut file = std::fs::File::open(source)?;
        send_whole_file(&mut file, &mut writer)?;
        writer.shutdown(std::net::Shutdown::Write)
    });
    let mut reader = stream;
    // Read straight into `want` (a BufReader would copy every byte twice), in pieces small
    // enough that both buffers stay in the CPU's cache while they are compared.
    let mut original = std::fs::File::open(path)?;
    let mut got = vec![0u8; COMPARE_CHUNK];
    let mut want = vec![0u8; COMPARE_CHUNK];
    let (mut received, mut first_difference) = (0u64, None);
    while received < total {
        let n = match reader.read(&mut got) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                break;
            }
            Err(e) => return Err(e),
        };
        original.read_exact(&mut want[..n])?;
        // Slice equality is a memcmp; the byte is looked for only on a mismatch.
        if first_difference.is_none() && got[..n] != want[..n] {
            first_difference = (0..n)
                .find(|&i| got[i] != want[i])
                .map(|i| received + i as u64);
        }
        received += n as u64;
    }
    writing
        .join()
        .map_err(|_| io::Error::other("the writing thread failed"))??;
    Ok((received, first_difference))
}

/// Fills `buf` from the file as far as it goes; the count read (0 at the end).
async fn read_piece(file: &mut tokio::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Sends one message and waits for its reply; `None` when none came in time.
async fn exchange(link: &mut Link, message: &[u8], args: &SendArgs) -> io::Result<Option<Vec<u8>>> {
    match link {
        Link::Udp(socket) => {
            socket.send(message).await?;
            let mut buf = vec![0u8; 65_536];
            match timeout(args.timeout, socket.recv(&mut buf)).await {
                Ok(Ok(n)) => Ok(Some(buf[..n].to_vec())),
                Ok(Err(e)) => Err(e),
                Err(_) => Ok(None),
            }
        }
        Link::Tcp(stream, frames) if args.framed => {
            stream.write_all(&frame::encode(message)).await?;
            let deadline = Instant::now() + args.timeout;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                if let Some(frame) = frames
                    .next_frame()
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?
                {
                    return Ok(Some(frame));
                }
                let left = deadline.saturating_duration_since(Instant::now());
                match timeout(left, stream.read(&mut buf)).await {
                    Ok(Ok(0)) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
                    Ok(Ok(n)) => frames.push(&buf[..n]),
                    Ok(Err(e)) => return Err(e),
                    Err(_) => return Ok(None),
                }
            }
        }
        Link::Tcp(stream, _) => {
            stream.write_all(message).await?;
            let deadline = Instant::now() + args.timeout;
            let mut reply = Vec::new();
            let mut buf = vec![0u8; 64 * 1024];
            // An echo answers as many bytes as it got; another server may answer any amount,
            // so a pause after the first bytes also ends the reply.
            while reply.len() < message.len() || message.is_empty() {
                let wait = if reply.is_empty() {
                    deadline.saturating_duration_since(Instant::now())
                } else {
                    QUIET.min(deadline.saturating_duration_since(Instant::now()))
                };
                match timeout(wait, stream.read(&mut buf)).await {
                    Ok(Ok(0)) => break,
                    Ok(Ok(n)) => reply.extend_from_slice(&buf[..n]),
                    Ok(Err(e)) => return Err(e),
                    Err(_) => break,
                }
                if message.is_empty() {
                    break;
                }
            }
            Ok((!reply.is_empty() || message.is_empty()).then_some(reply))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_into_host_and_port() {
        let ok = [
            ("127.0.0.1:7788", ("127.0.0.1", 7788)),
            ("[::1]:9000", ("::1", 9000)),
            ("localhost:80", ("localhost", 80)),
        ];
        for (text, (host, port)) in ok {
            assert_eq!(split_target(text), Ok((host.to_string(), port)), "{text}");
        }
        let bad = [
            ("127.0.0.1", "give the server as HOST:PORT"),
            ("::1:80", "write an IPv6 address in brackets"),
            ("[::1]", "give the port after the ']'"),
            ("127.0.0.1:70000", "'70000' is not a port number"),
            (":80", "the host is missing"),
            ("127.0.0.1:0", "port 0 cannot be sent to"),
        ];
        for (text, reason) in bad {
            let got = split_target(text);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(reason)),
                "{text}: {got:?}"
            );
        }
    }
}
