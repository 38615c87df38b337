//! [`sweep`]: delete what the ledger says is still pending (the engine of
//! `marvin cleanup`).

use std::fmt;
use std::path::Path;

use super::Outcome;
use super::ledger::{Event, Ledger, LedgerError, LedgerRecord};
use crate::{Client, Error};

/// What a [`sweep`] found and did.
#[derive(Debug, Default)]
pub struct SweepReport {
    /// Whether nothing was deleted on purpose.
    pub dry_run: bool,
    /// The pending resources, in the order they are (or would be) deleted.
    pub pending: Vec<LedgerRecord>,
    /// Deleted now.
    pub deleted: Vec<LedgerRecord>,
    /// Already gone (not-found), which counts as done.
    pub already_gone: Vec<LedgerRecord>,
    /// Could not be deleted; they stay pending in the ledger.
    pub failures: Vec<(LedgerRecord, Error)>,
    /// Ledger lines that were not records.
    pub malformed_lines: usize,
}

impl SweepReport {
    /// Whether everything pending is now gone (always false for a dry run
    /// with something pending).
    pub fn is_clean(&self) -> bool {
        self.failures.is_empty() && (!self.dry_run || self.pending.is_empty())
    }
}

impl fmt::Display for SweepReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            write!(
                f,
                "{} pending resource(s) would be deleted:",
                self.pending.len()
            )?;
            for record in &self.pending {
                let command = record.deletion.as_ref().map_or("?", |d| d.command.as_str());
                write!(
                    f,
                    "\n  {} {} ({command}; run {}, test {})",
                    record.entity, record.id, record.run, record.test
                )?;
            }
        } else {
            write!(
                f,
                "{} pending: {} deleted, {} already gone, {} failed",
                self.pending.len(),
                self.deleted.len(),
                self.already_gone.len(),
                self.failures.len()
            )?;
            for (record, error) in &self.failures {
                write!(
                    f,
                    "\n  could not delete {} {} (run {}): {error}",
                    record.entity, record.id, record.run
                )?;
            }
        }
        if self.malformed_lines > 0 {
            write!(
                f,
                "\n  ({} malformed ledger line(s) skipped)",
                self.malformed_lines
            )?;
        }
        Ok(())
    }
}

/// Deletes the resources the ledger at `ledger_path` lists as created and
/// neither deleted nor kept: those of run `run_filter`, or of every run.
///
/// Runs each recorded [`Deletion`](crate::Deletion) with `client` (an admin
/// client), in dependency order (higher rank first, then the most recently
/// created first), one at a time; a not-found answer counts as done; a
/// failure does not stop the others (failures that may pass or look like a
/// dependency are retried after the rest, in bounded rounds with back-off,
/// as [`CleanupStack::run`](super::CleanupStack::run) does). Every resource now gone gets a `deleted`
/// record (with its original run and test). Nothing absent from the ledger
/// is ever touched. With `dry_run`, only reports what would be deleted.
pub async fn sweep(
    client: &Client,
    ledger_path: &Path,
    run_filter: Option<&str>,
    dry_run: bool,
) -> Result<SweepReport, LedgerError> {
    let ledger = Ledger::open(ledger_path);
    let contents = ledger.read()?;
    let mut pending: Vec<(u64, LedgerRecord)> = contents
        .pending(run_filter)
        .into_iter()
        .enumerate()
        .map(|(index, record)| (index as u64, record.clone()))
        .collect();
    super::order(&mut pending, |(seq, record)| {
        (record.deletion.as_ref().map_or(0, |d| d.rank), *seq)
    });
    let mut report = SweepReport {
        dry_run,
        pending: pending.iter().map(|(_, record)| record.clone()).collect(),
        malformed_lines: contents.malformed_lines,
        ..SweepReport::default()
    };
    if dry_run {
        return Ok(report);
    }
    let items: Vec<(Client, LedgerRecord)> = pending
        .into_iter()
        .map(|(_, record)| (client.clone(), record))
        .collect();
    let settled = super::run_in_order(items, |(client, record)| {
        (
            client,
            record
                .deletion
                .as_ref()
                .expect("pending records carry their deletion"),
        )
    })
    .await;
    for ((_, record), outcome) in settled {
        let done = |record: &LedgerRecord| {
            let deletion = record
                .deletion
                .as_ref()
                .expect("pending records carry their deletion");
            ledger.record(Event::Deleted, &record.run, &record.test, deletion)
        };
        match outcome {
            Outcome::Failed(error) => report.failures.push((record, error)),
            Outcome::Deleted => {
                done(&record)?;
                report.deleted.push(record);
            }
            Outcome::AlreadyGone(_) => {
                done(&record)?;
                report.already_gone.push(record);
            }
        }
    }
    Ok(report)
}
