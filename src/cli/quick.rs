//! netkit's start-up parse: a line that names its subcommand first is parsed against that
//! subcommand alone, not clap's whole command (every subcommand with its help), which is a good
//! part of the start of a command as short as a trace; what that parse does not take goes to
//! the whole command, which answers as it always has.

use std::ffi::OsString;

use clap::{Args, FromArgMatches, Parser};

use super::Cli;

/// The command line, parsed. Building clap's whole command (every subcommand with all its
/// arguments and help) is a good part of netkit's start-up, and a trace is over in about the
/// time a process takes to start; so a line that names its subcommand first is parsed against
/// that subcommand alone. Whatever that parse does not take (help, --version, a mistake, the
/// hidden generate) goes to the whole command, which answers as it always has.
pub fn parse() -> Cli {
    let args: Vec<OsString> = std::env::args_os().collect();
    quick_parse(&args).unwrap_or_else(|| Cli::parse_from(args))
}

/// The line parsed against its own subcommand only; `None` when that is not enough.
fn quick_parse(args: &[OsString]) -> Option<Cli> {
    let sub = subcommand(args.get(1)?.to_str()?)?;
    let netkit = clap::Command::new("netkit").arg(color()).subcommand(sub);
    let matches = netkit.try_get_matches_from(args).ok()?;
    Cli::from_arg_matches(&matches).ok()
}

/// One subcommand with its arguments, as `super::Command` has it (its help text aside).
fn subcommand(name: &str) -> Option<clap::Command> {
    fn only<A: Args>(name: &'static str) -> clap::Command {
        A::augment_args(clap::Command::new(name))
    }
    Some(match name {
        "classify" => only::<super::ClassifyArgs>("classify"),
        "subnet" => only::<super::SubnetArgs>("subnet"),
        // The aliases as `super::Command` declares them: clap then names the match "ifaces".
        "ifaces" | "ifconfig" | "ipconfig" => {
            only::<super::IfacesArgs>("ifaces").visible_aliases(["ifconfig", "ipconfig"])
        }
        "ping" => only::<super::PingArgs>("ping"),
        "trace" => only::<super::TraceArgs>("trace"),
        "check" => only::<super::CheckArgs>("check"),
        "echo" => only::<super::EchoArgs>("echo"),
        "listen" => only::<super::ListenArgs>("listen"),
        "send" => only::<super::SendArgs>("send"),
        "scan" => only::<super::ScanArgs>("scan"),
        "port" => only::<super::PortArgs>("port"),
        "watch" => only::<super::WatchArgs>("watch"),
        _ => return None,
    })
}

/// `--color` as `super::Cli` declares it (a test holds the two together).
fn color() -> clap::Arg {
    clap::Arg::new("color")
        .long("color")
        .value_name("WHEN")
        .global(true)
        .action(clap::ArgAction::Set)
        .value_parser(clap::builder::EnumValueParser::<super::ColorChoice>::new())
        .default_value("auto")
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use clap::{CommandFactory, Parser};

    use super::*;

    fn argv(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    /// Both parses of a line: the quick one (None: left to the whole command) and the whole.
    fn both(line: &str) -> (Option<String>, Result<String, String>) {
        let args = argv(line);
        let quick = quick_parse(&args).map(|cli| format!("{cli:?}"));
        let whole = super::Cli::try_parse_from(&args)
            .map(|cli| format!("{cli:?}"))
            .map_err(|e| e.to_string());
        (quick, whole)
    }

    /// Every example line of every subcommand's --help, as argv (the comment and any
    /// redirection cut off).
    fn examples() -> Vec<String> {
        let whole = super::Cli::command();
        let mut lines = Vec::new();
        for sub in whole.get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            for line in help.lines() {
                let Some(line) = line.trim_start().strip_prefix("netkit ") else {
                    continue;
                };
                let line = line.split("  ").next().unwrap_or_default();
                let line = line.split(['<', '|', '>']).next().unwrap_or_default();
                lines.push(format!("netkit {line}"));
            }
        }
        lines
    }

    #[test]
    fn color_is_the_one_cli_declares() {
        let whole = super::Cli::command();
        let declared = whole.get_arguments().find(|a| a.get_id() == "color");
        let Some(declared) = declared else {
            panic!("no --color in super::Cli")
        };
        // The help is the whole command's to show.
        let quick = color()
            .help(declared.get_help().cloned().unwrap_or_default())
            .display_order(0)
            .help_heading(None::<&str>);
        assert_eq!(format!("{quick:?}"), format!("{declared:?}"));
    }

    #[test]
    fn every_subcommand_has_the_arguments_cli_declares() {
        let whole = super::Cli::command();
        for sub in whole.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = sub.get_name();
            let Some(quick) = subcommand(name) else {
                panic!("{name}: not parsed quickly")
            };
            let args = |c: &clap::Command| -> Vec<String> {
                c.get_arguments().map(|a| format!("{a:?}")).collect()
            };
            let groups = |c: &clap::Command| -> Vec<String> {
                c.get_groups().map(|g| format!("{g:?}")).collect()
            };
            assert_eq!(args(&quick), args(sub), "{name}");
            let aliases = |c: &clap::Command| -> Vec<String> {
                c.get_all_aliases().map(String::from).collect()
            };
            assert_eq!(aliases(&quick), aliases(sub), "{name}: aliases");
            for alias in sub.get_all_aliases() {
                assert!(subcommand(alias).is_some(), "{alias}: not parsed quickly");
            }
            assert_eq!(groups(&quick), groups(sub), "{name}");
        }
    }

    #[test]
    fn a_quick_parse_gives_what_the_whole_command_gives() {
        let mut lines = examples();
        assert!(lines.len() > 40, "{lines:?}");
        lines.extend(
            [
                "netkit trace -n 127.0.0.1",
                "netkit trace --color never -n -q 1 -w 0.5 --icmp ::1",
                "netkit trace --tcp 80 -m 5 --json localhost",
                "netkit classify 10.0.0.1 --color=always",
                "netkit ping -c 3 -i 0.2 --socket dgram 127.0.0.1",
                "netkit port -1",
                "netkit ifconfig",
                "netkit ipconfig -a -l lo",
                "netkit ifconfig --json -4",
            ]
            .map(String::from),
        );
        for line in &lines {
            let (quick, whole) = both(line);
            let Ok(whole) = whole else {
                panic!("{line}: {whole:?}")
            };
            assert_eq!(quick.as_ref(), Some(&whole), "{line}");
        }
    }

    #[test]
    fn what_a_quick_parse_does_not_take_goes_to_the_whole_command() {
        for line in [
            "netkit trace",
            "netkit trace --help",
            "netkit trace -h",
            "netkit trace --version",
            "netkit trace -V",
            "netkit trace --bogus 127.0.0.1",
            "netkit trace -q 0 127.0.0.1",
            "netkit trace --color sometimes 127.0.0.1",
            "netkit classify",
            "netkit classify --classes 1.2.3.4",
            "netkit tarce 127.0.0.1",
            "netkit --color never trace 127.0.0.1",
            "netkit generate .",
            "netkit help trace",
            "netkit",
        ] {
            let (quick, whole) = both(line);
            assert_eq!(quick, None, "{line}");
            let _ = whole;
        }
    }
}
