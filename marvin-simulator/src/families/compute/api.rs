//! What the compute family offers other families: resource owners and list
//! scopes (shared by every account-owned resource), VMs as storage sees
//! them, the zone and owner checks of a deploy, offering references, and
//! the compute side of the seam with networking (the network side, what
//! compute calls, and what each side owns are described in `network::api`).

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

/// A VM's owner account id and state, or 431 naming `virtualmachineid`.
#[allow(
    dead_code,
    reason = "the seam's entry point for the network family, which does not call it yet"
)]
pub(crate) fn vm_owner_and_state(
    call: &Call<'_>,
    vm_id: &str,
) -> Result<(String, String), ApiError> {
    let vm =
        vm::find(call, vm_id)?.ok_or_else(|| ApiError::invalid_id("virtualmachineid", vm_id))?;
    Ok((vm.account_id, vm.state))
}

/// Owners of resources (an account or a project) and list scopes over
/// them.
pub(crate) mod owner {
    pub(crate) use super::super::owner::{
        COLUMNS, Owner, account, caller, check_project_access, join, project, resolve, scope,
        scope_unless_id,
    };
}

/// VMs as their volumes and snapshots see them.
pub(crate) mod vm {
    pub(crate) use super::super::json::vm_json;
    pub(crate) use super::super::vm::{find, next_seq, next_seq_in, operable, reload};
}

/// VMs stopped and started outside their own commands (a pool's
/// maintenance).
pub(crate) mod lifecycle {
    pub(crate) use super::super::lifecycle::{expunge_now, start_now, stop_now};
}

/// VMs deployed for another family's service (a Kubernetes cluster's
/// nodes), with the checks and counts of `deployVirtualMachine`.
pub(crate) mod nodes {
    pub(crate) use super::super::deploy::{NodeSpec, deploy_node};
}

/// The checks a deploy makes of its zone and owner.
pub(crate) mod deploy {
    pub(crate) use super::super::deploy::{check_owner_enabled, check_zone_enabled, zone};
}

/// Offerings and sizes as compute reads them.
pub(crate) mod refs {
    pub(crate) use super::super::refs::{
        GIB, ServiceOffering, disk_offering, gib_to_bytes, service_offering,
    };
}

/// The views other families may read of this family, rather than its
/// tables: one table's columns each, created by `schema.sql`, named after
/// the family; their columns are only ever added to. The family declares
/// them (`Family::publishing`), so start-up fails without them.
pub(crate) const VIEWS: &[&str] = &[
    // User VMs.
    "compute_vms",
    // Affinity groups: their ids and owners, for tags.
    "compute_affinity_groups",
    // Registered user data: ids, names, owners and parameters.
    "compute_user_data",
];
