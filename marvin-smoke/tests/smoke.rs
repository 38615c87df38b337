//! The smoke suite: every `#[marvin::test]` of the `marvin-smoke` library,
//! run by Marvin's runner (`cargo test -p marvin-smoke`, with the runner's
//! filters and tags: `-- --tag accounts`).

// Links the library, so its tests' registrations reach the runner.
use marvin_smoke as _;

marvin::main!();
