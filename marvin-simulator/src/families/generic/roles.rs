//! Who may call a generic API.
//!
//! CloudStack decides by the command class's `@APICommand(authorized =
//! ...)` (and, with dynamic roles, by the role's rules). Neither the schema
//! nor the command's package tells it: `AddBackupRepositoryCmd` lives in
//! the `user` package yet is `authorized = {RoleType.Admin}`, and
//! `AddAnnotationCmd` is Admin only too. So the generic family is cautious:
//! an API is for the root admin unless it is in [`USER_APIS`], the generic
//! APIs whose command class was read and found authorized for all four
//! role types (Admin, ResourceAdmin, DomainAdmin, User). Others get
//! CloudStack's 432 and do not see the API in `listApis`, as for any API a
//! role may not call. Modelling an API (with its roles) supersedes this.

use crate::kernel::caller::RoleSet;

/// APIs whose command class is `authorized = {RoleType.Admin,
/// RoleType.ResourceAdmin, RoleType.DomainAdmin, RoleType.User}`
/// (`CreateBackupScheduleCmd`, `CreateVMScheduleCmd`, `DeleteBackupCmd`,
/// `DeleteVMScheduleCmd`, `ListBackupOfferingsCmd`, `ListBackupsCmd`,
/// `ListBucketsCmd`, `ListKubernetesClustersCmd`, `ListVMScheduleCmd`,
/// `UpdateVMScheduleCmd`), sorted.
pub(crate) const USER_APIS: &[&str] = &[
    "createBackupSchedule",
    "createVMSchedule",
    "deleteBackup",
    "deleteVMSchedule",
    "listBackupOfferings",
    "listBackups",
    "listBuckets",
    "listKubernetesClusters",
    "listVMSchedule",
    "updateVMSchedule",
];

/// The roles that may call a generic API.
pub(crate) fn of(name: &str) -> RoleSet {
    if USER_APIS.binary_search(&name).is_ok() {
        RoleSet::ALL
    } else {
        RoleSet::ADMIN
    }
}
