//! What other families may use of the projects family: the views below. A
//! project owns its resources through its own account, so other families
//! mostly need to know which account is a project's and who its members are.

/// The views other families may read of this family, rather than its
/// tables: one table's columns each, created by `schema.sql`, named after
/// the family; their columns are only ever added to. The family declares
/// them (`Family::publishing`), so start-up fails without them.
pub(crate) const VIEWS: &[&str] = &[
    // Projects (each owns its resources through its own account).
    "projects_projects",
    // Project members.
    "projects_project_accounts",
];
