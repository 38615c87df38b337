//! `marvin sync`: fetch `listApis` from a live server and write the snapshot.

use std::path::PathBuf;

use marvin_core::Client;

use super::{CliError, load_config};

/// Arguments of `marvin sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The Marvin config of the cloud to read (default: $MARVIN_CONFIG).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Where to write the snapshot.
    #[arg(short, long, default_value = "api-precache.json")]
    output: PathBuf,
}

pub async fn run(args: SyncArgs) -> Result<(), CliError> {
    let config = load_config(args.config.as_deref())?
        .ok_or_else(|| CliError::Usage("marvin sync needs --config or MARVIN_CONFIG".into()))?;
    let client = Client::from_config(&config)?;
    let apis = marvin_deploy::sync::fetch_precache(&client).await?;
    std::fs::write(&args.output, apis.to_pretty_json()).map_err(|source| CliError::Io {
        path: args.output.clone(),
        source,
    })?;
    eprintln!("wrote {} APIs to {}", apis.count, args.output.display());
    Ok(())
}
