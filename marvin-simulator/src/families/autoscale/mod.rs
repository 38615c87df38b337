//! Autoscale: counters, conditions, autoscale VM profiles, scale policies
//! and autoscale VM groups on public load balancer rules, with the
//! validation of CloudStack's `AutoScaleManagerImpl`.
//!
//! The simulator keeps the configuration and the group states (`new`
//! until the creating job, then `enabled`; `disabled`); it does not run
//! the monitor that would deploy or destroy member VMs, so a group has no
//! members of its own. Other families' objects (load balancer rules,
//! zones, compute offerings, templates) are read through their `api.rs`.

mod counters;
mod groups;
mod owner;
mod policies;
mod profiles;

#[cfg(test)]
mod tests;

use crate::kernel::contract::{Command, Family, Seed};
use crate::kernel::error::ApiError;

/// The autoscale family.
pub(crate) const FAMILY: Family =
    Family::new("autoscale", include_str!("schema.sql"), COMMANDS).seeded(seed);

/// The counters a fresh CloudStack 4.18+ has.
fn seed(seed: &mut Seed<'_>) -> Result<(), ApiError> {
    counters::seed(seed)
}

const COMMANDS: &[Command] = &[
    Command::admin(
        "createCounter",
        "Adds a counter conditions can be written on.",
        counters::create,
    ),
    Command::admin(
        "deleteCounter",
        "Deletes a counter no condition uses.",
        counters::delete,
    ),
    Command::all(
        "listCounters",
        "Lists the counters conditions can use.",
        counters::list,
    ),
    Command::all(
        "createCondition",
        "Creates a condition: a counter, a comparison and a threshold.",
        counters::create_condition,
    ),
    Command::all(
        "updateCondition",
        "Changes the comparison and threshold of a condition.",
        counters::update_condition,
    ),
    Command::all(
        "deleteCondition",
        "Deletes a condition no policy uses.",
        counters::delete_condition,
    ),
    Command::all(
        "listConditions",
        "Lists conditions.",
        counters::list_conditions,
    ),
    Command::all(
        "createAutoScaleVmProfile",
        "Describes the VMs an autoscale group deploys.",
        profiles::create,
    ),
    Command::all(
        "updateAutoScaleVmProfile",
        "Changes an autoscale VM profile.",
        profiles::update,
    ),
    Command::all(
        "deleteAutoScaleVmProfile",
        "Deletes an autoscale VM profile no group uses.",
        profiles::delete,
    ),
    Command::all(
        "listAutoScaleVmProfiles",
        "Lists autoscale VM profiles.",
        profiles::list,
    ),
    Command::all(
        "createAutoScalePolicy",
        "Creates a scale-up or scale-down policy over conditions.",
        policies::create,
    ),
    Command::all(
        "updateAutoScalePolicy",
        "Changes a scale policy.",
        policies::update,
    ),
    Command::all(
        "deleteAutoScalePolicy",
        "Deletes a scale policy no group uses.",
        policies::delete,
    ),
    Command::all(
        "listAutoScalePolicies",
        "Lists scale policies.",
        policies::list,
    ),
    Command::all(
        "createAutoScaleVmGroup",
        "Puts an autoscale VM group on a load balancer rule.",
        groups::create,
    ),
    Command::all(
        "updateAutoScaleVmGroup",
        "Changes an autoscale VM group.",
        groups::update,
    ),
    Command::all(
        "enableAutoScaleVmGroup",
        "Enables a disabled autoscale VM group.",
        groups::enable,
    ),
    Command::all(
        "disableAutoScaleVmGroup",
        "Disables an autoscale VM group.",
        groups::disable,
    ),
    Command::all(
        "deleteAutoScaleVmGroup",
        "Deletes an autoscale VM group.",
        groups::delete,
    ),
    Command::all(
        "listAutoScaleVmGroups",
        "Lists autoscale VM groups.",
        groups::list,
    ),
];
