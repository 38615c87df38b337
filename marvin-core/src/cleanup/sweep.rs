//! [`sweep`] and [`sweep_by_tag`]: delete what interrupted runs left
//! behind (the engine of `marvin cleanup`).
//!
//! Both build a plan first and send exactly the plan: a dry run prints the
//! calls the real run sends, command and parameters. Both send only what
//! [`check_deletion`] allows, and only to the cloud the client is pointed
//! at: ledger records of another cloud are skipped and counted.
//!
//! [`sweep`] also settles the open intents of its ledgers (creates whose
//! answer never reached the ledger): it looks each name up with its
//! entity's [`LookupRule`](super::LookupRule) (a list, read-only, also in a
//! dry run), plans the deletion of the one object of exactly that name,
//! refuses when several match, and closes the intent as never created when
//! none does.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::intent::lookup_rule;
use super::ledger::{Event, Ledger, LedgerError, LedgerRecord, normalized_endpoint};
use super::rules::{Refusal, check_deletion};
use super::{Outcome, RetryPolicy, execute};
use crate::resource::{Deletion, DeletionRule};
use crate::{Client, Error, Params};

/// The tag key naming the run on what factories create.
pub const RUN_TAG: &str = "marvin:run";
/// The tag key naming the test on what factories create.
pub const TEST_TAG: &str = "marvin:test";

/// How a sweep chooses and sends deletions.
#[derive(Debug, Clone)]
pub struct SweepOptions<'r> {
    /// Only resources of this run; `None`: of every run.
    pub run: Option<String>,
    /// Plan and report, send nothing.
    pub dry_run: bool,
    /// Also sweep ledger records that name no cloud (written before
    /// records carried their endpoint), as if they were this cloud's.
    /// Records of another cloud are never swept.
    pub include_unknown_cloud: bool,
    /// What may be sent: every deletion is checked against these (see
    /// [`check_deletion`]).
    pub rules: &'r [DeletionRule],
}

impl<'r> SweepOptions<'r> {
    /// A real sweep of every run, checked against `rules`.
    pub fn new(rules: &'r [DeletionRule]) -> Self {
        Self {
            run: None,
            dry_run: false,
            include_unknown_cloud: false,
            rules,
        }
    }

    /// Only resources of run `run`.
    #[must_use]
    pub fn run(mut self, run: impl Into<String>) -> Self {
        self.run = Some(run.into());
        self
    }

    /// Plan and report only.
    #[must_use]
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// See [`include_unknown_cloud`](Self::include_unknown_cloud).
    #[must_use]
    pub fn include_unknown_cloud(mut self, include: bool) -> Self {
        self.include_unknown_cloud = include;
        self
    }
}

/// Where a sweep found a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A pending record of a ledger file.
    Ledger {
        /// The ledger file.
        path: PathBuf,
        /// The `created` record.
        record: LedgerRecord,
    },
    /// An open intent of a ledger file: a create whose answer never
    /// reached the ledger, found again by the name its request carried.
    Intent {
        /// The ledger file.
        path: PathBuf,
        /// The `intent` record.
        intent: LedgerRecord,
        /// The object's id, when the lookup found exactly one.
        id: Option<String>,
    },
    /// A [`RUN_TAG`] tag on the cloud.
    Tag {
        /// The CloudStack resource type (`UserVm`).
        resource_type: String,
        /// The resource's id.
        id: String,
        /// The run the tag names.
        run: String,
        /// The test its [`TEST_TAG`] names, if it has one.
        test: Option<String>,
    },
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ledger { record, .. } => write!(
                f,
                "{} {} (run {}, test {})",
                record.entity, record.id, record.run, record.test
            ),
            Self::Intent { intent, id, .. } => {
                write!(f, "{}", intent.entity)?;
                if let Some(id) = id {
                    write!(f, " {id}")?;
                }
                write!(
                    f,
                    " named {:?} (run {}, test {}; its create's answer was never recorded)",
                    intent.name.as_deref().unwrap_or_default(),
                    intent.run,
                    intent.test
                )
            }
            Self::Tag {
                resource_type,
                id,
                run,
                test,
            } => {
                write!(f, "{resource_type} {id} (run {run}")?;
                if let Some(test) = test {
                    write!(f, ", test {test}")?;
                }
                write!(f, ")")
            }
        }
    }
}

/// One resource a sweep deletes, and exactly what it sends for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDeletion {
    /// Where it was found.
    pub found: Found,
    /// The call sent. When a tag's resource type may be one of several
    /// entities (a firewall rule: ingress or egress), one call per reading,
    /// each sent only if the one before answered "not found".
    pub calls: Vec<Deletion>,
}

impl PlannedDeletion {
    fn rank(&self) -> u8 {
        self.calls.first().map_or(0, |call| call.rank)
    }
}

impl fmt::Display for PlannedDeletion {
    /// `destroyVirtualMachine id=1f0c expunge=true  [VirtualMachine 1f0c (run r1, test t)]`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, call) in self.calls.iter().enumerate() {
            if index > 0 {
                write!(f, " | if not found: ")?;
            }
            write!(f, "{}", render_call(call))?;
        }
        write!(f, "  [{}]", self.found)
    }
}

/// `command name=value ...`: what is sent, as sent. Values with spaces,
/// quotes or control characters (or empty ones) are quoted with Rust
/// escapes, so that a line reads back unambiguously.
pub fn render_call(call: &Deletion) -> String {
    let mut line = call.command.clone();
    for (name, value) in &call.params {
        line.push(' ');
        line.push_str(&quoted(name));
        line.push('=');
        line.push_str(&quoted(value));
    }
    line
}

fn quoted(text: &str) -> String {
    let plain = !text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\\' | '='));
    if plain {
        text.to_owned()
    } else {
        format!("{text:?}")
    }
}

/// A ledger file a sweep read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRead {
    /// The file.
    pub path: PathBuf,
    /// Whether it exists.
    pub exists: bool,
    /// Its records.
    pub records: usize,
    /// Its lines that were not records (skipped).
    pub malformed_lines: usize,
}

/// What a sweep found and did.
#[derive(Debug, Default)]
pub struct SweepReport {
    /// Whether nothing was sent on purpose.
    pub dry_run: bool,
    /// The cloud swept ([`normalized_endpoint`] of the client's endpoint).
    pub cloud: String,
    /// The ledgers read (none for [`sweep_by_tag`]).
    pub ledgers: Vec<LedgerRead>,
    /// How many resources the tags named ([`sweep_by_tag`] only).
    pub tagged: Option<usize>,
    /// The deletions, in the order they are (or would be) sent.
    pub planned: Vec<PlannedDeletion>,
    /// Records refused, never sent (see [`check_deletion`]); they stay
    /// pending in their ledger.
    pub refused: Vec<(Found, Refusal)>,
    /// Pending records of other clouds, per cloud: not touched.
    pub other_clouds: BTreeMap<String, usize>,
    /// Pending records that name no cloud, skipped (see
    /// [`SweepOptions::include_unknown_cloud`]).
    pub unknown_cloud: usize,
    /// Deleted now.
    pub deleted: Vec<PlannedDeletion>,
    /// Already gone (not-found), which counts as done.
    pub already_gone: Vec<PlannedDeletion>,
    /// Could not be deleted; ledger records stay pending.
    pub failures: Vec<(PlannedDeletion, Error)>,
    /// Open intents whose name the cloud does not list: their create made
    /// nothing. A real sweep closes them (`never_created`).
    pub never_created: Vec<Found>,
    /// Open intents whose name could not be looked up (the list failed);
    /// they stay open.
    pub unresolved: Vec<(Found, Error)>,
    /// What the sweep could not look at (a listing the cloud refused).
    pub notes: Vec<String>,
}

impl SweepReport {
    /// Whether everything found is now gone: nothing failed or was refused
    /// (always false for a dry run with something planned).
    pub fn is_clean(&self) -> bool {
        self.failures.is_empty()
            && self.refused.is_empty()
            && self.unresolved.is_empty()
            && (!self.dry_run || self.planned.is_empty())
    }

    /// Resources still there (or possibly there) that this sweep was asked
    /// to delete: the failures, the refused records and the intents that
    /// could not be looked up.
    pub fn left_behind(&self) -> usize {
        self.failures.len() + self.refused.len() + self.unresolved.len()
    }

    fn malformed_lines(&self) -> usize {
        self.ledgers.iter().map(|l| l.malformed_lines).sum()
    }
}

impl fmt::Display for SweepReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            write!(
                f,
                "{} pending resource(s) would be deleted on {}, by exactly these calls:",
                self.planned.len(),
                self.cloud
            )?;
            for planned in &self.planned {
                write!(f, "\n  {planned}")?;
            }
        } else {
            write!(
                f,
                "{} pending: {} deleted, {} already gone, {} failed (on {})",
                self.planned.len(),
                self.deleted.len(),
                self.already_gone.len(),
                self.failures.len(),
                self.cloud
            )?;
            for (planned, error) in &self.failures {
                write!(f, "\n  could not delete {}: {error}", planned.found)?;
            }
        }
        if !self.refused.is_empty() {
            write!(
                f,
                "\nrefused {} record(s), never sent (they stay pending):",
                self.refused.len()
            )?;
            for (found, refusal) in &self.refused {
                write!(f, "\n  {found}: {refusal}")?;
            }
        }
        if !self.never_created.is_empty() {
            let closed = if self.dry_run {
                "would be closed"
            } else {
                "closed"
            };
            write!(
                f,
                "\n{} intent(s) whose name the cloud does not list: never created, {closed}:",
                self.never_created.len()
            )?;
            for found in &self.never_created {
                write!(f, "\n  {found}")?;
            }
        }
        for (found, error) in &self.unresolved {
            write!(
                f,
                "\ncould not look up {found} (it may exist; the intent stays open): {error}"
            )?;
        }
        for (cloud, count) in &self.other_clouds {
            write!(
                f,
                "\nskipped {count} pending record(s) of another cloud, {cloud} (sweep them with a config of that cloud)"
            )?;
        }
        if self.unknown_cloud > 0 {
            write!(
                f,
                "\nskipped {} pending record(s) that name no cloud (written by an older Marvin); \
                 --include-unknown-cloud sweeps them against this cloud",
                self.unknown_cloud
            )?;
        }
        for note in &self.notes {
            write!(f, "\nnote: {note}")?;
        }
        let malformed = self.malformed_lines();
        if malformed > 0 {
            write!(f, "\n({malformed} malformed ledger line(s) skipped)")?;
        }
        Ok(())
    }
}

/// Deletes the resources the ledgers at `ledgers` list as created and
/// neither deleted nor kept, on the cloud `client` (an admin client) is
/// pointed at.
///
/// - Only records of that cloud are swept; records of other clouds are
///   counted per cloud and left pending, records naming no cloud too
///   unless [`SweepOptions::include_unknown_cloud`].
/// - Each recorded deletion is checked with [`check_deletion`] against
///   [`SweepOptions::rules`]; a refused one is reported and never sent.
/// - The rest is sent as recorded (the rule decides only whether it is
///   asynchronous), in dependency order (higher rank first, then the most
///   recently created first); a not-found answer counts as done; failures
///   that may pass or look like a dependency are retried after the rest, in
///   bounded rounds, as [`CleanupStack::run`](super::CleanupStack::run)
///   does.
/// - Every resource now gone gets a `deleted` record in its own ledger,
///   with its original run, test and cloud.
/// - Open intents (see [`LedgerContents::open_intents`](super::LedgerContents::open_intents))
///   of this cloud are looked up by their name with their entity's list API
///   (`listall=true` where it takes it; only items whose name field equals
///   the name exactly count). One object: its deletion, built by the
///   entity's first rule from the listed item, is checked and planned like
///   a record's, and before it is sent a `created` record (with the id
///   found) settles the intent. Several: refused, never sent. None: the
///   create made nothing, and a `never_created` record closes the intent.
///   A failed lookup leaves the intent open and is reported.
///
/// With [`SweepOptions::dry_run`], only plans (the lookups, which only
/// read, are made): the report lists exactly the calls a real sweep would
/// send, and nothing is written.
pub async fn sweep(
    client: &Client,
    ledgers: &[PathBuf],
    options: &SweepOptions<'_>,
) -> Result<SweepReport, LedgerError> {
    let cloud = normalized_endpoint(client.endpoint());
    let mut report = SweepReport {
        dry_run: options.dry_run,
        cloud: cloud.clone(),
        ..SweepReport::default()
    };
    let mut planned = Vec::new();
    let mut read: Vec<&Path> = Vec::new();
    for path in ledgers {
        // The same file twice would plan every deletion twice.
        if read.contains(&path.as_path()) {
            continue;
        }
        read.push(path);
        let contents = Ledger::open(path).read()?;
        report.ledgers.push(LedgerRead {
            path: path.clone(),
            exists: path.exists(),
            records: contents.records.len(),
            malformed_lines: contents.malformed_lines,
        });
        for record in contents.pending(options.run.as_deref()) {
            if !on_this_cloud(record, &cloud, options, &mut report) {
                continue;
            }
            let found = Found::Ledger {
                path: path.clone(),
                record: record.clone(),
            };
            let deletion = record
                .deletion
                .as_ref()
                .expect("pending records carry their deletion");
            match check_deletion(&record.entity, &record.id, deletion, options.rules) {
                Ok(rule) => planned.push(PlannedDeletion {
                    found,
                    calls: vec![Deletion {
                        is_async: rule.is_async,
                        ..deletion.clone()
                    }],
                }),
                Err(refusal) => report.refused.push((found, refusal)),
            }
        }
        for intent in contents.open_intents(options.run.as_deref()) {
            if !on_this_cloud(intent, &cloud, options, &mut report) {
                continue;
            }
            let found = |id: Option<String>| Found::Intent {
                path: path.clone(),
                intent: intent.clone(),
                id,
            };
            match look_up(client, intent, options.rules).await {
                Ok(Lookup::Nothing) => report.never_created.push(found(None)),
                Ok(Lookup::One(deletion)) => {
                    match check_deletion(&intent.entity, &deletion.id, &deletion, options.rules) {
                        Ok(rule) => planned.push(PlannedDeletion {
                            found: found(Some(deletion.id.clone())),
                            calls: vec![Deletion {
                                is_async: rule.is_async,
                                ..deletion
                            }],
                        }),
                        Err(refusal) => report.refused.push((found(Some(deletion.id)), refusal)),
                    }
                }
                Ok(Lookup::Refused(refusal)) => report.refused.push((found(None), refusal)),
                Err(error) => report.unresolved.push((found(None), error)),
            }
        }
    }
    report.planned = in_cleanup_order(planned);
    if options.dry_run {
        return Ok(report);
    }
    let mut ledgers: HashMap<PathBuf, Ledger> = HashMap::new();
    for found in &report.never_created {
        if let Found::Intent { path, intent, .. } = found {
            ledger(&mut ledgers, path).append(&LedgerRecord::never_created(intent))?;
        }
    }
    // What an intent's lookup found becomes an ordinary pending record
    // before anything is sent: a deletion that fails is retried by the
    // next sweep by its id, without looking the name up again.
    for planned in &mut report.planned {
        if let Found::Intent { path, intent, .. } = &planned.found {
            let record = found_record(intent, &planned.calls[0]);
            ledger(&mut ledgers, path).append(&record)?;
            planned.found = Found::Ledger {
                path: path.clone(),
                record,
            };
        }
    }
    for (planned, outcome) in send(client, report.planned.clone()).await {
        let gone = !matches!(outcome, Outcome::Failed(_));
        if let (true, Found::Ledger { path, record }) = (gone, &planned.found) {
            ledger(&mut ledgers, path).append(&deleted_record(record))?;
        }
        settle(&mut report, planned, outcome);
    }
    Ok(report)
}

/// The ledger at `path`, opened once per sweep.
fn ledger<'l>(ledgers: &'l mut HashMap<PathBuf, Ledger>, path: &Path) -> &'l Ledger {
    ledgers
        .entry(path.to_path_buf())
        .or_insert_with(|| Ledger::open(path))
}

/// The `created` record of the object an intent's lookup found: the
/// intent's run, test, cloud and name, the id found, and its deletion.
fn found_record(intent: &LedgerRecord, deletion: &Deletion) -> LedgerRecord {
    let mut record = LedgerRecord::new(Event::Created, &intent.run, &intent.test, deletion)
        .named(intent.name.as_deref());
    record.endpoint.clone_from(&intent.endpoint);
    record
}

/// Whether `record` was written against `cloud` (or names no cloud, and
/// the options take such records as this cloud's); the others are counted
/// in `report` and left alone.
fn on_this_cloud(
    record: &LedgerRecord,
    cloud: &str,
    options: &SweepOptions<'_>,
    report: &mut SweepReport,
) -> bool {
    match record.endpoint.as_deref() {
        Some(endpoint) if endpoint == cloud => true,
        Some(endpoint) => {
            *report.other_clouds.entry(endpoint.to_owned()).or_default() += 1;
            false
        }
        None if options.include_unknown_cloud => true,
        None => {
            report.unknown_cloud += 1;
            false
        }
    }
}

/// What looking an intent's name up found.
enum Lookup {
    /// No object of that name: the create made nothing.
    Nothing,
    /// Exactly one: its deletion, built by the entity's rule.
    One(Deletion),
    /// Not to be deleted: why.
    Refused(Refusal),
}

/// Looks the object of `intent` up by its name with its entity's list API:
/// only items whose name field equals the name exactly count.
async fn look_up(
    client: &Client,
    intent: &LedgerRecord,
    rules: &[DeletionRule],
) -> Result<Lookup, Error> {
    let name = intent.name.as_deref().unwrap_or_default();
    let Some(lookup) = lookup_rule(&intent.entity) else {
        return Ok(Lookup::Refused(Refusal::NoLookup {
            entity: intent.entity.clone(),
        }));
    };
    let Some(rule) = rules.iter().find(|rule| rule.entity == intent.entity) else {
        return Ok(Lookup::Refused(Refusal::NotDeletable {
            resource_type: intent.entity.clone(),
        }));
    };
    let projectid = intent
        .intent
        .as_ref()
        .and_then(|intent| intent.projectid.as_deref());
    let items = client
        .list_all(lookup.list, lookup.params(name, projectid))
        .await?;
    let matching: Vec<&Value> = items
        .iter()
        .filter(|item| item.get(lookup.field).and_then(Value::as_str) == Some(name))
        .collect();
    match matching.as_slice() {
        [] => Ok(Lookup::Nothing),
        [item] if made_before(item, &intent.time) => {
            Ok(Lookup::Refused(Refusal::OlderThanIntent {
                entity: intent.entity.clone(),
                name: name.to_owned(),
                created: item["created"].as_str().unwrap_or_default().to_owned(),
                intent: intent.time.clone(),
            }))
        }
        [item] => Ok(match deletion_of(rule, item) {
            Some(deletion) => Lookup::One(deletion),
            None => Lookup::Refused(Refusal::MissingKey {
                command: lookup.list.to_owned(),
                key: rule.key.to_owned(),
            }),
        }),
        several => Ok(Lookup::Refused(Refusal::Ambiguous {
            list: lookup.list.to_owned(),
            field: lookup.field.to_owned(),
            name: name.to_owned(),
            count: several.len(),
        })),
    }
}

/// How far the cloud's clock may be behind the ledger's writer.
const CLOCK_SKEW: time::Duration = time::Duration::minutes(10);

/// Whether the listed `item` says it was created before the intent written
/// at `intent_time` (RFC 3339), allowing for [`CLOCK_SKEW`]: a name that
/// already existed is someone else's object. An item with no readable
/// `created` cannot tell, and is not held to it.
fn made_before(item: &Value, intent_time: &str) -> bool {
    let rfc3339 = time::format_description::well_known::Rfc3339;
    // CloudStack writes `2026-12-06T15:52:36+0000`.
    let cloudstack = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    );
    let Some(created) = item.get("created").and_then(Value::as_str) else {
        return false;
    };
    let created = time::OffsetDateTime::parse(created, &cloudstack)
        .or_else(|_| time::OffsetDateTime::parse(created, &rfc3339));
    match (created, time::OffsetDateTime::parse(intent_time, &rfc3339)) {
        (Ok(created), Ok(intent)) => created < intent - CLOCK_SKEW,
        _ => false,
    }
}

/// The deletion of the listed `item` by `rule`: its key (the id, or for
/// entities deleted by name the name) and, for keys unique per owner, the
/// owner's fields.
fn deletion_of(rule: &DeletionRule, item: &Value) -> Option<Deletion> {
    let text = |field: &str| {
        item.get(field)
            .and_then(Value::as_str)
            .filter(|value| !value.is_empty())
    };
    let mut deletion = rule.deletion(text(rule.key)?);
    for owner in rule.scope {
        deletion = deletion.param(owner, text(owner)?);
    }
    Some(deletion)
}

/// The `deleted` record ending `created`: same run, test, cloud and
/// resource.
fn deleted_record(created: &LedgerRecord) -> LedgerRecord {
    let deletion = created
        .deletion
        .as_ref()
        .expect("pending records carry their deletion");
    let mut record = LedgerRecord::new(Event::Deleted, &created.run, &created.test, deletion);
    record.endpoint.clone_from(&created.endpoint);
    record
}

fn settle(report: &mut SweepReport, planned: PlannedDeletion, outcome: Outcome) {
    match outcome {
        Outcome::Deleted => report.deleted.push(planned),
        Outcome::AlreadyGone(_) => report.already_gone.push(planned),
        Outcome::Failed(error) => report.failures.push((planned, error)),
    }
}

/// Higher rank first, then the later found first.
fn in_cleanup_order(planned: Vec<PlannedDeletion>) -> Vec<PlannedDeletion> {
    let mut numbered: Vec<(u64, PlannedDeletion)> = planned
        .into_iter()
        .enumerate()
        .map(|(index, planned)| (index as u64, planned))
        .collect();
    super::order(&mut numbered, |(seq, planned)| (planned.rank(), *seq));
    numbered.into_iter().map(|(_, planned)| planned).collect()
}

/// Sends the plan in its order (neighbours of one kind together, failures
/// retried in rounds: see [`super::run_rounds`]).
async fn send(client: &Client, planned: Vec<PlannedDeletion>) -> Vec<(PlannedDeletion, Outcome)> {
    super::run_rounds(
        planned,
        RetryPolicy::DEFAULT,
        |planned| {
            planned
                .calls
                .first()
                .and_then(super::together)
                .map(|(rank, entity)| (rank, entity.to_owned()))
        },
        async |planned| {
            let mut gone = None;
            for call in &planned.calls {
                tracing::debug!(command = %call.command, id = %call.id, "sweep");
                match execute(client, call).await {
                    // Not this reading of the resource: try the next one.
                    Outcome::AlreadyGone(error) => gone = Some(error),
                    outcome => return outcome,
                }
            }
            gone.map_or_else(
                || Outcome::Failed(Error::setup("a planned deletion without a call")),
                Outcome::AlreadyGone,
            )
        },
    )
    .await
}

/// Deletes what carries a [`RUN_TAG`] tag on the cloud `client` (an admin
/// client) is pointed at: for when the ledger is lost.
///
/// Lists the tags (`listTags key=marvin:run`, with `value=<run>` for one
/// run; over every account and every project), takes the resources they
/// name, and deletes each with the rule of its entity (`taggable` maps the
/// CloudStack resource types to entity names; an entity with several rules
/// uses the first; a type that may be several entities is tried as each in
/// turn, the next only when the one before answers "not found"). Order,
/// retries and dry run are those of [`sweep`]. A tagged resource whose type
/// no rule deletes is reported as refused.
pub async fn sweep_by_tag(
    client: &Client,
    taggable: &[(&str, &str)],
    options: &SweepOptions<'_>,
) -> Result<SweepReport, Error> {
    let mut report = SweepReport {
        dry_run: options.dry_run,
        cloud: normalized_endpoint(client.endpoint()),
        ..SweepReport::default()
    };
    let runs = tags(client, RUN_TAG, options.run.as_deref(), &mut report.notes).await?;
    let tests: HashMap<(String, String), String> = tags(client, TEST_TAG, None, &mut Vec::new())
        .await?
        .into_iter()
        .map(|tag| ((tag.resource_type, tag.resource_id), tag.value))
        .collect();
    report.tagged = Some(runs.len());
    let mut planned = Vec::new();
    for tag in runs {
        let test = tests
            .get(&(tag.resource_type.clone(), tag.resource_id.clone()))
            .cloned();
        let calls: Vec<Deletion> = taggable
            .iter()
            .filter(|(kind, _)| kind.eq_ignore_ascii_case(&tag.resource_type))
            .filter_map(|(_, entity)| options.rules.iter().find(|rule| rule.entity == *entity))
            .map(|rule| rule.deletion(&tag.resource_id))
            .collect();
        let refusal = calls.is_empty().then(|| Refusal::NotDeletable {
            resource_type: tag.resource_type.clone(),
        });
        let found = Found::Tag {
            resource_type: tag.resource_type,
            id: tag.resource_id,
            run: tag.value,
            test,
        };
        if let Some(refusal) = refusal {
            report.refused.push((found, refusal));
        } else {
            planned.push(PlannedDeletion { found, calls });
        }
    }
    report.planned = in_cleanup_order(planned);
    if options.dry_run {
        return Ok(report);
    }
    for (planned, outcome) in send(client, report.planned.clone()).await {
        settle(&mut report, planned, outcome);
    }
    Ok(report)
}

/// One tag as `listTags` answers it.
struct Tag {
    resource_type: String,
    resource_id: String,
    value: String,
}

/// The tags with `key` (and `value`), of every account and, where the cloud
/// lists them with `projectid=-1`, every project, once per resource. A
/// cloud that refuses the project listing gets a note in `notes`.
async fn tags(
    client: &Client,
    key: &str,
    value: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Vec<Tag>, Error> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for projects in [false, true] {
        let mut params = Params::from([("key", key), ("listall", "true")]);
        if let Some(value) = value {
            params.set("value", value);
        }
        if projects {
            params.set("projectid", "-1");
        }
        let items = match client.list_all("listTags", params).await {
            Ok(items) => items,
            Err(error) if projects => {
                notes.push(format!(
                    "the tags of project resources were not listed (listTags projectid=-1: {error})"
                ));
                continue;
            }
            Err(error) => return Err(error),
        };
        for item in items {
            let text = |field: &str| item.get(field).and_then(Value::as_str).map(str::to_owned);
            let (Some(resource_type), Some(resource_id)) =
                (text("resourcetype"), text("resourceid"))
            else {
                continue;
            };
            if seen.insert((resource_type.clone(), resource_id.clone())) {
                found.push(Tag {
                    resource_type,
                    resource_id,
                    value: text("value").unwrap_or_default(),
                });
            }
        }
    }
    Ok(found)
}
