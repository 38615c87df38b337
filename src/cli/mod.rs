//! The `marvin` command line: one module per subcommand, errors mapped to exit
//! codes in one place.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use marvin_core::Config;

pub mod cassettes;
pub mod cleanup;
pub mod conform;
pub mod deploy;
pub mod openapi;
pub mod simulator;
pub mod smoke;
pub mod startup;
pub mod sync;

/// Marvin for Rust: integration tests for Apache CloudStack clouds.
#[derive(Debug, Parser)]
#[command(name = "marvin", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fetch listApis from a live server and write the precache snapshot.
    Sync(sync::SyncArgs),
    /// Delete what interrupted runs left behind on one cloud, as the ledger
    /// (or, with the ledger lost, the run tags) records it.
    Cleanup(cleanup::CleanupArgs),
    /// Run the CloudStack-compatible simulator as a standalone endpoint.
    Simulator(simulator::SimulatorArgs),
    /// Run the bundled smoke suite in parallel, with reports and a leak
    /// check (against the embedded simulator unless a config is given).
    Smoke(Box<smoke::SmokeArgs>),
    /// Build the zones of a Marvin datacenter config (deployDataCenter),
    /// rolling back on failure.
    Deploy(deploy::DeployArgs),
    /// Write the cloud's zones back as a Marvin datacenter config.
    Export(deploy::ExportArgs),
    /// Write the OpenAPI 3.1 document of a listApis snapshot, or compare
    /// two snapshots (--diff).
    Openapi(openapi::OpenApiArgs),
    /// Replay recorded cassettes against an endpoint (default: a fresh
    /// embedded simulator) and report where its answers differ.
    Conform(conform::ConformArgs),
    /// Check a directory of recorded cassettes: every file reads, and no
    /// secret is left in any.
    Cassettes(cassettes::CassettesArgs),
}

/// Why the CLI stopped; each kind has its own exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Wrong or missing arguments.
    #[error("{0}")]
    Usage(String),
    /// The config could not be read.
    #[error(transparent)]
    Client(#[from] marvin_core::Error),
    /// Resources are left on the cloud.
    #[error("{0} resource(s) could not be deleted")]
    Leaks(usize),
    /// A suite run did not pass (`marvin smoke`); its own exit code.
    #[error(transparent)]
    Suite(marvin_runner::SuiteError),
    /// A deployment step failed (what it built was rolled back).
    #[error("{0}")]
    Deploy(String),
    /// `marvin openapi --diff`: changes that break clients of the old
    /// snapshot.
    #[error("{0} breaking change(s)")]
    Breaking(usize),
    /// `marvin simulator --probe`: the simulator is not (yet) ready.
    #[error("not ready: {0}")]
    NotReady(String),
    /// `marvin conform`: the cassettes or the endpoint could not be used.
    #[error(transparent)]
    Conform(#[from] marvin_conform::ConformError),
    /// `marvin conform`: the endpoint's answers differ from the recording.
    #[error("{0} difference(s) from the recorded answers")]
    Differences(usize),
    /// `marvin cassettes`: secrets are left in recorded cassettes.
    #[error("{0} secret(s) left in the cassettes")]
    SecretsLeft(usize),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

impl CliError {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::NotReady(_) => ExitCode::from(1),
            Self::Usage(_) => ExitCode::from(2),
            Self::Leaks(_) => ExitCode::from(4),
            Self::Client(_) | Self::Io { .. } => ExitCode::from(3),
            Self::Deploy(_) => ExitCode::from(5),
            Self::Breaking(_) => ExitCode::from(6),
            Self::Conform(_) => ExitCode::from(3),
            Self::Differences(_) => ExitCode::from(7),
            Self::SecretsLeft(_) => ExitCode::from(8),
            Self::Suite(error) => ExitCode::from(error.exit_code()),
        }
    }
}

/// Reads the config from `path`, else from `MARVIN_CONFIG`, else none.
pub fn load_config(path: Option<&Path>) -> Result<Option<Config>, CliError> {
    Ok(match path {
        Some(path) => Some(Config::from_path(path)?),
        None => Config::from_env()?,
    })
}

/// Runs the CLI and turns the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("marvin: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Sync(args) => sync::run(args).await,
            Command::Cleanup(args) => cleanup::run(args).await,
            Command::Simulator(args) => simulator::run(args).await,
            Command::Smoke(args) => smoke::run(*args).await,
            Command::Deploy(args) => deploy::run_deploy(args).await,
            Command::Export(args) => deploy::run_export(args).await,
            Command::Openapi(args) => openapi::run(args),
            Command::Conform(args) => conform::run(args).await,
            Command::Cassettes(args) => cassettes::run(&args),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("marvin: {error}");
            error.exit_code()
        }
    }
}
