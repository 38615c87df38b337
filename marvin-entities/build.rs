//! Resolves the precache the entities are generated from.
//!
//! `MARVIN_PRECACHE` (an absolute path) wins; otherwise this crate's own
//! `api-precache.json`, a copy of the workspace's that travels with the
//! published package (the simulator's precache test keeps the copies
//! byte-identical and `MARVIN_BLESS=1` rewrites them all). The resolved path is
//! handed to the `cloudstack_api!` macro as `MARVIN_PRECACHE_PATH`, and cargo
//! reruns this script (and so rebuilds the crate) when the variable or the
//! file changes. A missing file is a warning, not an error: the crate then
//! builds with its runtime only.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=MARVIN_PRECACHE");
    let path = match std::env::var_os("MARVIN_PRECACHE") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => {
            let dir = PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
            );
            dir.join("api-precache.json")
        }
    };
    let path = path.canonicalize().unwrap_or(path);
    println!("cargo:rerun-if-changed={}", path.display());
    if !path.is_file() {
        println!(
            "cargo:warning=marvin-entities: no precache at {} (set MARVIN_PRECACHE to a listApis JSON file); \
             building without generated entities",
            path.display()
        );
    }
    println!("cargo:rustc-env=MARVIN_PRECACHE_PATH={}", path.display());
}
