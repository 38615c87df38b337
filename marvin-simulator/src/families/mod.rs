//! The resource families: the only list of them.
//!
//! Each family is a folder: its `FAMILY` constant and command table
//! (`mod.rs`), business rules, storage (`schema.sql` plus queries), events,
//! and `api.rs`, what other families may use of it (ARCHITECTURE.md lists
//! who may use whom). Families are written against [`crate::kernel`] only.
//! Order matters: schemas and seeds run in the order of [`ALL`], after the
//! kernel's own tables, so a family may reference tables of the families
//! before it.

pub(crate) mod async_jobs;
pub(crate) mod compute;
pub(crate) mod datacenter;
pub(crate) mod events;
pub(crate) mod identity;
pub(crate) mod limits;
pub(crate) mod network;
pub(crate) mod offerings;
pub(crate) mod platform;
pub(crate) mod projects;
pub(crate) mod simulator_faults;
pub(crate) mod storage;
pub(crate) mod tags;
pub(crate) mod templates;

#[cfg(test)]
pub(crate) mod testkit;

use crate::kernel::contract::Family;

/// Every family, in schema and seed order.
pub(crate) const ALL: &[&Family] = &[
    &events::FAMILY,
    &identity::FAMILY,
    &datacenter::FAMILY,
    &offerings::FAMILY,
    &templates::FAMILY,
    &limits::FAMILY,
    &projects::FAMILY,
    &compute::FAMILY,
    &storage::FAMILY,
    &tags::FAMILY,
    &network::FAMILY,
    &async_jobs::FAMILY,
    &platform::FAMILY,
    &simulator_faults::FAMILY,
];

#[cfg(test)]
mod tests {
    use crate::kernel::catalog::{Catalog, Registry};

    #[test]
    fn every_precache_api_has_a_handler_and_every_handler_is_in_the_precache() {
        let catalog = Catalog::global().expect("the embedded precache parses");
        let registry = Registry::build(super::ALL).expect("no duplicate commands");
        let bless =
            "regenerate it: MARVIN_BLESS=1 cargo test -p marvin-simulator --test platform precache";
        let missing: Vec<&str> = catalog
            .apis()
            .iter()
            .filter(|api| registry.get(&api.name).is_none())
            .map(|api| api.name.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "APIs in api-precache.json without a handler: {missing:?}; {bless}"
        );
        let unlisted: Vec<&str> = registry
            .commands()
            .iter()
            .filter(|c| catalog.api(c.name).is_none())
            .map(|c| c.name)
            .collect();
        assert!(
            unlisted.is_empty(),
            "commands missing from api-precache.json: {unlisted:?}; {bless}"
        );
        let misspelt: Vec<(&str, &str)> = registry
            .commands()
            .iter()
            .filter_map(|c| {
                catalog
                    .api(c.name)
                    .filter(|api| api.name != c.name)
                    .map(|api| (c.name, api.name.as_str()))
            })
            .collect();
        assert!(
            misspelt.is_empty(),
            "command names spelt differently from the precache: {misspelt:?}"
        );
    }
}
