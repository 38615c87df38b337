//! `marvin deploy` and `marvin export`: build a datacenter from Marvin's
//! config format, and write a cloud's topology back in it.

use std::path::PathBuf;

use marvin_core::{Client, Config};
use marvin_deploy::{self as deploy, DataCenter, DeployError};

use super::{CliError, load_config};

/// Arguments of `marvin deploy`.
#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// The datacenter description (Marvin's format: `zones`,
    /// `globalConfig`); its `mgtSvr` is the target unless --target is given.
    #[arg(long)]
    config: PathBuf,
    /// The Marvin config of the cloud to build on.
    #[arg(long)]
    target: Option<PathBuf>,
}

/// Arguments of `marvin export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The cloud's Marvin config (default: $MARVIN_CONFIG).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Where to write the datacenter JSON (default: standard output).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

fn deploy_error(error: DeployError) -> CliError {
    match error {
        DeployError::Config { .. } => CliError::Usage(error.to_string()),
        DeployError::Step { .. } => CliError::Deploy(error.to_string()),
    }
}

pub async fn run_deploy(args: DeployArgs) -> Result<(), CliError> {
    let datacenter = DataCenter::from_path(&args.config).map_err(deploy_error)?;
    let target = Config::from_path(args.target.as_deref().unwrap_or(&args.config))?;
    let client = Client::from_config(&target)?;
    println!(
        "deploying {} zone(s) on {}",
        datacenter.zones.len(),
        client.endpoint()
    );
    let deployment = deploy::deploy(&client, &datacenter, &mut |step| println!("{step}"))
        .await
        .map_err(deploy_error)?;
    for (name, id) in &deployment.zones {
        println!("zone {name} is enabled ({id})");
    }
    println!("done in {} step(s)", deployment.steps);
    Ok(())
}

pub async fn run_export(args: ExportArgs) -> Result<(), CliError> {
    let config = load_config(args.config.as_deref())?
        .ok_or_else(|| CliError::Usage("marvin export needs --config or MARVIN_CONFIG".into()))?;
    let client = Client::from_config(&config)?;
    let datacenter = deploy::export(&client).await?;
    let mut text = serde_json::to_string_pretty(&datacenter)
        .map_err(|error| CliError::Usage(error.to_string()))?;
    text.push('\n');
    match args.output {
        Some(path) => {
            std::fs::write(&path, text).map_err(|source| CliError::Io {
                path: path.clone(),
                source,
            })?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}
