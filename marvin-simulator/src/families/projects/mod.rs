//! Projects: resources owned together by several accounts. A project owns
//! its resources through its own account (type 5, `PrjAcct-<name>-<seq>`),
//! so limits, isolation and cleanup treat it like any owner; create and list
//! commands of other families take `projectid` (see
//! `compute::owner::resolve` and `compute::owner::scope`).

pub(crate) mod api;
mod commands;

#[cfg(test)]
mod tests;

use crate::kernel::contract::{Command, Family};

/// The projects family.
pub(crate) const FAMILY: Family =
    Family::new("projects", include_str!("schema.sql"), COMMANDS).publishing(api::VIEWS);

const COMMANDS: &[Command] = &[
    Command::all(
        "createProject",
        "Creates a project owned by the caller (or a named account).",
        commands::create,
    ),
    Command::all(
        "activateProject",
        "Activates a suspended project.",
        commands::activate,
    ),
    Command::all(
        "suspendProject",
        "Suspends a project; its VMs stop.",
        commands::suspend,
    ),
    Command::all(
        "updateProject",
        "Changes a project's name, display text or owner.",
        commands::update,
    ),
    Command::all(
        "deleteProject",
        "Deletes a project; with cleanup, also everything it owns.",
        commands::delete,
    ),
    Command::all(
        "listProjects",
        "Lists the projects the caller belongs to (admins: all they manage).",
        commands::list,
    ),
    Command::all(
        "addAccountToProject",
        "Adds an account to a project, or invites it when invitations are required.",
        commands::add_account,
    ),
    Command::all(
        "deleteAccountFromProject",
        "Removes an account (not the owner) from a project.",
        commands::delete_account,
    ),
    Command::all(
        "listProjectAccounts",
        "Lists the accounts of a project and their roles.",
        commands::list_accounts,
    ),
    Command::all(
        "listProjectInvitations",
        "Lists project invitations.",
        commands::list_invitations,
    ),
    Command::all(
        "updateProjectInvitation",
        "Accepts or declines an invitation to a project.",
        commands::update_invitation,
    ),
    Command::all(
        "deleteProjectInvitation",
        "Withdraws a project invitation.",
        commands::delete_invitation,
    ),
];
