//! Role escalation and reach: who may give which role, and who may act on
//! which account or user. CloudStack's rules are in
//! `AccountManagerImpl` (`createUserAccount`, `createAccount`,
//! `updateAccount`, `validateRoleChange`, `checkRoleEscalation`,
//! `verifyCallerPrivilegeForUserOrAccountOperations`), `RoleManagerImpl.findRole`
//! and `DomainChecker`; the cloudstack-semantics reference, §5 "Role
//! escalation", states them.

use rusqlite::OptionalExtension;

use crate::families::testkit::{Kit, code};
use crate::kernel::caller::Caller;
use crate::kernel::contract::Reply;
use crate::kernel::error::ApiError;

/// The text a caller that is not root admin gets for an internal error.
const HIDDEN_INTERNAL: &str =
    "Internal error executing command, please contact your system administrator";
const OWNER_DENIED: &str = "Caller does not have permission to operate with provided resource.";
const ESCALATION: &str =
    "can not create an account with access to more privileges they have themself.";

/// Runs only the synchronous half of a command, as the API server does
/// before it queues a job: `Ok(true)` when the answer is a job (its work is
/// not run), `Ok(false)` for a direct answer.
fn submit(
    kit: &mut Kit,
    caller: &Caller,
    command: &str,
    params: &[(&str, &str)],
) -> Result<bool, ApiError> {
    Ok(matches!(
        kit.submit(caller, command, params)?,
        Reply::Job(_)
    ))
}

/// A sub-domain with a domain admin and a user, and a domain admin of ROOT.
struct Tree {
    sub: String,
    sub_admin: Caller,
    sub_user: Caller,
    root_domain_admin: Caller,
}

fn tree(kit: &mut Kit) -> Tree {
    let admin = kit.admin();
    let sub = kit
        .call(&admin, "createDomain", &[("name", "sub")])
        .unwrap();
    let sub = sub["domain"]["id"].as_str().unwrap().to_string();
    let sub_admin = kit.account("subadmin", 2, Some(&sub));
    let sub_user = kit.account("subuser", 0, Some(&sub));
    let root_domain_admin = kit.account("rootdadmin", 2, None);
    Tree {
        sub,
        sub_admin,
        sub_user,
        root_domain_admin,
    }
}

/// An account's role id and type.
fn role_of(kit: &Kit, account_id: &str) -> (String, i64) {
    kit.conn
        .query_row(
            "SELECT role_id, account_type FROM accounts WHERE id = ?1",
            [account_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn account_named(kit: &Kit, name: &str) -> Option<String> {
    kit.conn
        .query_row("SELECT id FROM accounts WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()
        .unwrap()
}

fn new_account<'a>(name: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("username", name),
        ("password", "pw"),
        ("firstname", "F"),
        ("lastname", "L"),
        ("email", "e@example.com"),
    ];
    params.extend_from_slice(extra);
    params
}

/// A zone dedicated to `domain`, which resource admin accounts there need.
fn dedicate_zone(kit: &mut Kit, domain: &str) {
    let admin = kit.admin();
    kit.call(
        &admin,
        "createZone",
        &[
            ("name", "private-zone"),
            ("networktype", "Advanced"),
            ("dns1", "8.8.8.8"),
            ("internaldns1", "10.0.0.1"),
            ("domainid", domain),
        ],
    )
    .unwrap();
}

#[test]
fn a_domain_admin_cannot_give_the_admin_role_with_update_account() {
    let mut kit = Kit::new();
    let t = tree(&mut kit);
    let admin_role = kit.id("role_admin");
    for target in [&t.sub_admin.account_id, &t.sub_user.account_id] {
        let before = role_of(&kit, target);
        // The Admin role passes the list check (it has no rules), then
        // `RoleManagerImpl.findRole` hides it from a domain admin and
        // `validateRoleChange` fails on the missing role: 530, text hidden
        // (semantics §5 "Role escalation", §0).
        let err = kit
            .call(
                &t.sub_admin,
                "updateAccount",
                &[("id", target), ("roleid", &admin_role)],
            )
            .unwrap_err();
        assert_eq!((code(&err), err.text.as_str()), (530, HIDDEN_INTERNAL));
        assert_eq!(role_of(&kit, target), before, "the role is unchanged");
    }
}

#[test]
fn update_account_role_changes_follow_validate_role_change() {
    let mut kit = Kit::new();
    let t = tree(&mut kit);
    let admin = kit.admin();
    let user_account = t.sub_user.account_id.clone();

    // A higher role than the caller's: `validateRoleChange`.
    let err = kit
        .call(
            &t.sub_admin,
            "updateAccount",
            &[
                ("id", &user_account),
                ("roleid", &kit.id("role_resource_admin")),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            531,
            "Unable to update account role to Resource Admin, as either current or new role has higher \
             privileges than the caller"
        )
    );
    // The caller's own rank is fine, and the type follows the role.
    let promoted = kit
        .call(
            &t.sub_admin,
            "updateAccount",
            &[
                ("id", &user_account),
                ("roleid", &kit.id("role_domain_admin")),
            ],
        )
        .unwrap();
    assert_eq!(promoted["account"]["accounttype"], 2);
    assert_eq!(promoted["account"]["roletype"], "DomainAdmin");

    // Even the root admin cannot put an Admin role outside ROOT.
    let err = kit
        .call(
            &admin,
            "updateAccount",
            &[("id", &user_account), ("roleid", &kit.id("role_admin"))],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            531,
            "Unable to update account role to Root Admin, as the user does not belong to the ROOT domain"
        )
    );
    // In ROOT it can, and the account becomes a root admin (type 1).
    let top = kit.account("top", 0, None);
    let made = kit
        .call(
            &admin,
            "updateAccount",
            &[("id", &top.account_id), ("roleid", &kit.id("role_admin"))],
        )
        .unwrap();
    assert_eq!(made["account"]["accounttype"], 1);

    // A private role is not among the roles a domain admin may hand out.
    let private = kit
        .call(
            &admin,
            "createRole",
            &[("name", "Quiet"), ("type", "User"), ("ispublic", "false")],
        )
        .unwrap();
    let private = private["role"]["id"].as_str().unwrap().to_string();
    let victim = kit.account("victim", 0, Some(&t.sub));
    let err = kit
        .call(
            &t.sub_admin,
            "updateAccount",
            &[("id", &victim.account_id), ("roleid", &private)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "Role with ID '{private}' is not found or not available for the account 'victim' in the domain '{}'.",
                t.sub
            )
        )
    );
}

#[test]
fn a_domain_admin_cannot_create_accounts_above_itself() {
    let mut kit = Kit::new();
    let t = tree(&mut kit);
    let admin_role = kit.id("role_admin");
    let sub = t.sub.clone();

    // No type, and a role the caller cannot see: the new account's role type
    // is unknown (`verifyCallerPrivilegeForUserOrAccountOperations`).
    let err = kit
        .call(
            &t.sub_admin,
            "createAccount",
            &new_account("esc1", &[("domainid", &sub), ("roleid", &admin_role)]),
        )
        .unwrap_err();
    assert_eq!(code(&err), 531, "{}", err.text);
    assert!(
        err.text.contains("or target account [esc1, "),
        "{}",
        err.text
    );
    assert!(err.text.ends_with("] is unknown"), "{}", err.text);
    // A type of the caller's rank or below, with the Admin role: the role
    // would reach APIs the caller cannot (`checkRoleEscalation`).
    for kind in ["0", "2"] {
        let err = kit
            .call(
                &t.sub_admin,
                "createAccount",
                &new_account(
                    "esc2",
                    &[
                        ("domainid", &sub),
                        ("accounttype", kind),
                        ("roleid", &admin_role),
                    ],
                ),
            )
            .unwrap_err();
        assert_eq!(code(&err), 531, "{}", err.text);
        assert_eq!(
            err.text,
            format!("User of Account subadmin and domain sub {ESCALATION}")
        );
    }
    // Type ADMIN outside ROOT: `AccountManagerImpl.createAccount`.
    let err = kit
        .call(
            &t.sub_admin,
            "createAccount",
            &new_account("esc3", &[("domainid", &sub), ("accounttype", "1")]),
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "Invalid account type ADMIN given for an account in domain {sub}; unable to create user of \
                 admin role type in non-ROOT domain."
            )
        )
    );
    // Type ADMIN in ROOT by ROOT's domain admin: a lower role type.
    let err = kit
        .call(
            &t.root_domain_admin,
            "createAccount",
            &new_account("esc4", &[("accounttype", "1")]),
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    assert!(
        err.text.starts_with(&format!(
            "The calling account [rootdadmin, {}] has a lower role type than the user account [esc4, ",
            t.root_domain_admin.account_id
        )),
        "{}",
        err.text
    );
    // A resource admin ranks above a domain admin (`RoleType` order), once
    // the domain has the private zone such accounts need.
    let err = kit
        .call(
            &t.sub_admin,
            "createAccount",
            &new_account("esc5", &[("domainid", &sub), ("accounttype", "3")]),
        )
        .unwrap_err();
    assert_eq!(code(&err), 431, "{}", err.text);
    assert!(
        err.text
            .ends_with("is not associated with any private Zone"),
        "{}",
        err.text
    );
    dedicate_zone(&mut kit, &sub);
    let err = kit
        .call(
            &t.sub_admin,
            "createAccount",
            &new_account("esc5", &[("domainid", &sub), ("accounttype", "3")]),
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    assert!(err.text.contains("has a lower role type"), "{}", err.text);

    for name in ["esc1", "esc2", "esc3", "esc4", "esc5"] {
        assert_eq!(account_named(&kit, name), None, "{name} was not created");
    }
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM users WHERE username LIKE ?1", "esc%"),
        0
    );

    // What the caller may give, it gives.
    let made = kit
        .call(
            &t.sub_admin,
            "createAccount",
            &new_account("peer", &[("domainid", &sub), ("accounttype", "2")]),
        )
        .unwrap();
    assert_eq!(made["account"]["roletype"], "DomainAdmin");
}

#[test]
fn a_visible_role_decides_the_account_type() {
    // `CreateAccountCmd.getAccountType`: `RoleType.getAccountTypeByRole`
    // takes the role's type over `accounttype` when the caller can see the
    // role.
    let mut kit = Kit::new();
    let admin = kit.admin();
    let made = kit
        .call(
            &admin,
            "createAccount",
            &new_account(
                "typed1",
                &[
                    ("accounttype", "0"),
                    ("roleid", &kit.id("role_domain_admin")),
                ],
            ),
        )
        .unwrap();
    assert_eq!(
        (
            &made["account"]["accounttype"],
            &made["account"]["roletype"]
        ),
        (&serde_json::json!(2), &serde_json::json!("DomainAdmin"))
    );
    let made = kit
        .call(
            &admin,
            "createAccount",
            &new_account(
                "typed2",
                &[("accounttype", "1"), ("roleid", &kit.id("role_user"))],
            ),
        )
        .unwrap();
    assert_eq!(made["account"]["accounttype"], 0);
}

#[test]
fn a_domain_admin_of_root_cannot_reach_root_admins() {
    let mut kit = Kit::new();
    let t = tree(&mut kit);
    let admin = kit.admin();
    let dadmin = t.root_domain_admin.clone();
    let admin_account = kit.id("admin_account");
    let admin_user = kit.id("admin_user");
    let root = kit.id("root_domain");
    // A second user of the admin account, and a second root admin.
    let second = kit
        .call(
            &admin,
            "createUser",
            &[
                ("account", "admin"),
                ("username", "admin2"),
                ("password", "pw"),
                ("firstname", "A"),
                ("lastname", "Two"),
                ("email", "a2@example.com"),
            ],
        )
        .unwrap();
    let second = second["user"]["id"].as_str().unwrap().to_string();
    let root2 = kit.account("root2", 1, None);
    let keys_before: (String, String) = kit
        .conn
        .query_row(
            "SELECT api_key, secret_key FROM users WHERE id = ?1",
            [&admin_user],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();

    // Sync refusals: 531, `verifyCallerPrivilegeForUserOrAccountOperations`.
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "updateAccount",
            vec![("id", &admin_account), ("newname", "x")],
        ),
        ("enableAccount", vec![("id", &admin_account)]),
        ("lockAccount", vec![("id", &admin_account)]),
        ("registerUserKeys", vec![("id", &admin_user)]),
        ("getUserKeys", vec![("id", &admin_user)]),
        (
            "updateUser",
            vec![("id", &admin_user), ("password", "taken-over")],
        ),
        ("lockUser", vec![("id", &admin_user)]),
        ("enableUser", vec![("id", &admin_user)]),
        ("deleteUser", vec![("id", &second)]),
        (
            "createUser",
            vec![
                ("account", "admin"),
                ("domainid", &root),
                ("username", "mole"),
                ("password", "pw"),
                ("firstname", "M"),
                ("lastname", "Ole"),
                ("email", "m@example.com"),
            ],
        ),
    ];
    for (command, params) in &calls {
        let err = kit.call(&dadmin, command, params).unwrap_err();
        assert_eq!(code(&err), 531, "{command}: {}", err.text);
        assert!(
            err.text
                .contains("has a lower role type than the user account"),
            "{command}: {}",
            err.text
        );
    }
    // Async: accepted (the admin is inside ROOT's subtree), refused in the
    // job, where a permission error fails it with 530 (semantics §0).
    for (command, params) in [
        (
            "disableAccount",
            vec![("id", admin_account.as_str()), ("lock", "false")],
        ),
        ("disableUser", vec![("id", admin_user.as_str())]),
        ("deleteAccount", vec![("id", root2.account_id.as_str())]),
    ] {
        assert!(
            submit(&mut kit, &dadmin, command, &params).unwrap(),
            "{command}"
        );
        let err = kit.call(&dadmin, command, &params).unwrap_err();
        assert_eq!(
            (code(&err), err.job_code().as_u16()),
            (531, 530),
            "{command}: {}",
            err.text
        );
        assert!(
            err.text.contains("has a lower role type"),
            "{command}: {}",
            err.text
        );
    }

    // Nothing changed.
    let keys_after: (String, String) = kit
        .conn
        .query_row(
            "SELECT api_key, secret_key FROM users WHERE id = ?1",
            [&admin_user],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(keys_before, keys_after);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM users WHERE id = ?1 AND password = 'password' AND state = 'enabled'",
            &admin_user
        ),
        1
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM accounts WHERE id = ?1 AND name = 'admin' AND state = 'enabled'",
            &admin_account
        ),
        1
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM users WHERE username = ?1", "mole"),
        0
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM users WHERE id = ?1", &second),
        1
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM accounts WHERE id = ?1",
            &root2.account_id
        ),
        1
    );
}

#[test]
fn a_sub_domain_admin_is_refused_outside_its_subtree_before_any_job() {
    let mut kit = Kit::new();
    let t = tree(&mut kit);
    let dadmin = t.sub_admin.clone();
    let admin_account = kit.id("admin_account");
    let admin_user = kit.id("admin_user");
    let root = kit.id("root_domain");

    // `id` carries `@ACL(OperateEntry)`: the dispatcher checks it before the
    // job is queued (`ParamProcessWorker.doAccessChecks` → `DomainChecker`).
    for (command, params) in [
        (
            "disableAccount",
            vec![("id", admin_account.as_str()), ("lock", "false")],
        ),
        (
            "disableAccount",
            vec![("id", admin_account.as_str()), ("lock", "true")],
        ),
        ("deleteAccount", vec![("id", admin_account.as_str())]),
        ("enableAccount", vec![("id", admin_account.as_str())]),
        ("lockAccount", vec![("id", admin_account.as_str())]),
        (
            "updateAccount",
            vec![("id", admin_account.as_str()), ("newname", "x")],
        ),
        ("registerUserKeys", vec![("id", admin_user.as_str())]),
        ("getUserKeys", vec![("id", admin_user.as_str())]),
        (
            "updateUser",
            vec![("id", admin_user.as_str()), ("firstname", "x")],
        ),
        ("lockUser", vec![("id", admin_user.as_str())]),
    ] {
        let err = submit(&mut kit, &dadmin, command, &params).unwrap_err();
        assert_eq!(
            (code(&err), err.text.as_str()),
            (531, OWNER_DENIED),
            "{command}"
        );
        assert_eq!(err.cs_code.map(|c| c.as_u32()), Some(4365));
    }
    // Named by account and domain, disableAccount has no `@ACL` parameter:
    // the check runs in the job, as in CloudStack.
    let by_name = [
        ("account", "admin"),
        ("domainid", root.as_str()),
        ("lock", "false"),
    ];
    assert!(submit(&mut kit, &dadmin, "disableAccount", &by_name).unwrap());
    let err = kit.call(&dadmin, "disableAccount", &by_name).unwrap_err();
    assert_eq!(
        (err.job_code().as_u16(), err.text.as_str()),
        (530, OWNER_DENIED)
    );
    // A domain outside the subtree, for the domain-level checks.
    let err = kit
        .call(
            &dadmin,
            "createAccount",
            &new_account("outside", &[("accounttype", "0")]),
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            531,
            format!(
                "Account 'subadmin' does not have permission to operate within domain id={root}"
            )
        )
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM accounts WHERE id = ?1 AND state = 'enabled'",
            &admin_account
        ),
        1
    );
}

#[test]
fn domain_admins_manage_their_subtree_but_not_their_own_deletion() {
    let mut kit = Kit::new();
    let t = tree(&mut kit);
    let peer = kit.account("peer", 2, Some(&t.sub));
    // Another domain admin of the same domain: allowed by default
    // (`role.types.allowed.for.operations.on.accounts.of.same.role.type`).
    kit.call(
        &t.sub_admin,
        "updateUser",
        &[("id", &peer.user_id), ("firstname", "Peer")],
    )
    .unwrap();
    kit.call(
        &t.sub_admin,
        "lockAccount",
        &[("id", &t.sub_user.account_id)],
    )
    .unwrap();
    kit.call(
        &t.sub_admin,
        "enableAccount",
        &[("id", &t.sub_user.account_id)],
    )
    .unwrap();
    kit.call(
        &t.sub_admin,
        "registerUserKeys",
        &[("id", &t.sub_user.user_id)],
    )
    .unwrap();
    // Users of the same type in other accounts: a user cannot act on
    // another user's account at all (ownership).
    let other = kit.account("other", 0, Some(&t.sub));
    let err = kit
        .call(
            &t.sub_user,
            "updateUser",
            &[("id", &other.user_id), ("firstname", "x")],
        )
        .unwrap_err();
    assert_eq!((code(&err), err.text.as_str()), (531, OWNER_DENIED));

    // Deleting one's own account: `AccountManagerImpl.deleteUserAccount`.
    let err = kit
        .call(
            &t.sub_admin,
            "deleteAccount",
            &[("id", &t.sub_admin.account_id)],
        )
        .unwrap_err();
    assert_eq!(
        (err.job_code().as_u16(), err.text),
        (
            431,
            format!(
                "Deletion of your own account is not allowed. To delete account subadmin (ID: {}, Domain: {}), \
                 request to another user with permissions to perform the operation.",
                t.sub_admin.account_id, t.sub
            )
        )
    );
    // Deleting oneself as a user: `AccountManagerImpl.deleteUser`.
    let err = kit
        .call(&t.sub_admin, "deleteUser", &[("id", &t.sub_admin.user_id)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "The caller is requesting to delete itself. As a security measure, ACS will not allow this \
                 operation. To delete user subadmin (ID: {}, Domain: {}), request to another user with \
                 permission to execute the operation.",
                t.sub_admin.user_id, t.sub
            )
        )
    );
}
