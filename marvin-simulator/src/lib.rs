//! A CloudStack-compatible management-server simulator.
//!
//! It speaks CloudStack's API (`/client/api`, signed keys and sessions,
//! envelopes, errors, async jobs) to any client, keeps its state in SQLite,
//! and is driven by `api-precache.json`: `listApis` is served from it and
//! every call is validated against it before a family's handler adds the
//! semantics.
//!
//! # Embedded
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use marvin_simulator::Simulator;
//! let sim = Simulator::start_default().await?;      // ephemeral port, in memory, default zone
//! let url = sim.url();                                // http://127.0.0.1:PORT/client/api
//! let (key, secret) = (sim.api_key(), sim.secret_key());
//! sim.write_config("sim.json")?;                      // a Marvin config for other clients
//! sim.shutdown().await;                               // or just drop it
//! # Ok(()) }
//! ```
//!
//! Standalone, `SimulatorConfig { bind, db_path, integration_bind, .. }` and
//! [`RunningSimulator::serve_forever`].
//!
//! # Layers
//!
//! - the shell: [`Simulator`] (start-up, fixtures), the axum listener, and
//!   the one list of families handed to the kernel;
//! - the families (`families/`): one folder each, declared by one
//!   [`contract::Family`] constant (name, schema, command table, seed),
//!   reaching each other only through their `api.rs` and the SQL views
//!   they publish (`Family::views`), never another family's tables. The
//!   APIs over kernel services (`listEvents`, `queryAsyncJobResult`,
//!   `listApis`, the fault APIs) are small families too;
//! - the [`kernel`], which never names a family (a test checks it): the
//!   contract ([`contract`]), [`params`], [`caller`], [`scope`], [`error`],
//!   [`time`], the store (query building, rows rendered as CloudStack JSON
//!   in one place, ids), the event log, async jobs, the [`catalog`] (the
//!   precache and the registry of the families it is handed), and the
//!   engine: one SQLite writer and WAL readers, and the dispatcher
//!   (decoding, authentication, lookup, roles, generic validation, faults,
//!   the handler's transaction, the envelope).
//!
//! # Writing handlers
//!
//! A handler gets a [`contract::Call`] (the call's transaction, the caller,
//! the lower-cased parameters) after authentication, the role check and the
//! generic validation have passed, and returns a [`contract::Reply`]:
//!
//! - `Reply::Object { key, value }` → `{"<cmd>response": {"<key>": value}}`;
//! - `Reply::List { key, items, count }` → `{"count": N, "<key>": [...]}`, or
//!   `{}` when `count` is 0, `{"count": N}` for a page past the end; `count`
//!   is the total of matches, the items only the page (`call.page()`);
//! - `Reply::Rendered { key, items, count }` → the same, with items already
//!   written as JSON text (`Query::list_plain`, the VM list): rows go
//!   straight from SQLite to the answer without building `Value`s;
//! - `Reply::Success(text)` → `{"success": true}` (+ `displaytext`);
//! - `Reply::Bare(value)` → the value unwrapped (login-style answers);
//! - `Reply::Job(job)` → `{"jobid": .., "id": ..}` now; the work runs after
//!   the job delay in its own transaction (with no delay, before the answer
//!   is sent). An async command (per the precache) that answers anything
//!   else gets a job that returns it.
//!
//! Null fields are dropped at every depth, so handlers may emit `null`.
//! Dates are strings in CloudStack's format ([`time::format`]). Entity keys
//! are CloudStack's (`virtualmachine`, `account`, ...). Errors are
//! [`ApiError`]s; an `Err` rolls the whole call back. Sync commands record
//! their event with [`contract::Call::event`]; async ones set
//! [`contract::Job::with_event`] and the engine records
//! Scheduled/Started/Completed (or ERROR).
//!
//! # Fixtures
//!
//! `SimulatorConfig::fixtures` names a directory. Every `*.json` file in it,
//! in file-name order, is an array of calls run after the seed, as the root
//! admin, through the same validation and handlers as HTTP requests (async
//! commands finish before the next call):
//!
//! ```json
//! [
//!   {"command": "createDomain", "params": {"name": "eng"}, "as": "eng"},
//!   {"command": "createAccount", "params": {
//!       "username": "alice", "password": "pw", "firstname": "A", "lastname": "L",
//!       "email": "a@example.com", "accounttype": 0, "domainid": "${eng.id}"}}
//! ]
//! ```
//!
//! Parameter values may be strings, numbers or booleans; an array of scalars
//! is sent comma-separated; an object, or an array of objects, becomes a map
//! (`tags: [{"key": "a", "value": "b"}]` → `tags[0].key=a&tags[0].value=b`).
//! `"as": "name"` keeps the call's result (the entity inside the answer, or
//! the first item of a list) so that later strings can use `${name.field}`.
//! A failing call stops the start with [`StartError::Fixture`].

pub mod kernel;

mod docs;
mod doors;
mod expunger;
mod fixtures;
mod http;
mod provisioner;
mod simulator;

pub(crate) mod families;
#[cfg(test)]
mod tests;

pub use kernel::caller::{Caller, Role, RoleSet};
pub use kernel::error::ApiError;
pub use kernel::params::Params;
pub use kernel::{caller, catalog, contract, error, params, scope, time};
pub use simulator::{AdminKeys, RunningSimulator, Simulator, SimulatorConfig, StartError};

/// The key a command's answers and errors are wrapped in:
/// `<lower-cased name>response`, or the other spelling CloudStack uses for
/// a few commands (`activaterojectresponse` for `activateProject`).
pub fn response_key(command: &str) -> String {
    kernel::envelope::response_key(Some(command))
}

/// How the simulator serves each API of its precache, sorted by name: by
/// the family that models it, or by the generic family from its schema.
/// Fails if two families declare the same command.
pub fn coverage() -> Result<Vec<(String, catalog::Level)>, StartError> {
    let catalog = catalog::Catalog::global().map_err(StartError::Precache)?;
    let registry =
        catalog::Registry::build(families::ALL, catalog).map_err(StartError::Registry)?;
    Ok(catalog
        .apis()
        .iter()
        .filter_map(|api| Some((api.name.clone(), registry.level(&api.name)?)))
        .collect())
}

/// Every command a family models (declares), sorted by name: the precache
/// is generated from them and from the CloudStack schema's other APIs, which
/// the generic family answers. Fails if two families declare the same
/// command.
pub fn registered_commands() -> Result<Vec<&'static contract::Command>, catalog::DuplicateCommand> {
    Ok(catalog::Registry::declared(families::ALL)?.commands())
}
