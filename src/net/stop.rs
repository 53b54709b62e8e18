//! The end of a command's waiting, and what a person types: one `stop()` future (Ctrl-C or
//! SIGTERM) that every waiting command selects on, and stdin's lines read on a thread of their
//! own. Once the runtime has a Ctrl-C handler the default action is gone for the whole
//! process, so a command arms `stop()` once, before its first wait, and selects on it at every
//! wait after (between hosts, during a connect, while reading).

use std::future::Future;
use std::io;
use std::pin::Pin;

use tokio::sync::mpsc;

/// The stop signal as `stop()` arms it, kept by a command for all of its waits.
pub type Stop = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Ctrl-C or SIGTERM, whichever comes first. Armed when called (the handlers are registered
/// then), so a signal between two waits is not lost: keep the one future and poll it again.
pub fn stop() -> Stop {
    // Unix
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let ctrl_c = signal(SignalKind::interrupt());
        let term = signal(SignalKind::terminate());
        Box::pin(async move {
            match (ctrl_c, term) {
                (Ok(mut ctrl_c), Ok(mut term)) => {
                    tokio::select! {
                        _ = ctrl_c.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                (Ok(mut ctrl_c), Err(_)) => {
                    ctrl_c.recv().await;
                }
                (Err(_), _) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        })
    }
    // Elsewhere
    #[cfg(not(unix))]
    {
        Box::pin(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// `work`'s result, or `None` when the stop comes first (`work` is dropped then). Once it has
/// said `None` the stop has fired: a command ends then, and does not wait on it again.
pub async fn unless_stopped<F: Future>(stop: &mut Stop, work: F) -> Option<F::Output> {
    tokio::select! {
        done = work => Some(done),
        () = stop => None,
    }
}

/// The lines of stdin (line ending included) as they are typed, read on a thread of their
/// own: a blocked terminal read must not hold the runtime when the session ends (tokio's
/// stdin would). The channel closes at end of input.
pub fn stdin_lines() -> mpsc::Receiver<io::Result<Vec<u8>>> {
    let (tx, rx) = mpsc::channel(16);
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        loop {
            let mut line = Vec::new();
            match io::BufRead::read_until(&mut stdin, b'\n', &mut line) {
                Ok(0) => return,
                Ok(_) => {
                    if tx.blocking_send(Ok(line)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    rx
}
