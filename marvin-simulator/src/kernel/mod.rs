//! The kernel: everything families are written against and everything that
//! serves a call, knowing no family.
//!
//! - [`contract`]: `Family`, `Command`, `Call`, `Reply`, `Job`;
//! - [`params`], [`caller`], [`scope`], [`error`], [`time`]: what a handler
//!   reads and answers with;
//! - [`sql`]: the store (query building, rows rendered as CloudStack JSON,
//!   ids and keys);
//! - [`catalog`]: the precache index and the registry of the commands of
//!   the families handed to the engine;
//! - `engine`: the connections (one writer, WAL readers) and the dispatcher;
//!   `auth`, `request`, `validate`, `envelope`, `faults`, `jobs`: its steps.

pub mod caller;
pub mod catalog;
pub mod contract;
pub mod error;
pub mod params;
pub mod scope;
pub mod time;

pub(crate) mod auth;
pub(crate) mod engine;
pub(crate) mod envelope;
pub(crate) mod event_log;
pub(crate) mod faults;
pub(crate) mod ids;
pub(crate) mod jobs;
pub(crate) mod render;
pub(crate) mod request;
pub(crate) mod sql;
pub(crate) mod validate;
