//! Where a suite runs: one suite, every backend.
//!
//! A run takes one of three backends, each with the same hooks (as
//! CloudKitty's functional suite has `wait_for_backend` and
//! `cleanup_backend` per storage driver):
//!
//! | backend | chosen by | ready when | cleaned up by | capabilities |
//! |---|---|---|---|---|
//! | the embedded simulator | nothing (the default) | at once | the process ending | `live`, `simulator` |
//! | an external endpoint | `--config FILE` | `listCapabilities` answers (waits up to `--ready-timeout`) | a sweep of what this run left, by the ledger | `live`, `simulator` when it is Marvin's, and those `--capability` declares |
//! | a replay directory | `--replay DIR` | its cassettes are there | (nothing to clean) | those of the recorded run, without `live` |
//!
//! A test declares what it needs (`#[marvin::test(needs = ["live"])]`); on
//! a backend without it, it is skipped and the report says why. Recording
//! (`--record DIR`) goes with the embedded or an external backend, and
//! writes the run's manifest ([`Manifest`]) beside the cassettes, so that
//! a replay skips exactly what the recorded run skipped.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marvin_core::cleanup::{self, SweepOptions};
use marvin_core::client::cassette::{self, CassetteSettings, RecordMode};
use marvin_core::testing::Capabilities;
use marvin_core::{Client, Config, Params};
use marvin_entities::api;
use serde::{Deserialize, Serialize};

use super::harness::{DefaultCloud, SuiteError};
use super::result::{Status, SuiteResult};

/// The capability every backend that sends requests has.
pub const LIVE: &str = "live";
/// The capability of Marvin's own simulator (its fault APIs).
pub const SIMULATOR: &str = "simulator";
/// The file a recording writes beside its cassettes.
pub const MANIFEST: &str = cassette::RUN_MANIFEST;
/// An API only Marvin's simulator has: an endpoint that lists it is one.
const SIMULATOR_ONLY_API: &str = "listSimulatorFaults";

/// Which backend a run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendKind {
    /// The simulator inside this process.
    Embedded,
    /// The cloud a Marvin config names.
    External(PathBuf),
    /// The cassettes of a recorded run, with no network.
    Replay(PathBuf),
}

/// A run's backend: its kind, the recording it makes, and how long it may
/// take to become ready.
#[derive(Debug, Clone)]
pub struct Backend {
    /// Which backend.
    pub kind: BackendKind,
    /// Where the run records its cassettes, if it does.
    pub record: Option<CassetteSettings>,
    /// How long an external endpoint may take to answer.
    pub ready_timeout: Duration,
    /// Capabilities declared on the command line (`--capability`).
    pub declared: Vec<String>,
}

/// What a recorded run leaves beside its cassettes: which backend it ran
/// on, what that backend could do, and each test's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The suite.
    pub suite: String,
    /// The backend, as the summary named it.
    pub backend: String,
    /// Its capabilities.
    pub capabilities: Vec<String>,
    /// When the run started (RFC 3339).
    pub started: String,
    /// Each test's outcome (`passed`, `failed`, `skipped`, `not run`), by name.
    pub results: std::collections::BTreeMap<String, String>,
}

impl Manifest {
    /// Reads `DIR/marvin-run.json`, if there is one.
    pub fn read(dir: &Path) -> Result<Option<Manifest>, SuiteError> {
        let path = dir.join(MANIFEST);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| SuiteError::Config(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SuiteError::Config(format!("{}: {e}", path.display()))),
        }
    }
}

impl Backend {
    /// The backend the options ask for: `replay` (a directory), else
    /// `config` (an external endpoint), else the embedded simulator;
    /// `record` adds a recording (not with a replay).
    pub fn choose(
        config: Option<&Path>,
        replay: Option<&Path>,
        record: Option<(&Path, Option<RecordMode>)>,
    ) -> Result<Self, SuiteError> {
        let kind = match (replay, config) {
            (Some(dir), _) => BackendKind::Replay(dir.to_path_buf()),
            (None, Some(config)) => BackendKind::External(config.to_path_buf()),
            (None, None) => BackendKind::Embedded,
        };
        let record = match (record, &kind) {
            (Some(_), BackendKind::Replay(_)) => {
                return Err(SuiteError::Usage(
                    "--record and --replay (MARVIN_RECORD and MARVIN_REPLAY) are both given: choose one"
                        .into(),
                ));
            }
            (Some((dir, mode)), _) => Some(cassette_settings(
                dir,
                mode.unwrap_or_else(RecordMode::default_for_recording),
            )),
            (None, _) => None,
        };
        Ok(Self {
            kind,
            record,
            ready_timeout: Duration::from_secs(60),
            declared: Vec::new(),
        })
    }

    /// The cassette settings of the run: the replay's, the recording's, or
    /// none. Cassettes name the precache the tests were built with (the
    /// one marvin-entities embeds), so a replay of another build warns.
    pub fn cassettes(&self) -> Option<CassetteSettings> {
        let settings = match &self.kind {
            BackendKind::Replay(dir) => Some(cassette_settings(dir, RecordMode::None)),
            _ => self.record.clone(),
        };
        settings.map(|settings| {
            settings.with_precache_hash(cassette::precache_hash(
                marvin_entities::PRECACHE.as_bytes(),
            ))
        })
    }

    /// The admin client and a description of where it points: the
    /// embedded simulator, the config's cloud, or (replaying) a client that
    /// reaches no network.
    pub async fn connect(
        &self,
        default_cloud: DefaultCloud,
    ) -> Result<(Client, String), SuiteError> {
        match &self.kind {
            BackendKind::Embedded => default_cloud().map_err(|e| SuiteError::Config(e.to_string())),
            BackendKind::External(path) => {
                let config =
                    Config::from_path(path).map_err(|e| SuiteError::Config(e.to_string()))?;
                let client =
                    Client::from_config(&config).map_err(|e| SuiteError::Config(e.to_string()))?;
                let target = client.endpoint().to_string();
                Ok((client, target))
            }
            BackendKind::Replay(dir) => {
                let client =
                    cassette::replay_client().map_err(|e| SuiteError::Config(e.to_string()))?;
                Ok((
                    client,
                    format!("a replay of {} (no network)", dir.display()),
                ))
            }
        }
    }

    /// Waits until the backend can take the run: a replay directory must
    /// hold cassettes; a cloud must answer `listCapabilities` (an external
    /// one is asked again, with growing pauses, until `ready_timeout`).
    pub async fn wait_for_backend(&self, client: &Client, target: &str) -> Result<(), SuiteError> {
        if let BackendKind::Replay(dir) = &self.kind {
            return has_cassettes(dir);
        }
        let patient = matches!(self.kind, BackendKind::External(_));
        let deadline = Instant::now() + self.ready_timeout;
        let mut pause = Duration::from_millis(100);
        let mut told = false;
        loop {
            match client.call(api("listCapabilities")).await {
                Ok(_) => return Ok(()),
                Err(error) if !patient || Instant::now() + pause > deadline => {
                    return Err(SuiteError::Config(format!(
                        "the cloud at {target} does not answer: {error}"
                    )));
                }
                Err(error) => {
                    if !told {
                        eprintln!(
                            "marvin: waiting up to {}s for the cloud at {target} ({error})",
                            self.ready_timeout.as_secs()
                        );
                        told = true;
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    /// What the backend can do: see the module's table. A replay takes the
    /// recorded run's capabilities from its manifest (without `live`).
    pub async fn capabilities(
        &self,
        client: &Client,
        target: &str,
    ) -> Result<Capabilities, SuiteError> {
        let mut names: Vec<String> = self.declared.clone();
        let backend = match &self.kind {
            BackendKind::Embedded => {
                names.extend([LIVE.to_owned(), SIMULATOR.to_owned()]);
                target.to_owned()
            }
            BackendKind::External(_) => {
                names.push(LIVE.to_owned());
                if is_marvin_simulator(client).await {
                    names.push(SIMULATOR.to_owned());
                }
                format!("the cloud at {target}")
            }
            BackendKind::Replay(dir) => {
                if let Some(manifest) = Manifest::read(dir)? {
                    names.extend(manifest.capabilities.into_iter().filter(|c| c != LIVE));
                }
                target.to_owned()
            }
        };
        Ok(Capabilities::new(backend, names))
    }

    /// After the run: on an external cloud, deletes what this run left
    /// (the ledger's records of this run that are not known deleted) and
    /// says what it did; the embedded simulator ends with the process and
    /// a replay created nothing. A recording also writes its manifest.
    pub async fn cleanup_backend(
        &self,
        client: &Client,
        ledger: Option<&Path>,
        result: &SuiteResult,
        capabilities: &Capabilities,
    ) -> Option<String> {
        let mut said = Vec::new();
        if let Some(record) = &self.record {
            // Runs of one process per test (nextest) share the manifest:
            // each adds its outcomes to those already there.
            let mut results = Manifest::read(&record.dir)
                .ok()
                .flatten()
                .filter(|earlier| earlier.suite == result.suite)
                .map(|earlier| earlier.results)
                .unwrap_or_default();
            results.extend(
                result
                    .tests
                    .iter()
                    .map(|test| (test.name.clone(), status_name(test.status).to_owned())),
            );
            let manifest = Manifest {
                suite: result.suite.clone(),
                backend: result.target.clone(),
                capabilities: capabilities.names.iter().cloned().collect(),
                started: result.started.clone(),
                results,
            };
            let path = record.dir.join(MANIFEST);
            let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
            match std::fs::create_dir_all(&record.dir).and_then(|()| std::fs::write(&path, text)) {
                Ok(()) => said.push(format!("recorded into {}", record.dir.display())),
                Err(error) => said.push(format!("could not write {}: {error}", path.display())),
            }
        }
        if let (BackendKind::External(_), Some(ledger), false) =
            (&self.kind, ledger, result.leaks.leaks.is_empty())
        {
            let rules = marvin_factories::all_deletion_rules();
            let options = SweepOptions {
                run: Some(result.run_id.clone()),
                ..SweepOptions::new(&rules)
            };
            match cleanup::sweep(client, &[ledger.to_path_buf()], &options).await {
                Ok(report) => said.push(format!(
                    "cleanup of the cloud: {} resource(s) this run left deleted",
                    report.deleted.len()
                )),
                Err(error) => said.push(format!("cleanup of the cloud failed: {error}")),
            }
        }
        (!said.is_empty()).then(|| said.join("; "))
    }
}

/// Cassettes in `dir`, used in `mode`: the options decide those, the
/// environment the rest (`MARVIN_CASSETTE_MAX_AGE_DAYS`).
fn cassette_settings(dir: &Path, mode: RecordMode) -> CassetteSettings {
    let mut settings = CassetteSettings::from_env()
        .ok()
        .flatten()
        .unwrap_or_else(|| CassetteSettings::new(dir, mode));
    settings.dir = dir.to_path_buf();
    settings.mode = mode;
    settings
}

/// How a status reads in the manifest and the JSON report.
pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
        Status::NotRun => "not run",
    }
}

fn has_cassettes(dir: &Path) -> Result<(), SuiteError> {
    let files = cassette::cassette_files(dir).map_err(|error| {
        SuiteError::Config(format!("the replay directory {}: {error}", dir.display()))
    })?;
    if files.is_empty() {
        return Err(SuiteError::Config(format!(
            "the replay directory {} holds no cassette: record one first (--record DIR)",
            dir.display()
        )));
    }
    Ok(())
}

/// Whether the endpoint is Marvin's simulator: it lists an API no other
/// cloud has.
async fn is_marvin_simulator(client: &Client) -> bool {
    let params = Params::from([("name", SIMULATOR_ONLY_API)]);
    client
        .list_all("listApis", params)
        .await
        .is_ok_and(|apis| !apis.is_empty())
}
