//! netkit: parse the command line, run one command, turn its outcome into an exit code.

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

fn main() -> ExitCode {
    let cli = cli::parse();
    let color = output::decide_color(
        cli.color.forced(),
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    );
    let mut out = output::Output::stdio(cli.command.json(), color);
    let result = cmd::run(&cli.command, &mut out).and_then(|outcome| {
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
