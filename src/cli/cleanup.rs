//! `marvin cleanup`: delete what an interrupted run left behind, as its
//! ledger records it, and nothing else.

use std::path::PathBuf;

use marvin_core::Client;
use marvin_core::cleanup::{default_path, sweep};

use super::{CliError, load_config};

/// Arguments of `marvin cleanup`.
#[derive(Debug, clap::Args)]
pub struct CleanupArgs {
    /// The Marvin config of the cloud (default: $MARVIN_CONFIG).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Only resources of this run id (default: every run in the ledger).
    #[arg(long)]
    run: Option<String>,
    /// List what would be deleted without deleting it.
    #[arg(long)]
    dry_run: bool,
    /// The ledger file (default: $MARVIN_LEDGER or target/marvin/ledger.jsonl).
    #[arg(long)]
    ledger: Option<PathBuf>,
}

pub async fn run(args: CleanupArgs) -> Result<(), CliError> {
    let config = load_config(args.config.as_deref())?
        .ok_or_else(|| CliError::Usage("marvin cleanup needs --config or MARVIN_CONFIG".into()))?;
    let client = Client::from_config(&config)?;
    let path = args.ledger.unwrap_or_else(default_path);
    let report = sweep(&client, &path, args.run.as_deref(), args.dry_run)
        .await
        .map_err(|error| CliError::Usage(format!("ledger {}: {error}", path.display())))?;
    println!("{report}");
    if report.is_clean() || args.dry_run {
        Ok(())
    } else {
        Err(CliError::Leaks(report.failures.len()))
    }
}
