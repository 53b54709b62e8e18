//! The committed completions/ and man/ must match a fresh render of the CLI.

mod common;

use std::fs;
use std::path::Path;

const REFRESH: &str = "run `cargo run -- generate` and commit completions/ and man/";

#[test]
fn completions_and_man_pages_are_fresh() {
    let fresh = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fresh_dir = fresh.path().to_string_lossy().into_owned();
    common::netkit()
        .args(["generate", &fresh_dir])
        .assert()
        .success();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["completions", "man"] {
        let names = |dir: &Path| -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(dir)
                .map(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names
        };
        let (want, have) = (names(&fresh.path().join(sub)), names(&repo.join(sub)));
        assert_eq!(
            have, want,
            "{sub}/ holds other files than netkit renders: {REFRESH}"
        );
        for name in want {
            let read = |p: &Path| fs::read(p.join(sub).join(&name)).unwrap_or_default();
            assert!(
                read(fresh.path()) == read(repo),
                "{sub}/{name} is stale: {REFRESH}"
            );
        }
    }
}
