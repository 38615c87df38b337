//! Self-tests of the framework, end to end against the simulator: cleanup
//! after panics, failing cleanups, the ledger and the sweep after SIGKILL,
//! unique sequences across processes, the data factories, assertion
//! messages, `#[marvin::test]` itself and shared fixtures on the runner.
//!
//! A test cannot report on its own panic or kill, so most of these run a
//! fixture (an ignored `#[marvin::test]` of this binary, in `fixtures`) as a
//! child process against a simulator the parent started, and then look at
//! the child's exit status and output, the ledger, and the simulator's
//! state.

mod assertions;
mod attribute;
mod child;
mod cleanup;
mod factories;
mod fixtures;
mod guide;
mod reports;
mod sequences;
mod shared_fixtures;
