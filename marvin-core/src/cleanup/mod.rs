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
//! - Every registration and every end is written to the [`Ledger`], so
//!   [`sweep`] can delete what a killed run left behind.
//! - [`install_termination_handler`] gives pending cleanups a grace period
//!   on SIGTERM/SIGINT.

mod ledger;
mod managed;
mod signals;
mod stack;
mod sweep;
mod thread;

pub use ledger::{
    Event, Ledger, LedgerContents, LedgerError, LedgerRecord, MAX_RECORD, default_path, run_id,
};
pub use managed::Managed;
pub use signals::install_termination_handler;
pub(crate) use signals::{InFlight, terminated, termination_deadline};
pub use stack::{CleanupFailure, CleanupReport, CleanupStack};
pub use sweep::{SweepReport, sweep};
pub use thread::{flush, flush_timeout};

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
    match client
        .execute(&deletion.command, params, deletion.is_async)
        .await
    {
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

/// Runs deletions in the given order, one at a time. A failure does not stop
/// the others; failed ones are tried again after the rest, pass after pass,
/// as long as a pass deleted something (one may have waited for another
/// that was ordered after it). Returns each item with its final outcome, in
/// the order they were settled.
pub(crate) async fn run_in_order<T>(
    items: Vec<T>,
    deletion: impl Fn(&T) -> (&Client, &Deletion),
) -> Vec<(T, Outcome)> {
    let mut settled = Vec::with_capacity(items.len());
    let mut todo = items;
    loop {
        let mut failed = Vec::new();
        let mut progress = false;
        for item in todo {
            let (client, d) = deletion(&item);
            tracing::debug!(entity = %d.entity, id = %d.id, command = %d.command, "cleanup");
            match execute(client, d).await {
                Outcome::Failed(error) => failed.push((item, error)),
                outcome => {
                    progress = true;
                    settled.push((item, outcome));
                }
            }
        }
        if failed.is_empty() {
            break;
        }
        if !progress {
            settled.extend(
                failed
                    .into_iter()
                    .map(|(item, error)| (item, Outcome::Failed(error))),
            );
            break;
        }
        todo = failed.into_iter().map(|(item, _)| item).collect();
    }
    settled
}
