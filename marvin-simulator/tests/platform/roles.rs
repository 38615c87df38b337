//! Roles: an API the caller's role may not use is 432 and hidden from
//! listApis; nobody hands out a role above their own, nor reaches an
//! account outside their subtree.

use crate::support::{Api, assert_error, inner, start, user_with_keys};

#[tokio::test]
async fn users_get_432_for_admin_apis_and_do_not_see_them() {
    let sim = start().await;
    user_with_keys(&sim, "plain", 0, "k-plain", "s-plain").await;
    let user = Api::new(sim.url(), "k-plain", "s-plain");
    let (status, body) = user
        .call(
            "configureSimulatorFault",
            &[("apiname", "listEvents"), ("action", "fail")],
        )
        .await;
    assert_error(
        status,
        &body,
        432,
        "configuresimulatorfaultresponse",
        "The API configureSimulatorFault does not exist or is not available for this account.",
    );
    assert_eq!(body["configuresimulatorfaultresponse"]["cserrorcode"], 4555);

    let names = |answer: serde_json::Value| -> Vec<String> {
        answer["api"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let mine = names(user.ok("listApis", &[]).await);
    let all = names(Api::admin(&sim).ok("listApis", &[]).await);
    assert!(
        mine.contains(&"listEvents".to_string())
            && mine.contains(&"queryAsyncJobResult".to_string())
    );
    assert!(!mine.contains(&"configureSimulatorFault".to_string()));
    assert!(all.contains(&"configureSimulatorFault".to_string()));
    assert!(mine.len() < all.len());
    let (status, _) = user
        .call("listApis", &[("name", "configureSimulatorFault")])
        .await;
    assert_eq!(status, 530);
}

/// A domain admin of a new sub-domain, with keys; returns its account id
/// and the domain's.
async fn sub_domain_admin(
    sim: &marvin_simulator::RunningSimulator,
    key: &str,
    secret: &str,
) -> (String, String) {
    let admin = Api::admin(sim);
    let domain = admin.ok("createDomain", &[("name", "escalation")]).await;
    let domain = domain["domain"]["id"]
        .as_str()
        .expect("a domain id")
        .to_string();
    let created = admin
        .ok(
            "createAccount",
            &[
                ("username", "sub-admin"),
                ("password", "secret-password"),
                ("firstname", "Sub"),
                ("lastname", "Admin"),
                ("email", "sub@example.com"),
                ("accounttype", "2"),
                ("domainid", &domain),
            ],
        )
        .await;
    let user_id = created["account"]["user"][0]["id"]
        .as_str()
        .expect("a user id")
        .to_string();
    sim.with_db(|db| {
        db.execute(
            "UPDATE users SET api_key = ?1, secret_key = ?2 WHERE id = ?3",
            [key, secret, &user_id],
        )
        .expect("keys are set")
    });
    let account = created["account"]["id"]
        .as_str()
        .expect("an account id")
        .to_string();
    (account, domain)
}

/// The id of the role called `name`.
async fn role_id(admin: &Api, name: &str) -> String {
    let roles = admin.ok("listRoles", &[("name", name)]).await;
    roles["role"][0]["id"].as_str().expect("a role").to_string()
}

#[tokio::test]
async fn a_domain_admin_cannot_make_itself_root_admin() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let (account, domain) = sub_domain_admin(&sim, "k-sub", "s-sub").await;
    let sub = Api::new(sim.url(), "k-sub", "s-sub");
    let root_role = role_id(&admin, "Root Admin").await;

    // `RoleManagerImpl.findRole` hides the Admin role from a domain admin
    // and `AccountManagerImpl.validateRoleChange` fails on it: 530, with the
    // text a caller that is not root admin gets (semantics §5, §0).
    let (status, body) = sub
        .call("updateAccount", &[("id", &account), ("roleid", &root_role)])
        .await;
    assert_error(
        status,
        &body,
        530,
        "updateaccountresponse",
        "Internal error executing command, please contact your system administrator",
    );
    // With a type the caller may give, the Admin role's APIs exceed the
    // caller's (`AccountManagerImpl.checkRoleEscalation`).
    let (status, body) = sub
        .call(
            "createAccount",
            &[
                ("username", "mole"),
                ("password", "secret-password"),
                ("firstname", "M"),
                ("lastname", "Ole"),
                ("email", "m@example.com"),
                ("accounttype", "0"),
                ("roleid", &root_role),
                ("domainid", &domain),
            ],
        )
        .await;
    assert_error(
        status,
        &body,
        531,
        "createaccountresponse",
        "can not create an account with access to more privileges they have themself.",
    );
    // Roles are the root admin's to create (`CreateRoleCmd`: Admin only).
    let (status, body) = sub
        .call("createRole", &[("name", "Escalated"), ("type", "Admin")])
        .await;
    assert_eq!(status, 432, "{body}");

    // Still a domain admin: the root admin's APIs stay out of reach.
    for command in ["listHosts", "createDomain"] {
        let (status, body) = sub.call(command, &[("name", "x")]).await;
        assert_eq!(status, 432, "{command}: {body}");
    }
    let mine = admin.ok("listAccounts", &[("id", &account)]).await;
    assert_eq!(mine["account"][0]["roletype"], "DomainAdmin");
    assert_eq!(mine["account"][0]["accounttype"], 2);
    let moles = admin
        .ok("listAccounts", &[("name", "mole"), ("listall", "true")])
        .await;
    assert_eq!(moles.get("count").and_then(|c| c.as_u64()).unwrap_or(0), 0);
}

#[tokio::test]
async fn disabling_an_account_outside_the_subtree_is_refused_before_a_job_exists() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    sub_domain_admin(&sim, "k-sub2", "s-sub2").await;
    let sub = Api::new(sim.url(), "k-sub2", "s-sub2");
    let root_admin = admin.ok("listAccounts", &[("name", "admin")]).await;
    let root_admin = root_admin["account"][0]["id"]
        .as_str()
        .expect("the admin account")
        .to_string();

    // `DisableAccountCmd.id` is `@ACL(OperateEntry)`: the API dispatcher
    // checks it before it queues the job (`ParamProcessWorker`,
    // `DomainChecker.validateCallerHasAccessToEntityOwner`).
    for (command, params) in [
        (
            "disableAccount",
            vec![("id", root_admin.as_str()), ("lock", "false")],
        ),
        (
            "disableAccount",
            vec![("id", root_admin.as_str()), ("lock", "true")],
        ),
        ("deleteAccount", vec![("id", root_admin.as_str())]),
    ] {
        let (status, body) = sub.call(command, &params).await;
        let key = format!("{}response", command.to_ascii_lowercase());
        assert_error(
            status,
            &body,
            531,
            &key,
            "Caller does not have permission to operate with provided resource.",
        );
        assert!(
            body[&key].get("jobid").is_none(),
            "{command}: no job: {body}"
        );
        assert_eq!(body[&key]["cserrorcode"], 4365);
    }
    // Nothing in this test is asynchronous but the refused calls.
    let jobs = admin.ok("listAsyncJobs", &[("listall", "true")]).await;
    assert_eq!(
        jobs["asyncjobs"].as_array().map_or(0, Vec::len),
        0,
        "no job was queued: {jobs}"
    );
    let still = inner(
        &admin.call("listAccounts", &[("id", &root_admin)]).await.1,
        "listAccounts",
    );
    assert_eq!(still["account"][0]["state"], "enabled");
}

/// A custom role's rules decide over HTTP what its users may call and see
/// in listApis (`DynamicRoleBasedAPIAccessChecker.checkAccess`: the first
/// matching rule, else the role type's APIs); deleting the rule gives the
/// API back.
#[tokio::test]
async fn a_custom_roles_deny_rule_hides_an_api_from_its_users() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let (_, account) = user_with_keys(&sim, "ruled", 0, "k-ruled", "s-ruled").await;
    let role = admin
        .ok("createRole", &[("name", "NoZones"), ("type", "User")])
        .await;
    let role = role["role"]["id"].as_str().expect("a role id").to_string();
    let rule = admin
        .ok(
            "createRolePermission",
            &[
                ("roleid", &role),
                ("rule", "listZ*"),
                ("permission", "deny"),
            ],
        )
        .await;
    let rule = rule["rolepermission"]["id"]
        .as_str()
        .expect("a rule id")
        .to_string();
    admin
        .ok("updateAccount", &[("id", &account), ("roleid", &role)])
        .await;

    let user = Api::new(sim.url(), "k-ruled", "s-ruled");
    let (status, body) = user.call("listZones", &[]).await;
    assert_error(
        status,
        &body,
        432,
        "listzonesresponse",
        "The API listZones does not exist or is not available for this account.",
    );
    user.ok("listTemplates", &[("templatefilter", "featured")])
        .await;
    let apis = user.ok("listApis", &[]).await;
    let names: Vec<&str> = apis["api"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|api| api["name"].as_str())
        .collect();
    assert!(!names.contains(&"listZones") && names.contains(&"listTemplates"));

    admin.ok("deleteRolePermission", &[("id", &rule)]).await;
    user.ok("listZones", &[]).await;
    let (status, body) = admin.call("deleteRole", &[("id", &role)]).await;
    assert_error(
        status,
        &body,
        531,
        "deleteroleresponse",
        "Found accounts that have role in use, won't allow to delete role",
    );
}
