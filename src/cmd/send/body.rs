//! The body a JSON header announces (the lessons' file server: struct.pack('i'), the JSON
//! header, then the file's bytes, bare): read after the header's frame, counted and hashed as
//! it comes, written to --save-body's file if asked, never held whole.

use std::io;
use std::path::Path;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::exchange::{Ended, is_reset};
use crate::cli::SendArgs;
use crate::error::Error;
use crate::frame::{BodyCheck, BodySum, Deframer};

/// Empties --save-body's FILE (creating it) before anything is sent: a path that cannot be
/// written is said at the start, and the bodies of this run follow one another in it.
pub(super) fn empty_body_file(path: &Path) -> Result<(), Error> {
    let bad = |reason: String| Error::BadValue {
        option: "--save-body",
        value: path.display().to_string(),
        reason,
    };
    if let Some(kind) = crate::net::not_a_file(path) {
        return Err(bad(format!("{kind}: give a file to write the body to")));
    }
    std::fs::File::create(path)
        .map(drop)
        .map_err(|e| bad(crate::error::io_reason(&e)))
}

/// What came of a body: its sum, how the connection ended meanwhile, and, with --save-body,
/// why it could not be written.
pub(super) struct BodyRead {
    pub sum: BodySum,
    pub ended: Option<Ended>,
    pub not_saved: Option<String>,
}

/// Where a body goes with --save-body: appended piece by piece; the first failed write is
/// kept as the reason and the rest is only hashed.
struct BodyFile {
    file: Option<tokio::fs::File>,
    failed: Option<String>,
}

impl BodyFile {
    async fn open(path: Option<&Path>) -> BodyFile {
        let Some(path) = path else {
            return BodyFile {
                file: None,
                failed: None,
            };
        };
        let opened = tokio::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .await;
        match opened {
            Ok(file) => BodyFile {
                file: Some(file),
                failed: None,
            },
            Err(e) => BodyFile {
                file: None,
                failed: Some(crate::error::io_reason(&e)),
            },
        }
    }

    async fn write(&mut self, bytes: &[u8]) {
        if let Some(file) = self.file.as_mut()
            && let Err(e) = file.write_all(bytes).await
        {
            self.failed = Some(crate::error::io_reason(&e));
            self.file = None;
        }
    }

    async fn close(mut self) -> Option<String> {
        if let Some(file) = self.file.as_mut()
            && let Err(e) = file.flush().await
        {
            self.failed = Some(crate::error::io_reason(&e));
        }
        self.failed
    }
}

/// Reads the body a JSON header announced: what the frame decoder holds beyond the header's
/// frame, then the stream, each read at most what is still to come, until it is all there,
/// the server ends the connection, or nothing comes for --timeout. Bounded memory: each
/// piece is hashed (and with --save-body written) and dropped.
pub(super) async fn read_body(
    stream: &TcpStream,
    frames: &mut Deframer,
    mut check: BodyCheck,
    args: &SendArgs,
    ended: Option<Ended>,
) -> io::Result<BodyRead> {
    let left = |c: &BodyCheck| usize::try_from(c.left()).unwrap_or(usize::MAX);
    let mut file = BodyFile::open(args.save_body.as_deref()).await;
    let first = frames.take_raw(left(&check));
    check.update(&first);
    file.write(&first).await;
    // After a close the body can only be what was already read.
    let mut ended_now = None;
    let mut buf = vec![0u8; if ended.is_some() { 0 } else { 64 * 1024 }];
    while ended.is_none() && check.left() > 0 {
        let want = left(&check).min(buf.len());
        let read = async {
            loop {
                stream.readable().await?;
                match stream.try_read(&mut buf[..want]) {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    done => return done,
                }
            }
        };
        match timeout(args.timeout, read).await {
            // Quiet for --timeout: the body ends short, and its line says so.
            Err(_) => break,
            Ok(Ok(0)) => {
                ended_now = Some(Ended::Closed);
                break;
            }
            Ok(Ok(n)) => {
                check.update(&buf[..n]);
                file.write(&buf[..n]).await;
            }
            Ok(Err(e)) if is_reset(&e) => {
                ended_now = Some(Ended::Reset);
                break;
            }
            Ok(Err(e)) => return Err(e),
        }
    }
    Ok(BodyRead {
        sum: check.finish(),
        ended: ended_now,
        not_saved: file.close().await,
    })
}
