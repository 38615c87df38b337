//! The resource-limit seam (docs/dev/issue4-seam.md) as this family uses
//! it: public IPs, networks and VPCs are checked before they are created
//! (535 over the limit) and counted while they exist.

use crate::error::ApiError;
use crate::families::limits::api::{self, ResourceKind};
use crate::family::Call;

/// The resource types this family creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `public_ip` (1).
    PublicIp,
    /// `network` (6).
    Network,
    /// `vpc` (7).
    Vpc,
}

impl Kind {
    fn resource(self) -> ResourceKind {
        match self {
            Self::PublicIp => ResourceKind::PublicIp,
            Self::Network => ResourceKind::Network,
            Self::Vpc => ResourceKind::Vpc,
        }
    }
}

/// Refuses (535) when `amount` more would exceed the owner's limits.
pub(crate) fn check(
    call: &Call<'_>,
    account_id: &str,
    kind: Kind,
    amount: i64,
) -> Result<(), ApiError> {
    api::check(call, account_id, kind.resource(), amount)
}

/// Counts `amount` more for the owner (no check).
pub(crate) fn add(
    call: &Call<'_>,
    account_id: &str,
    kind: Kind,
    amount: i64,
) -> Result<(), ApiError> {
    api::add(call, account_id, kind.resource(), amount)
}

/// Counts one less for the owner.
pub(crate) fn release(call: &Call<'_>, account_id: &str, kind: Kind) -> Result<(), ApiError> {
    api::release(call, account_id, kind.resource(), 1)
}
