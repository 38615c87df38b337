//! Intents: a create writes one before its request goes out; its `created`
//! record (or the cloud's refusal) settles it; `sweep` settles the open
//! ones by looking their name up, exactly.

use marvin_core::cleanup::{
    Event, Found, Intent, Ledger, LedgerRecord, Refusal, SweepOptions, render_call, sweep,
};
use marvin_core::testing::{RunSettings, TestContext, TestSpec};
use marvin_core::{Api, Client, Deletion, Params, Resource, Result};
use serde_json::{Value, json};

use crate::fake::{FakeCloud, RULES, TempLedger};

/// An account as the cloud answers it (entity `Account`, which has a
/// lookup rule).
#[derive(Debug, Clone)]
struct Account {
    id: String,
}

impl Resource for Account {
    const ENTITY: &'static str = "Account";

    fn id(&self) -> &str {
        &self.id
    }

    fn deletion(&self) -> Option<Deletion> {
        Some(Deletion::new("Account", &self.id, "deleteAccount", false))
    }
}

fn decode(answer: Value) -> Result<Account> {
    let id = answer["account"]["id"].as_str().unwrap_or_default();
    Ok(Account { id: id.to_owned() })
}

fn settings(ledger: &TempLedger) -> RunSettings {
    RunSettings {
        capabilities: None,
        run_id: "run-intents".into(),
        ledger: Some(ledger.path.clone()),
        selected_tags: None,
        termination_grace: None,
        hardware: false,
        chaos: None,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Creates an account named `name` through `client` with
/// `create_managed_with`, in a test context writing to `ledger`.
fn create(client: Client, ledger: &TempLedger, name: &str) -> Result<String> {
    let ctx = TestContext::new(client, &TestSpec::new("t::intents"), &settings(ledger));
    let params = Params::from([("username", name), ("email", "a@example.com")]);
    let made = runtime().block_on(ctx.create_managed_with(
        ctx.client().call(Api::unknown("createAccount")),
        params,
        |_| None,
        decode,
    ));
    made.map(|account| account.keep().id)
}

fn records(ledger: &TempLedger) -> Vec<LedgerRecord> {
    Ledger::open(&ledger.path).read().unwrap().records
}

#[test]
fn a_create_writes_its_intent_first_and_its_created_record_settles_it() {
    let fake = FakeCloud::start();
    fake.answer(
        "createAccount",
        json!({"account": {"id": "a1", "name": "user-1"}}),
    );
    let ledger = TempLedger::new("intent-settled");
    assert_eq!(create(fake.client(), &ledger, "user-1").unwrap(), "a1");
    let records = records(&ledger);
    let events: Vec<Event> = records.iter().map(|r| r.event).collect();
    assert_eq!(events, [Event::Intent, Event::Created, Event::Kept]);
    let intent = &records[0];
    assert_eq!(intent.entity, "Account");
    assert_eq!(intent.name.as_deref(), Some("user-1"));
    assert_eq!(intent.id, "");
    assert_eq!(
        intent.intent,
        Some(Intent {
            command: "createAccount".into(),
            param: "username".into(),
            projectid: None,
        })
    );
    assert_eq!(intent.endpoint.as_deref(), Some(fake.url.as_str()));
    assert_eq!(records[1].name.as_deref(), Some("user-1"));
    assert!(records[1].settles(intent));
    let contents = Ledger::open(&ledger.path).read().unwrap();
    assert!(contents.open_intents(None).is_empty());
    // The intent line names no secret and no id.
    let text = std::fs::read_to_string(&ledger.path).unwrap();
    let first = text.lines().next().unwrap();
    assert!(!first.contains("\"id\""), "{first}");
    assert!(!first.contains("a@example.com"), "{first}");
}

#[test]
fn a_create_whose_answer_never_came_leaves_its_intent_open() {
    // Nothing listens on port 9: the request fails in transport, as a
    // process killed mid-request never sees its answer.
    let client = Client::builder("http://127.0.0.1:9/client/api")
        .integration()
        .build()
        .unwrap();
    let ledger = TempLedger::new("intent-open");
    assert!(create(client, &ledger, "user-2").is_err());
    let contents = Ledger::open(&ledger.path).read().unwrap();
    let open = contents.open_intents(None);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].name.as_deref(), Some("user-2"));
    assert!(contents.pending(None).is_empty());
}

#[test]
fn an_error_answer_to_the_create_closes_its_intent() {
    let fake = FakeCloud::start();
    fake.refuse("createAccount", 431);
    let ledger = TempLedger::new("intent-refused");
    assert!(create(fake.client(), &ledger, "user-3").is_err());
    let events: Vec<Event> = records(&ledger).iter().map(|r| r.event).collect();
    assert_eq!(events, [Event::Intent, Event::NeverCreated]);
    let contents = Ledger::open(&ledger.path).read().unwrap();
    assert!(contents.open_intents(None).is_empty());
}

/// Writes an open intent of an `entity` named `name` made on `cloud`.
fn open_intent(ledger: &TempLedger, cloud: &str, entity: &str, command: &str, name: &str) {
    let intent = Intent {
        command: command.into(),
        param: "name".into(),
        projectid: None,
    };
    Ledger::open(&ledger.path)
        .append(&LedgerRecord::intent("r1", "t::killed", entity, name, intent).on(cloud))
        .unwrap();
}

/// The requests of `command`, as `name=value` lists.
fn requests_of(fake: &FakeCloud, command: &str) -> Vec<Vec<(String, String)>> {
    fake.requests()
        .into_iter()
        .filter(|pairs| pairs.iter().any(|(k, v)| k == "command" && v == command))
        .collect()
}

#[test]
fn an_open_intent_is_found_by_its_exact_name_and_deleted_by_its_rule() {
    let fake = FakeCloud::start();
    let cloud = fake.url.clone();
    // Another account whose name starts with the same text must be left.
    fake.answer(
        "listAccounts",
        json!({"count": 2, "account": [
            {"id": "a-other", "name": "user-9-and-more"},
            {"id": "a9", "name": "user-9"},
        ]}),
    );
    let ledger = TempLedger::new("intent-sweep");
    open_intent(&ledger, &cloud, "Account", "createAccount", "user-9");
    let paths = [ledger.path.clone()];
    let options = SweepOptions::new(RULES);
    let rt = runtime();

    let dry = rt
        .block_on(sweep(
            &fake.client(),
            &paths,
            &options.clone().dry_run(true),
        ))
        .unwrap();
    assert_eq!(dry.planned.len(), 1, "{dry}");
    assert_eq!(render_call(&dry.planned[0].calls[0]), "deleteAccount id=a9");
    assert!(matches!(
        &dry.planned[0].found,
        Found::Intent { id: Some(id), .. } if id == "a9"
    ));
    assert!(dry.to_string().contains("named \"user-9\""), "{dry}");
    assert!(fake.deletions().is_empty(), "a dry run sends no deletion");
    assert_eq!(records(&ledger).len(), 1, "a dry run writes nothing");
    let lookup = &requests_of(&fake, "listAccounts")[0];
    for wanted in [("name", "user-9"), ("listall", "true")] {
        assert!(
            lookup.contains(&(wanted.0.into(), wanted.1.into())),
            "{lookup:?}"
        );
    }

    let report = rt
        .block_on(sweep(&fake.client(), &paths, &options))
        .unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.deleted.len(), 1);
    assert_eq!(fake.deletions(), ["deleteAccount a9"]);
    let records = records(&ledger);
    let events: Vec<(Event, &str)> = records.iter().map(|r| (r.event, r.id.as_str())).collect();
    assert_eq!(
        events,
        [
            (Event::Intent, ""),
            (Event::Created, "a9"),
            (Event::Deleted, "a9")
        ]
    );
    assert_eq!(records[1].name.as_deref(), Some("user-9"));
    assert_eq!(records[1].test, "t::killed");
    let contents = Ledger::open(&ledger.path).read().unwrap();
    assert!(contents.open_intents(None).is_empty());
    assert!(contents.pending(None).is_empty());

    // Settled: a second sweep looks nothing up.
    let lists = requests_of(&fake, "listAccounts").len();
    let again = rt
        .block_on(sweep(&fake.client(), &paths, &options))
        .unwrap();
    assert!(again.planned.is_empty() && again.never_created.is_empty());
    assert_eq!(requests_of(&fake, "listAccounts").len(), lists);
}

#[test]
fn an_intent_whose_name_is_not_listed_is_closed_as_never_created() {
    let fake = FakeCloud::start();
    fake.answer(
        "listAccounts",
        json!({"count": 1, "account": [{"id": "a1", "name": "user-10"}]}),
    );
    let ledger = TempLedger::new("intent-never");
    open_intent(&ledger, &fake.url, "Account", "createAccount", "user-1");
    let paths = [ledger.path.clone()];
    let options = SweepOptions::new(RULES);
    let rt = runtime();
    let dry = rt
        .block_on(sweep(
            &fake.client(),
            &paths,
            &options.clone().dry_run(true),
        ))
        .unwrap();
    assert_eq!(dry.never_created.len(), 1);
    assert!(dry.to_string().contains("would be closed"), "{dry}");
    assert_eq!(records(&ledger).len(), 1);
    let report = rt
        .block_on(sweep(&fake.client(), &paths, &options))
        .unwrap();
    assert!(report.is_clean() && report.planned.is_empty(), "{report}");
    assert!(fake.deletions().is_empty());
    let events: Vec<Event> = records(&ledger).iter().map(|r| r.event).collect();
    assert_eq!(events, [Event::Intent, Event::NeverCreated]);
    let contents = Ledger::open(&ledger.path).read().unwrap();
    assert!(contents.open_intents(None).is_empty());
}

#[test]
fn several_objects_of_the_name_are_refused_and_the_intent_stays_open() {
    let fake = FakeCloud::start();
    fake.answer(
        "listAccounts",
        json!({"count": 2, "account": [
            {"id": "a1", "name": "user-5"},
            {"id": "a2", "name": "user-5"},
        ]}),
    );
    let ledger = TempLedger::new("intent-ambiguous");
    open_intent(&ledger, &fake.url, "Account", "createAccount", "user-5");
    let paths = [ledger.path.clone()];
    let report = runtime()
        .block_on(sweep(&fake.client(), &paths, &SweepOptions::new(RULES)))
        .unwrap();
    assert!(report.planned.is_empty());
    assert_eq!(report.left_behind(), 1);
    assert!(matches!(
        report.refused[0].1,
        Refusal::Ambiguous { count: 2, .. }
    ));
    assert!(fake.deletions().is_empty());
    let contents = Ledger::open(&ledger.path).read().unwrap();
    assert_eq!(contents.open_intents(None).len(), 1);
}

#[test]
fn an_object_of_the_name_made_before_the_intent_is_someone_elses() {
    let fake = FakeCloud::start();
    // Created a day before the intent (written now): a name taken already.
    fake.answer(
        "listAccounts",
        json!({"count": 1, "account": [
            {"id": "a1", "name": "shared-name", "created": "2020-01-01T10:00:00+0000"},
        ]}),
    );
    let ledger = TempLedger::new("intent-older");
    open_intent(
        &ledger,
        &fake.url,
        "Account",
        "createAccount",
        "shared-name",
    );
    let paths = [ledger.path.clone()];
    let report = runtime()
        .block_on(sweep(&fake.client(), &paths, &SweepOptions::new(RULES)))
        .unwrap();
    assert!(report.planned.is_empty());
    assert!(
        matches!(&report.refused[0].1, Refusal::OlderThanIntent { created, .. } if created.starts_with("2020")),
        "{:?}",
        report.refused
    );
    assert!(fake.deletions().is_empty());
    let contents = Ledger::open(&ledger.path).read().unwrap();
    assert_eq!(contents.open_intents(None).len(), 1);
}

#[test]
fn a_keyword_lookup_keeps_only_the_exact_name_and_other_clouds_are_skipped() {
    let fake = FakeCloud::start();
    fake.answer(
        "listNetworks",
        json!({"count": 2, "network": [
            {"id": "n10", "name": "net-10"},
            {"id": "n1", "name": "net-1"},
        ]}),
    );
    let ledger = TempLedger::new("intent-keyword");
    open_intent(&ledger, &fake.url, "Network", "createNetwork", "net-1");
    open_intent(
        &ledger,
        "http://other-cloud.example:8080/client/api",
        "Network",
        "createNetwork",
        "net-2",
    );
    let paths = [ledger.path.clone()];
    let report = runtime()
        .block_on(sweep(&fake.client(), &paths, &SweepOptions::new(RULES)))
        .unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(fake.deletions(), ["deleteNetwork n1"]);
    assert_eq!(report.other_clouds.values().sum::<usize>(), 1);
    let lookups = requests_of(&fake, "listNetworks");
    assert_eq!(
        lookups.len(),
        1,
        "the other cloud's intent is not looked up"
    );
    assert!(lookups[0].contains(&("keyword".into(), "net-1".into())));
}

#[test]
fn an_intent_of_an_entity_without_a_lookup_is_refused() {
    let fake = FakeCloud::start();
    let ledger = TempLedger::new("intent-unknown");
    open_intent(&ledger, &fake.url, "IpAddress", "associateIpAddress", "x");
    let paths = [ledger.path.clone()];
    let report = runtime()
        .block_on(sweep(&fake.client(), &paths, &SweepOptions::new(RULES)))
        .unwrap();
    assert!(matches!(report.refused[0].1, Refusal::NoLookup { .. }));
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
}
