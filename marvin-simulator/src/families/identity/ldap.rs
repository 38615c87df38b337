//! LDAP: `ldapCreateAccount` and `linkAccountToLdap` as CloudStack answers
//! them while no LDAP directory is configured. The simulator serves no
//! `addLdapConfiguration` and keeps no `ldap.*` settings, so, as on a
//! server without LDAP, no user can be found there
//! (`LdapManagerImpl.getUser` fails to bind) and no domain has a base DN
//! (`LdapConfiguration.getBaseDn`).

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;

/// The text a caller that is not root admin gets in place of an internal
/// error's (`BaseCmd.USER_ERROR_MESSAGE`).
const HIDDEN_INTERNAL: &str =
    "Internal error executing command, please contact your system administrator";

/// `ldapCreateAccount` (`LdapCreateAccountCmd.execute`): without an account
/// type or a role 431; then the LDAP lookup of `username`, which finds no
/// one (534).
pub(crate) fn create_account(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let username = call.required("username")?.to_string();
    if call.params.str("accounttype").is_none() && call.params.str("roleid").is_none() {
        return Err(ApiError::param(
            "Both account type and role ID are not provided",
        ));
    }
    if let Some(role) = call.params.str("roleid") {
        if super::store::role(call.tx, role)?.is_none() {
            return Err(ApiError::invalid_id("roleid", role));
        }
    }
    Err(ApiError::unavailable(format!(
        "No LDAP user exists with the username of {username}"
    )))
}

/// `linkAccountToLdap` (`LdapManagerImpl.linkAccountToLdap`): the domain
/// must have an LDAP base DN, which none has (a failed `Validate.notNull`,
/// 530; callers other than root admins see the generic text).
pub(crate) fn link_account(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let domain_id = call.required("domainid")?.to_string();
    call.required("account")?;
    call.required("ldapdomain")?;
    let domain = super::store::domain(call.tx, &domain_id)?
        .ok_or_else(|| ApiError::invalid_id("domainid", &domain_id))?;
    super::check_domain_access(call, &domain)?;
    Err(ApiError::internal(if call.caller.is_root_admin() {
        "can not link an account to ldap in a domain for which no basdn is configured"
    } else {
        HIDDEN_INTERNAL
    }))
}
