//! Templates, ISOs, OS types and OS categories.
//!
//! The seed holds the built-in OS categories and types and the simulator's
//! built-in template, "CentOS 5.6 (64-bit) no GUI (Simulator)" (BUILTIN,
//! public, featured, cross-zone, ready; owned by the system account). Seed
//! ids: `template` (the built-in template), `ostype_centos` (CentOS 5.6
//! (64-bit)).

pub(crate) mod api;
mod images;
mod os;
mod permissions;
mod userdata_link;

#[cfg(test)]
mod permissions_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod userdata_link_tests;

use rusqlite::params;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Call, Command, Family, Reply, Seed};
use crate::kernel::error::ApiError;
use crate::kernel::ids;

use images::Kind;

/// The templates family.
pub(crate) const FAMILY: Family =
    Family::new("templates", include_str!("schema.sql"), COMMANDS)
        .seeded(seed_templates)
        .publishing(api::VIEWS);

fn register_template(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    images::register(call, Kind::Template)
}
fn update_template(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    images::update(call, Kind::Template)
}
fn delete_template(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    images::delete(call, Kind::Template)
}
fn list_templates(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    images::list(call, Kind::Template)
}
fn register_iso(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    images::register(call, Kind::Iso)
}
fn update_iso(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    images::update(call, Kind::Iso)
}
fn delete_iso(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    images::delete(call, Kind::Iso)
}
fn list_isos(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    images::list(call, Kind::Iso)
}

const COMMANDS: &[Command] = &[
    Command::new(
        "registerTemplate",
        RoleSet::ALL,
        "Registers a template from a URL in one zone, several zones or all of them; the simulator has it ready at once.",
        register_template,
    ),
    Command::new(
        "linkUserDataToTemplate",
        RoleSet::ALL,
        "Links registered user data to a template or an ISO, with its override policy, or unlinks it when no \
         user data is given.",
        userdata_link::link,
    ),
    Command::new(
        "updateTemplate",
        RoleSet::ALL,
        "Changes a template's name, text, OS type, format or flags.",
        update_template,
    ),
    Command::new(
        "deleteTemplate",
        RoleSet::ALL,
        "Deletes a template from one zone or from all of them.",
        delete_template,
    ),
    Command::new(
        "updateTemplatePermissions",
        RoleSet::ALL,
        "Makes a template public, featured or extractable, or shares it with (or hides it from) accounts of \
         its owner's domain.",
        permissions::update,
    ),
    Command::new(
        "listTemplatePermissions",
        RoleSet::ALL,
        "Lists the accounts a template is shared with (and its owner when it is private).",
        permissions::list,
    ),
    Command::new(
        "listTemplates",
        RoleSet::ALL,
        "Lists templates by filter (featured, self, executable, community, all ...), one entry per zone.",
        list_templates,
    ),
    Command::new(
        "registerIso",
        RoleSet::ALL,
        "Registers an ISO from a URL; the simulator has it ready at once.",
        register_iso,
    ),
    Command::new(
        "updateIso",
        RoleSet::ALL,
        "Changes an ISO's name, text, OS type or flags.",
        update_iso,
    ),
    Command::new(
        "deleteIso",
        RoleSet::ALL,
        "Deletes an ISO from one zone or from all of them.",
        delete_iso,
    ),
    Command::new(
        "listIsos",
        RoleSet::ALL,
        "Lists ISOs by filter, one entry per zone.",
        list_isos,
    ),
    Command::new(
        "listOsTypes",
        RoleSet::ALL,
        "Lists the operating system types templates can declare.",
        os::list_types,
    ),
    Command::new(
        "listOsCategories",
        RoleSet::ALL,
        "Lists the categories of operating system types.",
        os::list_categories,
    ),
];

/// The name of the simulator's built-in template.
pub(crate) const BUILT_IN_TEMPLATE: &str = "CentOS 5.6 (64-bit) no GUI (Simulator)";

fn seed_templates(seed: &mut Seed<'_>) -> Result<(), ApiError> {
    let centos = os::seed(seed)?;
    let system = seed.id("system_account")?.to_string();
    let root = seed.id("root_domain")?.to_string();
    let id = ids::new_id();
    seed.tx.execute(
        "INSERT INTO templates (id, kind, name, display_text, account_id, domain_id, format, hypervisor, os_type_id, url,
             template_type, is_public, is_featured, is_extractable, password_enabled, requires_hvm, bits, cross_zones,
             size, created)
         VALUES (?1, 'template', ?2, ?2, ?3, ?4, 'VHD', 'Simulator', ?5,
                 'http://download.cloudstack.org/templates/builtin/centos56-x86_64.vhd.bz2', 'BUILTIN', 1, 1, 1, 0, 1,
                 64, 1, 2147483648, ?6)",
        params![id, BUILT_IN_TEMPLATE, system, root, centos, crate::kernel::time::format(seed.now)],
    )?;
    seed.ids.insert("template", id);
    seed.ids.insert("ostype_centos", centos);
    Ok(())
}
