//! Resource tags: `createTags`, `deleteTags`, `listTags`; resource details
//! (`addResourceDetail`, `listResourceDetails`, `removeResourceDetail`); and
//! the helpers
//! other families use for the `tags` of their responses and the
//! `tags[i].key/value` filter of their lists ([`api`]).

pub(crate) mod api;
mod commands;
mod details;

#[cfg(test)]
mod details_tests;
#[cfg(test)]
mod tests;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family};

/// The tags family.
pub(crate) const FAMILY: Family = Family::new("tags", include_str!("schema.sql"), COMMANDS);

const COMMANDS: &[Command] = &[
    Command {
        name: "createTags",
        roles: RoleSet::ALL,
        doc: "Puts key/value tags on resources of one type.",
        run: commands::create,
    },
    Command {
        name: "deleteTags",
        roles: RoleSet::ALL,
        doc: "Removes tags (by key, or key and value, or all of them) from resources of one type.",
        run: commands::delete,
    },
    Command {
        name: "addResourceDetail",
        roles: RoleSet::ALL,
        doc: "Sets key/value details on a resource of a type that supports them.",
        run: details::add,
    },
    Command {
        name: "removeResourceDetail",
        roles: RoleSet::ALL,
        doc: "Removes one detail, or all details, of a resource.",
        run: details::remove,
    },
    Command {
        name: "listResourceDetails",
        roles: RoleSet::ALL,
        doc: "Lists the details of a resource, or the resources of a type with a given key and value.",
        run: details::list,
    },
    Command {
        name: "listTags",
        roles: RoleSet::ALL,
        doc: "Lists the tags the caller may see.",
        run: commands::list,
    },
];
