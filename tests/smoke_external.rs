//! The live-cloud path: `marvin smoke --config` against a simulator running
//! as a separate process (`marvin simulator`), exactly as an operator runs
//! the suite against a real cloud: every scenario of the bundled suite
//! (the `marvin-smoke` crate) runs.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

// Links the bundled suite, to count the scenarios the run must report.
use marvin_smoke as _;

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("marvin-smoke-external-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

#[test]
fn the_smoke_suite_passes_against_a_separate_simulator_process() {
    let marvin = env!("CARGO_BIN_EXE_marvin");
    let config = scratch("cloud.json");
    let _ = std::fs::remove_file(&config);
    let _simulator = Process(
        Command::new(marvin)
            .args(["simulator", "--port", "0", "--write-config"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("marvin simulator starts"),
    );
    let started = Instant::now();
    while !config.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the simulator never wrote its config"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(50));

    let junit = scratch("smoke.xml");
    let output = Command::new(marvin)
        .args(["smoke", "--config"])
        .arg(&config)
        .arg("--junit")
        .arg(&junit)
        .env("MARVIN_LEDGER", scratch("ledger.jsonl"))
        .output()
        .expect("marvin smoke runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "marvin smoke failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("0 left"),
        "the leak check ran and found nothing:\n{stdout}"
    );
    let report = std::fs::read_to_string(&junit).expect("the JUnit report is written");
    assert!(
        report.contains("<testsuite") && !report.contains("<failure"),
        "{report}"
    );
    let scenarios = marvin_runner::harness::registered("marvin_smoke").len();
    assert!(scenarios > 0, "the bundled suite has scenarios");
    // One test case per scenario (named `module::function`), besides the
    // leak check's.
    let reported = report.matches("<testcase name=\"").count();
    let leak_check = report.matches("<testcase name=\"leak-check\"").count();
    assert_eq!(
        (reported - leak_check, leak_check),
        (scenarios, 1),
        "every bundled scenario ran:\n{report}"
    );
}
