//! `marvin smoke`: the bundled smoke suite (the `marvin-smoke` crate's
//! `#[marvin::test]` scenarios) through the runner every suite uses
//! (`marvin_runner::harness`): parallel, with progress, a summary, JUnit
//! and HTML reports, a leak check and the API coverage.

use marvin_core::{Client, Result};
use marvin_runner::{SuiteArgs, harness};

use super::CliError;

// Links the suite's library, so that its scenarios' registrations reach
// this binary's runner.
use marvin_smoke as _;

/// Arguments of `marvin smoke`: the runner's (the same as a test binary's
/// under `cargo test`).
#[derive(Debug, clap::Args)]
#[command(help_template = harness::HELP_TEMPLATE, after_help = harness::AFTER_HELP)]
pub struct SmokeArgs {
    #[command(flatten)]
    suite: SuiteArgs,
}

pub async fn run(args: SmokeArgs) -> std::result::Result<(), CliError> {
    // Named by module and function, without the crate (`vms::deploy_...`).
    let scenarios = harness::registered("marvin_smoke");
    harness::run("smoke", &scenarios, &args.suite, embedded_simulator)
        .await
        .map_err(CliError::Suite)
}

/// The cloud of a run without a config: this process's embedded simulator.
fn embedded_simulator() -> Result<(Client, String)> {
    let endpoint = marvin::embedded_simulator()?;
    let client = endpoint.admin_client()?;
    Ok((client, format!("embedded simulator at {}", endpoint.url)))
}
