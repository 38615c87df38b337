//! The cleanup runtime and the test runner, tested from outside: against a
//! local fake endpoint, and through child processes for what a test cannot
//! observe about itself (its panic, its output, its death by signal).

mod cleanup;
mod fake;
mod intents;
mod runner;
mod scenario;

mod sweep;
