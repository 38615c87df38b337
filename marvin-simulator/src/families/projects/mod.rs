//! Projects: resources owned together by several accounts. A project owns
//! its resources through its own account (type 5, `PrjAcct-<name>-<seq>`),
//! so limits, isolation and cleanup treat it like any owner; create and list
//! commands of other families take `projectid` (see
//! `compute::owner::resolve` and `compute::owner::scope`).

mod commands;

#[cfg(test)]
mod tests;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family, Handler};

/// The projects family.
#[derive(Debug)]
pub struct Projects;

impl Family for Projects {
    fn name(&self) -> &'static str {
        "projects"
    }

    fn schema(&self) -> &'static str {
        include_str!("schema.sql")
    }

    fn commands(&self) -> &'static [Command] {
        COMMANDS
    }
}

const fn all(name: &'static str, doc: &'static str, run: Handler) -> Command {
    Command {
        name,
        roles: RoleSet::ALL,
        doc,
        run,
    }
}

const COMMANDS: &[Command] = &[
    all(
        "createProject",
        "Creates a project owned by the caller (or a named account).",
        commands::create,
    ),
    all(
        "activateProject",
        "Activates a suspended project.",
        commands::activate,
    ),
    all(
        "suspendProject",
        "Suspends a project; its VMs stop.",
        commands::suspend,
    ),
    all(
        "updateProject",
        "Changes a project's name, display text or owner.",
        commands::update,
    ),
    all(
        "deleteProject",
        "Deletes a project; with cleanup, also everything it owns.",
        commands::delete,
    ),
    all(
        "listProjects",
        "Lists the projects the caller belongs to (admins: all they manage).",
        commands::list,
    ),
    all(
        "addAccountToProject",
        "Adds an account to a project, or invites it when invitations are required.",
        commands::add_account,
    ),
    all(
        "deleteAccountFromProject",
        "Removes an account (not the owner) from a project.",
        commands::delete_account,
    ),
    all(
        "listProjectAccounts",
        "Lists the accounts of a project and their roles.",
        commands::list_accounts,
    ),
    all(
        "listProjectInvitations",
        "Lists project invitations.",
        commands::list_invitations,
    ),
    all(
        "updateProjectInvitation",
        "Accepts or declines an invitation to a project.",
        commands::update_invitation,
    ),
    all(
        "deleteProjectInvitation",
        "Withdraws a project invitation.",
        commands::delete_invitation,
    ),
];
