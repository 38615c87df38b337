//! Resource limits and counts: `listResourceLimits`, `updateResourceLimit`,
//! `updateResourceCount`, and the [`api::reserve`] / [`api::release`] seam
//! every creating family calls (cloudstack-semantics.md §7).

pub(crate) mod api;
mod commands;
mod recount;

#[cfg(test)]
mod tests;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family};

/// The limits family.
pub(crate) const FAMILY: Family = Family::new("limits", include_str!("schema.sql"), COMMANDS);

const COMMANDS: &[Command] = &[
    Command {
        name: "listResourceLimits",
        roles: RoleSet::ALL,
        doc: "Lists the resource limits of the caller's account, of a named account or project, or of a domain.",
        run: commands::list,
    },
    Command {
        name: "updateResourceLimit",
        roles: RoleSet::ADMINS,
        doc: "Sets the limit of one resource type for an account, a project or a domain (-1 for unlimited).",
        run: commands::update,
    },
    Command {
        name: "updateResourceCount",
        roles: RoleSet::ADMINS,
        doc: "Recounts the resources an account, or every account of a domain, really uses.",
        run: commands::update_count,
    },
];
