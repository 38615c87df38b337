//! Marvin for Rust: integration tests for Apache CloudStack clouds.
//!
//! Test authors write `use marvin::prelude::*;` and nothing else.

pub use marvin_core as core;
pub use marvin_simulator as simulator;

/// The everyday names of a test.
pub mod prelude {
    pub use marvin_core::{CsErrorCode, ErrorCode};
}
