//! The resource families: the only list of them.
//!
//! Each family is a folder: its `FAMILY` constant and command table
//! (`mod.rs`), business rules, storage (`schema.sql` plus queries), events,
//! and `api.rs`, what other families may use of it: functions, and the
//! views of its tables that others may read (`VIEWS`); no family's SQL
//! names another family's tables, and writes go through the owner's
//! `api.rs` (ARCHITECTURE.md lists who may use whom; `tests::layering`
//! checks both). Families are written against [`crate::kernel`] only.
//! Order matters: schemas and seeds run in the order of [`ALL`], after the
//! kernel's own tables, so a family may reference tables of the families
//! before it.

#[cfg(test)]
pub(crate) mod testkit;

use crate::kernel::contract::Family;

/// Declares each family's module and [`ALL`], in schema and seed order: a
/// new family is one folder and one name here.
macro_rules! families {
    ($($family:ident),* $(,)?) => {
        $(pub(crate) mod $family;)*

        /// Every family, in schema and seed order.
        pub(crate) const ALL: &[&Family] = &[$(&$family::FAMILY),*];
    };
}

families![
    events,
    identity,
    datacenter,
    offerings,
    templates,
    limits,
    projects,
    compute,
    storage,
    tags,
    network,
    autoscale,
    hypervisors,
    systemvms,
    regions,
    quota,
    kubernetes,
    async_jobs,
    platform,
    simulator_faults,
    generic,
];

#[cfg(test)]
mod tests {
    use crate::kernel::catalog::{Catalog, Registry};

    #[test]
    fn every_precache_api_has_a_handler_and_every_handler_is_in_the_precache() {
        let catalog = Catalog::global().expect("the embedded precache parses");
        let registry = Registry::build(super::ALL, catalog).expect("no duplicate commands");
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
