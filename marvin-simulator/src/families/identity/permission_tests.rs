//! Roles and role permissions: updates and deletions of roles, the rules
//! of custom roles and the access they decide, as CloudStack's
//! `RoleManagerImpl`, `RolePermissionsDaoImpl` and
//! `DynamicRoleBasedAPIAccessChecker` behave.

use crate::families::testkit::{Kit, code};
use crate::kernel::access::{self, Rule, Rules};
use crate::kernel::caller::Caller;

fn custom_role(kit: &mut Kit, name: &str, kind: &str) -> String {
    let admin = kit.admin();
    let made = kit
        .call(&admin, "createRole", &[("name", name), ("type", kind)])
        .unwrap();
    made["role"]["id"].as_str().unwrap().to_string()
}

fn add_rule(kit: &mut Kit, role: &str, rule: &str, permission: &str) -> String {
    let admin = kit.admin();
    let made = kit
        .call(
            &admin,
            "createRolePermission",
            &[("roleid", role), ("rule", rule), ("permission", permission)],
        )
        .unwrap();
    made["rolepermission"]["id"].as_str().unwrap().to_string()
}

fn rules_of(kit: &Kit, role: &str) -> Vec<(String, String)> {
    let mut stmt = kit
        .conn
        .prepare(
            "SELECT rule, permission FROM role_permissions WHERE role_id = ?1 ORDER BY sort_order",
        )
        .unwrap();
    stmt.query_map([role], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn default_role(kit: &Kit, key: &str) -> String {
    kit.id(key)
}

/// A caller of a new account with the given role.
fn account_with_role(kit: &mut Kit, name: &str, role: &str) -> Caller {
    let admin = kit.admin();
    let created = kit
        .call(
            &admin,
            "createAccount",
            &[
                ("username", name),
                ("password", "pw"),
                ("firstname", "F"),
                ("lastname", "L"),
                ("email", "f@example.com"),
                ("roleid", role),
            ],
        )
        .unwrap();
    let user = created["account"]["user"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.caller_of(&user)
}

fn may_call(kit: &Kit, caller: &Caller, command: &str) -> bool {
    let tx = kit.conn.unchecked_transaction().unwrap();
    let command = super::super::ALL
        .iter()
        .flat_map(|family| family.commands.iter())
        .find(|c| c.name == command)
        .unwrap();
    access::permits(&tx, caller, command).unwrap()
}

/// `RoleManagerImpl.createRolePermission`: rules go at the end, in order;
/// a default role takes none (531), a rule is unique per role (531), and
/// `Rule.validate` / `getRolePermission` refuse bad input (431).
#[test]
fn permissions_are_added_in_order_and_refused_where_the_server_refuses() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let role = custom_role(&mut kit, "Auditor", "User");
    add_rule(&mut kit, &role, "list*", "allow");
    add_rule(&mut kit, &role, "deployVirtualMachine", "DENY");
    assert_eq!(
        rules_of(&kit, &role),
        vec![
            ("list*".to_string(), "allow".to_string()),
            ("deployVirtualMachine".to_string(), "deny".to_string())
        ]
    );
    let listed = kit
        .call(&admin, "listRolePermissions", &[("roleid", &role)])
        .unwrap();
    assert_eq!(listed["count"], 2);
    assert_eq!(listed["rolepermission"][0]["rolename"], "Auditor");
    assert_eq!(listed["rolepermission"][0]["roleid"], role.as_str());
    assert_eq!(listed["rolepermission"][1]["permission"], "deny");

    let again = kit
        .call(
            &admin,
            "createRolePermission",
            &[("roleid", &role), ("rule", "list*"), ("permission", "deny")],
        )
        .unwrap_err();
    assert_eq!(code(&again), 531);
    assert_eq!(again.text, "Rule already exists for the role: Auditor");

    let user_role = default_role(&kit, "role_user");
    let on_default = kit
        .call(
            &admin,
            "createRolePermission",
            &[
                ("roleid", &user_role),
                ("rule", "listZones"),
                ("permission", "allow"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&on_default), 531);
    assert_eq!(
        on_default.text,
        "Role permission cannot be added for Default roles"
    );

    let bad_rule = kit
        .call(
            &admin,
            "createRolePermission",
            &[
                ("roleid", &role),
                ("rule", "list-zones"),
                ("permission", "allow"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&bad_rule), 431);
    assert_eq!(
        bad_rule.text,
        "Only API names and wildcards are allowed, invalid rule provided: list-zones"
    );
    let bad_permission = kit
        .call(
            &admin,
            "createRolePermission",
            &[
                ("roleid", &role),
                ("rule", "listHosts"),
                ("permission", "maybe"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&bad_permission), 431);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "ROLE.PERMISSION.CREATE"
        ),
        2
    );
}

/// `DynamicRoleBasedAPIAccessChecker.checkApiPermissionByRole`: a custom
/// role's first matching rule decides; without one, the role type's API
/// set does. Default roles keep their sets.
#[test]
fn a_custom_roles_rules_decide_what_its_accounts_may_call() {
    let mut kit = Kit::new();
    let role = custom_role(&mut kit, "ReadOnly", "User");
    add_rule(&mut kit, &role, "list*", "allow");
    add_rule(&mut kit, &role, "deployVirtualMachine", "deny");
    add_rule(&mut kit, &role, "createDomain", "allow");
    let reader = account_with_role(&mut kit, "reader", &role);
    assert!(may_call(&kit, &reader, "listZones"));
    assert!(!may_call(&kit, &reader, "deployVirtualMachine"));
    // A rule reaches past the role type's set.
    assert!(may_call(&kit, &reader, "createDomain"));
    // No rule: the User type's set decides.
    assert!(may_call(&kit, &reader, "createTags"));
    assert!(!may_call(&kit, &reader, "createZone"));

    let plain = kit.account("plain", 0, None);
    assert!(may_call(&kit, &plain, "deployVirtualMachine"));
    assert!(!may_call(&kit, &plain, "createDomain"));
    let admin = kit.admin();
    assert!(may_call(&kit, &admin, "createZone"));
}

/// `updateRolePermission` with `ruleorder` (`RolePermissionsDaoImpl.update`):
/// the order is the new checking order, and must name exactly the role's
/// rules (530 otherwise); with `ruleid` and `permission` it turns one rule.
#[test]
fn reordering_and_turning_rules_changes_the_decision() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let role = custom_role(&mut kit, "Ordered", "User");
    let allow = add_rule(&mut kit, &role, "list*", "allow");
    let deny = add_rule(&mut kit, &role, "listZones", "deny");
    let member = account_with_role(&mut kit, "ordered", &role);
    assert!(may_call(&kit, &member, "listZones"), "list* comes first");

    let order = format!("{deny},{allow}");
    let answer = kit
        .call(
            &admin,
            "updateRolePermission",
            &[("roleid", &role), ("ruleorder", &order)],
        )
        .unwrap();
    assert_eq!(answer["success"], true);
    assert!(
        !may_call(&kit, &member, "listZones"),
        "the deny rule is first now"
    );
    assert!(may_call(&kit, &member, "listHosts"));

    let partial = kit
        .call(
            &admin,
            "updateRolePermission",
            &[("roleid", &role), ("ruleorder", &deny)],
        )
        .unwrap_err();
    assert_eq!(code(&partial), 530);
    assert!(
        partial
            .text
            .starts_with("The role's rule permissions list has changed")
    );

    let mixed = kit
        .call(
            &admin,
            "updateRolePermission",
            &[("roleid", &role), ("ruleorder", &order), ("ruleid", &deny)],
        )
        .unwrap_err();
    assert_eq!(code(&mixed), 431);

    let turned = kit
        .call(
            &admin,
            "updateRolePermission",
            &[
                ("roleid", &role),
                ("ruleid", &deny),
                ("permission", "allow"),
            ],
        )
        .unwrap();
    assert_eq!(turned["success"], true);
    assert!(may_call(&kit, &member, "listZones"));

    // A rule of another role is left alone: success false.
    let other = custom_role(&mut kit, "Other", "User");
    let turned_elsewhere = kit
        .call(
            &admin,
            "updateRolePermission",
            &[
                ("roleid", &other),
                ("ruleid", &deny),
                ("permission", "deny"),
            ],
        )
        .unwrap();
    assert_eq!(turned_elsewhere["success"], false);
    assert_eq!(rules_of(&kit, &role)[0].1, "allow");
}

/// `deleteRolePermission` removes the rule, and the role type decides
/// again.
#[test]
fn deleting_a_rule_gives_the_decision_back_to_the_role_type() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let role = custom_role(&mut kit, "Shrunk", "User");
    let rule = add_rule(&mut kit, &role, "listZones", "deny");
    let member = account_with_role(&mut kit, "shrunk", &role);
    assert!(!may_call(&kit, &member, "listZones"));
    kit.call(&admin, "deleteRolePermission", &[("id", &rule)])
        .unwrap();
    assert!(may_call(&kit, &member, "listZones"));
    let gone = kit
        .call(&admin, "deleteRolePermission", &[("id", &rule)])
        .unwrap_err();
    assert_eq!(code(&gone), 431);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "ROLE.PERMISSION.DELETE"
        ),
        1
    );
}

/// `RoleManagerImpl.updateRole`: default roles only change visibility; a
/// custom role's type changes only while no account has it.
#[test]
fn update_role_follows_the_default_and_in_use_rules() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let user_role = default_role(&kit, "role_user");
    let renamed = kit
        .call(
            &admin,
            "updateRole",
            &[("id", &user_role), ("name", "Customer")],
        )
        .unwrap_err();
    assert_eq!(code(&renamed), 531);
    assert_eq!(
        renamed.text,
        "Default roles cannot be updated (with the exception of making it private/public)."
    );
    let private = kit
        .call(
            &admin,
            "updateRole",
            &[("id", &user_role), ("ispublic", "false")],
        )
        .unwrap();
    assert_eq!(private["role"]["ispublic"], false);
    assert_eq!(private["role"]["name"], "User");

    let role = custom_role(&mut kit, "Helpdesk", "User");
    let changed = kit
        .call(
            &admin,
            "updateRole",
            &[
                ("id", &role),
                ("name", "Support"),
                ("description", "first line"),
                ("type", "DomainAdmin"),
            ],
        )
        .unwrap();
    assert_eq!(changed["role"]["name"], "Support");
    assert_eq!(changed["role"]["description"], "first line");
    assert_eq!(changed["role"]["type"], "DomainAdmin");
    account_with_role(&mut kit, "support", &role);
    let retyped = kit
        .call(&admin, "updateRole", &[("id", &role), ("type", "User")])
        .unwrap_err();
    assert_eq!(code(&retyped), 531);
    assert_eq!(
        retyped.text,
        "Found accounts that have role in use, won't allow to change role type"
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM events WHERE type = ?1", "ROLE.UPDATE"),
        2
    );
}

/// `RoleManagerImpl.deleteRole`: default roles and roles in use stay (531);
/// a deleted role takes its rules with it.
#[test]
fn delete_role_refuses_defaults_and_roles_in_use() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let admin_role = default_role(&kit, "role_admin");
    let err = kit
        .call(&admin, "deleteRole", &[("id", &admin_role)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (531, "Default roles cannot be deleted")
    );

    let used = custom_role(&mut kit, "Used", "User");
    account_with_role(&mut kit, "user-of-used", &used);
    let err = kit
        .call(&admin, "deleteRole", &[("id", &used)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            531,
            "Found accounts that have role in use, won't allow to delete role"
        )
    );

    let unused = custom_role(&mut kit, "Unused", "User");
    add_rule(&mut kit, &unused, "list*", "allow");
    let answer = kit.call(&admin, "deleteRole", &[("id", &unused)]).unwrap();
    assert_eq!(answer["success"], true);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM role_permissions WHERE role_id = ?1",
            &unused
        ),
        0
    );
    let err = kit
        .call(&admin, "deleteRole", &[("id", &unused)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM events WHERE type = ?1", "ROLE.DELETE"),
        1
    );
}

/// `RoleManagerImpl.createRole(name, role, ..)`: a clone copies the
/// source's rules in order.
#[test]
fn a_cloned_role_takes_the_rules_of_its_source() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let source = custom_role(&mut kit, "Source", "User");
    add_rule(&mut kit, &source, "listZones", "deny");
    add_rule(&mut kit, &source, "list*", "allow");
    let clone = kit
        .call(
            &admin,
            "createRole",
            &[("name", "Clone"), ("roleid", &source)],
        )
        .unwrap();
    let clone = clone["role"]["id"].as_str().unwrap().to_string();
    assert_eq!(rules_of(&kit, &clone), rules_of(&kit, &source));
    let rules = Rules::new(
        rules_of(&kit, &clone)
            .into_iter()
            .map(|(pattern, permission)| Rule {
                pattern,
                allow: permission == "allow",
            })
            .collect(),
    );
    assert_eq!(rules.decide("listZones"), Some(false));
}

/// `AccountManagerImpl.checkRoleEscalation` compares what the accounts may
/// call (`getApisAllowedToAccount`), so a caller whose custom role denies
/// an API cannot create an account whose role allows it (531).
#[test]
fn a_callers_deny_rule_counts_in_the_role_escalation_check() {
    let mut kit = Kit::new();
    let narrow = custom_role(&mut kit, "NarrowAdmin", "DomainAdmin");
    add_rule(&mut kit, &narrow, "deployVirtualMachine", "deny");
    let admin = account_with_role(&mut kit, "narrow-admin", &narrow);
    let err = kit
        .call(
            &admin,
            "createAccount",
            &[
                ("username", "would-escalate"),
                ("password", "pw"),
                ("firstname", "W"),
                ("lastname", "E"),
                ("email", "w@example.com"),
                ("accounttype", "0"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    assert!(
        err.text
            .contains("can not create an account with access to more privileges"),
        "{}",
        err.text
    );
    let plain_admin = kit.account("plain-domain-admin", 2, None);
    kit.call(
        &plain_admin,
        "createAccount",
        &[
            ("username", "fine-user"),
            ("password", "pw"),
            ("firstname", "F"),
            ("lastname", "U"),
            ("email", "f@example.com"),
            ("accounttype", "0"),
        ],
    )
    .unwrap();
}
