//! The runtime of Marvin for Rust: everything that talks to an Apache CloudStack
//! management server.
//!
//! Without the default `client` feature this crate is only the shared,
//! dependency-light part: the [`schema`] model of a `listApis` answer, the
//! request [`signing`] rules, the [`ErrorCode`]s of the protocol, and the
//! [`resource`] contract that generated entities implement. The simulator and
//! the code generator both build on those.

pub mod codes;
pub mod resource;
pub mod schema;
pub mod signing;

pub use codes::{CsErrorCode, ErrorCode};
pub use resource::{Deletion, Resource};
