//! Who may act on whom: the checks CloudStack runs before it changes an
//! account or a user, so that nobody reaches an account above their own
//! rank or hands out a role with more rights than they hold.
//!
//! - [`check_owner_access`] is the ownership check of a named account
//!   (`DomainChecker.validateCallerHasAccessToEntityOwner`, run by
//!   `AccountManagerImpl.checkAccess` and, for `@ACL` parameters, by the
//!   API dispatcher before an async job exists);
//! - [`verify_privilege`] is `AccountManagerImpl.verifyCallerPrivilegeForUserOrAccountOperations`:
//!   role types compared, root admins out of reach of everyone else, then
//!   [`check_role_escalation`];
//! - [`check_role_escalation`] is `AccountManagerImpl.checkRoleEscalation`:
//!   every API the target's role may call, the caller's role must be able to
//!   call too. The simulator's role rules are its command table, so the
//!   comparison runs over every registered command;
//! - [`visible_to`] is `RoleManagerImpl.findRole`: a caller that is not root
//!   admin does not see Admin-type or private roles.

use crate::kernel::access::Rules;
use crate::kernel::caller::Role;
use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::scope;

use super::store::{self, AccountRow, RoleRow};

/// CloudStack's `RoleType` order, most privileged first (the type ids:
/// Admin 1, ResourceAdmin 2, DomainAdmin 3, User 4).
pub(crate) fn rank(role: Role) -> u8 {
    match role {
        Role::Admin => 1,
        Role::ResourceAdmin => 2,
        Role::DomainAdmin => 3,
        Role::User => 4,
    }
}

/// The role type of an account type (`RoleType.getByAccountType`); `None`
/// for the types without one (read-only admin, project, unknown).
pub(crate) fn role_of_account_type(account_type: i64) -> Option<Role> {
    match account_type {
        0 => Some(Role::User),
        1 => Some(Role::Admin),
        2 => Some(Role::DomainAdmin),
        3 => Some(Role::ResourceAdmin),
        _ => None,
    }
}

/// The account type a role gives its accounts (`RoleType.getAccountType`).
pub(crate) fn account_type_of(role: Role) -> i64 {
    match role {
        Role::Admin => 1,
        Role::DomainAdmin => 2,
        Role::ResourceAdmin => 3,
        Role::User => 0,
    }
}

/// Whether the caller may see a role (`RoleManagerImpl.findRole`): root
/// admins see every role, others neither Admin-type nor private roles.
pub(crate) fn visible_to(call: &Call<'_>, role: &RoleRow) -> bool {
    call.caller.is_root_admin() || (role.kind != Role::Admin && role.is_public)
}

/// Whether every command `requested` may call, the caller (of role type
/// `holder`) may call too, of the commands the simulator serves. The
/// caller's side counts its role's own rules (`kernel::access`), as
/// `getApisAllowedToAccount` does; the requested side is its role type's
/// APIs.
pub(crate) fn covers(call: &Call<'_>, holder: Role, requested: Role) -> Result<bool, ApiError> {
    let rules = Rules::of_caller(call.tx, call.caller)?;
    Ok(call
        .served
        .registry
        .commands()
        .iter()
        .all(|command| !command.roles.allows(requested) || rules.permits(holder, command)))
}

/// The account an operation is about, stored or about to be created.
#[derive(Debug, Clone)]
pub(crate) struct Target<'a> {
    /// Its uuid.
    pub id: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its account type; `None` when a create gave neither a type nor a
    /// role the caller can see.
    pub account_type: Option<i64>,
    /// The type of its role.
    pub role: Role,
    /// Whether it exists yet (a new account cannot be a root admin yet, as
    /// in CloudStack, where its id is still 0).
    pub stored: bool,
}

impl<'a> Target<'a> {
    /// A stored account.
    pub(crate) fn of(call: &Call<'_>, account: &'a AccountRow) -> Result<Self, ApiError> {
        let role = store::role(call.tx, &account.role_id)?.map_or(Role::User, |role| role.kind);
        Ok(Self {
            id: &account.id,
            name: &account.name,
            account_type: Some(account.account_type),
            role,
            stored: true,
        })
    }
}

/// `checkAccess` then `verifyCallerPrivilegeForUserOrAccountOperations` on
/// a stored account: what CloudStack runs before it enables, locks,
/// disables or deletes an account, or changes one of its users.
pub(crate) fn check_account_operation(
    call: &Call<'_>,
    account: &AccountRow,
) -> Result<(), ApiError> {
    check_owner_access(call, &account.id)?;
    verify_privilege(call, &Target::of(call, account)?)
}

/// The 531 CloudStack's `DomainChecker` gives for an account (or a user of
/// an account) the caller may not operate on.
pub(crate) fn owner_denied() -> ApiError {
    ApiError::permission("Caller does not have permission to operate with provided resource.")
}

/// Refuses (531) an operation on an account the caller neither is nor
/// administers: root admins reach everything, domain and resource admins the
/// accounts of their subtree, everyone their own account
/// (`DomainChecker.validateCallerHasAccessToEntityOwner`).
pub(crate) fn check_owner_access(call: &Call<'_>, account_id: &str) -> Result<(), ApiError> {
    if scope::can_see(call, account_id)? {
        Ok(())
    } else {
        Err(owner_denied())
    }
}

/// The role types that may act on other accounts of their own type
/// (`role.types.allowed.for.operations.on.accounts.of.same.role.type`, a
/// hidden setting, at its default).
const SAME_TYPE_ALLOWED: &[Role] = &[Role::Admin, Role::ResourceAdmin, Role::DomainAdmin];

/// `AccountManagerImpl.verifyCallerPrivilegeForUserOrAccountOperations`:
/// refuses (531) a caller whose account type ranks below the target's, a
/// caller acting on another account of the same type when that type may not,
/// anyone but a root admin acting on a root admin, and a target whose role
/// may call an API the caller's role may not. Project accounts are not checked. Operations among the users of one
/// account are allowed (`allow.operations.on.users.in.same.account`, a
/// hidden setting, at its default `true`).
pub(crate) fn verify_privilege(call: &Call<'_>, target: &Target<'_>) -> Result<(), ApiError> {
    if target.account_type == Some(5) {
        return Ok(());
    }
    let caller = call.caller;
    let caller_type = role_of_account_type(caller.account_type);
    let target_type = target.account_type.and_then(role_of_account_type);
    let (Some(caller_type), Some(target_type)) = (caller_type, target_type) else {
        return Err(ApiError::permission(format!(
            "The role type of caller account [{}, {}] or target account [{}, {}] is unknown",
            caller.account_name, caller.account_id, target.name, target.id
        )));
    };

    // The system and default admin accounts pass the type comparison.
    let caller_seq: i64 = call.tx.query_row(
        "SELECT seq FROM accounts WHERE id = ?1",
        [&caller.account_id],
        |r| r.get(0),
    )?;
    if caller_seq > 2 {
        match rank(caller_type).cmp(&rank(target_type)) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal if caller.account_id != target.id => {
                if !SAME_TYPE_ALLOWED.contains(&caller_type) {
                    return Err(ApiError::permission(format!(
                        "The calling account [{}, {}] is not allowed to perform this operation on users from \
                         other accounts of the same role type within the domain",
                        caller.account_name, caller.account_id
                    )));
                }
            }
            std::cmp::Ordering::Equal => {}
            std::cmp::Ordering::Greater => {
                return Err(ApiError::permission(format!(
                    "The calling account [{}, {}] has a lower role type than the user account [{}, {}]",
                    caller.account_name, caller.account_id, target.name, target.id
                )));
            }
        }
    }

    if caller_seq == 1 || caller.account_type == 1 {
        return Ok(());
    }
    if target.stored && target.account_type == Some(1) {
        return Err(ApiError::permission(format!(
            "Account [{}, {}] cannot perform this operation for user account [{}, {}] ",
            caller.account_name, caller.account_id, target.name, target.id
        )));
    }
    check_role_escalation(call, target.role)
}

/// `AccountManagerImpl.checkRoleEscalation`: refuses (531) a target role
/// that may call an API the caller's role may not.
pub(crate) fn check_role_escalation(call: &Call<'_>, requested: Role) -> Result<(), ApiError> {
    let caller = call.caller;
    if covers(call, caller.role, requested)? {
        return Ok(());
    }
    let domain: String = call.tx.query_row(
        "SELECT name FROM domains WHERE id = ?1",
        [&caller.domain_id],
        |r| r.get(0),
    )?;
    Err(ApiError::permission(format!(
        "User of Account {} and domain {domain} can not create an account with access to more privileges \
         they have themself.",
        caller.account_name
    )))
}
