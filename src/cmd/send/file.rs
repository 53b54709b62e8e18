//! `--file`: a file's bytes go out and must come back identical.

use std::io;
use std::path::Path;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use std::net::SocketAddr;
use std::time::Instant;

use super::{Link, exchange, link_error};
use crate::cli::SendArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::messages::FileCheck;

/// `--file`: the file's bytes go out and must come back identical. Over plain TCP they
/// stream (written and compared at once, never all in memory); UDP and framed TCP go in
/// pieces of --size bytes, one exchange each.
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

pub(super) async fn send_file(
    mut link: Link,
    path: &Path,
    total: u64,
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
    let started = Instant::now();
    let mut check = FileCheck {
        sent_bytes: 0,
        received_bytes: 0,
        identical: false,
        first_difference: None,
        seconds: 0.0,
    };
    match link {
        Link::Tcp(stream, _) if args.wire.framed.is_none() => {
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
                let Some((_, reply)) = exchange(&mut link, &buf[..n], args).await.map_err(&fail)?
                else {
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
    path: &Path,
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
