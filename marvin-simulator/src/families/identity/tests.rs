//! Identity tests: refusals, state changes, isolation, cascade, seed.

use crate::families::testkit::{Kit, code};

#[test]
fn seed_has_root_roles_system_and_admin_with_keys() {
    let kit = Kit::new();
    let (path, level): (String, i64) = kit
        .conn
        .query_row(
            "SELECT path, level FROM domains WHERE id = ?1",
            [kit.id("root_domain")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((path.as_str(), level), ("/", 0));
    let (name, kind, seq): (String, i64, i64) = kit
        .conn
        .query_row(
            "SELECT name, account_type, seq FROM accounts WHERE id = ?1",
            [kit.id("admin_account")],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((name.as_str(), kind, seq), ("admin", 1, 2));
    let (username, password, api, secret): (String, String, String, String) = kit
        .conn
        .query_row(
            "SELECT username, password, api_key, secret_key FROM users WHERE id = ?1",
            [kit.id("admin_user")],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (username.as_str(), password.as_str()),
        ("admin", "password")
    );
    assert_eq!((api.len(), secret.len()), (86, 86));
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM accounts WHERE name = ?1 AND seq = 1",
            "system"
        ),
        1
    );
    assert_eq!(kit.count("SELECT COUNT(*) FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.name = ?1 AND u.api_key IS NULL", "system"), 1);
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM roles WHERE is_default = ?1", "1"),
        4
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM configurations WHERE name = ?1",
            "expunge.delay"
        ),
        1
    );
}

#[test]
fn create_account_defaults_to_username_root_and_user_role() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let answer = kit
        .call(
            &admin,
            "createAccount",
            &[
                ("username", "alice"),
                ("password", "pw"),
                ("firstname", "Alice"),
                ("lastname", "A"),
                ("email", "a@example.com"),
            ],
        )
        .unwrap();
    let account = &answer["account"];
    assert_eq!(account["name"], "alice");
    assert_eq!(account["accounttype"], 0);
    assert_eq!(account["domain"], "ROOT");
    assert_eq!(account["domainpath"], "ROOT");
    assert_eq!(account["rolename"], "User");
    assert_eq!(account["roletype"], "User");
    assert_eq!(account["state"], "enabled");
    assert_eq!(account["vmlimit"], "20");
    assert_eq!(account["user"][0]["username"], "alice");
    assert!(account["user"][0].get("secretkey").is_none());
    let id = account["id"].as_str().unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = 'ACCOUNT.CREATE' AND resource_id = ?1",
            id
        ),
        1
    );
}

#[test]
fn create_account_refusals() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let base = [
        ("password", "pw"),
        ("firstname", "F"),
        ("lastname", "L"),
        ("email", "e@x"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut p: Vec<(&str, &str)> = base.to_vec();
        p.extend_from_slice(extra);
        p
    };
    let err = kit
        .call(&admin, "createAccount", &with(&[("username", "")]))
        .unwrap_err();
    assert_eq!((code(&err), err.text.as_str()), (431, "Username is empty"));
    let mut p = with(&[("username", "bob")]);
    p.retain(|(k, _)| *k != "firstname");
    p.push(("firstname", ""));
    let err = kit.call(&admin, "createAccount", &p).unwrap_err();
    assert_eq!(err.text, "Firstname is empty");

    kit.call(&admin, "createAccount", &with(&[("username", "bob")]))
        .unwrap();
    let root = kit.id("root_domain");
    let err = kit
        .call(
            &admin,
            "createAccount",
            &with(&[("username", "bob"), ("account", "other")]),
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (431, format!("The user bob already exists in domain {root}"))
    );
    let err = kit
        .call(
            &admin,
            "createAccount",
            &with(&[("username", "carol"), ("account", "bob")]),
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "The specified account: bob already exists")
    );
    let err = kit
        .call(
            &admin,
            "createAccount",
            &with(&[
                ("username", "dan"),
                ("domainid", "8a1b9c55-0000-4000-8000-000000000000"),
            ]),
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);

    let domain = kit
        .call(&admin, "createDomain", &[("name", "sub")])
        .unwrap();
    let sub = domain["domain"]["id"].as_str().unwrap().to_string();
    let mut p = with(&[("username", "eve"), ("accounttype", "1")]);
    p.push(("domainid", &sub));
    let err = kit.call(&admin, "createAccount", &p).unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .contains("unable to create user of admin role type in non-ROOT domain"),
        "{}",
        err.text
    );
}

/// Account and login names are unique without regard to case: CloudStack
/// compares them in SQL (`UserAccountDaoImpl.validateUsernameInDomain`,
/// `AccountDaoImpl.findActiveAccount`), where MySQL's default collation
/// ignores case. `AccountManagerImpl.createUserAccount` refuses with 431,
/// `AccountManagerImpl.createUser` with a `CloudRuntimeException` (530),
/// `AccountManagerImpl.validateAndUpdateUsernameIfNeeded` with 431.
#[test]
fn names_are_unique_without_regard_to_case() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let person = |username: &'static str, account: &'static str| {
        vec![
            ("username", username),
            ("account", account),
            ("password", "pw"),
            ("firstname", "F"),
            ("lastname", "L"),
            ("email", "e@x"),
        ]
    };
    kit.call(&admin, "createAccount", &person("bob", "bob"))
        .unwrap();
    let root = kit.id("root_domain");
    let err = kit
        .call(&admin, "createAccount", &person("BOB", "other"))
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (431, format!("The user BOB already exists in domain {root}"))
    );
    let err = kit
        .call(&admin, "createAccount", &person("carol", "Bob"))
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "The specified account: Bob already exists")
    );
    let err = kit
        .call(
            &admin,
            "createUser",
            &[
                ("account", "BOB"),
                ("username", "Bob"),
                ("password", "pw"),
                ("firstname", "F"),
                ("lastname", "L"),
                ("email", "e@x"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (530, format!("The user Bob already exists in domain {root}"))
    );
    let second = kit
        .call(
            &admin,
            "createUser",
            &[
                ("account", "BOB"),
                ("username", "second"),
                ("password", "pw"),
                ("firstname", "F"),
                ("lastname", "L"),
                ("email", "e@x"),
            ],
        )
        .unwrap();
    let second = second["user"]["id"].as_str().unwrap().to_string();
    let err = kit
        .call(
            &admin,
            "updateUser",
            &[("id", second.as_str()), ("username", "bOb")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("Username [bOb] already exists in domain"),
        "{}",
        err.text
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM accounts WHERE name = ?1", "bob"),
        1
    );
}

#[test]
fn domain_tree_paths_levels_and_duplicates() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let a = kit.call(&admin, "createDomain", &[("name", "a")]).unwrap();
    let a_id = a["domain"]["id"].as_str().unwrap().to_string();
    assert_eq!(a["domain"]["path"], "ROOT/a");
    assert_eq!(a["domain"]["level"], 1);
    assert_eq!(a["domain"]["parentdomainname"], "ROOT");
    let b = kit
        .call(
            &admin,
            "createDomain",
            &[("name", "b"), ("parentdomainid", &a_id)],
        )
        .unwrap();
    assert_eq!(b["domain"]["path"], "ROOT/a/b");
    assert_eq!(b["domain"]["level"], 2);

    let err = kit
        .call(&admin, "createDomain", &[("name", "a")])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        format!(
            "Domain with name [a] already exists for the parent with ID [{}].",
            kit.id("root_domain")
        )
    );

    let all = kit
        .call(&admin, "listDomains", &[("listall", "true")])
        .unwrap();
    assert_eq!(all["count"], 3);
    // A root admin lists every domain without `listall` too
    // (QueryManagerImpl.searchForDomainIdsAndCount).
    let own = kit.call(&admin, "listDomains", &[]).unwrap();
    assert_eq!(own["count"], 3);
    let children = kit
        .call(
            &admin,
            "listDomainChildren",
            &[("id", &kit.id("root_domain")), ("isrecursive", "true")],
        )
        .unwrap();
    assert_eq!(children["count"], 2);

    kit.call(
        &admin,
        "updateDomain",
        &[("id", &a_id), ("name", "renamed")],
    )
    .unwrap();
    let b_path: String = kit
        .conn
        .query_row("SELECT path FROM domains WHERE name = 'b'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(b_path, "/renamed/b/");
    let err = kit
        .call(
            &admin,
            "updateDomain",
            &[("id", &kit.id("root_domain")), ("name", "x")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "ROOT domain can not be edited with a new name")
    );
}

#[test]
fn delete_domain_refuses_root_and_non_empty_and_cleans_up() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let err = kit
        .call(&admin, "deleteDomain", &[("id", &kit.id("root_domain"))])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.job_code().as_u16(), err.text.as_str()),
        (531, 530, "Can't delete ROOT domain")
    );

    let d = kit.call(&admin, "createDomain", &[("name", "d")]).unwrap();
    let d_id = d["domain"]["id"].as_str().unwrap().to_string();
    let user = kit.account("inside", 0, Some(&d_id));
    let err = kit
        .call(&admin, "deleteDomain", &[("id", &d_id)])
        .unwrap_err();
    assert_eq!(err.job_code().as_u16(), 530);
    assert_eq!(
        err.text,
        format!(
            "Delete failed on domain d (id: {d_id}); Please make sure all users and sub domains have been removed from the domain before deleting"
        )
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM domains WHERE id = ?1 AND state = 'Active'",
            &d_id
        ),
        1
    );

    let answer = kit
        .call(
            &admin,
            "deleteDomain",
            &[("id", &d_id), ("cleanup", "true")],
        )
        .unwrap();
    assert_eq!(answer["success"], true);
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM domains WHERE id = ?1", &d_id),
        0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM accounts WHERE id = ?1",
            &user.account_id
        ),
        0
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM users WHERE id = ?1", &user.user_id),
        0
    );
}

#[test]
fn users_are_isolated_from_other_accounts() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let bob = kit.account("bob", 0, None);

    let mine = kit
        .call(&alice, "listAccounts", &[("listall", "true")])
        .unwrap();
    assert_eq!(mine["count"], 1);
    assert_eq!(mine["account"][0]["name"], "alice");
    let theirs = kit
        .call(&alice, "listAccounts", &[("id", &bob.account_id)])
        .unwrap();
    assert_eq!(theirs["count"], 0);
    let users = kit
        .call(&alice, "listUsers", &[("listall", "true")])
        .unwrap();
    assert_eq!(users["count"], 1);

    for (command, params) in [
        (
            "updateUser",
            vec![("id", bob.user_id.as_str()), ("firstname", "X")],
        ),
        ("getUserKeys", vec![("id", bob.user_id.as_str())]),
        ("registerUserKeys", vec![("id", bob.user_id.as_str())]),
    ] {
        let err = kit.call(&alice, command, &params).unwrap_err();
        assert_eq!(code(&err), 531, "{command}: {}", err.text);
        assert_eq!(err.cs_code.map(|c| c.as_u32()), Some(4365));
    }
    // The same calls on her own user work.
    kit.call(
        &alice,
        "updateUser",
        &[("id", &alice.user_id), ("firstname", "Al")],
    )
    .unwrap();
}

#[test]
fn admin_lists_its_domain_by_default_and_everything_with_listall() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let d = kit.call(&admin, "createDomain", &[("name", "d")]).unwrap();
    let d_id = d["domain"]["id"].as_str().unwrap().to_string();
    kit.account("top", 0, None);
    let below = kit.account("below", 0, Some(&d_id));
    let own = kit.call(&admin, "listAccounts", &[]).unwrap();
    let names: Vec<&str> = own["account"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "top"]);
    let all = kit
        .call(&admin, "listAccounts", &[("listall", "true")])
        .unwrap();
    assert_eq!(all["count"], 3, "the system account is never listed");
    let by_id = kit
        .call(&admin, "listAccounts", &[("id", &below.account_id)])
        .unwrap();
    assert_eq!(by_id["count"], 1);
}

#[test]
fn delete_account_cascades_over_discovered_tables() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let victim = kit.account("victim", 0, None);
    let other = kit.account("other", 0, None);
    kit.conn
        .execute_batch("CREATE TABLE widgets (id TEXT PRIMARY KEY, account_id TEXT NOT NULL);")
        .unwrap();
    kit.conn
        .execute(
            "INSERT INTO widgets VALUES ('w1', ?1), ('w2', ?1), ('w3', ?2)",
            [&victim.account_id, &other.account_id],
        )
        .unwrap();
    kit.call(
        &admin,
        "createUser",
        &[
            ("account", "victim"),
            ("username", "victim2"),
            ("password", "pw"),
            ("firstname", "V"),
            ("lastname", "Two"),
            ("email", "v@x"),
        ],
    )
    .unwrap();

    let answer = kit
        .call(&admin, "deleteAccount", &[("id", &victim.account_id)])
        .unwrap();
    assert_eq!(answer["success"], true);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM accounts WHERE id = ?1",
            &victim.account_id
        ),
        0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM users WHERE account_id = ?1",
            &victim.account_id
        ),
        0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM widgets WHERE account_id = ?1",
            &victim.account_id
        ),
        0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM widgets WHERE account_id = ?1",
            &other.account_id
        ),
        1
    );
    // Events survive (the rule keeps them) and record the deletion.
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = 'ACCOUNT.DELETE' AND resource_id = ?1",
            &victim.account_id
        ),
        1
    );
    assert!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE account_id = ?1",
            &victim.account_id
        ) == 0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = 'ACCOUNT.CREATE' AND resource_id = ?1",
            &victim.account_id
        ),
        1
    );
}

#[test]
fn delete_account_refuses_default_accounts() {
    // `AccountManagerImpl.deleteUserAccount`: one's own account first, then
    // `isDeleteNeeded` refuses both default accounts (system and admin) with
    // the same IPVE (semantics §5, deleteAccount).
    let mut kit = Kit::new();
    let admin = kit.admin();
    let other_root_admin = kit.account("root2", 1, None);
    let admin_account = kit.id("admin_account");
    let err = kit
        .call(&admin, "deleteAccount", &[("id", &admin_account)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "Deletion of your own account is not allowed. To delete account admin (ID: {admin_account}, \
                 Domain: {}), request to another user with permissions to perform the operation.",
                kit.id("root_domain")
            )
        )
    );
    for default in [admin_account.clone(), kit.id("system_account")] {
        let err = kit
            .call(&other_root_admin, "deleteAccount", &[("id", &default)])
            .unwrap_err();
        assert_eq!(
            (err.job_code().as_u16(), err.text.as_str()),
            (431, "The account is default and can't be removed")
        );
    }
    let err = kit
        .call(
            &admin,
            "deleteAccount",
            &[("id", "6f0c1d2e-0000-4000-8000-000000000000")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
}

#[test]
fn disable_lock_and_enable_accounts() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let user = kit.account("acct", 0, None);
    let id = user.account_id.clone();
    let a = kit
        .call(&admin, "disableAccount", &[("id", &id), ("lock", "false")])
        .unwrap();
    assert_eq!(a["account"]["state"], "disabled");
    let a = kit.call(&admin, "enableAccount", &[("id", &id)]).unwrap();
    assert_eq!(a["account"]["state"], "enabled");
    let a = kit
        .call(&admin, "disableAccount", &[("id", &id), ("lock", "true")])
        .unwrap();
    assert_eq!(a["account"]["state"], "locked");
    kit.call(
        &admin,
        "enableAccount",
        &[("account", "acct"), ("domainid", &kit.id("root_domain"))],
    )
    .unwrap();
    let a = kit
        .call(
            &admin,
            "lockAccount",
            &[("account", "acct"), ("domainid", &kit.id("root_domain"))],
        )
        .unwrap();
    assert_eq!(a["account"]["state"], "locked");

    let err = kit
        .call(
            &admin,
            "disableAccount",
            &[("id", &kit.id("admin_account")), ("lock", "false")],
        )
        .unwrap_err();
    assert_eq!(err.job_code().as_u16(), 530);
    let err = kit
        .call(
            &admin,
            "enableAccount",
            &[("account", "nobody"), ("domainid", &kit.id("root_domain"))],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("Unable to find account by accountId: null OR by name: nobody"),
        "{}",
        err.text
    );
    let err = kit
        .call(
            &admin,
            "updateAccount",
            &[("id", &kit.id("system_account")), ("newname", "x")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Can not modify system account")
    );
    let renamed = kit
        .call(
            &admin,
            "updateAccount",
            &[("id", &id), ("newname", "acct2")],
        )
        .unwrap();
    assert_eq!(renamed["account"]["name"], "acct2");
}

/// `moveUser` (`AccountManagerImpl.moveUser`, `getNewAccountId`,
/// `checkIfNotMovingAcrossDomains`, `getValidUserVO`; `MoveUserCmd.execute`):
/// the user keeps its id, login and keys under another account of the same
/// domain; its own account, another domain, the default users and a
/// request naming no account are told apart.
#[test]
fn users_move_between_accounts_of_a_domain() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let from = kit.account("origin", 0, None);
    let to = kit.account("target", 0, None);
    let made = kit
        .call(
            &admin,
            "createUser",
            &[
                ("account", "origin"),
                ("username", "mover"),
                ("password", "pw"),
                ("firstname", "M"),
                ("lastname", "V"),
                ("email", "m@x"),
            ],
        )
        .unwrap();
    let mover = made["user"]["id"].as_str().unwrap().to_string();
    let keys = kit
        .call(&admin, "registerUserKeys", &[("id", &mover)])
        .unwrap();
    let root = kit.id("root_domain");
    let users_of = |kit: &mut Kit, account: &str| -> Vec<String> {
        let listed = kit
            .call(
                &admin,
                "listUsers",
                &[("account", account), ("domainid", &root)],
            )
            .unwrap();
        listed["user"]
            .as_array()
            .map(|users| {
                users
                    .iter()
                    .map(|u| u["id"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };

    let moved = kit
        .call(
            &admin,
            "moveUser",
            &[("id", &mover), ("accountid", &to.account_id)],
        )
        .unwrap();
    assert_eq!(moved["success"], true);
    assert_eq!(
        users_of(&mut kit, "target"),
        vec![to.user_id.clone(), mover.clone()]
    );
    assert_eq!(users_of(&mut kit, "origin"), vec![from.user_id.clone()]);
    let user = kit.call(&admin, "listUsers", &[("id", &mover)]).unwrap();
    assert_eq!(user["user"][0]["account"], "target");
    assert_eq!(user["user"][0]["username"], "mover");
    assert_eq!(
        kit.call(&admin, "getUserKeys", &[("id", &mover)]).unwrap()["userkeys"],
        keys["userkeys"]
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = 'USER.MOVE' AND resource_id = ?1",
            &mover
        ),
        1
    );

    // By name (an enabled account of the user's domain, named without
    // regard to case), and to its own account: nothing to do, success.
    kit.call(&admin, "moveUser", &[("id", &mover), ("account", "ORIGIN")])
        .unwrap();
    assert_eq!(
        users_of(&mut kit, "origin"),
        vec![from.user_id.clone(), mover.clone()]
    );
    kit.call(&admin, "moveUser", &[("id", &mover), ("account", "origin")])
        .unwrap();
    assert_eq!(users_of(&mut kit, "origin").len(), 2);

    let domain = kit
        .call(&admin, "createDomain", &[("name", "elsewhere")])
        .unwrap();
    let domain = domain["domain"]["id"].as_str().unwrap().to_string();
    let far = kit.account("faraway", 0, Some(&domain));
    let err = kit
        .call(
            &admin,
            "moveUser",
            &[("id", &mover), ("accountid", &far.account_id)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "moving a user from an account in one domain to an account in another domain is not supported!"
        )
    );
    // A name is looked up in the user's own domain only.
    let err = kit
        .call(
            &admin,
            "moveUser",
            &[("id", &mover), ("account", "faraway")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            530,
            "no account name or account id. this should have been caught before this point"
        )
    );
    let err = kit.call(&admin, "moveUser", &[("id", &mover)]).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (530, "provide either an account name or an account id!")
    );
    let err = kit
        .call(
            &admin,
            "moveUser",
            &[("id", &kit.id("admin_user")), ("accountid", &to.account_id)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "The user is default and can't be (re)moved")
    );
    assert_eq!(users_of(&mut kit, "origin").len(), 2);
}

#[test]
fn user_lifecycle_and_keys() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let owner = kit.account("team", 0, None);
    let made = kit
        .call(
            &admin,
            "createUser",
            &[
                ("account", "team"),
                ("username", "second"),
                ("password", "pw"),
                ("firstname", "S"),
                ("lastname", "U"),
                ("email", "s@x"),
            ],
        )
        .unwrap();
    let second = made["user"]["id"].as_str().unwrap().to_string();
    let err = kit
        .call(
            &admin,
            "createUser",
            &[
                ("account", "team"),
                ("username", "second"),
                ("password", "pw"),
                ("firstname", "S"),
                ("lastname", "U"),
                ("email", "s@x"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 530);

    let u = kit.call(&admin, "disableUser", &[("id", &second)]).unwrap();
    assert_eq!(u["user"]["state"], "disabled");
    let err = kit
        .call(&admin, "lockUser", &[("id", &second)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (530, format!("Unable to lock user {second}"))
    );
    kit.call(&admin, "enableUser", &[("id", &second)]).unwrap();
    kit.call(&admin, "lockUser", &[("id", &owner.user_id)])
        .unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM accounts WHERE id = ?1 AND state = 'enabled'",
            &owner.account_id
        ),
        1
    );
    kit.call(&admin, "lockUser", &[("id", &second)]).unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM accounts WHERE id = ?1 AND state = 'locked'",
            &owner.account_id
        ),
        1
    );

    let first = kit
        .call(&admin, "registerUserKeys", &[("id", &second)])
        .unwrap();
    let again = kit
        .call(&admin, "registerUserKeys", &[("id", &second)])
        .unwrap();
    assert_ne!(first["userkeys"]["apikey"], again["userkeys"]["apikey"]);
    let keys = kit.call(&admin, "getUserKeys", &[("id", &second)]).unwrap();
    assert_eq!(keys["userkeys"], again["userkeys"]);
    let found = kit
        .call(
            &admin,
            "getUser",
            &[("userapikey", again["userkeys"]["apikey"].as_str().unwrap())],
        )
        .unwrap();
    assert_eq!(found["user"]["id"], second.as_str());

    let err = kit
        .call(&admin, "deleteUser", &[("id", &kit.id("admin_user"))])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "The user is default and can't be (re)moved")
    );
    kit.call(&admin, "deleteUser", &[("id", &second)]).unwrap();
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM users WHERE id = ?1", &second),
        0
    );
}

#[test]
fn users_change_their_password_only_with_the_current_one() {
    let mut kit = Kit::new();
    let user = kit.account("pwuser", 0, None);
    let err = kit
        .call(
            &user,
            "updateUser",
            &[("id", &user.user_id), ("password", "new")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "To set a new password the current password must be provided."
    );
    let err = kit
        .call(
            &user,
            "updateUser",
            &[
                ("id", &user.user_id),
                ("password", "new"),
                ("currentpassword", "wrong"),
            ],
        )
        .unwrap_err();
    assert_eq!(err.text, "Current password is incorrect.");
    kit.call(
        &user,
        "updateUser",
        &[
            ("id", &user.user_id),
            ("password", "new"),
            ("currentpassword", "secret"),
        ],
    )
    .unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM users WHERE id = ?1 AND password = 'new'",
            &user.user_id
        ),
        1
    );
}

#[test]
fn configurations_list_update_and_validate() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let list = kit
        .call(&admin, "listConfigurations", &[("name", "expunge.delay")])
        .unwrap();
    assert_eq!(list["count"], 1);
    assert_eq!(list["configuration"][0]["value"], "86400");
    assert_eq!(list["configuration"][0]["category"], "Advanced");

    let updated = kit
        .call(
            &admin,
            "updateConfiguration",
            &[("name", "expunge.delay"), ("value", "10")],
        )
        .unwrap();
    assert_eq!(updated["configuration"]["value"], "10");
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "CONFIGURATION.VALUE.EDIT"
        ),
        1
    );

    let err = kit
        .call(
            &admin,
            "updateConfiguration",
            &[("name", "no.such.thing"), ("value", "1")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Config parameter with name no.such.thing doesn't exist"
        )
    );
    let err = kit
        .call(
            &admin,
            "updateConfiguration",
            &[("name", "allow.user.expunge.recover.vm"), ("value", "yes")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Please enter either 'true' or 'false'.")
    );
    let err = kit
        .call(
            &admin,
            "updateConfiguration",
            &[("name", "expunge.delay"), ("value", "soon")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);

    let category = kit
        .call(
            &admin,
            "listConfigurations",
            &[("category", "Account Defaults")],
        )
        .unwrap();
    // Config's fifteen max.account.* entries and ResourceLimitService's
    // max.account.secondary.storage.
    assert_eq!(category["count"], 16);
}

#[test]
fn account_scoped_settings_reach_capabilities() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let user = kit.account("scoped", 0, None);
    let caps = kit.call(&user, "listCapabilities", &[]).unwrap();
    assert_eq!(caps["capability"]["allowuserexpungerecovervm"], false);
    assert_eq!(
        caps["capability"]["cloudstackversion"],
        super::CLOUDSTACK_VERSION
    );
    kit.call(
        &admin,
        "updateConfiguration",
        &[
            ("name", "allow.user.expunge.recover.vm"),
            ("value", "true"),
            ("accountid", &user.account_id),
        ],
    )
    .unwrap();
    let caps = kit.call(&user, "listCapabilities", &[]).unwrap();
    assert_eq!(caps["capability"]["allowuserexpungerecovervm"], true);
    let global = kit.call(&admin, "listCapabilities", &[]).unwrap();
    assert_eq!(global["capability"]["allowuserexpungerecovervm"], false);
    let scoped = kit
        .call(
            &admin,
            "listConfigurations",
            &[
                ("name", "allow.user.expunge.recover.vm"),
                ("accountid", &user.account_id),
            ],
        )
        .unwrap();
    assert_eq!(scoped["configuration"][0]["value"], "true");
    let err = kit
        .call(
            &admin,
            "updateConfiguration",
            &[
                ("name", "expunge.delay"),
                ("value", "1"),
                ("accountid", &user.account_id),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Invalid scope id provided for the parameter expunge.delay"
    );
}

#[test]
fn accounts_show_limits_and_counts_and_deletion_releases_domain_counts() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let d = kit
        .call(&admin, "createDomain", &[("name", "counted")])
        .unwrap();
    let domain = d["domain"]["id"].as_str().unwrap().to_string();
    let user = kit.account("limited", 0, Some(&domain));
    let gib = 1024_i64 * 1024 * 1024;
    for (owner, kind, count) in [
        (user.account_id.as_str(), 0, 3),
        (user.account_id.as_str(), 10, 5 * gib),
        (domain.as_str(), 0, 4),
        (kit.id("root_domain").as_str(), 0, 4),
    ] {
        kit.conn
            .execute(
                "INSERT INTO resource_counts (owner_id, resource_type, count) VALUES (?1, ?2, ?3)",
                rusqlite::params![owner, kind, count],
            )
            .unwrap();
    }
    let listed = kit
        .call(&admin, "listAccounts", &[("id", &user.account_id)])
        .unwrap();
    let account = &listed["account"][0];
    assert_eq!(
        (
            account["vmlimit"].as_str(),
            account["vmtotal"].as_i64(),
            account["vmavailable"].as_str()
        ),
        (Some("20"), Some(3), Some("17"))
    );
    assert_eq!(
        (
            account["primarystoragetotal"].as_i64(),
            account["primarystorageavailable"].as_str()
        ),
        (Some(5), Some("195"))
    );
    let own = kit
        .call(&admin, "listAccounts", &[("id", &kit.id("admin_account"))])
        .unwrap();
    assert_eq!(own["account"][0]["vmlimit"], "Unlimited");

    kit.call(&admin, "deleteAccount", &[("id", &user.account_id)])
        .unwrap();
    assert_eq!(
        kit.count(
            "SELECT count FROM resource_counts WHERE owner_id = ?1 AND resource_type = 0",
            &domain
        ),
        1
    );
    assert_eq!(
        kit.count(
            "SELECT count FROM resource_counts WHERE owner_id = ?1 AND resource_type = 0",
            &kit.id("root_domain")
        ),
        1
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM resource_counts WHERE owner_id = ?1",
            &user.account_id
        ),
        0
    );
}

#[test]
fn roles_list_and_create() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let roles = kit.call(&admin, "listRoles", &[]).unwrap();
    assert_eq!(roles["count"], 4);
    let made = kit
        .call(
            &admin,
            "createRole",
            &[("name", "Ops"), ("type", "DomainAdmin")],
        )
        .unwrap();
    assert_eq!(made["role"]["type"], "DomainAdmin");
    let err = kit
        .call(&admin, "createRole", &[("name", "Bad")])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    let role_id = made["role"]["id"].as_str().unwrap().to_string();
    let created = kit
        .call(
            &admin,
            "createAccount",
            &[
                ("username", "ops"),
                ("password", "pw"),
                ("firstname", "O"),
                ("lastname", "P"),
                ("email", "o@x"),
                ("roleid", &role_id),
            ],
        )
        .unwrap();
    assert_eq!(created["account"]["accounttype"], 2);
    assert_eq!(created["account"]["rolename"], "Ops");
    let user = kit.account("plain", 0, None);
    let visible = kit.call(&user, "listRoles", &[]).unwrap();
    assert_eq!(visible["count"], 4, "everything but Root Admin");
}

/// listDomains as QueryManagerImpl.searchForDomainIdsAndCount scopes it
/// (root admin: every domain; a domain admin: their own domain, the
/// subtree with `listall`), each domain with the limit fields a real
/// answer has (vmlimit, vmtotal, vmavailable, ...).
#[test]
fn list_domains_scope_and_limit_fields() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let a = kit.call(&admin, "createDomain", &[("name", "a")]).unwrap()["domain"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.call(
        &admin,
        "createDomain",
        &[("name", "a1"), ("parentdomainid", &a)],
    )
    .unwrap();
    kit.call(&admin, "createDomain", &[("name", "b")]).unwrap();
    let all = kit.call(&admin, "listDomains", &[]).unwrap();
    assert_eq!(all["count"], 4);
    let dadmin = kit.account("da", 2, Some(&a));
    let own = kit.call(&dadmin, "listDomains", &[]).unwrap();
    assert_eq!(own["count"], 1);
    assert_eq!(own["domain"][0]["id"], a.as_str());
    let tree = kit
        .call(&dadmin, "listDomains", &[("listall", "true")])
        .unwrap();
    assert_eq!(tree["count"], 2);

    kit.call(
        &admin,
        "updateResourceLimit",
        &[("domainid", &a), ("resourcetype", "0"), ("max", "7")],
    )
    .unwrap();
    let listed = kit.call(&admin, "listDomains", &[("id", &a)]).unwrap();
    let domain = &listed["domain"][0];
    assert_eq!(domain["vmlimit"], "7", "{domain}");
    assert_eq!(domain["vmtotal"], 0);
    assert_eq!(domain["vmavailable"], "7");
    for prefix in [
        "vm",
        "ip",
        "volume",
        "snapshot",
        "template",
        "project",
        "network",
        "vpc",
        "cpu",
        "memory",
        "primarystorage",
        "secondarystorage",
    ] {
        for suffix in ["limit", "total", "available"] {
            assert!(
                domain.get(format!("{prefix}{suffix}")).is_some(),
                "{prefix}{suffix} missing: {domain}"
            );
        }
    }
    assert_eq!(domain["iplimit"], "Unlimited");
}
