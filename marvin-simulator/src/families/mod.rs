//! The resource families: the only list of them.
//!
//! Each family is a folder with its command table (`mod.rs`), business rules,
//! storage (`schema.sql` plus queries) and events. Order matters: schemas
//! and seeds run in this order, so a family may reference tables of the
//! families above it.

pub(crate) mod events;

use crate::family::Family;

/// Every family, in schema and seed order.
pub(crate) const ALL: &[&dyn Family] = &[&events::Events];
