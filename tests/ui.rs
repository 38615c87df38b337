//! Misuse that must not compile: `#[marvin::test]` on what it cannot run,
//! typed calls with a required argument left out or of the wrong type, a
//! call left unawaited (under `deny(unused_must_use)`), and per-call
//! options a call does not have (`no_wait` of a sync API).
//! The expected compiler output is in `tests/ui/*.stderr`
//! (`TRYBUILD=overwrite cargo test --test ui` rewrites it).

use std::process::Command;

/// The compiler's messages change between releases: the recorded ones are
/// those of the release in `tests/ui/TOOLCHAIN`. Another compiler fails here
/// with that reason rather than with a diff of its wording.
fn recorded_toolchain_is_in_use() {
    let pinned = include_str!("ui/TOOLCHAIN").trim();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc)
        .arg("--version")
        .output()
        .expect("rustc --version");
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(
        version.starts_with(&format!("rustc {pinned} ")),
        "the UI tests' compiler messages were recorded with rustc {pinned}, this is {}: \
         re-record them (TRYBUILD=overwrite cargo test --test ui) and update tests/ui/TOOLCHAIN",
        version.trim()
    );
}

#[test]
fn misuse_does_not_compile() {
    recorded_toolchain_is_in_use();
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
