//! Peer checks: third-party CloudStack clients against the simulator.
//!
//! Each script in `tests/peers/` drives a simulator the way its users would,
//! configured only from the Marvin config file the simulator writes. The
//! Python `cs` client is installed from PyPI into `target/peer-venv` on first
//! use. Without Python or network the checks are skipped with a visible
//! reason, except under CI (`CI=true`), where that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use marvin_simulator::{Simulator, SimulatorConfig};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

/// The venv's python with `cs` installed, or why it is not available.
fn python_with_cs() -> Result<PathBuf, String> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let venv = workspace().join("target").join("peer-venv");
            let python = venv.join("bin").join("python");
            let has_cs = |python: &Path| {
                Command::new(python)
                    .args(["-c", "import cs"])
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if python.exists() && has_cs(&python) {
                return Ok(python);
            }
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status();
            if !made.is_ok_and(|s| s.success()) {
                return Err("python3 -m venv failed (is Python 3 installed?)".into());
            }
            let installed = Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "cs==5.2.0",
                ])
                .status();
            if !installed.is_ok_and(|s| s.success()) || !has_cs(&python) {
                return Err("pip install cs failed (no network to PyPI?)".into());
            }
            Ok(python)
        })
        .clone()
}

/// Runs one peer script against a fresh simulator.
fn run_peer_script(script: &str) {
    let python = match python_with_cs() {
        Ok(python) => python,
        Err(reason) if !in_ci() => {
            eprintln!("skipped: peer check {script} ({reason})");
            return;
        }
        Err(reason) => panic!("peer check {script} cannot run under CI: {reason}"),
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let simulator = runtime
        .block_on(Simulator::start(SimulatorConfig {
            job_delay: std::time::Duration::from_millis(5),
            ..Default::default()
        }))
        .expect("the simulator starts");
    let config =
        std::env::temp_dir().join(format!("marvin-peer-{}-{script}.json", std::process::id()));
    simulator.write_config(&config).expect("config written");
    let script_path = workspace().join("tests").join("peers").join(script);
    let output = Command::new(&python)
        .arg(&script_path)
        .arg(&config)
        .output()
        .expect("the peer script runs");
    let _ = std::fs::remove_file(&config);
    runtime.block_on(simulator.shutdown());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    eprint!("{stdout}");
}

#[test]
fn python_cs_manages_identity_and_gets_cloudstack_errors() {
    run_peer_script("cs_identity.py");
}

#[test]
fn python_cs_runs_a_vm_with_its_network_and_storage() {
    run_peer_script("cs_compute_network.py");
}
