//! The resource families: the only list of them.
//!
//! Each family is a folder with its command table (`mod.rs`), business rules,
//! storage (`schema.sql` plus queries) and events. Order matters: schemas
//! and seeds run in the order of [`ALL`], so a family may reference tables
//! of the families before it.

pub(crate) mod compute;
pub(crate) mod datacenter;
pub(crate) mod events;
pub(crate) mod identity;
pub(crate) mod jobs;
pub(crate) mod limits;
pub(crate) mod network;
pub(crate) mod offerings;
pub(crate) mod platform;
pub(crate) mod projects;
pub(crate) mod simulator;
pub(crate) mod storage;
pub(crate) mod tags;
pub(crate) mod templates;

#[cfg(test)]
pub(crate) mod testkit;

use crate::kernel::contract::Family;

/// Every family, in schema and seed order.
pub(crate) const ALL: &[&dyn Family] = &[
    &events::Events,
    &identity::Identity,
    &datacenter::Datacenter,
    &offerings::Offerings,
    &templates::Templates,
    &limits::Limits,
    &projects::Projects,
    &compute::Compute,
    &storage::Storage,
    &tags::Tags,
    &network::Network,
    &jobs::Jobs,
    &platform::Platform,
    &simulator::Simulator,
];
