//! `marvin conform`: measures how faithfully an endpoint answers the calls
//! of a recorded run.
//!
//! A suite recorded once against a real cloud (`MARVIN_RECORD`, one cassette
//! per test, see `docs/record-replay.md`) holds every request it sent and
//! every answer it got. [`run`] sends those requests again, in the run's
//! order (the interactions of all cassettes sorted by when their answers
//! came, `answered`, else by `seq`; a job's request moved to where the
//! recording shows the job's work done), to
//! another endpoint, by default a fresh embedded simulator
//! ([`Target::simulator`]), and compares each live answer with the recorded
//! one: the HTTP status, the error codes, and the answer's shape (which
//! fields are present, with which JSON type). Values are never compared.
//!
//! Requests carry what the live endpoint gave instead of what the recording
//! saw ([`mapping`]): ids mapped from earlier answers, secrets bound to the
//! live values at the places of their placeholders (new user keys sign the
//! calls recorded as signed by them), passwords and user data the recorded
//! test chose replaced by new ones.
//!
//! ```no_run
//! # async fn demo() -> Result<(), marvin_conform::ConformError> {
//! let target = marvin_conform::Target::simulator().await?;
//! let report = marvin_conform::run(&marvin_conform::Settings::new("testdata/cassettes"), &target).await?;
//! print!("{}", report.text());
//! # Ok(()) }
//! ```

pub mod mapping;
mod replay;
pub mod report;
pub mod shape;

use std::path::PathBuf;
use std::time::Duration;

use marvin_core::config::MgtServer;
use marvin_core::{Client, Config};

pub use replay::run;
pub use report::{CommandReport, Difference, Example, Kind, Note, Report};

/// What to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The directory of the cassettes (every `*.json` file in it).
    pub cassettes: PathBuf,
    /// Only the cassettes whose file name or test name contains this.
    pub filter: Option<String>,
    /// How long a job recorded as finished may stay pending live.
    pub job_timeout: Duration,
}

impl Settings {
    /// All cassettes of `dir`, jobs waited for up to 60 seconds.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            cassettes: dir.into(),
            filter: None,
            job_timeout: Duration::from_secs(60),
        }
    }

    /// Only the cassettes whose file or test name contains `filter`.
    #[must_use]
    pub fn with_filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }
}

/// Why a conformance run could not be made (differences are not errors:
/// they are the [`Report`]).
#[derive(Debug, thiserror::Error)]
pub enum ConformError {
    /// The cassettes could not be read, or there are none.
    #[error("cassettes: {0}")]
    Cassettes(String),
    /// The endpoint could not be reached.
    #[error("endpoint unreachable: {0}")]
    Unreachable(String),
    /// A client or the simulator could not be set up.
    #[error("setup: {0}")]
    Setup(String),
}

/// The endpoint measured: its admin client (which signs every request
/// recorded with the recording's own admin credentials), and how to build
/// clients for other credentials on it.
pub struct Target {
    admin: Client,
    server: Option<MgtServer>,
    description: String,
    /// Kept running while the target lives.
    _simulator: Option<marvin_simulator::RunningSimulator>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// A fresh embedded simulator (default zone, in memory, jobs done as
    /// they are submitted), served on this runtime while the target lives.
    pub async fn simulator() -> Result<Self, ConformError> {
        // Jobs done as they are submitted: the replay sends a job's request
        // where the recording shows its work done, so the work happens
        // there, and the poll recorded as finding it done needs no wait.
        let config = marvin_simulator::SimulatorConfig {
            job_delay: Duration::ZERO,
            ..marvin_simulator::SimulatorConfig::default()
        };
        let simulator = marvin_simulator::Simulator::start(config)
            .await
            .map_err(|e| ConformError::Setup(format!("the simulator did not start: {e}")))?;
        let admin = Client::builder(simulator.url())
            .keys(simulator.api_key(), simulator.secret_key())
            .build()
            .map_err(|e| ConformError::Setup(e.to_string()))?;
        Ok(Self {
            description: format!("embedded simulator at {}", simulator.url()),
            admin,
            server: None,
            _simulator: Some(simulator),
        })
    }

    /// The first management server of a Marvin config.
    pub fn from_config(config: &Config) -> Result<Self, ConformError> {
        let admin = Client::from_config(config).map_err(|e| ConformError::Setup(e.to_string()))?;
        Ok(Self {
            description: admin.endpoint().to_owned(),
            admin,
            server: Some(config.server().clone()),
            _simulator: None,
        })
    }

    /// Any endpoint, through its admin client.
    pub fn new(admin: Client, description: impl Into<String>) -> Self {
        Self {
            admin,
            server: None,
            description: description.into(),
            _simulator: None,
        }
    }

    /// How reports name the endpoint.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The admin client.
    pub fn admin(&self) -> &Client {
        &self.admin
    }

    /// A builder on the same endpoint, settings and certificates.
    fn builder(&self) -> marvin_core::client::ClientBuilder {
        let mut builder =
            Client::builder(self.admin.endpoint()).settings(self.admin.settings().clone());
        if let Some(server) = &self.server {
            if let Some(path) = &server.cert_ca_path {
                builder = builder.ca_cert_path(path);
            }
            if let Some(path) = &server.cert_path {
                builder = builder.client_cert_path(path);
            }
        }
        builder
    }

    fn keys_client(&self, api_key: &str, secret_key: &str) -> Result<Client, ConformError> {
        self.builder()
            .keys(api_key, secret_key)
            .build()
            .map_err(|e| ConformError::Setup(e.to_string()))
    }

    fn session_client(
        &self,
        username: &str,
        password: &str,
        domain: &str,
    ) -> Result<Client, ConformError> {
        self.builder()
            .credentials(username, password, domain)
            .build()
            .map_err(|e| ConformError::Setup(e.to_string()))
    }
}
