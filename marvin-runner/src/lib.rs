//! Marvin's runner: a suite of scenarios in one process, concurrently,
//! with progress, a summary, JUnit XML and HTML reports, a leak check
//! against the cloud and the API coverage of the run. A test target's
//! `marvin::main!()` runs its `#[marvin::test]` functions here, and
//! `marvin smoke` runs the bundled suite (the `marvin-smoke` crate) here.
//! Test authors reach it through the `marvin` crate; this crate is for
//! tools that drive the runner themselves (the `marvin` command line).
//!
//! The pieces, each in its own file:
//! - [`Scenario`]: one test, from a `#[marvin::test]` function
//!   ([`Registered`]) or a table ([`scenario_table!`](crate::scenario_table));
//! - [`backend`]: where a run goes (the embedded simulator, an external
//!   endpoint, a replay directory), with readiness and cleanup hooks and
//!   the capabilities tests may need;
//! - [`harness`]: the runner's command line (libtest's and Marvin's
//!   options), shared by `marvin smoke` and every `harness = false` test
//!   target whose `main` is `marvin::main!()`;
//! - [`Selection`]: which tests a run takes (names, a regex, tags, the
//!   last run's failures, a partition);
//! - [`run_selected`]: runs them on the current runtime (each through
//!   [`marvin_core::testing::run_scenario`], with retries and fail-fast),
//!   then the leak check;
//! - [`SuiteResult`]: the results as data, rendered by [`summary`],
//!   [`junit`], [`html`] and [`json`].

pub mod backend;
pub mod harness;
pub mod html;
pub mod json;
pub mod junit;
pub mod summary;

mod coverage;
mod leaks;
mod panics;
mod progress;
mod result;
mod run;
mod scenario;
mod select;

pub use backend::{Backend, BackendKind, Manifest};
pub use coverage::{ApiUse, Coverage};
pub use harness::{DefaultCloud, SuiteArgs, SuiteError};
pub use leaks::{Candidate, Leak, LeakCheck, Lookup, Unverified, lookup};
pub use result::{
    ApiCall, CallError, CreatedResource, Failure, FailureKind, Fate, FixtureResult, Status,
    SuiteResult, TestResult,
};
pub use run::{RunOptions, RunPolicy, default_jobs, run_selected, run_suite, select};
pub use scenario::{Registered, Scenario, ScenarioFn};
pub use select::{Filters, Partition, Selection, SelectionError};
