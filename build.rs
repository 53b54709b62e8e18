//! Build script: on Linux with glibc, GCC's unwinder is linked into netkit instead of loaded
//! from `libgcc_s.so.1` at every start.
//!
//! Rust's standard library asks the linker for `-lgcc_s` (its panics and backtraces unwind
//! with it). As a shared library, it costs every start of every command a file to map and
//! relocate, and a constructor that reads the CPU's features with `cpuid`, which traps to the
//! hypervisor on a virtual machine: 0.13 ms of a 0.85 ms start of an empty C program on the
//! machines netkit is benchmarked on, where `trace -n` has to start as quickly as traceroute
//! (benches/compare.sh tracewall). The static archive of the same unwinder, `libgcc_eh.a`,
//! ships with GCC (the static build, `cargo install-static`, links it the same way). A linker
//! script named `libgcc_s.so` in a folder searched before the system's points `-lgcc_s` at it.
//! Where the archive cannot be found, or a position-independent program cannot be linked
//! with it, nothing changes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
    let var = |name: &str| env::var(name).unwrap_or_default();
    let static_crt = var("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static");
    if var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" || static_crt {
        return;
    }
    let Some(archive) = gcc_archive("libgcc_eh.a") else {
        println!("cargo:warning=libgcc_eh.a not found: netkit loads libgcc_s.so.1 at start");
        return;
    };
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    if !links(&archive, &out_dir) {
        println!(
            "cargo:warning=libgcc_eh.a does not link into a PIE here: netkit loads libgcc_s.so.1"
        );
        return;
    }
    let folder = out_dir.join("unwinder");
    let script =
        format!("/* netkit's build.rs: the unwinder, linked statically */\nINPUT({archive})\n");
    if fs::create_dir_all(&folder)
        .and_then(|()| fs::write(folder.join("libgcc_s.so"), script))
        .is_ok()
    {
        println!("cargo:rustc-link-search=native={}", folder.display());
    }
}

/// Whether a position-independent program that calls the unwinder links with the archive
/// (one built without -fPIC would not): the build stays as it was rather than fail.
fn links(archive: &str, out_dir: &Path) -> bool {
    let source = out_dir.join("unwinder-probe.c");
    let program = "extern void *_Unwind_GetIP(void *);\n\
        int main(int argc, char **argv) { return argc > 99 && _Unwind_GetIP(argv) != 0; }\n";
    if fs::write(&source, program).is_err() {
        return false;
    }
    Command::new(compiler())
        .args(["-fPIE", "-pie", "-o"])
        .arg(out_dir.join("unwinder-probe"))
        .arg(&source)
        .arg(archive)
        .status()
        .is_ok_and(|status| status.success())
}

/// The C compiler that links netkit.
fn compiler() -> String {
    env::var("CC").unwrap_or_else(|_| "cc".to_string())
}

/// The full path of one of GCC's own libraries, as the C compiler that links netkit finds it.
fn gcc_archive(name: &str) -> Option<String> {
    let output = Command::new(compiler())
        .arg(format!("-print-file-name={name}"))
        .output()
        .ok()?;
    let path = String::from_utf8(output.stdout).ok()?.trim().to_string();
    // An archive the compiler does not know comes back as its bare name.
    (Path::new(&path).is_absolute() && Path::new(&path).is_file()).then_some(path)
}
