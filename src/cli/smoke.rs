//! `marvin smoke`: the bundled smoke suite in one process, in parallel,
//! with a summary, JUnit and HTML reports, and a leak check.

use std::io::IsTerminal;
use std::path::PathBuf;

use marvin::suite::{self, RunOptions};
use marvin_core::cleanup;
use marvin_core::schema::ApiList;
use marvin_core::testing::RunSettings;

use super::CliError;

/// Arguments of `marvin smoke`.
#[derive(Debug, clap::Args)]
pub struct SmokeArgs {
    /// The cloud's Marvin config; without it (and without `MARVIN_CONFIG`)
    /// the suite runs against the embedded simulator.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run only scenarios with one of these tags (comma-separated);
    /// default: `MARVIN_TAGS`, else all.
    #[arg(long, value_delimiter = ',')]
    tags: Vec<String>,
    /// How many scenarios run at once [default: the number of CPUs, at
    /// least 4].
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Write a JUnit XML report here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long)]
    html: Option<PathBuf>,
    /// List the selected scenarios with their tags and exit.
    #[arg(long)]
    list: bool,
}

pub async fn run(args: SmokeArgs) -> Result<(), CliError> {
    let mut settings = RunSettings::from_env();
    if !args.tags.is_empty() {
        settings.selected_tags = Some(args.tags.clone());
    }
    if args.list {
        for scenario in suite::select(marvin::smoke::SCENARIOS, &settings) {
            println!("{} [{}]", scenario.name, scenario.tags.join(", "));
        }
        return Ok(());
    }
    if args.jobs == Some(0) {
        return Err(CliError::Usage("--jobs must be at least 1".into()));
    }
    let (client, target) = match super::load_config(args.config.as_deref())? {
        Some(config) => {
            let client = marvin_core::Client::from_config(&config)?;
            let target = client.endpoint().to_string();
            (client, target)
        }
        None => {
            let endpoint = marvin::embedded_simulator()?;
            (
                endpoint.admin_client()?,
                format!("embedded simulator at {}", endpoint.url),
            )
        }
    };
    if let Some(grace) = settings.termination_grace {
        if let Err(error) = cleanup::install_termination_handler(grace) {
            eprintln!("marvin: could not install the termination handler: {error}");
        }
    }
    let precache = ApiList::from_json(marvin_simulator::catalog::PRECACHE)
        .map_err(|error| CliError::Usage(format!("the embedded api-precache.json: {error}")))?;
    let options = RunOptions {
        suite: "smoke".into(),
        jobs: args.jobs.unwrap_or_else(suite::default_jobs),
        settings,
        target,
        progress_bar: std::io::stderr().is_terminal(),
        test_lines: true,
    };
    let result = suite::run_suite(marvin::smoke::SCENARIOS, &client, &precache, &options).await;

    println!();
    print!("{}", suite::summary::render(&result));
    for (path, text) in [
        (
            &args.junit,
            args.junit.as_ref().map(|_| suite::junit::render(&result)),
        ),
        (
            &args.html,
            args.html.as_ref().map(|_| suite::html::render(&result)),
        ),
    ] {
        if let (Some(path), Some(text)) = (path, text) {
            std::fs::write(path, text).map_err(|source| CliError::Io {
                path: path.clone(),
                source,
            })?;
            println!("wrote {}", path.display());
        }
    }
    let failed = result.count(suite::Status::Failed);
    let leaked = result.leaks.leaks.len();
    if leaked > 0 {
        return Err(CliError::Leaks(leaked));
    }
    if failed > 0 {
        return Err(CliError::TestsFailed(failed));
    }
    Ok(())
}
