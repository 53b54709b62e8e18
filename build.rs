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
//! Where the archive cannot be found, nothing changes.

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

/// The full path of one of GCC's own libraries, as the C compiler that links netkit finds it.
fn gcc_archive(name: &str) -> Option<String> {
    let cc = env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let output = Command::new(cc)
        .arg(format!("-print-file-name={name}"))
        .output()
        .ok()?;
    let path = String::from_utf8(output.stdout).ok()?.trim().to_string();
    // An archive the compiler does not know comes back as its bare name.
    (Path::new(&path).is_absolute() && Path::new(&path).is_file()).then_some(path)
}
