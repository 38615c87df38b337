//! The parent side: a simulator of its own, and fixture runs as child
//! processes pointed at it with `MARVIN_CONFIG`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use marvin_core::Client;
use marvin_core::cleanup::{Ledger, LedgerRecord};
use marvin_simulator::{RunningSimulator, Simulator};

/// A simulator for one test, with a directory for its config and ledger.
pub struct Cloud {
    simulator: RunningSimulator,
    dir: PathBuf,
    /// The run id the fixtures get (`MARVIN_RUN_ID`).
    pub run: String,
}

impl Drop for Cloud {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Cloud {
    /// Starts a simulator (ephemeral port) and writes its config.
    pub async fn start(name: &str) -> Cloud {
        let simulator = Simulator::start_default()
            .await
            .expect("the simulator starts");
        let dir = std::env::temp_dir().join(format!(
            "marvin-framework-{}-{name}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        simulator
            .write_config(dir.join("cloud.json"))
            .expect("the config is written");
        Cloud {
            simulator,
            dir,
            run: format!("run-{name}-{:08x}", rand::random::<u32>()),
        }
    }

    /// The simulator.
    pub fn simulator(&self) -> &RunningSimulator {
        &self.simulator
    }

    /// The config file (`MARVIN_CONFIG`).
    pub fn config(&self) -> PathBuf {
        self.dir.join("cloud.json")
    }

    /// The ledger the fixtures write (`MARVIN_LEDGER`).
    pub fn ledger(&self) -> PathBuf {
        self.dir.join("ledger.jsonl")
    }

    /// An admin client.
    pub fn client(&self) -> Client {
        Client::builder(self.simulator.url())
            .keys(self.simulator.api_key(), self.simulator.secret_key())
            .build()
            .expect("a client")
    }

    /// The ledger's pending records of this cloud's run.
    pub fn pending(&self) -> Vec<LedgerRecord> {
        Ledger::open(self.ledger())
            .read()
            .expect("the ledger reads")
            .pending(Some(&self.run))
            .into_iter()
            .cloned()
            .collect()
    }

    /// Every record of the ledger.
    pub fn records(&self) -> Vec<LedgerRecord> {
        Ledger::open(self.ledger())
            .read()
            .expect("the ledger reads")
            .records
    }

    /// How many items `command` lists (as the admin, everything).
    pub async fn count(&self, command: &str) -> usize {
        self.client()
            .list_all(command, [("listall", "true")].into_iter().collect())
            .await
            .unwrap_or_else(|e| panic!("{command}: {e}"))
            .len()
    }

    /// The names `command` lists.
    pub async fn names(&self, command: &str) -> Vec<String> {
        self.client()
            .list_all(command, [("listall", "true")].into_iter().collect())
            .await
            .unwrap_or_else(|e| panic!("{command}: {e}"))
            .iter()
            .filter_map(|item| item["name"].as_str().map(str::to_string))
            .collect()
    }

    /// The command that runs fixture `name` (see `fixtures`) in a child
    /// process against this cloud.
    pub fn fixture(&self, name: &str) -> Command {
        fixture_command(name, &self.config(), &self.ledger(), &self.run)
    }
}

/// The command that runs fixture `name` of this test binary.
pub fn fixture_command(name: &str, config: &Path, ledger: &Path, run: &str) -> Command {
    let exe = std::env::current_exe().expect("the test binary");
    let mut command = Command::new(exe);
    command
        .args([
            "--ignored",
            "--exact",
            &format!("fixtures::{name}"),
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("MARVIN_FIXTURE", "1")
        .env("MARVIN_CONFIG", config)
        .env("MARVIN_LEDGER", ledger)
        .env("MARVIN_RUN_ID", run)
        .env("RUST_BACKTRACE", "0")
        .env_remove("MARVIN_TAGS")
        .env_remove("MARVIN_HARDWARE")
        .env_remove("MARVIN_TAGGING")
        .env_remove("MARVIN_SEED")
        .env_remove("MARVIN_ZONE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// What a child printed and how it ended.
#[derive(Debug)]
pub struct Ran {
    /// Whether it exited 0.
    pub success: bool,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl Ran {
    fn from(output: Output) -> Ran {
        Ran {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Both streams, for failure messages.
    pub fn both(&self) -> String {
        format!("--- stdout:\n{}\n--- stderr:\n{}", self.stdout, self.stderr)
    }
}

/// Runs `command` to its end without blocking the runtime (the simulator
/// serves on it meanwhile).
pub async fn run(mut command: Command) -> Ran {
    tokio::task::spawn_blocking(move || command.output().expect("the fixture runs"))
        .await
        .map(Ran::from)
        .expect("the waiting thread")
}

/// Starts `command` without waiting.
pub fn spawn(mut command: Command) -> Child {
    command.spawn().expect("the fixture starts")
}
