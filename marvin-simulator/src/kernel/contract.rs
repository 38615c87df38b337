//! The contract between the engine and the resource families.
//!
//! A family (identity, datacenter, compute, ...) is a folder under
//! `families/` with its request handling (a command table), business rules,
//! storage (its own tables, created from its `schema.sql`) and event
//! notification (through [`Call::event`]), declared once as a [`Family`]
//! constant. The kernel knows nothing about any family beyond this
//! declaration; adding a family means adding a folder and one line in
//! `families/mod.rs`.
//!
//! The dispatcher owns the transaction: a handler gets `&Transaction`, never
//! commits, and an `Err` rolls everything back. Generic validation against
//! the precache (required parameters, types, uuids, lengths, paging) has run
//! before a handler sees a call.

use rusqlite::Transaction;
use serde_json::Value;
use time::OffsetDateTime;

use crate::kernel::caller::{Caller, RoleSet};
use crate::kernel::catalog::Served;
use crate::kernel::error::ApiError;
use crate::kernel::params::Params;

/// One resource family, declared once, as a constant of its folder's
/// `mod.rs`:
///
/// ```ignore
/// pub(crate) const FAMILY: Family = Family::new("tags", include_str!("schema.sql"), COMMANDS);
/// ```
#[derive(Debug)]
pub struct Family {
    /// A short name (`identity`, `datacenter`).
    pub name: &'static str,
    /// SQL that creates the family's tables and indexes (run once at
    /// start-up, in family order, after the kernel's own tables, so a family
    /// may reference tables of earlier ones).
    pub schema: &'static str,
    /// The commands this family answers.
    pub commands: &'static [Command],
    /// Inserts this family's part of the default seed, if it has one. Runs
    /// in family order inside one transaction; `seed` carries ids between
    /// families.
    pub seed: Option<Seeder>,
    /// The views other families may read of this one: each created by its
    /// `schema.sql`, named after the family, one table's columns (start-up
    /// fails when one is missing). Another family's SQL names no other
    /// table of this one, and writes go through the family's `api.rs`.
    pub views: &'static [&'static str],
    /// How this family answers the catalog's APIs that no family declares
    /// (see [`Fallback`]); `None` for the families that model their commands.
    pub fallback: Option<Fallback>,
}

/// What a fallback family gives every API of the catalog that no family
/// declares a command for: one handler, which reads the API's schema from
/// [`Call::served`], and a rule deciding who may call it. A declared command
/// always wins over the fallback, so modelling an API takes it away from the
/// fallback without any other change.
#[derive(Debug, Clone, Copy)]
pub struct Fallback {
    /// Who may call an unclaimed API, by its name.
    pub roles: fn(&str) -> RoleSet,
    /// The handler of every unclaimed API.
    pub run: Handler,
}

/// A family's part of the default seed.
pub type Seeder = fn(&mut Seed<'_>) -> Result<(), ApiError>;

impl Family {
    /// A family without a seed.
    pub const fn new(
        name: &'static str,
        schema: &'static str,
        commands: &'static [Command],
    ) -> Self {
        Self {
            name,
            schema,
            commands,
            seed: None,
            views: &[],
            fallback: None,
        }
    }

    /// The same family, answering the catalog's APIs that no family
    /// declares (at most one family of a registry does).
    pub const fn answering_the_rest(self, fallback: Fallback) -> Self {
        Self {
            fallback: Some(fallback),
            ..self
        }
    }

    /// The same family, publishing `views` to the other families.
    pub const fn publishing(self, views: &'static [&'static str]) -> Self {
        Self { views, ..self }
    }

    /// The same family, inserting `seed` into a fresh database.
    pub const fn seeded(self, seed: Seeder) -> Self {
        Self {
            seed: Some(seed),
            ..self
        }
    }
}

/// A handler: the semantics of one command.
pub type Handler = fn(&mut Call<'_>) -> Result<Reply, ApiError>;

/// One command of a family.
#[derive(Debug)]
pub struct Command {
    /// The name as CloudStack spells it (`deployVirtualMachine`); must be in
    /// `api-precache.json` with the same spelling.
    pub name: &'static str,
    /// Who may call it; others get 432 and do not see it in `listApis`.
    pub roles: RoleSet,
    /// What the command does, in our own words (the precache's
    /// `description`).
    pub doc: &'static str,
    /// The handler.
    pub run: Handler,
}

impl Command {
    /// A command for the callers of `roles`.
    pub const fn new(name: &'static str, roles: RoleSet, doc: &'static str, run: Handler) -> Self {
        Self {
            name,
            roles,
            doc,
            run,
        }
    }

    /// A command for every caller.
    pub const fn all(name: &'static str, doc: &'static str, run: Handler) -> Self {
        Self::new(name, RoleSet::ALL, doc, run)
    }

    /// A command for root admins only.
    pub const fn admin(name: &'static str, doc: &'static str, run: Handler) -> Self {
        Self::new(name, RoleSet::ADMIN, doc, run)
    }

    /// A command for admins (root, resource and domain).
    pub const fn admins(name: &'static str, doc: &'static str, run: Handler) -> Self {
        Self::new(name, RoleSet::ADMINS, doc, run)
    }
}

/// Everything a handler may use for one call.
#[derive(Debug)]
pub struct Call<'a> {
    /// The call's transaction (owned by the dispatcher).
    pub tx: &'a Transaction<'a>,
    /// Who is calling.
    pub caller: &'a Caller,
    /// The request parameters.
    pub params: &'a Params,
    /// The command name as CloudStack spells it.
    pub command: &'static str,
    /// The time of the call (or of the job's completion).
    pub now: OffsetDateTime,
    /// The async job this runs in, when it is the finishing half of a job.
    pub job_id: Option<&'a str>,
    /// What the simulator serves (the precache and the registry).
    pub served: &'a Served,
}

impl Call<'_> {
    /// `now` in CloudStack's date format.
    pub fn timestamp(&self) -> String {
        crate::kernel::time::format(self.now)
    }

    /// A required, non-empty parameter.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.params.required(self.command, name)
    }

    /// The page the caller asked for (validated generically before).
    pub fn page(&self) -> Page {
        Page::from_params(self.params)
    }

    /// Records an event (`listEvents`) owned by the caller's account, in this
    /// call's transaction: `kind` is CloudStack's event type (`VM.START`).
    pub fn event(
        &self,
        kind: &str,
        description: &str,
        subject: Subject<'_>,
    ) -> Result<(), ApiError> {
        crate::kernel::event_log::record(self, kind, description, subject)
    }
}

/// What an event is about.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    /// The resource type (`VirtualMachine`).
    pub kind: Option<&'a str>,
    /// Its uuid.
    pub id: Option<&'a str>,
    /// Its name.
    pub name: Option<&'a str>,
}

impl<'a> Subject<'a> {
    /// An event about one resource.
    pub fn of(kind: &'a str, id: &'a str, name: &'a str) -> Self {
        Self {
            kind: Some(kind),
            id: Some(id),
            name: Some(name),
        }
    }
}

/// A page of a list: `LIMIT`/`OFFSET` for SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Maximum number of items (`i64::MAX` for `pagesize=-1`).
    pub limit: i64,
    /// Items to skip.
    pub offset: i64,
}

impl Page {
    /// CloudStack's default and maximum page size.
    pub const MAX: i64 = 500;

    /// ` LIMIT <n> OFFSET <m>` to append to a query. The numbers are
    /// written into the SQL on purpose: SQLite re-prepares a statement
    /// whose `LIMIT` is a bound parameter on every call, which costs more
    /// than the query itself (a cached statement per page size is cheap).
    pub fn sql(&self) -> String {
        format!(" LIMIT {} OFFSET {}", self.limit, self.offset)
    }

    /// Reads `page`/`pagesize`: no pagesize means 500, `-1` means unlimited.
    pub fn from_params(params: &Params) -> Self {
        let size = params.i64("pagesize").ok().flatten().unwrap_or(Self::MAX);
        let page = params.i64("page").ok().flatten().unwrap_or(1).max(1);
        if size < 0 {
            return Self {
                limit: i64::MAX,
                offset: 0,
            };
        }
        Self {
            limit: size,
            offset: (page - 1) * size,
        }
    }
}

/// A successful answer, before the engine wraps it in the envelope.
pub enum Reply {
    /// `{"<cmd>response": {"<key>": value}}`
    Object {
        /// The entity key (`virtualmachine`).
        key: &'static str,
        /// The object.
        value: Value,
    },
    /// `{"<cmd>response": {"count": count, "<key>": [items]}}`; the engine
    /// writes `{}` when `count` is 0 and `{"count": N}` for a page past the end.
    List {
        /// The entity key.
        key: &'static str,
        /// The items of the requested page.
        items: Vec<Value>,
        /// The total number of matches, not the page size.
        count: usize,
    },
    /// [`Reply::List`] with items already written as JSON text (lists
    /// rendered straight from their rows, without building `Value`s).
    Rendered {
        /// The entity key.
        key: &'static str,
        /// The items of the requested page.
        items: Rendered,
        /// The total number of matches, not the page size.
        count: usize,
    },
    /// `{"<cmd>response": {"success": true}}` (plus `displaytext` when given).
    Success(Option<String>),
    /// `{"<cmd>response": value}`, unwrapped (login, queryAsyncJobResult).
    Bare(Value),
    /// An async job: the engine answers `{"jobid": .., "id": ..}` at once and
    /// runs the work later in its own transaction.
    Job(Job),
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Object { key, value } => f
                .debug_struct("Object")
                .field("key", key)
                .field("value", value)
                .finish(),
            Self::List { key, items, count } => f
                .debug_struct("List")
                .field("key", key)
                .field("items", items)
                .field("count", count)
                .finish(),
            Self::Rendered { key, items, count } => f
                .debug_struct("Rendered")
                .field("key", key)
                .field("items", &items.len())
                .field("count", count)
                .finish(),
            Self::Success(text) => f.debug_tuple("Success").field(text).finish(),
            Self::Bare(value) => f.debug_tuple("Bare").field(value).finish(),
            Self::Job(job) => job.fmt(f),
        }
    }
}

/// JSON objects written as text, in order: the items of a
/// [`Reply::Rendered`]. Each is what the envelope would write for the
/// equivalent `Value` (keys sorted, no null fields at any depth).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The items, comma-separated.
    text: Vec<u8>,
    len: usize,
}

impl Rendered {
    /// Appends one item, written by `write` (which must write one JSON
    /// value, or nothing and fail).
    pub(crate) fn push<E>(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mark = self.text.len();
        if self.len > 0 {
            self.text.push(b',');
        }
        match write(&mut self.text) {
            Ok(()) => {
                self.len += 1;
                Ok(())
            }
            Err(error) => {
                self.text.truncate(mark);
                Err(error)
            }
        }
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The items, comma-separated (without the brackets of an array).
    pub(crate) fn text(&self) -> &[u8] {
        &self.text
    }

    /// The items as values.
    pub fn to_values(&self) -> Vec<Value> {
        let mut array = Vec::with_capacity(self.text.len() + 2);
        array.push(b'[');
        array.extend_from_slice(&self.text);
        array.push(b']');
        serde_json::from_slice(&array).unwrap_or_default()
    }
}

/// The finishing half of an async command. It gets a fresh [`Call`] with the
/// same caller and parameters, inside its own transaction.
pub type JobWork = Box<dyn FnOnce(&mut Call<'_>) -> Result<Reply, ApiError> + Send + 'static>;

/// What a failed job leaves behind (a snapshot in `Error`), run in the
/// transaction that records the failure, after the work's changes were
/// rolled back.
pub type JobFailure = Box<dyn FnOnce(&Call<'_>) -> Result<(), ApiError> + Send + 'static>;

/// An async job a handler asks the engine to run.
pub struct Job {
    /// The id of the object being created (answered as `id` at once, and as
    /// `jobinstanceid`).
    pub instance_id: Option<String>,
    /// The `jobinstancetype` (`VirtualMachine`, `Volume`, ...).
    pub instance_type: Option<&'static str>,
    /// The work that completes the job.
    pub work: JobWork,
    /// The action event the engine records around the job (set with
    /// [`Job::with_event`]); the work itself then records no event.
    pub event: Option<JobEvent>,
    /// What the job leaves behind when it fails (set with
    /// [`Job::with_failure`]); nothing by default.
    pub on_failure: Option<JobFailure>,
}

/// The action event of an async job (cloudstack-semantics.md §1.2): the
/// engine records `Scheduled` when the job is submitted, `Started` when it
/// runs, then `Completed` (`Successfully completed <description>`, INFO) or
/// an ERROR (`Error while <description>`), about the job's instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobEvent {
    /// CloudStack's event type (`VM.START`).
    pub kind: &'static str,
    /// The action's short text and detail (`starting Vm. Vm Id: <uuid>`).
    pub description: String,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("instance_id", &self.instance_id)
            .field("instance_type", &self.instance_type)
            .field("event", &self.event)
            .finish_non_exhaustive()
    }
}

impl Job {
    /// A job about an existing or new object.
    pub fn on(instance_type: &'static str, instance_id: impl Into<String>, work: JobWork) -> Self {
        Self {
            instance_id: Some(instance_id.into()),
            instance_type: Some(instance_type),
            work,
            event: None,
            on_failure: None,
        }
    }

    /// A job about no particular object.
    pub fn detached(work: JobWork) -> Self {
        Self {
            instance_id: None,
            instance_type: None,
            work,
            event: None,
            on_failure: None,
        }
    }

    /// Has the engine record the action events of this job (see [`JobEvent`]).
    ///
    /// ```ignore
    /// Ok(Reply::Job(Job::on("VirtualMachine", &id, work).with_event("VM.START", format!("starting Vm. Vm Id: {id}"))))
    /// ```
    pub fn with_event(mut self, kind: &'static str, description: impl Into<String>) -> Self {
        self.event = Some(JobEvent {
            kind,
            description: description.into(),
        });
        self
    }

    /// Sets what a failure of this job (its work's error, an injected fault,
    /// a hang that ended) leaves behind, such as an object in `Error` state
    /// that can still be deleted.
    pub fn with_failure(mut self, on_failure: JobFailure) -> Self {
        self.on_failure = Some(on_failure);
        self
    }
}

/// The state shared while families insert the default seed.
pub struct Seed<'a> {
    /// The seeding transaction.
    pub tx: &'a Transaction<'a>,
    /// When the seed was made.
    pub now: OffsetDateTime,
    /// Ids chosen by earlier families (`"zone"`, `"admin_account"`, ...).
    pub ids: std::collections::BTreeMap<&'static str, String>,
    /// The simulator starts like a fresh install (`SimulatorConfig::empty`):
    /// only what a new CloudStack has (ROOT domain, system and admin accounts
    /// and users, default roles, offerings and templates), no zone or other
    /// infrastructure. Families that seed infrastructure skip it then.
    pub empty: bool,
}

impl std::fmt::Debug for Seed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seed")
            .field("ids", &self.ids)
            .field("empty", &self.empty)
            .finish()
    }
}

impl Seed<'_> {
    /// An id an earlier family recorded.
    pub fn id(&self, name: &str) -> Result<&str, ApiError> {
        self.ids
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| ApiError::internal(format!("seed: no {name} was created before")))
    }
}
