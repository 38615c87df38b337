//! The layering is checked here, not left to review: the kernel never names
//! a family nor the shell around it (the listener, the fixtures, the
//! `Simulator` entry point), so that families depend on the kernel and never
//! the other way round.

use std::path::{Path, PathBuf};

/// Paths a kernel file must not use: the families and the shell.
const OUTSIDE_THE_KERNEL: [&str; 5] = [
    "crate::families",
    "crate::simulator",
    "crate::http",
    "crate::fixtures",
    "super::families",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the kernel's sources are readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// Each `(file, line)` of `dir` that uses one of `forbidden`, comments
/// included (a doc link is a dependency too).
fn uses(dir: &Path, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a kernel source is readable");
        for (number, line) in text.lines().enumerate() {
            if forbidden.iter().any(|path| line.contains(path)) {
                found.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    found
}

#[test]
fn the_kernel_never_names_a_family_nor_the_shell() {
    let kernel = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/kernel");
    let found = uses(&kernel, &OUTSIDE_THE_KERNEL);
    assert!(
        found.is_empty(),
        "the kernel reaches outside itself (families use the kernel, never the reverse):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layering_check_sees_a_family_import() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir(dir.path().join("engine")).expect("a subdirectory");
    std::fs::write(
        dir.path().join("engine/mod.rs"),
        "use crate::families::jobs;\n",
    )
    .expect("a probe file");
    assert_eq!(uses(dir.path(), &OUTSIDE_THE_KERNEL).len(), 1);
}
