//! netkit-watch: netkit with `watch` in it, the one binary that links libpcap; `netkit watch`
//! runs it (see lib.rs for why).

fn main() -> std::process::ExitCode {
    netkit::netkit_watch()
}
