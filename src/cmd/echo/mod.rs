//! `netkit echo`: UDP and TCP echo endpoints for socket labs. Servers take already-bound
//! sockets and a shutdown signal; the plumbing they share with listen (binding, the event
//! log, the connection loop, the stop signal) is in serve/.

mod guard;
mod tcp;
mod udp;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::cli::{EchoArgs, EchoMode};
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::server::RelayMode;
use crate::serve::{self, Server};

/// Most worker threads: one serves the renderer's channel and the UDP sockets, the rest the
/// TCP clients; past four, one echo endpoint's clients gain nothing on a lab machine.
const MAX_WORKERS: usize = 4;

/// Echo's own settings, beside the server's log, wire and limits (`Shared`).
pub struct Echo {
    pub mode: EchoMode,
    /// Most TCP clients at once.
    pub max_clients: usize,
    /// How long a TCP client may stay silent, or stop reading its answers.
    pub idle: Duration,
    /// Most datagrams a second answered for one source address (0: no limit).
    pub max_rate: u32,
    /// The TCP clients connected now, by number: who a relayed message goes to.
    pub clients: Mutex<BTreeMap<u64, SocketAddr>>,
}

impl Echo {
    /// relay or chat: who relayed messages go to.
    pub fn relays(&self) -> Option<RelayMode> {
        match self.mode {
            EchoMode::Relay => Some(RelayMode::Relay),
            EchoMode::Chat => Some(RelayMode::Chat),
            EchoMode::Echo | EchoMode::Upper => None,
        }
    }

    /// The client map, also if a task panicked while holding it.
    pub fn clients(&self) -> MutexGuard<'_, BTreeMap<u64, SocketAddr>> {
        self.clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
    runtime.block_on(echo(args, out))
}

/// What every echo task shares.
pub type Shared = serve::Shared<Echo>;

async fn echo(args: &EchoArgs, out: &mut Output) -> Result<Outcome, Error> {
    let (bound, wire, logging) =
        super::serving::set_up(&args.at, &args.wire, &args.text, &args.record, args.quiet)?;
    let echo = Echo {
        mode: args.mode,
        max_clients: args.max_clients,
        idle: args.idle_timeout,
        max_rate: args.max_rate,
        clients: Mutex::new(BTreeMap::new()),
    };
    let (server, shared) = Server::start(out, &bound, logging, wire, echo)?;
    let mut tasks = tokio::task::JoinSet::new();
    for listener in bound.tcp {
        let stop = server.stop.clone();
        tasks.spawn(tcp::accept_loop(listener, Arc::clone(&shared), stop));
    }
    for socket in bound.udp {
        tasks.spawn(udp::serve(socket, Arc::clone(&shared), server.stop.clone()));
    }
    server.run(out, tasks, std::future::pending()).await?;
    Ok(Outcome::Success)
}
