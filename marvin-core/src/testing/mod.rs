//! Running tests: the [`TestContext`] a test body gets, [`run_test`],
//! which `#[marvin::test]` calls, and [`run_scenario`], the async core it
//! shares with suite runners (`marvin smoke`).
//!
//! The runner owns the tokio runtime, panics and cleanup: it runs the body
//! with panics caught, always runs the cleanup stack after it, prints
//! cleanup failures and (on failure) the test's API trace, and then
//! re-raises the body's panic, so a cleanup problem never hides the test's
//! own failure. With `MARVIN_CHAOS_PANIC` it also makes tests panic on
//! purpose ([`chaos`]).

pub mod chaos;
mod context;
pub mod fixture;
mod runner;
mod scenario;
mod site;
mod trace;

pub use chaos::ChaosSettings;
pub use context::TestContext;
pub use fixture::{Fixture, FixtureReport, FixtureScope, SharedFixture};
pub use runner::{
    Capabilities, DEFAULT_TERMINATION_GRACE, RunSettings, SkipTest, TestSpec, run_test,
    run_test_with, termination_requested,
};
pub use scenario::{
    CleanupEnd, ScenarioOutcome, Verdict, run_scenario, run_scenario_in, skip_notice,
};
pub use site::TrySite;
pub use trace::{ApiTrace, expect_failure};
