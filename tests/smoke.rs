//! The bundled smoke suite as a test target (`harness = false`): the same
//! runner and the same scenarios as `marvin smoke`, under `cargo test` and
//! `cargo nextest` (one process per scenario), against `MARVIN_CONFIG`'s
//! cloud or the embedded simulator.

marvin::main!(marvin::smoke::SCENARIOS);
