//! netkit: every command; `watch` is handed to `netkit-watch` (see lib.rs for why).

fn main() -> std::process::ExitCode {
    netkit::netkit()
}
