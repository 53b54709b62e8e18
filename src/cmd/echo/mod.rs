//! `netkit echo`: UDP and TCP echo endpoints for socket labs. Servers take already-bound
//! sockets and a shutdown signal; the plumbing they share with listen (binding, the event
//! log, the stop signal) is in serve.rs.

mod guard;
mod tcp;
mod udp;

use std::sync::Arc;
use std::time::Duration;

use crate::cli::{EchoArgs, EchoMode, WireArgs};
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::serve::{self, Log, Server};

/// Most worker threads: one serves the renderer's channel and the UDP sockets, the rest the
/// TCP clients; past four, one echo endpoint's clients gain nothing on a lab machine.
const MAX_WORKERS: usize = 4;

/// What every echo task shares: the settings, and the server's log and counters.
pub struct Shared {
    pub mode: EchoMode,
    pub wire: WireArgs,
    pub max_clients: usize,
    pub idle: Duration,
    pub max_rate: u32,
    pub log: Arc<Log>,
}

impl std::ops::Deref for Shared {
    type Target = Log;

    fn deref(&self) -> &Log {
        &self.log
    }
}

impl Shared {
    /// Applies the mode to one message (echo or upper; relay forwards unchanged).
    pub fn answer(&self, message: &mut [u8]) {
        if self.mode == EchoMode::Upper {
            message.make_ascii_uppercase();
        }
    }
}

pub fn run(args: &EchoArgs, out: &mut Output) -> Result<Outcome, Error> {
    let runtime = crate::net::runtime(crate::net::cores(MAX_WORKERS))?;
    runtime.block_on(echo(args, out))
}

async fn echo(args: &EchoArgs, out: &mut Output) -> Result<Outcome, Error> {
    let bound = serve::bind(&args.at)?;
    let server = Server::new(args.quiet, out.json(), args.text.look());
    server.announce(out, &bound)?;
    let shared = Arc::new(Shared {
        mode: args.mode,
        wire: args.wire,
        max_clients: args.max_clients,
        idle: args.idle_timeout,
        max_rate: args.max_rate,
        log: Arc::clone(&server.log),
    });
    let mut tasks = tokio::task::JoinSet::new();
    for listener in bound.tcp {
        tasks.spawn(tcp::accept_loop(
            listener,
            Arc::clone(&shared),
            server.stop.clone(),
        ));
    }
    for socket in bound.udp {
        tasks.spawn(udp::serve(socket, Arc::clone(&shared), server.stop.clone()));
    }
    server.run(out, tasks, std::future::pending()).await?;
    Ok(Outcome::Success)
}
