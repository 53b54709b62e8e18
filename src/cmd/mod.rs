//! The one dispatch: each subcommand is one file here with one `run`.

mod check;
mod classify;
mod echo;
mod generate;
mod ifaces;
mod listen;
mod ping;
mod port;
mod scan;
mod send;
mod serving;
mod subnet;
mod trace;
pub mod watch;

use crate::cli::{Command, WatchArgs};
use crate::error::{Error, Outcome};
use crate::output::Output;

/// How `watch` runs in this binary: the capture itself, or handed to the binary that has it.
pub type Watch = fn(&WatchArgs, &mut Output) -> Result<Outcome, Error>;

/// Runs the chosen subcommand.
pub fn run(command: &Command, out: &mut Output, watch: Watch) -> Result<Outcome, Error> {
    match command {
        Command::Classify(args) => classify::run(args, out),
        Command::Subnet(args) => subnet::run(args, out),
        Command::Ifaces(args) => ifaces::run(args, out),
        Command::Ping(args) => ping::run(args, out),
        Command::Trace(args) => trace::run(args, out),
        Command::Check(args) => check::run(args, out),
        Command::Port(args) => port::run(args, out),
        Command::Echo(args) => echo::run(args, out),
        Command::Scan(args) => scan::run(args, out),
        Command::Send(args) => send::run(args, out),
        Command::Listen(args) => listen::run(args, out),
        Command::Watch(args) => watch(args, out),
        Command::Generate(args) => generate::run(args, out),
    }
}
