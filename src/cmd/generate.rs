//! `netkit generate` (hidden): renders shell completions and man pages from the clap
//! definitions into completions/ and man/. The committed copies are checked by a test.

use std::fs;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, GenerateArgs};
use crate::error::{Error, Outcome};
use crate::output::Output;

/// The shells completions are written for.
const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

pub fn run(args: &GenerateArgs, out: &mut Output) -> Result<Outcome, Error> {
    let completions = args.dir.join("completions");
    let man = args.dir.join("man");
    for dir in [&completions, &man] {
        fs::create_dir_all(dir).map_err(|source| write_error(dir, source))?;
    }
    let mut cmd = Cli::command();
    for shell in SHELLS {
        let path = clap_complete::generate_to(shell, &mut cmd, "netkit", &completions)
            .map_err(|source| write_error(&completions, source))?;
        out.status(&format!("wrote {}", path.display()))?;
    }
    clap_mangen::generate_to(Cli::command(), &man).map_err(|source| write_error(&man, source))?;
    out.status(&format!("wrote man pages into {}", man.display()))?;
    Ok(Outcome::Success)
}

fn write_error(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        what: path.display().to_string(),
        source,
    }
}
