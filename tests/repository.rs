//! The repository stands on its own: no tracked file reaches outside the
//! checkout (a sibling `shared` directory, a machine's absolute paths), so
//! that a bare clone builds, tests and reads the same as the original.
//! The test data the tests need lives in `testdata/`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files git tracks, relative to the root; `None` outside a git
/// checkout of this repository (a packaged crate, an exported tarball).
fn tracked_files() -> Option<Vec<String>> {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root())
            .output()
            .ok()
            .filter(|out| out.status.success())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    if top.canonicalize().ok()? != root().canonicalize().ok()? {
        return None;
    }
    let list = git(&["ls-files", "-z"])?;
    Some(
        list.stdout
            .split(|&b| b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect(),
    )
}

/// Text that only makes sense on the machine the repository was written on.
/// Built from pieces so that this file does not match itself.
fn outside_references() -> Vec<String> {
    vec![
        ["..", "/shared"].concat(),
        ["shared", "/cloudstack"].concat(),
    ]
}

/// Absolute directories of a particular machine; a match needs the path to
/// start there (`/export/home/...` in an NFS URL is not a home directory).
fn absolute_roots() -> Vec<String> {
    ["work", "home", "root", "Users"]
        .iter()
        .map(|dir| format!("/{dir}/"))
        .collect()
}

fn starts_a_path(line: &str, at: usize) -> bool {
    line[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '~')))
}

/// `file:line: text` for each line of `text` that refers outside the
/// repository.
fn offending_lines(file: &str, text: &str) -> Vec<String> {
    let (references, roots) = (outside_references(), absolute_roots());
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let outside = references.iter().any(|r| line.contains(r.as_str()));
        let absolute = roots.iter().any(|r| {
            line.match_indices(r.as_str())
                .any(|(at, _)| starts_a_path(line, at))
        });
        if outside || absolute {
            let shown: String = line.trim().chars().take(160).collect();
            found.push(format!("{file}:{}: {shown}", number + 1));
        }
    }
    found
}

#[test]
fn tracked_files_refer_to_nothing_outside_the_repository() {
    let Some(files) = tracked_files() else {
        println!("note: not a git checkout of this repository; nothing to check");
        return;
    };
    assert!(
        files.iter().any(|f| f == "Cargo.toml"),
        "git ls-files lists the workspace"
    );
    let mut found = Vec::new();
    for file in &files {
        // A tracked file deleted in the working tree has nothing to check.
        let Ok(bytes) = std::fs::read(root().join(file)) else {
            continue;
        };
        found.extend(offending_lines(file, &String::from_utf8_lossy(&bytes)));
    }
    assert!(
        found.is_empty(),
        "tracked files refer outside the repository (a sibling directory or an \
         absolute path); put the data under testdata/ and use relative paths:\n{}",
        found.join("\n")
    );
}

#[test]
fn there_are_no_internal_development_notes() {
    assert!(
        !Path::new(&root().join("docs/dev")).exists(),
        "docs/ is for users and maintainers of the product; docs/dev must not exist"
    );
    if let Some(files) = tracked_files() {
        let notes: Vec<&String> = files
            .iter()
            .filter(|f| f.starts_with("docs/dev/"))
            .collect();
        assert!(notes.is_empty(), "tracked under docs/dev: {notes:?}");
    }
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let sibling = format!("let dir = \"{}/cloudstack\";", ["..", "/shared"].concat());
    assert_eq!(offending_lines("a.rs", &sibling).len(), 1);
    let home = format!("see {}alice/notes.md", ["/", "home/"].concat());
    assert_eq!(offending_lines("b.md", &home), [format!("b.md:1: {home}")]);
    let work = format!("(`{}main/x`)", ["/", "work/"].concat());
    assert_eq!(offending_lines("c.md", &work).len(), 1);
    // Not machine paths: an NFS export, a URL path, a relative path.
    let fine = format!(
        "nfs://10.0.0.1/export{}primary https://example.org/users/x .{}y",
        ["/", "home/"].concat(),
        ["/", "work/"].concat()
    );
    let fine = fine.as_str();
    assert!(offending_lines("d.rs", fine).is_empty());
    assert!(offending_lines("e.rs", "testdata/cloudstack/listApis-4.22.json").is_empty());
}
