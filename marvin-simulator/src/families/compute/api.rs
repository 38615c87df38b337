//! What the compute family offers other families: the compute side of the
//! seam with networking (the network side, what compute calls, and what
//! each side owns are described in `network::api`).

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

use super::vm;

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
