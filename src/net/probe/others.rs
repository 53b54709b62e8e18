//! Other netkit traces to the same host running on this machine (procfs): routers limit the
//! ICMP replies they send per source, so two traces at once each see about half the answers
//! and show loss that is not there (mtr #145).

/// The process ids of other `netkit trace` runs naming `host` in this network namespace (a
/// trace in another one takes another path); none where /proc is missing.
pub fn traces_to(host: &str) -> Vec<u32> {
    let mine = std::process::id();
    let Ok(my_net) = std::fs::read_link("/proc/self/ns/net") else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // Bounded: one read of each process's command line, at most 64 KiB each.
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == mine {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<&[u8]> = cmdline[..cmdline.len().min(65_536)]
            .split(|b| *b == 0)
            .collect();
        let same_net = std::fs::read_link(entry.path().join("ns/net")).is_ok_and(|n| n == my_net);
        if same_net && is_trace_to(&args, host) {
            found.push(pid);
        }
    }
    found
}

/// Whether a command line is `netkit ... trace ... HOST`.
fn is_trace_to(args: &[&[u8]], host: &str) -> bool {
    let Some(program) = args.first() else {
        return false;
    };
    let netkit = program.rsplit(|b| *b == b'/').next() == Some(b"netkit".as_slice());
    netkit && args.contains(&b"trace".as_slice()) && args.contains(&host.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_is_told_from_other_command_lines() {
        let cases: [(&[&[u8]], bool); 5] = [
            (&[b"/usr/bin/netkit", b"trace", b"-n", b"10.0.0.1"], true),
            (&[b"netkit", b"trace", b"--rounds", b"0", b"10.0.0.1"], true),
            (&[b"netkit", b"ping", b"10.0.0.1"], false),
            (&[b"netkit", b"trace", b"10.0.0.2"], false),
            (&[b"mtr", b"trace", b"10.0.0.1"], false),
        ];
        for (args, want) in cases {
            assert_eq!(is_trace_to(args, "10.0.0.1"), want, "{args:?}");
        }
    }
}
