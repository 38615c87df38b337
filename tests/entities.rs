//! The generated typed layer against the embedded simulator, through the
//! real client: creators, enumerators, verbs, refresh, typed commands, and the
//! `marvin sync` round trip of the precache.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use marvin::entities::{Account, CallOptions, Domain, Zone, api};
use marvin_core::schema::ApiList;
use marvin_core::{CallRecord, Client, Error, Params};

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

/// What a traced client keeps of each call: command, method and job id.
type Calls = Arc<Mutex<Vec<(String, &'static str, Option<String>)>>>;

/// A client that keeps a `(command, method, job id)` line per call.
fn traced() -> (Client, Calls) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    let client = admin().with_observer(Arc::new(move |record: &CallRecord| {
        seen.lock().expect("calls").push((
            record.command.clone(),
            record.method,
            record.job_id.clone(),
        ));
    }));
    (client, calls)
}

async fn new_account(client: &Client) -> Account {
    let name = unique("opt");
    Account::create(client)
        .email(format!("{name}@example.com"))
        .firstname("Grace")
        .lastname("Hopper")
        .password("Secret-1")
        .username(name)
        .await
        .expect("createAccount")
}

#[tokio::test]
async fn per_call_options_of_typed_calls_reach_the_wire() {
    let (client, calls) = traced();
    let account = new_account(&client).await;
    calls.lock().expect("calls").clear();

    // `.post()` sends a POST; without it the same listing is a GET.
    Zone::list(&client).post().await.expect("listZones as POST");
    Zone::list(&client).await.expect("listZones as GET");
    let methods: Vec<_> = calls
        .lock()
        .expect("calls")
        .drain(..)
        .map(|(command, method, _)| (command, method))
        .collect();
    assert_eq!(
        methods,
        [
            ("listZones".to_owned(), "POST"),
            ("listZones".to_owned(), "GET")
        ]
    );

    // `.no_wait()` on an async verb answers with the job, unwaited: one
    // call, no poll. Waiting for it later gives the verb's typed answer.
    let job = account
        .disable(&client)
        .lock(false)
        .no_wait()
        .await
        .expect("disableAccount submitted");
    assert!(!job.job_id().is_empty());
    assert_eq!(job.command(), "disableAccount");
    let submitted: Vec<_> = calls.lock().expect("calls").drain(..).collect();
    assert_eq!(
        submitted,
        [("disableAccount".to_owned(), "GET", None)],
        "submitted without a poll"
    );
    let disabled = job.wait(&client).await.expect("the job succeeds");
    assert_eq!(disabled.id, account.id);
    assert_eq!(disabled.state.as_deref(), Some("disabled"));
    let waited: Vec<_> = calls.lock().expect("calls").drain(..).collect();
    assert_eq!(
        waited,
        [(
            "queryAsyncJobResult".to_owned(),
            "GET",
            Some(job.job_id().to_owned())
        )]
    );

    account.delete(&client).await.expect("deleteAccount");
}

#[tokio::test]
async fn a_job_timeout_ends_the_wait_with_the_job_named() {
    let client = admin();
    let account = new_account(&client).await;
    let user = account.user.first().expect("the account's user");
    // Only this test disables users: the delayed job is this one.
    client
        .call(api("configureSimulatorFault"))
        .params(Params::from([
            ("apiname", "disableUser"),
            ("action", "delay"),
            ("target", "job"),
            ("delay", "30000"),
        ]))
        .await
        .expect("fault armed");
    let late = user
        .disable(&client)
        .job_timeout(Duration::from_millis(300))
        .await
        .expect_err("the job cannot finish within 300 ms");
    assert!(matches!(late, Error::JobTimeout { .. }), "{late:?}");
    let message = late.to_string();
    assert!(
        message.starts_with("async job ")
            && message.contains(" of disableUser did not finish within "),
        "{message}"
    );
    assert_eq!(late.command(), Some("disableUser"));

    account.delete(&client).await.expect("deleteAccount");
}

#[tokio::test]
async fn sync_from_the_simulator_reproduces_the_precache() {
    let client = admin();
    let fetched = marvin_deploy::sync::fetch_precache(&client)
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
