//! The compute side of the network seam (docs/dev/issue4-seam.md): every
//! call into the network family goes through here, so the VM code has one
//! place that knows the seam's signatures.

use serde_json::Value;

use crate::error::ApiError;
use crate::families::network::api;
use crate::family::Call;

/// The network a VM deploys into when no `networkids` are given.
pub(crate) fn default_network(
    call: &Call<'_>,
    account_id: &str,
    zone_id: &str,
) -> Result<Option<String>, ApiError> {
    api::default_network(call, account_id, zone_id).map(Some)
}

/// Checks that the owner may use the network (431/531 otherwise).
pub(crate) fn check_network_usable(
    call: &Call<'_>,
    network_id: &str,
    account_id: &str,
    zone_id: &str,
) -> Result<(), ApiError> {
    api::check_network_usable(call, network_id, account_id, zone_id)
}

/// Adds a NIC for the VM on the network.
pub(crate) fn add_nic(
    call: &Call<'_>,
    vm_id: &str,
    network_id: &str,
    ip: Option<&str>,
    is_default: bool,
) -> Result<Value, ApiError> {
    api::add_nic(call, vm_id, network_id, ip, is_default)
}

/// Removes one NIC; refuses the default NIC.
pub(crate) fn remove_nic(call: &Call<'_>, vm_id: &str, nic_id: &str) -> Result<(), ApiError> {
    api::remove_nic(call, vm_id, nic_id)
}

/// The `nic` array of a VM response.
pub(crate) fn nics_json(call: &Call<'_>, vm_id: &str) -> Result<Vec<Value>, ApiError> {
    api::nics_json(call, vm_id)
}

/// Assigns security groups (or the owner's `default` group) to a VM in an
/// SG-enabled zone.
pub(crate) fn assign_security_groups(
    call: &Call<'_>,
    vm_id: &str,
    account_id: &str,
    group_ids: &[String],
) -> Result<(), ApiError> {
    api::assign_security_groups(call, vm_id, account_id, group_ids)
}

/// The `securitygroup` array of a VM response.
pub(crate) fn security_groups_json(call: &Call<'_>, vm_id: &str) -> Result<Vec<Value>, ApiError> {
    api::security_groups_json(call, vm_id)
}

/// The static NAT public IP of a VM: (address, ip id).
pub(crate) fn static_nat_of(
    call: &Call<'_>,
    vm_id: &str,
) -> Result<Option<(String, String)>, ApiError> {
    api::static_nat_of(call, vm_id)
}

/// Tells the network family a VM is gone (NICs, rules, NAT, SG membership).
pub(crate) fn vm_expunged(call: &Call<'_>, vm_id: &str) -> Result<(), ApiError> {
    api::vm_expunged(call, vm_id)
}
