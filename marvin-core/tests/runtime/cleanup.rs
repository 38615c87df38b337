//! The cleanup stack, guards and the cleanup thread.

use marvin_core::Api;
use marvin_core::cleanup::{self, CleanupStack};
use marvin_core::{Deletion, ErrorCode};

use crate::fake::{Answer, FakeCloud, TempLedger, Thing};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_stack_deletes_by_rank_then_last_registered_first() {
    let fake = FakeCloud::start();
    let client = fake.client();
    let ledger = TempLedger::new("order");
    let stack = CleanupStack::new("t::order", "run-order", Some(ledger.ledger()));
    // Creation order: domain, account, network, vm1, a volume attached to
    // vm1 (created after it, yet it must go after it), vm2, ip, rule.
    for (entity, id) in [
        ("Domain", "d1"),
        ("Account", "a1"),
        ("Network", "n1"),
        ("VirtualMachine", "vm1"),
        ("Volume", "vol1"),
        ("VirtualMachine", "vm2"),
        ("IpAddress", "ip1"),
        ("FirewallRule", "fw1"),
    ] {
        drop(stack.manage(Thing::new(entity, id), &client));
    }
    assert_eq!(stack.len(), 8);
    let report = runtime().block_on(stack.run());
    assert!(report.is_clean(), "{report}");
    let mut deletions = fake.deletions();
    // The two VMs, neighbours of one kind, are deleted together (their
    // requests may reach the cloud in either order), both before the
    // volume attached to one of them.
    deletions[1..3].sort();
    assert_eq!(
        deletions,
        [
            "deleteFirewallRule fw1",
            "destroyVirtualMachine vm1",
            "destroyVirtualMachine vm2",
            "deleteVolume vol1",
            "disassociateIpAddress ip1",
            "deleteNetwork n1",
            "deleteAccount a1",
            "deleteDomain d1",
        ]
    );
    // Async deletions waited for their job.
    assert_eq!(
        fake.calls()
            .iter()
            .filter(|c| c.starts_with("queryAsyncJobResult"))
            .count(),
        2
    );
    let deleted: Vec<&str> = report.deleted.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        deleted,
        ["fw1", "vm2", "vm1", "vol1", "ip1", "n1", "a1", "d1"]
    );
    assert!(ledger.pending().is_empty());
    assert_eq!(
        ledger
            .events()
            .iter()
            .filter(|e| e.starts_with("created"))
            .count(),
        8
    );
    assert_eq!(
        ledger
            .events()
            .iter()
            .filter(|e| e.starts_with("deleted"))
            .count(),
        8
    );
    assert!(stack.is_closed());
}

#[test]
fn a_failure_does_not_stop_the_rest_and_not_found_counts_as_done() {
    let fake = FakeCloud::start();
    let client = fake.client();
    let ledger = TempLedger::new("failures");
    let stack = CleanupStack::new("t::failures", "run-failures", Some(ledger.ledger()));
    // 531 (permission) is final: not retried.
    fake.script("n1", &[Answer::Fail(531)]);
    fake.script("vm1", &[Answer::NotFound]);
    fake.script("v1", &[Answer::NotFound]);
    for (entity, id) in [
        ("Account", "a1"),
        ("Network", "n1"),
        ("Volume", "v1"),
        ("VirtualMachine", "vm1"),
    ] {
        drop(stack.manage(Thing::new(entity, id), &client));
    }
    let report = runtime().block_on(stack.run());
    // n1 failed for good, the rest went on.
    assert_eq!(
        fake.deletions(),
        [
            "destroyVirtualMachine vm1",
            "deleteVolume v1",
            "deleteNetwork n1",
            "deleteAccount a1",
        ]
    );
    assert_eq!(
        report
            .deleted
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>(),
        ["a1"]
    );
    assert_eq!(
        report
            .already_gone
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>(),
        ["vm1", "v1"]
    );
    assert_eq!(report.failures.len(), 1);
    let failure = &report.failures[0];
    assert_eq!(failure.deletion.id, "n1");
    assert_eq!(failure.error.code(), Some(ErrorCode::AccountError));
    assert_eq!(
        report.to_string(),
        "cleanup: 1 deleted, 2 already gone, 1 failed\n  could not delete Network n1 (deleteNetwork): deleteNetwork was rejected (531/4350): scripted failure"
    );
    // What failed stays pending in the ledger for `marvin cleanup`.
    assert_eq!(ledger.pending(), ["n1"]);
}

#[test]
fn a_deletion_that_waited_for_another_succeeds_on_the_retry() {
    let fake = FakeCloud::start();
    let client = fake.client();
    let stack = CleanupStack::new("t::retry", "run-retry", None);
    // The volume (rank 70) is attached to a VM registered with a custom,
    // lower rank: the first try of the volume fails with 536 (in use).
    let mut vm = Deletion::new("VirtualMachine", "vm1", "destroyVirtualMachine", true);
    vm.rank = 60;
    stack.defer(vm, &client);
    fake.script("vol1", &[Answer::Fail(536)]);
    drop(stack.manage(Thing::new("Volume", "vol1"), &client));
    let report = runtime().block_on(stack.run());
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        fake.deletions(),
        [
            "deleteVolume vol1",
            "destroyVirtualMachine vm1",
            "deleteVolume vol1"
        ]
    );
}

#[test]
fn passing_failures_are_retried_in_rounds_until_they_pass() {
    let fake = FakeCloud::start();
    let client = fake.client();
    let ledger = TempLedger::new("transient");
    let stack = CleanupStack::new("t::transient", "run-transient", Some(ledger.ledger()));
    // The VM's deletion fails twice (a 530, then a failed job); its network,
    // deleted after it, is still in use the first time.
    fake.script("vm1", &[Answer::Fail(530), Answer::Fail(533)]);
    fake.script("n1", &[Answer::Fail(530)]);
    drop(stack.manage(Thing::new("Network", "n1"), &client));
    drop(stack.manage(Thing::new("VirtualMachine", "vm1"), &client));
    drop(stack.manage(Thing::new("Account", "a1"), &client));
    let report = runtime().block_on(stack.run());
    assert!(report.is_clean(), "{report}");
    // Retries come after the rest of the stack, in the original order.
    assert_eq!(
        fake.deletions(),
        [
            "destroyVirtualMachine vm1",
            "deleteNetwork n1",
            "deleteAccount a1",
            "destroyVirtualMachine vm1",
            "deleteNetwork n1",
            "destroyVirtualMachine vm1",
        ]
    );
    assert!(ledger.pending().is_empty());
}

#[test]
fn async_job_failures_are_cleanup_failures() {
    let fake = FakeCloud::start();
    let stack = CleanupStack::new("t::jobs", "run-jobs", None);
    fake.script("vm1", &[Answer::Fail(531)]);
    fake.script("vm2", &[Answer::NotFound]);
    drop(stack.manage(Thing::new("VirtualMachine", "vm1"), &fake.client()));
    drop(stack.manage(Thing::new("VirtualMachine", "vm2"), &fake.client()));
    let report = runtime().block_on(stack.run());
    assert_eq!(report.already_gone.len(), 1, "{report}");
    assert_eq!(report.failures.len(), 1, "{report}");
    assert!(
        report.failures[0]
            .error
            .to_string()
            .contains("scripted job failure"),
        "{report}"
    );
}

#[test]
fn delete_now_and_keep() {
    let fake = FakeCloud::start();
    let client = fake.client();
    let ledger = TempLedger::new("delete-keep");
    let stack = CleanupStack::new("t::explicit", "run-explicit", Some(ledger.ledger()));
    let rt = runtime();
    let vm = stack.manage(Thing::new("VirtualMachine", "vm1"), &client);
    let net = stack.manage(Thing::new("Network", "n1"), &client);
    // Deref reaches the entity.
    assert_eq!(vm.id, "vm1");
    assert_eq!(vm.deletion().unwrap().command, "destroyVirtualMachine");
    rt.block_on(vm.delete()).unwrap();
    assert_eq!(fake.deletions(), ["destroyVirtualMachine vm1"]);
    let kept: Thing = net.keep();
    assert_eq!(kept.id, "n1");
    assert!(stack.is_empty());
    let report = rt.block_on(stack.run());
    assert_eq!(report.total(), 0);
    assert_eq!(fake.deletions(), ["destroyVirtualMachine vm1"]);
    assert_eq!(
        ledger.events(),
        ["created vm1", "created n1", "deleted vm1", "kept n1"]
    );
    assert!(ledger.pending().is_empty());
}

#[test]
fn a_failed_explicit_delete_goes_back_on_the_stack() {
    let fake = FakeCloud::start();
    let client = fake.client();
    let stack = CleanupStack::new("t::explicit-failure", "run", None);
    let rt = runtime();
    fake.script("n1", &[Answer::Fail(536)]);
    let net = stack.manage(Thing::new("Network", "n1"), &client);
    let error = rt.block_on(net.delete()).unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::ResourceInUse));
    assert_eq!(stack.len(), 1);
    // A not-found on an explicit delete is returned, and nothing is requeued.
    fake.script("n2", &[Answer::NotFound]);
    let gone = stack.manage(Thing::new("Network", "n2"), &client);
    assert!(rt.block_on(gone.delete()).unwrap_err().is_not_found());
    assert_eq!(stack.len(), 1);
    let report = rt.block_on(stack.run());
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        fake.deletions(),
        ["deleteNetwork n1", "deleteNetwork n2", "deleteNetwork n1"]
    );
}

#[test]
fn guards_without_a_running_stack_are_deleted_by_the_cleanup_thread() {
    let fake = FakeCloud::start();
    let client = fake.client();
    let ledger = TempLedger::new("thread");
    // A detached stack (no test runner): drop sends to the cleanup thread.
    let detached = CleanupStack::detached("t::detached", "run-thread", Some(ledger.ledger()));
    drop(detached.manage(Thing::new("VirtualMachine", "thread-vm1"), &client));
    // A stack dropped before it ran hands its deletions over too.
    let stack = CleanupStack::new("t::dropped", "run-thread", Some(ledger.ledger()));
    drop(stack.manage(Thing::new("Network", "thread-n1"), &client));
    drop(stack);
    // A guard dropped after its stack ran.
    let ran = CleanupStack::new("t::late", "run-thread", Some(ledger.ledger()));
    let late = ran.manage(Thing::new("Volume", "thread-vol1"), &client);
    runtime().block_on(ran.run());
    drop(late);

    // (Other tests share the cleanup thread and may take its report: the
    // fake's calls and the ledger are this test's own evidence.)
    cleanup::flush();
    let mut calls = fake.deletions();
    calls.sort();
    assert_eq!(
        calls,
        [
            "deleteNetwork thread-n1",
            "deleteVolume thread-vol1",
            "destroyVirtualMachine thread-vm1"
        ]
    );
    assert!(ledger.pending().is_empty(), "{:?}", ledger.events());
}

#[test]
fn a_guard_can_outlive_the_runtime_its_client_was_used_on() {
    let fake = FakeCloud::start();
    let client = fake.client();
    let stack = CleanupStack::detached("t::outlive", "run-outlive", None);
    let guard = {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let guard = stack.manage(Thing::new("Network", "outlive-n1"), &client);
        // Use the client on this runtime, so its connection pool holds a
        // connection driven by it; then the runtime goes away.
        rt.block_on(client.call(Api::unknown("listZones")).send())
            .unwrap();
        drop(rt);
        guard
    };
    drop(guard);
    cleanup::flush();
    assert!(
        fake.deletions()
            .contains(&"deleteNetwork outlive-n1".to_string())
    );
}
