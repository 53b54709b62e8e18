//! `--file`: a file's bytes go out and must come back identical.

use std::io;
use std::path::Path;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use std::time::Instant;

use super::exchange::exchange;
use super::{Link, Session};
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::messages::FileCheck;

/// The size of the file to send, after checking that it is a regular file: the echo is
/// compared with a second read of it, which a pipe cannot give, and opening a FIFO would
/// wait for a writer forever. Checked before the file is opened, and before connecting.
pub(super) async fn size_of(path: &Path) -> Result<u64, Error> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|source| Error::Read {
            what: path.display().to_string(),
            source,
        })?;
    if !meta.is_file() {
        return Err(Error::NotAFile {
            what: format!("--file {}", path.display()),
            hint: "the echo is compared with a second read of it; save the data to a file \
                   first, or pipe it into interactive mode without --file",
        });
    }
    Ok(meta.len())
}

/// `--file`: the file's bytes go out and must come back identical. Over plain TCP they
/// stream (written and compared at once, never all in memory); UDP and framed TCP go in
/// pieces of --size bytes, one exchange each. Stopped: what was compared so far, and the exit
/// is 130.
pub(super) async fn send_file(
    mut link: Link,
    path: &Path,
    total: u64,
    s: &mut Session<'_>,
    out: &mut Output,
) -> Result<Outcome, Error> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(read_error(path))?;
    let started = Instant::now();
    let mut check = FileCheck {
        sent_bytes: 0,
        received_bytes: 0,
        identical: false,
        first_difference: None,
        seconds: 0.0,
    };
    let stopped = match link {
        Link::Tcp(stream, _) if s.args.wire.reads_framed().is_none() => {
            drop(file);
            streamed(stream, path, total, s, &mut check).await?
        }
        _ => in_pieces(&mut link, file, path, s, &mut check).await?,
    };
    check.seconds = started.elapsed().as_secs_f64();
    check.identical = check.first_difference.is_none()
        && check.received_bytes == total
        && check.sent_bytes == total;
    out.send_file(&check)?;
    Ok(if stopped {
        Outcome::Interrupted
    } else if check.identical {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

fn read_error(path: &Path) -> impl Fn(io::Error) -> Error + use<> {
    let what = path.display().to_string();
    move |source| Error::Read {
        what: what.clone(),
        source,
    }
}

/// One connection, as fast as it goes: blocking I/O on threads of its own (on Linux the file
/// goes out with sendfile), compared 128 KiB at a time. True when the stop came first: the
/// socket is shut down then, so both threads end at once.
async fn streamed(
    stream: tokio::net::TcpStream,
    path: &Path,
    total: u64,
    s: &mut Session<'_>,
    check: &mut FileCheck,
) -> Result<bool, Error> {
    let fail = s.fail();
    let stream = stream.into_std().map_err(&fail)?;
    let handle = stream.try_clone().map_err(&fail)?;
    let (path, limit) = (path.to_path_buf(), s.args.timeout);
    let mut task = tokio::task::spawn_blocking(move || stream_file(stream, &path, limit, total));
    let (joined, stopped) = match s.unless_stopped(&mut task).await {
        Some(joined) => (joined, false),
        None => {
            let _ = handle.shutdown(std::net::Shutdown::Both);
            (task.await, true)
        }
    };
    let streamed = joined
        .map_err(|e| fail(io::Error::other(e.to_string())))?
        .map_err(&fail)?;
    check.sent_bytes = streamed.sent;
    check.received_bytes = streamed.received;
    check.first_difference = streamed.first_difference;
    // Stopped, the writer's broken pipe is the shutdown's doing.
    if !stopped {
        streamed.written.map_err(&fail)?;
    }
    Ok(stopped)
}

/// In pieces of --size bytes, one exchange each, until the end of the file, a piece that
/// gets nothing back, or the stop (then true).
async fn in_pieces(
    link: &mut Link,
    mut file: tokio::fs::File,
    path: &Path,
    s: &mut Session<'_>,
    check: &mut FileCheck,
) -> Result<bool, Error> {
    let args = s.args;
    let piece = usize::from(args.size.unwrap_or(if args.udp { 1400 } else { 65_507 }));
    let mut buf = vec![0u8; piece];
    loop {
        let n = read_piece(&mut file, &mut buf)
            .await
            .map_err(read_error(path))?;
        if n == 0 {
            return Ok(false);
        }
        check.sent_bytes += n as u64;
        let Some(reply) = s.unless_stopped(exchange(link, &buf[..n], args)).await else {
            return Ok(true);
        };
        let got = reply.map_err(s.fail())?;
        if !got.sent {
            // The server had closed: this piece never went.
            check.sent_bytes -= n as u64;
        }
        let Some(reply) = got.reply else {
            return Ok(false);
        };
        let reply = reply.bytes;
        if check.first_difference.is_none() && reply != buf[..n] {
            let at = (0..n).find(|&i| reply.get(i) != Some(&buf[i])).unwrap_or(n);
            check.first_difference = Some(check.received_bytes + at as u64);
        }
        check.received_bytes += reply.len() as u64;
    }
}

/// Sends a whole file: with sendfile(2) on Linux, so its bytes go from the page cache to the
/// socket without a copy in this process (std::io::copy does not use it for a socket here: it
/// copied 8 KiB at a time, and the client was the slowest part of a 1 GiB echo). `sent`
/// counts the bytes that went, also when it fails.
fn send_whole_file(
    file: &mut std::fs::File,
    socket: &mut std::net::TcpStream,
    sent: &mut u64,
) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    loop {
        match nix::sys::sendfile::sendfile(&*socket, &*file, None, 1 << 30) {
            Ok(0) => return Ok(()),
            Ok(n) => *sent += n as u64,
            Err(nix::errno::Errno::EINTR) => {}
            // Not a file sendfile can read (a pipe, say): copy it instead.
            Err(nix::errno::Errno::EINVAL | nix::errno::Errno::ENOSYS) => break,
            Err(e) => return Err(e.into()),
        }
    }
    *sent += std::io::copy(file, socket)?;
    Ok(())
}

/// How much of the echo is compared at a time.
const COMPARE_CHUNK: usize = 128 * 1024;

/// What streaming a file did: bytes sent and received, where the echo first differed, and
/// how the writing ended.
struct Streamed {
    sent: u64,
    received: u64,
    first_difference: Option<u64>,
    written: io::Result<()>,
}

/// Writes the file to `stream` on a second thread while reading the echo here and comparing
/// it with the file.
fn stream_file(
    stream: std::net::TcpStream,
    path: &Path,
    limit: Duration,
    total: u64,
) -> io::Result<Streamed> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(limit))?;
    let mut writer = stream.try_clone()?;
    let source = path.to_path_buf();
    let writing = std::thread::spawn(move || {
        let mut sent = 0;
        let written = std::fs::File::open(source)
            .and_then(|mut file| send_whole_file(&mut file, &mut writer, &mut sent))
            .and_then(|()| writer.shutdown(std::net::Shutdown::Write));
        (sent, written)
    });
    let (received, first_difference) = compare_echo(stream, path, total)?;
    let (sent, written) = writing
        .join()
        .map_err(|_| io::Error::other("the writing thread failed"))?;
    Ok(Streamed {
        sent,
        received,
        first_difference,
        written,
    })
}

/// Reads the echo and compares it with a second read of the file: (bytes received, offset
/// of the first difference). A pause of the read timeout ends it.
fn compare_echo(
    mut reader: std::net::TcpStream,
    path: &Path,
    total: u64,
) -> io::Result<(u64, Option<u64>)> {
    use std::io::Read;
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
