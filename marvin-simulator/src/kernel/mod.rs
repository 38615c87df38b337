//! The kernel: everything families are written against and everything that
//! serves a call. It never names a family nor the shell around it
//! (`src/tests/layering.rs` fails the build otherwise): families are handed
//! to it as [`contract::Family`] values.
//!
//! - [`contract`]: `Family`, `Command`, `Call`, `Reply`, `Job`;
//! - [`params`], [`caller`], [`scope`] (ownership and list scopes, over the
//!   `directory` a family provides),
//!   [`error`], [`time`]: what a handler reads and answers with;
//! - the store: `sql` (the query builder and shared queries), `render` (the
//!   one place values and rows become CloudStack JSON, for the envelope and
//!   the families alike), `ids`; `ip` (IPv4 arithmetic);
//! - `event_log` (recording events) and `jobs` (the `async_jobs` rows, the
//!   runner of a job's second half, the common job shapes);
//! - [`catalog`]: the precache and the registry of the families handed to
//!   the engine;
//! - `engine`: the connections (one writer, WAL readers) and the dispatcher,
//!   with its steps `request`, `auth`, `validate`, `faults`, `envelope`;
//!   and the kernel's own tables (`schema.sql`), created before the
//!   families'.

pub mod caller;
pub mod catalog;
pub mod contract;
pub mod error;
pub mod params;
pub mod scope;
pub mod time;

pub(crate) mod access;
pub(crate) mod auth;
pub(crate) mod directory;
pub(crate) mod engine;
pub(crate) mod envelope;
pub(crate) mod event_log;
pub(crate) mod faults;
pub(crate) mod ids;
pub(crate) mod ip;
pub(crate) mod jobs;
pub(crate) mod render;
pub(crate) mod request;
pub(crate) mod sql;
pub(crate) mod validate;

#[cfg(test)]
mod directory_tests;
