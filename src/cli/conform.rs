//! `marvin conform`: replays the requests of recorded cassettes against an
//! endpoint (the config's cloud, or a fresh embedded simulator) and reports
//! where its answers differ from the recorded ones (`marvin_conform`).

use std::path::{Path, PathBuf};

use marvin_conform::{Settings, Target};

use super::CliError;

/// Arguments of `marvin conform`.
#[derive(Debug, clap::Args)]
pub struct ConformArgs {
    /// The directory of the recorded cassettes (every `*.json` in it).
    #[arg(long)]
    cassettes: PathBuf,
    /// The Marvin config of the endpoint to measure (default: a fresh
    /// embedded simulator).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Also write the report as an HTML page to this file.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Only the cassettes whose file or test name contains this.
    #[arg(long)]
    filter: Option<String>,
    /// Seconds a job recorded as finished may stay pending on the endpoint.
    #[arg(long, default_value_t = 60)]
    job_timeout: u64,
}

pub async fn run(args: ConformArgs) -> Result<(), CliError> {
    let target = match &args.config {
        Some(path) => Target::from_config(&marvin_core::Config::from_path(path)?)?,
        None => Target::simulator().await?,
    };
    let mut settings = Settings::new(&args.cassettes);
    settings.filter = args.filter.clone();
    settings.job_timeout = std::time::Duration::from_secs(args.job_timeout);
    let report = marvin_conform::run(&settings, &target).await?;
    print!("{}", report.text());
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report.to_json()).unwrap_or_default() + "\n";
        write(path, &text)?;
    }
    if let Some(path) = &args.html {
        let page = marvin_runner::html::page("marvin conform", &report.html_section());
        write(path, &page)?;
    }
    match report.differences() {
        0 => Ok(()),
        differences => Err(CliError::Differences(differences)),
    }
}

fn write(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })
}
