//! `sweep`: what the ledger says is pending, and nothing else.

use marvin_core::Deletion;
use marvin_core::cleanup::{Event, Ledger, sweep};

use crate::fake::{Answer, FakeCloud, TempLedger, Thing};
use marvin_core::Resource;

fn record(ledger: &Ledger, event: Event, run: &str, entity: &'static str, id: &str) {
    let deletion = Thing::new(entity, id).deletion().unwrap();
    ledger.record(event, run, "t::sweep", &deletion).unwrap();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn sweep_deletes_only_what_is_pending_in_dependency_order() {
    let fake = FakeCloud::start();
    let client = fake.client();
    let temp = TempLedger::new("sweep");
    let ledger = temp.ledger();
    record(&ledger, Event::Created, "r1", "Account", "a1");
    record(&ledger, Event::Created, "r1", "Network", "n1");
    record(&ledger, Event::Created, "r1", "VirtualMachine", "vm1");
    record(&ledger, Event::Created, "r1", "VirtualMachine", "vm2");
    record(&ledger, Event::Created, "r1", "Volume", "kept1");
    record(&ledger, Event::Created, "r2", "Network", "other-run");
    record(&ledger, Event::Deleted, "r1", "VirtualMachine", "vm1");
    record(&ledger, Event::Kept, "r1", "Volume", "kept1");
    fake.script("n1", &[Answer::NotFound]);
    let rt = runtime();

    let dry = rt
        .block_on(sweep(&client, &temp.path, Some("r1"), true))
        .unwrap();
    assert!(
        fake.calls().is_empty(),
        "a dry run calls nothing: {:?}",
        fake.calls()
    );
    let planned: Vec<&str> = dry.pending.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(planned, ["vm2", "n1", "a1"]);
    assert_eq!(
        dry.to_string(),
        "3 pending resource(s) would be deleted:
  VirtualMachine vm2 (destroyVirtualMachine; run r1, test t::sweep)
  Network n1 (deleteNetwork; run r1, test t::sweep)
  Account a1 (deleteAccount; run r1, test t::sweep)"
    );

    let report = rt
        .block_on(sweep(&client, &temp.path, Some("r1"), false))
        .unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        fake.deletions(),
        [
            "destroyVirtualMachine vm2",
            "deleteNetwork n1",
            "deleteAccount a1"
        ]
    );
    assert_eq!(
        report.to_string(),
        "3 pending: 2 deleted, 1 already gone, 0 failed"
    );
    // The other run is untouched, and a second sweep of r1 finds nothing.
    assert_eq!(temp.pending(), ["other-run"]);
    let again = rt
        .block_on(sweep(&client, &temp.path, Some("r1"), false))
        .unwrap();
    assert!(again.pending.is_empty());
    assert_eq!(fake.deletions().len(), 3);
    // The deleted records keep their run and test.
    let records = ledger.read().unwrap().records;
    let last = records.last().unwrap();
    assert_eq!(
        (last.event, last.run.as_str(), last.test.as_str()),
        (Event::Deleted, "r1", "t::sweep")
    );
}

#[test]
fn sweep_of_all_runs_reports_failures_and_keeps_them_pending() {
    let fake = FakeCloud::start();
    let temp = TempLedger::new("sweep-all");
    let ledger = temp.ledger();
    record(&ledger, Event::Created, "r1", "Network", "n1");
    record(&ledger, Event::Created, "r2", "Network", "n2");
    // A hand-made deletion with extra parameters is replayed as recorded.
    let forced = Deletion::new("Network", "n3", "deleteNetwork", false).param("forced", "true");
    ledger
        .record(Event::Created, "r3", "t::sweep", &forced)
        .unwrap();
    // 531 is final; a passing failure (530) of r1's deletion is retried.
    fake.script("n2", &[Answer::Fail(531)]);
    fake.script("n1", &[Answer::Fail(530)]);
    let report = runtime()
        .block_on(sweep(&fake.client(), &temp.path, None, false))
        .unwrap();
    assert!(!report.is_clean());
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].0.id, "n2");
    assert_eq!(
        report.to_string(),
        "3 pending: 2 deleted, 0 already gone, 1 failed\n  could not delete Network n2 (run r2): deleteNetwork was rejected (531/4350): scripted failure"
    );
    assert_eq!(temp.pending(), ["n2"]);
    // n1 was tried again once the others had had their turn.
    let deletions = fake.deletions();
    assert_eq!(
        deletions.iter().filter(|d| d.ends_with(" n1")).count(),
        2,
        "{deletions:?}"
    );
    assert_eq!(
        deletions.last().map(String::as_str),
        Some("deleteNetwork n1")
    );
}
