//! The team's cloud tests. Every `#[marvin::test]` of this target (here and
//! in its modules) runs with Marvin's runner: `cargo test --test cloud`,
//! `cargo nextest run`, with filters, tags, retries, partitions, JUnit and
//! HTML reports and the leak check (see docs/writing-tests.md).

mod accounts;
mod network;

marvin::main!();
