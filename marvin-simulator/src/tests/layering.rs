//! The layering is checked here, not left to review: the kernel never names
//! a family nor the shell around it (the listener, the fixtures, the
//! `Simulator` entry point), so that families depend on the kernel and never
//! the other way round; and a family uses another only along the allowed
//! edges, through that family's `api.rs`.

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

/// Which families each family may use, always through their `api` module
/// (the table of ARCHITECTURE.md). Test helpers (`tests`, `testkit`) are
/// free to use.
const ALLOWED_EDGES: &[(&str, &[&str])] = &[
    (
        "compute",
        &["identity", "limits", "network", "storage", "tags"],
    ),
    ("datacenter", &["identity"]),
    ("hypervisors", &["datacenter"]),
    ("limits", &["compute", "identity"]),
    ("network", &["datacenter", "identity", "limits", "tags"]),
    ("projects", &["compute", "identity", "limits", "tags"]),
    (
        "storage",
        &["compute", "identity", "limits", "tags", "templates"],
    ),
    ("tags", &["compute"]),
    ("templates", &["datacenter", "identity", "tags"]),
];

/// Every `(family, other, module, file)` where a family's sources name
/// another family's module (the test helpers `tests` and `testkit` left
/// out).
fn reaches(families: &Path) -> Vec<(String, String, String, String)> {
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(families)
        .expect("the families are readable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    let names: Vec<String> = dirs
        .iter()
        .map(|dir| dir.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for dir in &dirs {
        let family = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files = Vec::new();
        rust_files(dir, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a family source is readable");
            for marker in ["families::", "super::"] {
                for (at, _) in text.match_indices(marker) {
                    let path = &text[at + marker.len()..];
                    let mut parts = path.splitn(3, "::");
                    let other: String = parts
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    let rest = parts.next().unwrap_or_default();
                    if other == family || !names.contains(&other) {
                        continue;
                    }
                    // `{a, b as c}` names several modules at once.
                    let modules: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                        group
                            .split('}')
                            .next()
                            .unwrap_or_default()
                            .split(',')
                            .map(|item| {
                                item.trim()
                                    .split([' ', ':'])
                                    .next()
                                    .unwrap_or("")
                                    .to_string()
                            })
                            .filter(|item| !item.is_empty())
                            .collect()
                    } else {
                        vec![
                            rest.chars()
                                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                                .collect(),
                        ]
                    };
                    for module in modules {
                        if module != "tests" && module != "self" {
                            found.push((
                                family.clone(),
                                other.clone(),
                                module,
                                file.display().to_string(),
                            ));
                        }
                    }
                }
            }
        }
    }
    found
}

#[test]
fn families_reach_each_other_only_through_their_api_modules_along_allowed_edges() {
    let families = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/families");
    let found = reaches(&families);
    assert!(!found.is_empty(), "the scan sees the families' api uses");
    let wrong: Vec<String> = found
        .iter()
        .filter(|(family, other, module, _)| {
            let allowed = ALLOWED_EDGES
                .iter()
                .find(|(from, _)| from == family)
                .is_some_and(|(_, to)| to.contains(&other.as_str()));
            module != "api" || !allowed
        })
        .map(|(family, other, module, file)| format!("{file}: {family} -> {other}::{module}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "a family reaches another outside the allowed edges, or past its api.rs \
         (ARCHITECTURE.md lists the edges):\n{}",
        wrong.join("\n")
    );
}
