//! Roles and role permissions.
