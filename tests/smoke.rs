//! The bundled smoke suite as cargo tests: one `#[test]` per scenario of
//! `marvin::smoke`, run against `MARVIN_CONFIG`'s cloud or the embedded
//! simulator. `marvin smoke` runs the same scenarios in one process.

marvin::smoke_scenarios!(cargo_tests);
