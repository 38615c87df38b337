//! `sweep`: what the ledger says is pending on this cloud, checked against
//! the deletion rules, and nothing else.

use std::collections::BTreeMap;

use marvin_core::cleanup::{
    Event, Ledger, LedgerRecord, Refusal, SweepOptions, render_call, sweep,
};
use marvin_core::{Deletion, Resource};

use crate::fake::{Answer, FakeCloud, RULES, TempLedger, Thing};

/// A cloud the fake is not.
const OTHER_CLOUD: &str = "http://other-cloud.example:8080/client/api";

fn record(ledger: &Ledger, cloud: &str, event: Event, run: &str, entity: &'static str, id: &str) {
    let deletion = Thing::new(entity, id).deletion().unwrap();
    ledger
        .record(event, run, "t::sweep", cloud, &deletion)
        .unwrap();
}

/// A `created` record of `deletion` on `cloud`, written as it stands
/// (a hand-edited or corrupted line).
fn append_created(
    ledger: &Ledger,
    cloud: Option<&str>,
    entity: &str,
    id: &str,
    deletion: Deletion,
) {
    let mut created = LedgerRecord::new(Event::Created, "r1", "t::sweep", &deletion);
    created.entity = entity.to_owned();
    created.id = id.to_owned();
    if let Some(cloud) = cloud {
        created = created.on(cloud);
    }
    ledger.append(&created).unwrap();
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
    let cloud = fake.url.as_str();
    let temp = TempLedger::new("sweep");
    let ledger = temp.ledger();
    record(&ledger, cloud, Event::Created, "r1", "Account", "a1");
    record(&ledger, cloud, Event::Created, "r1", "Network", "n1");
    record(
        &ledger,
        cloud,
        Event::Created,
        "r1",
        "VirtualMachine",
        "vm1",
    );
    record(
        &ledger,
        cloud,
        Event::Created,
        "r1",
        "VirtualMachine",
        "vm2",
    );
    record(&ledger, cloud, Event::Created, "r1", "Volume", "kept1");
    record(&ledger, cloud, Event::Created, "r2", "Network", "other-run");
    record(
        &ledger,
        cloud,
        Event::Deleted,
        "r1",
        "VirtualMachine",
        "vm1",
    );
    record(&ledger, cloud, Event::Kept, "r1", "Volume", "kept1");
    fake.script("n1", &[Answer::NotFound]);
    let rt = runtime();
    let paths = [temp.path.clone()];
    let r1 = SweepOptions::new(RULES).run("r1");

    let dry = rt
        .block_on(sweep(&client, &paths, &r1.clone().dry_run(true)))
        .unwrap();
    assert!(
        fake.calls().is_empty(),
        "a dry run calls nothing: {:?}",
        fake.calls()
    );
    assert_eq!(
        dry.to_string(),
        format!(
            "3 pending resource(s) would be deleted on {cloud}, by exactly these calls:
  destroyVirtualMachine id=vm2  [VirtualMachine vm2 (run r1, test t::sweep)]
  deleteNetwork id=n1  [Network n1 (run r1, test t::sweep)]
  deleteAccount id=a1  [Account a1 (run r1, test t::sweep)]"
        )
    );

    let report = rt.block_on(sweep(&client, &paths, &r1)).unwrap();
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
        format!("3 pending: 2 deleted, 1 already gone, 0 failed (on {cloud})")
    );
    // The other run is untouched, and a second sweep of r1 finds nothing.
    assert_eq!(temp.pending(), ["other-run"]);
    let again = rt.block_on(sweep(&client, &paths, &r1)).unwrap();
    assert!(again.planned.is_empty());
    assert_eq!(fake.deletions().len(), 3);
    // The deleted records keep their run, test and cloud.
    let records = ledger.read().unwrap().records;
    let last = records.last().unwrap();
    assert_eq!(
        (
            last.event,
            last.run.as_str(),
            last.test.as_str(),
            last.endpoint.as_deref()
        ),
        (Event::Deleted, "r1", "t::sweep", Some(cloud))
    );
}

#[test]
fn sweep_of_all_runs_reports_failures_and_keeps_them_pending() {
    let fake = FakeCloud::start();
    let cloud = fake.url.as_str();
    let temp = TempLedger::new("sweep-all");
    let ledger = temp.ledger();
    record(&ledger, cloud, Event::Created, "r1", "Network", "n1");
    record(&ledger, cloud, Event::Created, "r2", "Network", "n2");
    // A hand-made deletion with a flag of its rule is sent as recorded.
    let forced = Deletion::new("Network", "n3", "deleteNetwork", false).param("forced", "true");
    ledger
        .record(Event::Created, "r3", "t::sweep", cloud, &forced)
        .unwrap();
    // 531 is final; a passing failure (530) of r1's deletion is retried.
    fake.script("n2", &[Answer::Fail(531)]);
    fake.script("n1", &[Answer::Fail(530)]);
    let report = runtime()
        .block_on(sweep(
            &fake.client(),
            std::slice::from_ref(&temp.path),
            &SweepOptions::new(RULES),
        ))
        .unwrap();
    assert!(!report.is_clean());
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].0.calls[0].id, "n2");
    assert_eq!(
        report.to_string(),
        format!(
            "3 pending: 2 deleted, 0 already gone, 1 failed (on {cloud})\n  could not delete Network n2 (run r2, test t::sweep): deleteNetwork was rejected (531/4350): scripted failure"
        )
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

#[test]
fn a_sweep_touches_only_the_records_of_the_cloud_it_is_pointed_at() {
    let fake = FakeCloud::start();
    let cloud = fake.url.as_str();
    let temp = TempLedger::new("sweep-clouds");
    let ledger = temp.ledger();
    let paths = [temp.path.clone()];
    record(&ledger, cloud, Event::Created, "r1", "Account", "a1");
    // Another cloud's resources, one with the same id as ours.
    record(&ledger, OTHER_CLOUD, Event::Created, "r1", "Account", "a1");
    record(
        &ledger,
        OTHER_CLOUD,
        Event::Created,
        "r1",
        "Network",
        "n-other",
    );
    // A record of before records named their cloud.
    append_created(
        &ledger,
        None,
        "Network",
        "n-old",
        Thing::new("Network", "n-old").deletion().unwrap(),
    );
    let rt = runtime();

    let report = rt
        .block_on(sweep(&fake.client(), &paths, &SweepOptions::new(RULES)))
        .unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(fake.deletions(), ["deleteAccount a1"]);
    assert_eq!(
        report.other_clouds,
        BTreeMap::from([(OTHER_CLOUD.to_owned(), 2)])
    );
    assert_eq!(report.unknown_cloud, 1);
    let text = report.to_string();
    assert!(
        text.contains(&format!(
            "skipped 2 pending record(s) of another cloud, {OTHER_CLOUD}"
        )) && text.contains("skipped 1 pending record(s) that name no cloud")
            && text.contains("--include-unknown-cloud"),
        "{text}"
    );
    // The other cloud's records, our id included, stay pending.
    let mut pending = temp.pending();
    pending.sort();
    assert_eq!(pending, ["a1", "n-old", "n-other"]);

    // Asked to, the sweep takes the records of no known cloud as its own.
    let report = rt
        .block_on(sweep(
            &fake.client(),
            &paths,
            &SweepOptions::new(RULES).include_unknown_cloud(true),
        ))
        .unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.unknown_cloud, 0);
    assert_eq!(
        fake.deletions(),
        ["deleteAccount a1", "deleteNetwork n-old"]
    );
    let mut pending = temp.pending();
    pending.sort();
    assert_eq!(pending, ["a1", "n-other"]);
    let records = ledger.read().unwrap().records;
    assert_eq!(
        records.last().map(|r| (r.event, r.endpoint.clone())),
        Some((Event::Deleted, None)),
        "the ending record names the same (no) cloud as its start"
    );
}

#[test]
fn tampered_records_are_refused_reported_and_never_sent() {
    let fake = FakeCloud::start();
    let cloud = fake.url.as_str();
    let temp = TempLedger::new("sweep-tampered");
    let ledger = temp.ledger();
    record(&ledger, cloud, Event::Created, "r1", "Network", "n-ok");
    // Another command than the entity's.
    append_created(
        &ledger,
        Some(cloud),
        "Account",
        "a1",
        Deletion::new("Account", "a1", "deleteDomain", false),
    );
    // A command that deletes nothing.
    append_created(
        &ledger,
        Some(cloud),
        "Account",
        "a2",
        Deletion::new("Account", "a2", "updateAccount", false).param("newname", "owned"),
    );
    // The id parameter aims at another object.
    let mut aimed = Deletion::new("Account", "a3", "deleteAccount", false);
    aimed.params[0].1 = "victim-account".to_owned();
    append_created(&ledger, Some(cloud), "Account", "a3", aimed);
    // An extra parameter that would destroy another object too.
    append_created(
        &ledger,
        Some(cloud),
        "VirtualMachine",
        "vm1",
        Deletion::new("VirtualMachine", "vm1", "destroyVirtualMachine", true)
            .param("volumeids", "victim-volume"),
    );
    // The record's id and its deletion's disagree.
    append_created(
        &ledger,
        Some(cloud),
        "Network",
        "n-shown",
        Deletion::new("Network", "victim-network", "deleteNetwork", false),
    );

    let report = runtime()
        .block_on(sweep(
            &fake.client(),
            std::slice::from_ref(&temp.path),
            &SweepOptions::new(RULES),
        ))
        .unwrap();
    assert_eq!(fake.deletions(), ["deleteNetwork n-ok"]);
    assert!(
        !fake
            .requests()
            .iter()
            .flatten()
            .any(|(_, value)| value.starts_with("victim") || value == "owned"),
        "{:?}",
        fake.requests()
    );
    let reasons: Vec<(String, &Refusal)> = report
        .refused
        .iter()
        .map(|(found, refusal)| (found.to_string(), refusal))
        .collect();
    assert_eq!(reasons.len(), 5, "{report}");
    assert!(matches!(reasons[0].1, Refusal::WrongCommand { .. }));
    assert!(matches!(reasons[1].1, Refusal::NotADeletion { .. }));
    assert!(matches!(reasons[2].1, Refusal::KeyMismatch { .. }));
    assert!(matches!(reasons[3].1, Refusal::UnexpectedParam { .. }));
    assert!(matches!(reasons[4].1, Refusal::NotTheRecords { .. }));
    assert!(!report.is_clean());
    assert_eq!(report.left_behind(), 5);
    let text = report.to_string();
    assert!(
        text.contains("refused 5 record(s), never sent (they stay pending):")
            && text.contains(
                "Account a1 (run r1, test t::sweep): Account is deleted with deleteAccount, not deleteDomain"
            )
            && text.contains("`id=victim-account` names another resource than the record's a3")
            && text.contains("unexpected parameter `volumeids=victim-volume`"),
        "{text}"
    );
    let mut pending = temp.pending();
    pending.sort();
    assert_eq!(pending, ["a1", "a2", "a3", "n-shown", "vm1"]);
}

#[test]
fn a_dry_run_lists_exactly_the_calls_the_real_sweep_sends() {
    let fake = FakeCloud::start();
    let cloud = fake.url.as_str();
    let temp = TempLedger::new("sweep-dry");
    let ledger = temp.ledger();
    let deletions = [
        Deletion::new("Domain", "d1", "deleteDomain", false).param("cleanup", "true"),
        Deletion::new("Account", "a1", "deleteAccount", false),
        Deletion::new("Network", "n1", "deleteNetwork", false).param("forced", "true"),
        // Recorded as synchronous; sent as its rule says (asynchronous).
        Deletion::new("VirtualMachine", "vm1", "destroyVirtualMachine", false)
            .param("expunge", "true"),
    ];
    for deletion in &deletions {
        ledger
            .record(Event::Created, "r1", "t::sweep", cloud, deletion)
            .unwrap();
    }
    let paths = [temp.path.clone()];
    let rt = runtime();
    let dry = rt
        .block_on(sweep(
            &fake.client(),
            &paths,
            &SweepOptions::new(RULES).dry_run(true),
        ))
        .unwrap();
    assert!(fake.requests().is_empty());
    let shown: Vec<String> = dry
        .planned
        .iter()
        .map(|p| render_call(&p.calls[0]))
        .collect();
    for line in &shown {
        assert!(dry.to_string().contains(line.as_str()), "{dry}");
    }

    let report = rt
        .block_on(sweep(&fake.client(), &paths, &SweepOptions::new(RULES)))
        .unwrap();
    assert!(report.is_clean(), "{report}");
    let sent: Vec<String> = fake
        .requests()
        .into_iter()
        .filter_map(|pairs| {
            let command = pairs.iter().find(|(k, _)| k == "command")?.1.clone();
            if command == "queryAsyncJobResult" {
                return None;
            }
            let mut call = Deletion::new("", "", &command, false);
            call.params = pairs
                .into_iter()
                .filter(|(k, _)| k != "command" && k != "response")
                .collect();
            Some(render_call(&call))
        })
        .collect();
    assert_eq!(sent, shown);
    assert_eq!(
        shown,
        [
            "destroyVirtualMachine id=vm1 expunge=true",
            "deleteNetwork id=n1 forced=true",
            "deleteAccount id=a1",
            "deleteDomain id=d1 cleanup=true"
        ]
    );
    // The VM's deletion was waited for as a job.
    assert!(
        fake.calls()
            .iter()
            .any(|call| call.starts_with("queryAsyncJobResult")),
        "{:?}",
        fake.calls()
    );
}
