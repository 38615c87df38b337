//! Hypervisors: `listHypervisors`, the hypervisor types of a zone's
//! clusters, or without a zone every type the cloud supports
//! (`ManagementServerImpl.getHypervisors`).

use serde_json::{Value, json};

use crate::families::datacenter::api as datacenter;
use crate::kernel::contract::{Call, Command, Family, Reply};
use crate::kernel::error::ApiError;

#[cfg(test)]
mod tests;

/// The hypervisors family.
pub(crate) const FAMILY: Family = Family::new("hypervisors", "", COMMANDS);

const COMMANDS: &[Command] = &[Command::all(
    "listHypervisors",
    "Lists the hypervisor types a zone's clusters run, or every type the cloud supports.",
    list,
)];

/// The types the cloud supports: CloudStack's default `hypervisor.list`,
/// plus the simulator's own.
const SUPPORTED: &[&str] = &[
    "Hyperv",
    "KVM",
    "XenServer",
    "VMware",
    "BareMetal",
    "Ovm",
    "LXC",
    "Ovm3",
    "Simulator",
];

fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let names: Vec<String> = match call.params.str("zoneid") {
        Some(zone) => datacenter::zone_hypervisors(call.tx, zone)?
            .ok_or_else(|| ApiError::invalid_id("zoneid", zone))?,
        None => SUPPORTED.iter().map(ToString::to_string).collect(),
    };
    let items: Vec<Value> = names
        .into_iter()
        .map(|name| json!({ "name": name }))
        .collect();
    Ok(Reply::List {
        key: "hypervisor",
        count: items.len(),
        items,
    })
}
