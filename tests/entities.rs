//! The generated typed layer against the embedded simulator, through the
//! real client: creators, enumerators, verbs, refresh, typed commands, and the
//! `marvin sync` round trip of the precache.

use marvin::entities::{Account, Domain, Zone};
use marvin_core::Client;
use marvin_core::schema::ApiList;

fn admin() -> Client {
    marvin::embedded_simulator()
        .expect("the embedded simulator starts")
        .admin_client()
        .expect("admin client")
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn an_account_is_created_listed_disabled_and_deleted() {
    let client = admin();
    let name = unique("ent");
    let account = Account::create(&client)
        .email(format!("{name}@example.com"))
        .firstname("Ada")
        .lastname("Lovelace")
        .password("Secret-1")
        .username(name.clone())
        .await
        .expect("createAccount");
    assert_eq!(account.name.as_deref(), Some(name.as_str()));

    let listed = Account::list(&client)
        .name(name.clone())
        .listall(true)
        .await
        .expect("listAccounts");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, account.id);

    let disabled = account
        .disable(&client)
        .lock(false)
        .await
        .expect("disableAccount (async)");
    assert_eq!(disabled.state.as_deref(), Some("disabled"));
    let refreshed = account.refresh(&client).await.expect("refresh");
    assert_eq!(refreshed.state.as_deref(), Some("disabled"));

    account
        .delete(&client)
        .await
        .expect("deleteAccount (async)");
    let gone = Account::list(&client)
        .name(name)
        .listall(true)
        .await
        .expect("listAccounts");
    assert!(gone.is_empty(), "the account is gone: {gone:?}");
}

#[tokio::test]
async fn zones_are_enumerated_as_typed_entities() {
    let client = admin();
    let zones = Zone::list(&client).await.expect("listZones");
    assert!(!zones.is_empty());
    assert!(
        zones
            .iter()
            .all(|zone| zone.name.is_some() && !zone.id.is_empty())
    );
}

#[tokio::test]
async fn a_typed_command_is_sent_and_its_refusal_is_typed() {
    let client = admin();
    let name = unique("dom");
    let domain = Domain::create(&client)
        .name(name.clone())
        .await
        .expect("createDomain");
    assert_eq!(
        domain.path.as_deref(),
        Some(format!("ROOT/{name}").as_str())
    );
    let duplicate = Domain::create(&client)
        .name(name)
        .await
        .expect_err("a duplicate is refused");
    assert_eq!(duplicate.code(), Some(marvin_core::ErrorCode::ParamError));
    domain.delete(&client).await.expect("deleteDomain");
}

#[tokio::test]
async fn sync_from_the_simulator_reproduces_the_precache() {
    let client = admin();
    let fetched = marvin::sync::fetch_precache(&client)
        .await
        .expect("listApis");
    let committed =
        ApiList::from_json(include_str!("../api-precache.json")).expect("the precache parses");
    let mut expected = committed.clone();
    expected.normalize();
    assert_eq!(
        committed, expected,
        "the committed precache is in normalised form"
    );
    assert_eq!(
        fetched.to_pretty_json(),
        include_str!("../api-precache.json")
    );
}
