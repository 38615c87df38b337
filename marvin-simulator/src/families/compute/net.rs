//! The compute side of the network seam (docs/dev/issue4-seam.md): every
//! call into the network family goes through here, so the VM code does not
//! depend on how that family is built.
//!
//! Until `families/network/api.rs` exists these functions act on whatever
//! network tables are present: no networks means VMs get no NICs.

use serde_json::Value;

use crate::error::ApiError;
use crate::families::sql;
use crate::family::Call;

/// Whether the network family is present.
pub(crate) fn present(call: &Call<'_>) -> Result<bool, ApiError> {
    sql::table_exists(call.tx, "networks")
}

/// The network a VM deploys into when no `networkids` are given, or `None`
/// when this simulator has no network family.
pub(crate) fn default_network(
    call: &Call<'_>,
    account_id: &str,
    zone_id: &str,
) -> Result<Option<String>, ApiError> {
    let _ = (account_id, zone_id);
    if !present(call)? {
        return Ok(None);
    }
    Ok(None)
}

/// Checks that the owner may use the network (431/531 otherwise).
pub(crate) fn check_network_usable(
    call: &Call<'_>,
    network_id: &str,
    account_id: &str,
    zone_id: &str,
) -> Result<(), ApiError> {
    let _ = (account_id, zone_id);
    if !present(call)? || !sql::exists(call.tx, "networks", network_id)? {
        return Err(ApiError::invalid_id("networkids", network_id));
    }
    Ok(())
}

/// Adds a NIC for the VM on the network.
pub(crate) fn add_nic(
    call: &Call<'_>,
    vm_id: &str,
    network_id: &str,
    ip: Option<&str>,
    is_default: bool,
) -> Result<Value, ApiError> {
    let _ = (call, vm_id, network_id, ip, is_default);
    Err(ApiError::internal("the network family is not available"))
}

/// Removes one NIC; refuses the default NIC.
pub(crate) fn remove_nic(call: &Call<'_>, vm_id: &str, nic_id: &str) -> Result<(), ApiError> {
    let _ = (call, vm_id);
    Err(ApiError::invalid_id("nicid", nic_id))
}

/// The `nic` array of a VM response.
pub(crate) fn nics_json(call: &Call<'_>, vm_id: &str) -> Result<Vec<Value>, ApiError> {
    let _ = (call, vm_id);
    Ok(Vec::new())
}

/// Assigns security groups (or the owner's `default` group) to a VM in an
/// SG-enabled zone.
pub(crate) fn assign_security_groups(
    call: &Call<'_>,
    vm_id: &str,
    account_id: &str,
    group_ids: &[String],
) -> Result<(), ApiError> {
    let _ = (call, vm_id, account_id, group_ids);
    Ok(())
}

/// The `securitygroup` array of a VM response.
pub(crate) fn security_groups_json(call: &Call<'_>, vm_id: &str) -> Result<Vec<Value>, ApiError> {
    let _ = (call, vm_id);
    Ok(Vec::new())
}

/// The static NAT public IP of a VM: (address, ip id).
pub(crate) fn static_nat_of(
    call: &Call<'_>,
    vm_id: &str,
) -> Result<Option<(String, String)>, ApiError> {
    let _ = (call, vm_id);
    Ok(None)
}

/// Tells the network family a VM is gone (NICs, rules, NAT, SG membership).
pub(crate) fn vm_expunged(call: &Call<'_>, vm_id: &str) -> Result<(), ApiError> {
    let _ = (call, vm_id);
    Ok(())
}
