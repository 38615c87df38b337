//! `marvin smoke`: the bundled smoke suite through the runner every suite
//! uses (`marvin::suite::harness`): parallel, with progress, a summary,
//! JUnit and HTML reports, a leak check and the API coverage.

use marvin::suite::{SuiteArgs, harness};

use super::CliError;

/// Arguments of `marvin smoke`: the runner's (the same as a test binary's
/// under `cargo test`).
#[derive(Debug, clap::Args)]
#[command(help_template = harness::HELP_TEMPLATE, after_help = harness::AFTER_HELP)]
pub struct SmokeArgs {
    #[command(flatten)]
    suite: SuiteArgs,
}

pub async fn run(args: SmokeArgs) -> Result<(), CliError> {
    harness::run("smoke", marvin::smoke::SCENARIOS, &args.suite)
        .await
        .map_err(CliError::Suite)
}
