//! Security: signatures (tampered, expired, replayed after expiry: 401),
//! roles (a user calling an admin API: 432), role changes (nobody gives a
//! role above their own or acts outside their domain), isolation between
//! accounts (invisible in lists, 531 on action), TLS verification by
//! default, and no secret in any log, trace, error or report of a run.

use marvin_entities::api;
use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use marvin_core::signing::java_url_encode;
use marvin_core::{Client, ErrorCode, Params};
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use serde_json::Value;

use crate::support::{self, RawHttp, check_shape};

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

async fn get(http: &mut RawHttp, query: &str) -> (u16, Value) {
    let response = http
        .send("GET", format!("/client/api?{query}").as_bytes(), &[], &[])
        .await
        .expect("answered");
    let inner = check_shape(&response, Some("listZones")).unwrap_or_else(|e| panic!("{e}"));
    (response.status, inner)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_expired_and_replayed_signatures_are_401() {
    let sim = Simulator::start_default()
        .await
        .expect("the simulator starts");
    let mut http = RawHttp::new(sim.addr());
    let key = sim.api_key();
    let secret = sim.secret_key();
    let v3 = |expires: &str| {
        pairs(&[
            ("command", "listZones"),
            ("response", "json"),
            ("apiKey", key),
            ("signatureVersion", "3"),
            ("expires", expires),
        ])
    };

    // Control: a fresh v3 signature works.
    let fresh = support::signed_query(&v3(&support::expires(time::Duration::minutes(5))), secret);
    assert_eq!(get(&mut http, &fresh).await.0, 200);

    // Tampered: a parameter changed or added after signing.
    let tampered = fresh.replace("command=listZones", "command=listAccounts");
    let response = http
        .send(
            "GET",
            format!("/client/api?{tampered}").as_bytes(),
            &[],
            &[],
        )
        .await
        .expect("answered");
    assert_eq!(
        response.status,
        401,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(
        get(&mut http, &format!("{fresh}&listall=true")).await.0,
        401
    );
    // Signed with another secret.
    let other = support::signed_query(&v3(&support::expires(time::Duration::minutes(5))), "other");
    assert_eq!(get(&mut http, &other).await.0, 401);

    // Expired: in the past (both date forms), or unparsable.
    let past = support::signed_query(&v3(&support::expires(-time::Duration::minutes(1))), secret);
    let (status, inner) = get(&mut http, &past).await;
    assert_eq!(status, 401, "{inner}");
    assert!(
        inner.get("cserrorcode").is_none(),
        "401 answers carry no cserrorcode"
    );
    let iso = (time::OffsetDateTime::now_utc() - time::Duration::seconds(30))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a timestamp");
    assert_eq!(
        get(&mut http, &support::signed_query(&v3(&iso), secret))
            .await
            .0,
        401
    );
    assert_eq!(
        get(&mut http, &support::signed_query(&v3("tomorrow"), secret))
            .await
            .0,
        401
    );

    // Replayed after expiry: accepted while valid, refused once expired.
    let soon = support::signed_query(&v3(&support::expires(time::Duration::seconds(2))), secret);
    assert_eq!(get(&mut http, &soon).await.0, 200, "valid until it expires");
    assert_eq!(
        get(&mut http, &soon).await.0,
        200,
        "a replay inside the window is CloudStack's behaviour"
    );
    tokio::time::sleep(Duration::from_millis(3200)).await;
    assert_eq!(
        get(&mut http, &soon).await.0,
        401,
        "the same request after its expiry"
    );
    sim.shutdown().await;
}

/// Creates a user account (type 0) and a key-signed client for its user.
async fn user(admin: &Client, name: &str) -> (Client, String) {
    let answer = admin
        .call(api("createAccount"))
        .params(Params::from([
            ("username", name),
            ("password", "pw-isolation-1"),
            ("firstname", "I"),
            ("lastname", "So"),
            ("email", "i@example.com"),
            ("accounttype", "0"),
        ]))
        .await
        .expect("an account");
    let account = &answer["account"];
    let user_id = account["user"][0]["id"].as_str().expect("a user id");
    let client = admin.for_user(user_id).await.expect("the user's keys");
    (
        client,
        account["id"].as_str().expect("an account id").to_owned(),
    )
}

fn first_id(answer: &Value, key: &str) -> String {
    answer[key][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {answer}"))
        .to_owned()
}

fn ids(answer: &Value, key: &str) -> Vec<String> {
    answer[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_cannot_use_admin_apis_or_touch_other_accounts() {
    let sim = Simulator::start(SimulatorConfig {
        job_delay: Duration::from_millis(1),
        ..Default::default()
    })
    .await
    .expect("the simulator starts");
    let admin = support::client(&sim.url(), sim.api_key(), sim.secret_key());
    let (alice, alice_account) = user(&admin, "alice-sec").await;
    let (bob, _) = user(&admin, "bob-sec").await;

    // A user calling an admin API: 432, and listApis does not offer it.
    let error = alice
        .call(api("createDomain"))
        .params(Params::from([("name", "nope")]))
        .await
        .expect_err("a user may not create domains");
    assert_eq!(error.code(), Some(ErrorCode::UnsupportedAction), "{error}");
    let error = alice
        .call(api("listHosts"))
        .await
        .expect_err("a user may not list hosts");
    assert_eq!(error.code(), Some(ErrorCode::UnsupportedAction), "{error}");
    let apis = alice
        .list_all("listApis", Params::new())
        .await
        .expect("listApis");
    assert!(!apis.is_empty());
    assert!(
        !apis
            .iter()
            .any(|api| api["name"] == "createDomain" || api["name"] == "listHosts"),
        "listApis offers admin APIs to a user"
    );

    // Alice's resources: a volume, a VM, an SSH key pair.
    let zone = first_id(&admin.call(api("listZones")).await.expect("zones"), "zone");
    let disk = first_id(
        &alice
            .call(api("listDiskOfferings"))
            .await
            .expect("disk offerings"),
        "diskoffering",
    );
    let volume = alice
        .call(api("createVolume"))
        .params(Params::from([
            ("name", "alice-vol"),
            ("zoneid", zone.as_str()),
            ("diskofferingid", disk.as_str()),
        ]))
        .await
        .expect("alice creates a volume");
    let volume = volume["volume"]["id"]
        .as_str()
        .expect("a volume id")
        .to_owned();
    let offering = first_id(
        &alice
            .call(api("listServiceOfferings"))
            .await
            .expect("offerings"),
        "serviceoffering",
    );
    let template = first_id(
        &alice
            .call(api("listTemplates"))
            .params(Params::from([("templatefilter", "executable")]))
            .await
            .expect("templates"),
        "template",
    );
    let vm = alice
        .call(api("deployVirtualMachine"))
        .params(Params::from([
            ("zoneid", zone.as_str()),
            ("serviceofferingid", offering.as_str()),
            ("templateid", template.as_str()),
            ("name", "alice-vm"),
        ]))
        .await
        .expect("alice deploys a VM");
    let vm = vm["virtualmachine"]["id"]
        .as_str()
        .expect("a VM id")
        .to_owned();
    alice
        .call(api("createSSHKeyPair"))
        .params(Params::from([("name", "alice-key")]))
        .await
        .expect("alice creates a key pair");

    // Bob sees none of it, even when he names it or asks for everything.
    for (command, key, id, extra) in [
        ("listVolumes", "volume", &volume, None),
        ("listVirtualMachines", "virtualmachine", &vm, None),
        ("listAccounts", "account", &alice_account, None),
        ("listVolumes", "volume", &volume, Some(("listall", "true"))),
        (
            "listVirtualMachines",
            "virtualmachine",
            &vm,
            Some(("listall", "true")),
        ),
    ] {
        let mut params = Params::new();
        if let Some((name, value)) = extra {
            params.set(name, value);
        }
        let all = bob
            .call(api(command))
            .params(params)
            .no_wait()
            .await
            .expect("bob lists");
        assert!(
            !ids(&all, key).contains(id),
            "bob's {command} shows alice's {key}"
        );
        let named = bob
            .call(api(command))
            .params(Params::from([("id", id.as_str())]))
            .no_wait()
            .await;
        if let Ok(named) = named {
            assert!(
                !ids(&named, key).contains(id),
                "bob's {command} id=.. shows alice's {key}"
            );
        }
    }
    let keys = bob.call(api("listSSHKeyPairs")).await.expect("key pairs");
    assert!(
        !keys["sshkeypair"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|k| k["name"] == "alice-key"),
        "bob sees alice's key pair"
    );

    // Bob acting on them: 531.
    for (command, params) in [
        ("deleteVolume", Params::from([("id", volume.as_str())])),
        ("destroyVirtualMachine", Params::from([("id", vm.as_str())])),
        ("stopVirtualMachine", Params::from([("id", vm.as_str())])),
        (
            "updateVirtualMachine",
            Params::from([("id", vm.as_str()), ("displayname", "bob")]),
        ),
    ] {
        let error = bob
            .call(api(command))
            .params(params)
            .await
            .expect_err("bob may not act on alice's resources");
        assert_eq!(
            error.code(),
            Some(ErrorCode::AccountError),
            "{command}: {error}"
        );
    }

    // What bob could not do, alice can: the refusals were about ownership.
    alice
        .call(api("destroyVirtualMachine"))
        .params(Params::from([("id", vm.as_str())]))
        .await
        .expect("alice destroys her VM");
    alice
        .call(api("deleteVolume"))
        .params(Params::from([("id", volume.as_str())]))
        .await
        .expect("alice deletes her volume");
    sim.shutdown().await;
}

// ----- role changes --------------------------------------------------------

/// How a role is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoleChange {
    /// `createAccount roleid=<role>`.
    CreateWithRole,
    /// `createAccount accounttype=<the role's type>`.
    CreateWithType,
    /// `updateAccount id=<a user account> roleid=<role>`.
    UpdateRole,
}

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asker {
    RootAdmin,
    DomainAdmin,
    ResourceAdmin,
    User,
}

/// Where the account is: in the callers' sub-domain, or in ROOT (outside
/// every caller's subtree but the root admin's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Inside,
    Outside,
}

/// The default roles, in the order of the matrix's columns: the name
/// `listRoles` shows, the role type, the account type it gives.
const TARGET_ROLES: [(&str, &str, &str); 4] = [
    ("Root Admin", "Admin", "1"),
    ("Resource Admin", "ResourceAdmin", "3"),
    ("Domain Admin", "DomainAdmin", "2"),
    ("User", "User", "0"),
];

/// The expected HTTP code of every cell, for the target roles Admin,
/// ResourceAdmin, DomainAdmin, User. Sources: CloudStack's
/// `AccountManagerImpl` (`createUserAccount`, `createAccount`,
/// `updateAccount`, `validateRoleChange`, `checkRoleEscalation`,
/// `verifyCallerPrivilegeForUserOrAccountOperations`), `RoleManagerImpl.findRole`,
/// `RoleType.getAccountTypeByRole` and `DomainChecker`.
/// The callers' sub-domain has a dedicated zone (resource admin accounts
/// need one); ROOT has none.
#[rustfmt::skip]
const ROLE_MATRIX: &[(RoleChange, Asker, Place, [u16; 4])] = &[
    // Root admin, role by id. Admin: its type ADMIN outside ROOT is an IPVE
    // (createAccount). The rest: allowed.
    (RoleChange::CreateWithRole, Asker::RootAdmin, Place::Inside, [431, 200, 200, 200]),
    // In ROOT, Admin is fine; ResourceAdmin needs a private zone ROOT lacks
    // (createAccount: "not associated with any private Zone", IPVE).
    (RoleChange::CreateWithRole, Asker::RootAdmin, Place::Outside, [200, 431, 200, 200]),
    // Domain admin: findRole hides Admin, so the type is unknown
    // (verifyCallerPrivilege..., PDE); ResourceAdmin ranks above DomainAdmin
    // ("lower role type", PDE); its own rank and below: allowed.
    (RoleChange::CreateWithRole, Asker::DomainAdmin, Place::Inside, [531, 531, 200, 200]),
    // ROOT is outside its subtree: checkAccess(caller, domain), PDE.
    (RoleChange::CreateWithRole, Asker::DomainAdmin, Place::Outside, [531, 531, 531, 531]),
    // Resource admin: Admin hidden (unknown type, PDE); ResourceAdmin is
    // its own rank, DomainAdmin and User below it: allowed.
    (RoleChange::CreateWithRole, Asker::ResourceAdmin, Place::Inside, [531, 200, 200, 200]),
    (RoleChange::CreateWithRole, Asker::ResourceAdmin, Place::Outside, [531, 531, 531, 531]),
    // Users may not call createAccount: 432 (the role's API rules).
    (RoleChange::CreateWithRole, Asker::User, Place::Inside, [432, 432, 432, 432]),
    (RoleChange::CreateWithRole, Asker::User, Place::Outside, [432, 432, 432, 432]),

    // Root admin, by account type: ADMIN outside ROOT (IPVE), else allowed.
    (RoleChange::CreateWithType, Asker::RootAdmin, Place::Inside, [431, 200, 200, 200]),
    (RoleChange::CreateWithType, Asker::RootAdmin, Place::Outside, [200, 431, 200, 200]),
    // Domain admin: ADMIN outside ROOT (IPVE, checked before the caller's
    // rank); RESOURCE_DOMAIN_ADMIN ranks above it (PDE).
    (RoleChange::CreateWithType, Asker::DomainAdmin, Place::Inside, [431, 531, 200, 200]),
    (RoleChange::CreateWithType, Asker::DomainAdmin, Place::Outside, [531, 531, 531, 531]),
    (RoleChange::CreateWithType, Asker::ResourceAdmin, Place::Inside, [431, 200, 200, 200]),
    (RoleChange::CreateWithType, Asker::ResourceAdmin, Place::Outside, [531, 531, 531, 531]),
    (RoleChange::CreateWithType, Asker::User, Place::Inside, [432, 432, 432, 432]),
    (RoleChange::CreateWithType, Asker::User, Place::Outside, [432, 432, 432, 432]),

    // Root admin changing a user account's role: Admin only in ROOT
    // (validateRoleChange: "does not belong to the ROOT domain", PDE).
    (RoleChange::UpdateRole, Asker::RootAdmin, Place::Inside, [531, 200, 200, 200]),
    (RoleChange::UpdateRole, Asker::RootAdmin, Place::Outside, [200, 200, 200, 200]),
    // Domain admin: Admin passes listRoles (no rules), findRole hides it and
    // validateRoleChange fails on null: 530; ResourceAdmin ranks above the
    // caller (validateRoleChange, PDE).
    (RoleChange::UpdateRole, Asker::DomainAdmin, Place::Inside, [530, 531, 200, 200]),
    // An account outside its subtree: the @ACL check on `id`
    // (DomainChecker), PDE.
    (RoleChange::UpdateRole, Asker::DomainAdmin, Place::Outside, [531, 531, 531, 531]),
    (RoleChange::UpdateRole, Asker::ResourceAdmin, Place::Inside, [530, 200, 200, 200]),
    (RoleChange::UpdateRole, Asker::ResourceAdmin, Place::Outside, [531, 531, 531, 531]),
    (RoleChange::UpdateRole, Asker::User, Place::Inside, [432, 432, 432, 432]),
    (RoleChange::UpdateRole, Asker::User, Place::Outside, [432, 432, 432, 432]),
];

/// Creates an account as `admin`; returns its id and its first user's id.
async fn account_in(admin: &Client, name: &str, kind: &str, domain: &str) -> (String, String) {
    let answer = admin
        .call(api("createAccount"))
        .params(Params::from([
            ("username", name),
            ("password", "pw-roles-1"),
            ("firstname", "R"),
            ("lastname", "Ole"),
            ("email", "r@example.com"),
            ("accounttype", kind),
            ("domainid", domain),
        ]))
        .await
        .unwrap_or_else(|e| panic!("account {name}: {e}"));
    let account = &answer["account"];
    (
        account["id"].as_str().expect("an account id").to_owned(),
        account["user"][0]["id"]
            .as_str()
            .expect("a user id")
            .to_owned(),
    )
}

/// The HTTP code of a sync call, and its answer when it succeeded.
async fn attempt(client: &Client, command: &str, params: Params) -> (u16, Option<Value>) {
    match client.call(api(command)).params(params).no_wait().await {
        Ok(answer) => (200, Some(answer)),
        Err(error) => (
            error
                .code()
                .map(ErrorCode::as_u16)
                .unwrap_or_else(|| panic!("{command}: not an API error: {error}")),
            None,
        ),
    }
}

/// The accounts named `name` anywhere, as the root admin sees them.
async fn accounts_named(admin: &Client, name: &str) -> Vec<Value> {
    let answer = admin
        .call(api("listAccounts"))
        .params(Params::from([("name", name), ("listall", "true")]))
        .await
        .expect("listAccounts");
    answer["account"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_changes_by_every_caller_type_against_every_target_role() {
    let sim = Simulator::start(SimulatorConfig {
        job_delay: Duration::from_millis(1),
        ..Default::default()
    })
    .await
    .expect("the simulator starts");
    let admin = support::client(&sim.url(), sim.api_key(), sim.secret_key());
    let root = admin
        .call(api("listDomains"))
        .params(Params::from([("name", "ROOT")]))
        .await
        .expect("ROOT");
    let root = root["domain"][0]["id"]
        .as_str()
        .expect("ROOT's id")
        .to_owned();
    let sub = admin
        .call(api("createDomain"))
        .params(Params::from([("name", "role-matrix")]))
        .await
        .expect("a domain");
    let sub = sub["domain"]["id"]
        .as_str()
        .expect("a domain id")
        .to_owned();
    admin
        .call(api("createZone"))
        .params(Params::from([
            ("name", "role-matrix-private"),
            ("networktype", "Advanced"),
            ("dns1", "8.8.8.8"),
            ("internaldns1", "10.0.0.1"),
            ("domainid", sub.as_str()),
        ]))
        .await
        .expect("a zone dedicated to the sub-domain");
    let mut askers = Vec::new();
    for (asker, name, kind) in [
        (Asker::DomainAdmin, "rm-domain-admin", "2"),
        (Asker::ResourceAdmin, "rm-resource-admin", "3"),
        (Asker::User, "rm-user", "0"),
    ] {
        let (_, user) = account_in(&admin, name, kind, &sub).await;
        let client = admin.for_user(&user).await.expect("the caller's keys");
        askers.push((asker, client));
    }
    let mut role_ids = Vec::new();
    for (name, _, _) in TARGET_ROLES {
        let roles = admin
            .call(api("listRoles"))
            .params(Params::from([("name", name)]))
            .await
            .expect("listRoles");
        role_ids.push(roles["role"][0]["id"].as_str().expect("a role").to_owned());
    }

    let mut mismatches = Vec::new();
    for (row, (change, asker, place, expected)) in ROLE_MATRIX.iter().enumerate() {
        let caller = match asker {
            Asker::RootAdmin => &admin,
            other => &askers.iter().find(|(a, _)| a == other).expect("a caller").1,
        };
        let domain = match place {
            Place::Inside => sub.as_str(),
            Place::Outside => root.as_str(),
        };
        for (column, ((_, role_type, account_type), role_id)) in
            TARGET_ROLES.iter().zip(&role_ids).enumerate()
        {
            let cell = format!("{change:?} by {asker:?}, {place:?}, {role_type}");
            let name = format!("rm-{row}-{column}");
            let (code, granted) = match change {
                RoleChange::CreateWithRole | RoleChange::CreateWithType => {
                    let mut params = Params::from([
                        ("username", name.as_str()),
                        ("password", "pw-roles-2"),
                        ("firstname", "N"),
                        ("lastname", "Ew"),
                        ("email", "n@example.com"),
                        ("domainid", domain),
                    ]);
                    if *change == RoleChange::CreateWithRole {
                        params.set("roleid", role_id.as_str());
                    } else {
                        params.set("accounttype", *account_type);
                    }
                    let (code, _) = attempt(caller, "createAccount", params).await;
                    // Refused: no account was created; granted: the account
                    // has the role and the role's account type.
                    let found = accounts_named(&admin, &name).await;
                    let granted = if code == 200 {
                        assert_eq!(found.len(), 1, "{cell}: one account");
                        Some(found[0].clone())
                    } else {
                        assert!(found.is_empty(), "{cell}: refused ({code}) but created");
                        None
                    };
                    (code, granted)
                }
                RoleChange::UpdateRole => {
                    let (target, _) = account_in(&admin, &name, "0", domain).await;
                    let (code, _) = attempt(
                        caller,
                        "updateAccount",
                        Params::from([("id", target.as_str()), ("roleid", role_id.as_str())]),
                    )
                    .await;
                    let found = accounts_named(&admin, &name).await;
                    assert_eq!(found.len(), 1, "{cell}: the target");
                    if code != 200 {
                        // Refused: the account is still a plain user.
                        assert_eq!(
                            (&found[0]["roletype"], &found[0]["accounttype"]),
                            (&Value::from("User"), &Value::from(0)),
                            "{cell}: refused ({code}) but changed"
                        );
                    }
                    (code, (code == 200).then(|| found[0].clone()))
                }
            };
            if let Some(account) = granted {
                assert_eq!(account["roletype"], *role_type, "{cell}: the role given");
                assert_eq!(
                    account["accounttype"].to_string(),
                    *account_type,
                    "{cell}: the account type follows the role"
                );
            }
            if code != expected[column] {
                mismatches.push(format!("{cell}: {code}, expected {}", expected[column]));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "cells that differ:\n{}",
        mismatches.join("\n")
    );

    // The callers are what they were: none of them became a root admin.
    for (asker, client) in &askers {
        let error = client
            .call(api("listHosts"))
            .await
            .expect_err("listHosts stays the root admin's");
        assert_eq!(
            error.code(),
            Some(ErrorCode::UnsupportedAction),
            "{asker:?}: {error}"
        );
    }
    sim.shutdown().await;
}

/// A TLS listener with a self-signed certificate that answers every
/// request with an empty `listZones`; returns its port.
async fn self_signed_listener(cert: &rcgen::CertifiedKey) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;
    let certs = vec![cert.cert.der().clone()];
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        cert.key_pair.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("a server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("an address").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let body = r#"{"listzonesresponse":{}}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_verifies_tls_certificates_by_default() {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a certificate");
    let port = self_signed_listener(&cert).await;
    let url = format!("https://localhost:{port}/client/api");

    let by_default = Client::builder(&url)
        .keys("key", "secret")
        .retries(0)
        .build()
        .expect("a client");
    let error = by_default
        .call(api("listZones"))
        .await
        .expect_err("a self-signed certificate is refused");
    assert!(error.is_transport(), "a transport error: {error:?}");

    // The same server with its certificate trusted: the refusal above was
    // the certificate check, not a broken listener.
    let trusting = Client::builder(&url)
        .keys("key", "secret")
        .retries(0)
        .ca_cert_pem(cert.cert.pem().as_bytes())
        .build()
        .expect("a client");
    let answer = trusting
        .call(api("listZones"))
        .await
        .expect("the trusted certificate is accepted");
    assert!(answer.is_object());
}

// ----- no secret in any log -------------------------------------------------

/// Everything the child's run logged, traced and displayed.
fn capture() -> &'static Mutex<Vec<u8>> {
    static CAPTURE: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    CAPTURE.get_or_init(|| Mutex::new(Vec::new()))
}

/// What dependencies logged through the `log` crate. Marvin's own
/// subscribers never forward `log` records (no `tracing-log` bridge), so
/// these reach no output of a Marvin run; they are searched and reported,
/// not failed on (see docs/reliability.md).
fn log_capture() -> &'static Mutex<Vec<String>> {
    static CAPTURE: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    CAPTURE.get_or_init(|| Mutex::new(Vec::new()))
}

fn record(text: &str) {
    let mut buffer = capture()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    buffer.extend_from_slice(text.as_bytes());
    buffer.push(b'\n');
}

#[derive(Clone, Copy)]
struct CaptureWriter;

impl std::io::Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        capture()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The `log` records of dependencies (reqwest logs through `log`).
struct CaptureLog;

impl log::Log for CaptureLog {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        log_capture()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(format!(
                "{} {}: {}",
                record.level(),
                record.target(),
                record.args()
            ));
    }

    fn flush(&self) {}
}

static CAPTURE_LOG: CaptureLog = CaptureLog;

const CHILD: &str = "MARVIN_SECRET_SCAN_CHILD";

/// Runs the scenario in a child process (this binary, the ignored test
/// below) so that its global TRACE subscriber sees every thread and only
/// that run.
#[test]
fn no_secret_reaches_any_log_trace_error_or_report() {
    let output = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "security::secret_scan_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("the child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the secret scan failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    eprintln!(
        "{}",
        stderr
            .lines()
            .filter(|l| l.starts_with("secret scan"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The child half of the test above; does nothing outside it.
#[test]
#[ignore = "run by no_secret_reaches_any_log_trace_error_or_report in a child process"]
fn secret_scan_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(|| CaptureWriter)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    log::set_logger(&CAPTURE_LOG).expect("the only logger");
    log::set_max_level(log::LevelFilter::Trace);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        record(&format!("panic: {info}"));
        previous(info);
    }));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let secrets = runtime.block_on(secret_scenario());

    let text = String::from_utf8_lossy(&capture().lock().expect("the capture")).into_owned();
    let lines = text.lines().count();
    // The capture works: both sides traced their calls.
    assert!(text.contains("cloudstack.call"), "client spans captured");
    assert!(text.contains("api{command="), "simulator spans captured");
    let mut leaks = Vec::new();
    for (what, secret) in &secrets {
        // (VM passwords are 6 characters, CloudStack's default length.)
        assert!(secret.len() >= 6, "{what} is a real secret");
        for form in [secret.clone(), java_url_encode(secret)] {
            if let Some(at) = text.find(&form) {
                let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
                leaks.push(format!("{what}: {}", &text[start..end]));
            }
        }
    }
    // Dependencies log through the `log` crate (reqwest, hyper, rustls):
    // a program that forwards those records must not see secrets either.
    let logged = log_capture().lock().expect("the log capture").clone();
    for line in &logged {
        for (what, secret) in &secrets {
            if line.contains(secret.as_str()) {
                leaks.push(format!("{what} in a `log` record: {line}"));
            }
        }
    }
    // Signatures are computed inside the client: look for their shape, a
    // 28-character base64 HMAC-SHA1, raw or percent-encoded.
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=%".contains(c))) {
        let decoded = token
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "=");
        if decoded.len() == 28
            && decoded.ends_with('=')
            && decoded[..27]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            && decoded[..27].bytes().any(|b| b.is_ascii_digit())
            && decoded[..27].bytes().any(|b| b.is_ascii_uppercase())
        {
            leaks.push(format!("a signature-shaped token {token}"));
        }
    }
    eprintln!(
        "secret scan: {lines} lines ({} bytes) of TRACE logs, errors and Debug output searched for {} secrets and signature-shaped tokens",
        text.len(),
        secrets.len()
    );
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

/// Exercises every path that could leak and returns the secrets it saw.
async fn secret_scenario() -> Vec<(&'static str, String)> {
    let sim = Simulator::start(SimulatorConfig {
        job_delay: Duration::from_millis(1),
        ..Default::default()
    })
    .await
    .expect("the simulator starts");
    let mut secrets = vec![("admin secret key", sim.secret_key().to_owned())];
    record(&format!("{sim:?}"));
    let admin = support::client(&sim.url(), sim.api_key(), sim.secret_key());
    record(&format!("{admin:?}"));
    // The seeded admin's password is CloudStack's well-known `password`:
    // give it a real one, then log in with it.
    let admin_password = format!("Admin-{}", uuid::Uuid::new_v4().simple());
    secrets.push(("admin password", admin_password.clone()));
    let me = admin
        .call(api("listUsers"))
        .params(Params::from([("username", sim.admin_username())]))
        .await
        .expect("the admin user");
    let admin_id = me["user"][0]["id"].as_str().expect("an id").to_owned();
    admin
        .call(api("updateUser"))
        .params(Params::from([
            ("id", admin_id.as_str()),
            ("password", admin_password.as_str()),
        ]))
        .await
        .expect("a new admin password");
    let admin_session = Client::builder(sim.url())
        .credentials(sim.admin_username(), admin_password.as_str(), "/")
        .build()
        .expect("an admin session client");
    admin_session
        .call(api("listAccounts"))
        .params(Params::from([("listall", "true")]))
        .await
        .expect("an admin session call");
    record(&format!("{admin_session:?}"));
    let password = format!("Pw-{}", uuid::Uuid::new_v4().simple());
    secrets.push(("user password", password.clone()));
    let answer = admin
        .call(api("createAccount"))
        .params(Params::from([
            ("username", "scanned"),
            ("password", password.as_str()),
            ("firstname", "S"),
            ("lastname", "Can"),
            ("email", "s@example.com"),
            ("accounttype", "0"),
        ]))
        .await
        .expect("an account");
    let user_id = answer["account"]["user"][0]["id"]
        .as_str()
        .expect("a user")
        .to_owned();
    let keys = admin
        .call(api("registerUserKeys"))
        .params(Params::from([("id", user_id.as_str())]))
        .await
        .expect("keys");
    let user_secret = keys["userkeys"]["secretkey"]
        .as_str()
        .expect("a secret key")
        .to_owned();
    secrets.push(("user secret key", user_secret));
    let user = admin.for_user(&user_id).await.expect("a user client");
    record(&format!("{user:?}"));
    user.call(api("listZones")).await.expect("listZones");
    let errors = [
        user.call(api("createDomain"))
            .params(Params::from([("name", "x")]))
            .await,
        user.call(api("deleteVolume"))
            .params(Params::from([("id", "nope")]))
            .await,
        admin
            .call(api("createAccount"))
            .params(Params::from([
                ("username", "no-password"),
                ("password", password.as_str()),
            ]))
            .await,
        admin
            .call(api("deleteDomain"))
            .params(Params::from([(
                "id",
                "0f8fad5b-d9cb-469f-a165-70867728950e",
            )]))
            .await,
    ];
    for error in errors.iter().filter_map(|r| r.as_ref().err()) {
        record(&format!("error display: {error}"));
        record(&format!("error debug: {error:?}"));
    }

    // A session: login (password), calls (session key), logout.
    let session = Client::builder(sim.url())
        .credentials("scanned", password.as_str(), "/")
        .build()
        .expect("a session client");
    session
        .call(api("listZones"))
        .await
        .expect("a session call");
    let session_keys: Vec<String> = sim.with_db(|conn| {
        let mut stmt = conn
            .prepare("SELECT session_key FROM sessions")
            .expect("sessions");
        stmt.query_map([], |row| row.get::<_, String>(0))
            .expect("rows")
            .filter_map(Result::ok)
            .collect()
    });
    assert!(!session_keys.is_empty(), "a session exists");
    for key in session_keys {
        secrets.push(("session key", key));
    }
    record(&format!("{session:?}"));
    session.logout().await.expect("logout");
    let wrong = Client::builder(sim.url())
        .credentials("scanned", "Wrong-password-123", "/")
        .build()
        .expect("a session client");
    secrets.push(("wrong password", "Wrong-password-123".to_owned()));
    if let Err(error) = wrong.call(api("listZones")).await {
        record(&format!("error display: {error}"));
        record(&format!("error debug: {error:?}"));
    }

    // An async job whose result carries a secret (a VM password).
    match vm_password(&sim, &admin).await {
        Some(vm_password) => secrets.push(("VM password", vm_password)),
        None => eprintln!(
            "secret scan: no VM password to search for (resetPasswordForVirtualMachine gave none)"
        ),
    }

    // The standalone simulator's output.
    secrets.extend(cli_output_secret(&sim).await);
    sim.shutdown().await;
    secrets
}

async fn vm_password(sim: &RunningSimulator, admin: &Client) -> Option<String> {
    let zone = first_id(&admin.call(api("listZones")).await.ok()?, "zone");
    let offering = first_id(
        &admin.call(api("listServiceOfferings")).await.ok()?,
        "serviceoffering",
    );
    let template = first_id(
        &admin
            .call(api("listTemplates"))
            .params(Params::from([("templatefilter", "featured")]))
            .await
            .ok()?,
        "template",
    );
    let _ = sim;
    admin
        .call(api("updateTemplate"))
        .params(Params::from([
            ("id", template.as_str()),
            ("passwordenabled", "true"),
        ]))
        .await
        .ok()?;
    let vm = admin
        .call(api("deployVirtualMachine"))
        .params(Params::from([
            ("zoneid", zone.as_str()),
            ("serviceofferingid", offering.as_str()),
            ("templateid", template.as_str()),
        ]))
        .await
        .ok()?;
    let id = vm["virtualmachine"]["id"].as_str()?.to_owned();
    admin
        .call(api("stopVirtualMachine"))
        .params(Params::from([("id", id.as_str())]))
        .await
        .ok()?;
    let reset = admin
        .call(api("resetPasswordForVirtualMachine"))
        .params(Params::from([("id", id.as_str())]))
        .await
        .ok()?;
    reset["virtualmachine"]["password"]
        .as_str()
        .filter(|p| p.len() >= 6)
        .map(str::to_owned)
}

/// Starts `marvin simulator` briefly and records what it prints; returns
/// the secret key of that simulator (from the config file it wrote).
async fn cli_output_secret(_sim: &RunningSimulator) -> Vec<(&'static str, String)> {
    let dir = std::env::temp_dir().join(format!("marvin-secret-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let config = dir.join("config.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_marvin"))
        .args(["simulator", "--port", "0", "--write-config"])
        .arg(&config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("marvin simulator starts");
    let mut secret = None;
    for _ in 0..500 {
        if let Some(value) = std::fs::read_to_string(&config)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        {
            secret = value["mgtSvr"][0]["securityKey"]
                .as_str()
                .map(str::to_owned);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = child.kill();
    let output = child.wait_with_output().expect("the simulator's output");
    record(&String::from_utf8_lossy(&output.stdout));
    record(&String::from_utf8_lossy(&output.stderr));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::io::stderr().flush();
    vec![(
        "standalone simulator secret key",
        secret.expect("marvin simulator wrote its config"),
    )]
}
