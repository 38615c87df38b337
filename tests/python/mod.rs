//! Python tools for the tests that drive the simulator through other
//! projects' clients: a virtual environment under `target/` per purpose,
//! made and filled from PyPI on first use. Without Python or network a
//! test skips with the reason, except under CI (`CI=true`), where that is
//! a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the tests run under CI, where a missing tool is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

fn imports(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .status()
        .is_ok_and(|s| s.success())
}

/// The python of `target/<venv>` once `module` imports there, installing
/// `package` (pinned, e.g. `cs==5.2.0`) into it when it does not; or why
/// that failed.
pub fn python_with(venv: &str, module: &str, package: &str) -> Result<PathBuf, String> {
    // One maker at a time: a second pip beside a half-made venv fails.
    static MAKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _making = MAKING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    fill(&workspace().join("target").join(venv), module, package)
}

fn fill(venv: &Path, module: &str, package: &str) -> Result<PathBuf, String> {
    let python = venv.join("bin").join("python");
    if python.exists() && imports(&python, module) {
        return Ok(python);
    }
    if !python.exists() {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(venv)
            .status();
        if !made.is_ok_and(|s| s.success()) {
            return Err("python3 -m venv failed (is Python 3 installed?)".into());
        }
    }
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            package,
        ])
        .status();
    if !installed.is_ok_and(|s| s.success()) || !imports(&python, module) {
        return Err(format!(
            "pip install {package} failed (no network to PyPI?)"
        ));
    }
    Ok(python)
}
