//! Cleanup of what tests create: guards, the per-test stack, the ledger,
//! the cleanup thread, the sweep and the termination handler.
//!
//! - [`Managed<T>`] wraps a created entity. `delete().await` deletes it now,
//!   `keep()` keeps it; dropped without either, its [`Deletion`] goes on the
//!   [`CleanupStack`] it was registered with. Drop does no I/O and never
//!   blocks or spawns: it only records.
//! - The test runner ([`crate::testing::run_test`]) runs the stack after
//!   the test body, also after a panic (see [`CleanupStack::run`] for the
//!   order).
//! - A guard whose stack has already run (or that was made with
//!   [`CleanupStack::detached`]) hands its deletion to the process-wide
//!   cleanup thread, which has its own runtime; [`flush`] waits for it.
//! - Every registration and every end is written to the [`Ledger`] (with
//!   the cloud it happened on), so [`sweep`] can delete what a killed run
//!   left behind, on that cloud only and only with the deletion command of
//!   each entity ([`check_deletion`]); [`sweep_by_tag`] does the same from
//!   the `marvin:run` tags when the ledger is lost. Creates with a unique
//!   name write an intent first ([`intent_of`]), so that an object whose
//!   create was in flight when the process died is found by that name
//!   ([`LookupRule`]).
//! - [`install_termination_handler`] gives pending cleanups a grace period
//!   on SIGTERM/SIGINT.

mod intent;
mod ledger;
mod managed;
mod rules;
mod signals;
mod stack;
mod sweep;
mod thread;

pub use intent::{LOOKUP_RULES, LookupRule, intent_of, lookup_rule};
pub use ledger::{
    Event, Intent, Ledger, LedgerContents, LedgerError, LedgerLocation, LedgerOrigin, LedgerRecord,
    MAX_RECORD, locate_ledger, locate_ledger_from, normalized_endpoint, run_id,
};
pub use managed::Managed;
pub use rules::{Refusal, check_deletion};
pub use signals::install_termination_handler;
pub(crate) use signals::{InFlight, terminated, termination_deadline};
pub use stack::{CleanupFailure, CleanupReport, CleanupStack};
pub use sweep::{
    Found, LedgerRead, PlannedDeletion, RUN_TAG, SweepOptions, SweepReport, TEST_TAG, render_call,
    sweep, sweep_by_tag,
};
pub use thread::{flush, flush_timeout};

use std::time::Duration;

use crate::client::Api;
use crate::resource::Deletion;
use crate::{Client, Error, Params};

/// How one deletion ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    Deleted,
    /// Not found: done. The error is kept for `Managed::delete`.
    AlreadyGone(Error),
    Failed(Error),
}

/// Runs one deletion's API call. Not-found answers count as done.
pub(crate) async fn execute(client: &Client, deletion: &Deletion) -> Outcome {
    let params: Params = deletion
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // The rule the deletion was made by came from the precache.
    let api = Api::described(deletion.command.clone(), deletion.is_async);
    match client.call(api).params(params).await {
        Ok(_) => Outcome::Deleted,
        Err(error) if error.is_not_found() => Outcome::AlreadyGone(error),
        Err(error) => Outcome::Failed(error),
    }
}

/// Sorts into cleanup order: higher rank first, then later-registered first.
/// `seq` is the registration order.
pub(crate) fn order<T>(items: &mut [T], key: impl Fn(&T) -> (u8, u64)) {
    items.sort_by(|a, b| {
        let (rank_a, seq_a) = key(a);
        let (rank_b, seq_b) = key(b);
        rank_b.cmp(&rank_a).then(seq_b.cmp(&seq_a))
    });
}

/// How failed deletions are tried again: in rounds, each after every other
/// pending deletion has had its turn, with a pause that doubles between
/// rounds. Bounded, so a resource that truly cannot be deleted is reported
/// after a few seconds at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Passes at most, the first one included.
    pub(crate) rounds: u32,
    /// The pause before the second pass; doubled before each later one.
    pub(crate) backoff: Duration,
    /// The longest pause.
    pub(crate) max_backoff: Duration,
}

impl RetryPolicy {
    /// Six passes, pauses of 0.1, 0.2, 0.4, 0.8 and 1 s (2.5 s in all).
    pub(crate) const DEFAULT: Self = Self {
        rounds: 6,
        backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(1),
    };

    /// The pause before pass `round` (2 for the first retry).
    fn pause(&self, round: u32) -> Duration {
        let doublings = round.saturating_sub(2).min(16);
        self.backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff)
    }
}

/// Whether a failed deletion is worth trying again: the failure may be
/// passing (transport, a job that timed out or was cancelled, 429, 5xx) or
/// dependency-shaped (530 "failed to delete network", 536 in use, 431
/// "volume is attached": something deleted later in the stack may unblock
/// it). Authentication (401), permission (531), unavailable commands (405,
/// 432) and errors of the client itself are final, but for the one
/// dependency CloudStack refuses as a permission error: a role that
/// accounts still have (`RoleManagerImpl.deleteRole`), which their
/// deletion, retried in the same pass, unblocks.
pub(crate) fn worth_retrying(error: &Error) -> bool {
    match error {
        Error::Transport { .. } | Error::JobTimeout { .. } | Error::JobCancelled { .. } => true,
        Error::Api { .. } | Error::JobFailed { .. } => {
            match error.code().map(crate::ErrorCode::as_u16) {
                Some(531) => error.to_string().contains(ROLE_IN_USE),
                Some(401 | 405 | 432) => false,
                _ => true,
            }
        }
        _ => false,
    }
}

/// CloudStack's refusal to delete a role in use.
const ROLE_IN_USE: &str = "Found accounts that have role in use";

/// How many deletions of one kind run at once (see [`together`]).
pub(crate) const CONCURRENT_DELETIONS: usize = 8;

/// The lowest rank whose resources are deleted several at a time: VPCs,
/// networks, addresses, rules, groups, templates, volumes, VMs, snapshots.
/// Below it (accounts, projects, users, domains, offerings, the zone's
/// infrastructure) kinds nest or depend on each other in ways creation
/// order encodes, so they keep going one by one.
const CONCURRENT_FROM_RANK: u8 = 40;

/// Which deletions may run at the same time: neighbours in cleanup order of
/// the same entity kind and rank (two VMs, two public addresses), from
/// [`CONCURRENT_FROM_RANK`] up. `None`: alone.
fn together(deletion: &Deletion) -> Option<(u8, &str)> {
    (deletion.rank >= CONCURRENT_FROM_RANK).then_some((deletion.rank, deletion.entity.as_str()))
}

/// Runs deletions in the given order (see [`run_rounds`]), with the default
/// [`RetryPolicy`]; neighbours of one kind (see [`together`]) up to
/// [`CONCURRENT_DELETIONS`] at once, so that a test's 200 VMs do not wait
/// for each other's jobs.
pub(crate) async fn run_in_order<T>(
    items: Vec<T>,
    deletion: impl Fn(&T) -> (&Client, &Deletion),
) -> Vec<(T, Outcome)> {
    run_rounds(
        items,
        RetryPolicy::DEFAULT,
        |item| together(deletion(item).1).map(|(rank, entity)| (rank, entity.to_owned())),
        async |item| {
            let (client, d) = deletion(item);
            tracing::debug!(entity = %d.entity, id = %d.id, command = %d.command, "cleanup");
            execute(client, d).await
        },
    )
    .await
}

/// Runs `delete` on each item in the given order: one at a time, except that
/// neighbours with the same `Some` key of `batch` run up to
/// [`CONCURRENT_DELETIONS`] at once (started in order). A failure
/// does not stop the others. Failures [`worth_retrying`] are tried again
/// after all the others, in their original order, round after round (up to
/// `policy.rounds` passes, pausing between them), so that a deletion that
/// waited for a dependent ordered after it (a network whose VM failed to go
/// the first time) succeeds once that one is gone. Not-found counts as done
/// and is never retried. Returns each item with its final outcome, in the
/// order they were settled.
pub(crate) async fn run_rounds<T, K: PartialEq>(
    items: Vec<T>,
    policy: RetryPolicy,
    batch: impl Fn(&T) -> Option<K>,
    delete: impl AsyncFn(&T) -> Outcome,
) -> Vec<(T, Outcome)> {
    use futures_util::StreamExt as _;

    let mut settled = Vec::with_capacity(items.len());
    let mut todo = items;
    let mut round = 1;
    loop {
        let mut retry = Vec::new();
        let mut pending = todo.into_iter().peekable();
        while let Some(first) = pending.next() {
            let key = batch(&first);
            let mut run = vec![first];
            while key.is_some() && pending.peek().is_some_and(|next| batch(next) == key) {
                run.extend(pending.next());
            }
            let delete = &delete;
            let mut outcomes = futures_util::stream::iter(run)
                .map(|item| async move {
                    let outcome = delete(&item).await;
                    (item, outcome)
                })
                .buffered(CONCURRENT_DELETIONS);
            while let Some((item, outcome)) = outcomes.next().await {
                match outcome {
                    Outcome::Failed(error) if worth_retrying(&error) => retry.push((item, error)),
                    outcome => settled.push((item, outcome)),
                }
            }
        }
        if retry.is_empty() {
            break;
        }
        if round >= policy.rounds {
            settled.extend(
                retry
                    .into_iter()
                    .map(|(item, error)| (item, Outcome::Failed(error))),
            );
            break;
        }
        round += 1;
        tracing::debug!(
            round,
            failed = retry.len(),
            "cleanup: retrying failed deletions"
        );
        tokio::time::sleep(policy.pause(round)).await;
        todo = retry.into_iter().map(|(item, _)| item).collect();
    }
    settled
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::HashSet;

    use super::*;
    use crate::ErrorCode;

    fn api_error(code: u16, text: &str) -> Error {
        Error::Api {
            command: "deleteThing".into(),
            status: code,
            code: ErrorCode::from_u16(code),
            cs_code: None,
            text: text.into(),
        }
    }

    fn job_failed(code: u16) -> Error {
        Error::JobFailed {
            command: "deleteThing".into(),
            job_id: "j1".into(),
            code: ErrorCode::from_u16(code),
            text: "Simulated failure".into(),
        }
    }

    const QUICK: RetryPolicy = RetryPolicy {
        rounds: 4,
        backoff: Duration::ZERO,
        max_backoff: Duration::ZERO,
    };

    /// A fake cloud: `blocked_by[x]` must be gone before `x` can go;
    /// `transient[x]` is how many times `x` fails before it works; every
    /// attempt is logged.
    struct Cloud {
        gone: HashSet<&'static str>,
        blocked_by: Vec<(&'static str, &'static str)>,
        transient: Vec<(&'static str, u32)>,
        permanent: Vec<(&'static str, u16)>,
        log: Vec<String>,
    }

    impl Cloud {
        fn new() -> Self {
            Self {
                gone: HashSet::new(),
                blocked_by: Vec::new(),
                transient: Vec::new(),
                permanent: Vec::new(),
                log: Vec::new(),
            }
        }

        fn delete(&mut self, item: &'static str) -> Outcome {
            if self.gone.contains(item) {
                self.log.push(format!("{item}:gone"));
                return Outcome::AlreadyGone(api_error(431, "Unable to find thing"));
            }
            if let Some((_, code)) = self.permanent.iter().find(|(i, _)| *i == item) {
                self.log.push(format!("{item}:{code}"));
                return Outcome::Failed(api_error(*code, "refused"));
            }
            if let Some((_, left)) = self.transient.iter_mut().find(|(i, _)| *i == item) {
                if *left > 0 {
                    *left -= 1;
                    self.log.push(format!("{item}:fault"));
                    return Outcome::Failed(job_failed(530));
                }
            }
            let blocked = self
                .blocked_by
                .iter()
                .any(|(x, dep)| *x == item && !self.gone.contains(dep));
            if blocked {
                self.log.push(format!("{item}:in-use"));
                return Outcome::Failed(api_error(530, "Failed to delete network"));
            }
            self.gone.insert(item);
            self.log.push(format!("{item}:ok"));
            Outcome::Deleted
        }
    }

    async fn run(cloud: &RefCell<Cloud>, items: &[&'static str]) -> Vec<(&'static str, bool)> {
        run_rounds(
            items.to_vec(),
            QUICK,
            |_| None::<()>,
            async |item| cloud.borrow_mut().delete(item),
        )
        .await
        .into_iter()
        .map(|(item, outcome)| (item, !matches!(outcome, Outcome::Failed(_))))
        .collect()
    }

    #[tokio::test]
    async fn a_failed_deletion_is_retried_after_the_rest_and_unblocks_its_dependency() {
        // The VM's first deletion fails (an injected fault); the network
        // after it is then still in use; the account goes at once. Round 2
        // retries the VM, then the network, in their original order.
        let cloud = RefCell::new(Cloud::new());
        cloud.borrow_mut().transient.push(("vm", 1));
        cloud.borrow_mut().blocked_by.push(("network", "vm"));
        let settled = run(&cloud, &["vm", "network", "account"]).await;
        assert_eq!(
            cloud.borrow().log,
            [
                "vm:fault",
                "network:in-use",
                "account:ok",
                "vm:ok",
                "network:ok"
            ]
        );
        assert_eq!(
            settled,
            [("account", true), ("vm", true), ("network", true)]
        );
    }

    #[tokio::test]
    async fn a_dependency_ordered_before_its_dependent_goes_in_the_next_round() {
        // Misordered: the domain before the account that is in it.
        let cloud = RefCell::new(Cloud::new());
        cloud.borrow_mut().blocked_by.push(("domain", "account"));
        let settled = run(&cloud, &["domain", "account"]).await;
        assert_eq!(
            cloud.borrow().log,
            ["domain:in-use", "account:ok", "domain:ok"]
        );
        assert!(settled.iter().all(|(_, ok)| *ok));
    }

    #[tokio::test]
    async fn retries_are_bounded_and_the_last_error_is_reported() {
        let cloud = RefCell::new(Cloud::new());
        cloud.borrow_mut().transient.push(("vm", 100));
        let settled = run(&cloud, &["vm", "key"]).await;
        assert_eq!(
            cloud.borrow().log,
            ["vm:fault", "key:ok", "vm:fault", "vm:fault", "vm:fault"]
        );
        assert_eq!(settled, [("key", true), ("vm", false)]);
    }

    #[tokio::test]
    async fn final_errors_and_not_found_are_not_retried() {
        let cloud = RefCell::new(Cloud::new());
        cloud.borrow_mut().permanent.push(("mine", 531));
        cloud.borrow_mut().gone.insert("gone");
        let settled = run(&cloud, &["mine", "gone"]).await;
        assert_eq!(cloud.borrow().log, ["mine:531", "gone:gone"]);
        assert_eq!(settled, [("mine", false), ("gone", true)]);
    }

    #[test]
    fn which_failures_are_worth_retrying() {
        for code in [429, 431, 502, 530, 533, 534, 535, 536, 537] {
            assert!(worth_retrying(&api_error(code, "x")), "{code}");
            assert!(worth_retrying(&job_failed(code)), "job {code}");
        }
        for code in [401, 405, 432, 531] {
            assert!(!worth_retrying(&api_error(code, "x")), "{code}");
            assert!(!worth_retrying(&job_failed(code)), "job {code}");
        }
        assert!(worth_retrying(&Error::JobTimeout {
            command: "deleteThing".into(),
            job_id: "j".into(),
            elapsed: Duration::from_secs(1),
        }));
        assert!(!worth_retrying(&Error::setup("no credentials")));
        assert!(worth_retrying(&api_error(
            531,
            "Found accounts that have role in use, won't allow to delete role"
        )));
    }

    #[test]
    fn pauses_double_up_to_the_cap() {
        let policy = RetryPolicy::DEFAULT;
        let pauses: Vec<u128> = (2..=7).map(|r| policy.pause(r).as_millis()).collect();
        assert_eq!(pauses, [100, 200, 400, 800, 1000, 1000]);
    }

    #[tokio::test]
    async fn neighbours_of_one_kind_run_together_and_the_rest_one_by_one() {
        use std::cell::Cell;
        // (kind, key): the VMs and the addresses may overlap among
        // themselves, never with each other or with the account.
        let items: Vec<(&str, Option<u8>)> = [("vm", Some(80)); 20]
            .into_iter()
            .chain([("ip", Some(60)); 3])
            .chain([("account", None)])
            .collect();
        let in_flight = Cell::new(Vec::<&str>::new());
        let most = RefCell::new(std::collections::BTreeMap::<&str, usize>::new());
        let settled = run_rounds(
            items,
            QUICK,
            |(_, key)| *key,
            async |(kind, _)| {
                let mut now = in_flight.take();
                now.push(kind);
                assert!(now.iter().all(|k| k == kind), "{now:?} overlap");
                {
                    let mut most = most.borrow_mut();
                    let seen = most.entry(kind).or_default();
                    *seen = (*seen).max(now.len());
                }
                in_flight.set(now);
                tokio::task::yield_now().await;
                let mut now = in_flight.take();
                let at = now.iter().position(|k| k == kind).expect("in flight");
                now.remove(at);
                in_flight.set(now);
                Outcome::Deleted
            },
        )
        .await;
        assert_eq!(settled.len(), 24);
        let order: Vec<&str> = settled.iter().map(|((kind, _), _)| *kind).collect();
        assert_eq!(
            order[19..],
            ["vm", "ip", "ip", "ip", "account"],
            "kept in order"
        );
        assert_eq!(
            *most.borrow(),
            [("account", 1), ("ip", 3), ("vm", CONCURRENT_DELETIONS)].into()
        );
    }
}
