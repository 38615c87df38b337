//! What other families may use of the identity family: settings (global
//! or scoped to a zone or account), domains and accounts named by a
//! parameter, the domain access check, and the cleanup of an account that
//! a project owns.

pub(crate) use super::CLOUDSTACK_VERSION;
pub(crate) use super::check_domain_access;
pub(crate) use super::cleanup::{delete_account, disable_account};
pub(crate) use super::settings::{
    RESOURCE_NAMES, account_limit, flag as setting_flag, insert_limit_fields,
    number as setting_number, resource_count, value as setting_value,
};
pub(crate) use super::store::{
    AccountRow, DOMAIN_PATH, account_by_name, default_role, domain, domain_param, root_domain,
};
