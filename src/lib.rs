//! netkit's two binaries share everything here: `netkit` (src/main.rs) and `netkit-watch`
//! (src/bin/netkit-watch.rs), which differ only in how `watch` runs. Capturing links libpcap,
//! and libpcap brings nine more libraries (dbus, systemd, gcrypt, ...) that the dynamic
//! loader would map at every start of every command, about a millisecond each time; so
//! `netkit` hands `watch` to `netkit-watch` beside it, and only that binary links libpcap.

mod addr;
mod cli;
mod cmd;
mod error;
mod frame;
mod net;
mod output;
mod packet;
mod path_verdict;
mod ports;
mod serve;
mod stats;
mod text;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// `netkit`: every command; `watch` is run by `netkit-watch`, exec'd with the same arguments.
pub fn netkit() -> ExitCode {
    run(cmd::watch::in_sibling)
}

/// `netkit-watch`: every command, `watch` included (this binary links libpcap).
pub fn netkit_watch() -> ExitCode {
    run(cmd::watch::run)
}

/// Parse, decide color once, run one command, map the outcome to an exit code.
fn run(watch: cmd::Watch) -> ExitCode {
    let cli = cli::parse();
    let color = output::decide_color(
        cli.color.forced(),
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    );
    let mut out = output::Output::stdio(cli.command.json(), color);
    let result = cmd::run(&cli.command, &mut out, watch).and_then(|outcome| {
        out.flush()?;
        Ok(outcome)
    });
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "netkit: {e}");
            e.exit_code()
        }
    }
}
