//! Reliability and security torture tests: bad input, concurrency,
//! durability, security, leaks under faults.
//!
//! One test binary, sized for CI (well under a minute in debug). Larger runs:
//! `MARVIN_TORTURE_SCALE=5 cargo test --release -p marvin-cli --test reliability`
//! multiplies every size (5 gives the documented 100,000 bad requests); a
//! failing random run prints its seed, and `MARVIN_TORTURE_SEED=N` replays
//! it. Results of the large runs are in `docs/reliability.md`.
//!
//! These are tests, not benchmarks: they assert behaviour (codes, shapes,
//! counts, durability), never timings.

mod bad_input;
#[path = "../../examples/common/mod.rs"]
mod common;
mod concurrency;
mod durability;
mod isolation;
mod leaks;
mod ledger;
mod security;
mod support;
