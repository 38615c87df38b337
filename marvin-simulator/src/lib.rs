//! A CloudStack-compatible management-server simulator.
//!
//! It speaks CloudStack's API (`/client/api`, signed keys and sessions,
//! envelopes, errors, async jobs) to any client, keeps its state in SQLite,
//! and is driven by `api-precache.json`: `listApis` is served from it and
//! every call is validated against it before a family's handler adds the
//! semantics.

pub mod caller;
pub mod error;
pub mod family;
pub mod params;
pub mod scope;
pub mod time;

pub(crate) mod families;

pub use caller::{Caller, Role, RoleSet};
pub use error::ApiError;
pub use params::Params;
