//! The generic family: every API of the catalog that no family models,
//! answered from its schema (the precache's parameters and response
//! fields) and from its name (marvin-core's linguist reads the entity and
//! the verb).
//!
//! It declares no command: it is the registry's fallback
//! ([`Family::answering_the_rest`]), so a family that models an API takes it
//! away from here without any other change. What each verb does:
//!
//! - creators (`create`, `add`, `register`, `deploy`, `import`) store a
//!   document owned by the caller (or by `account`/`domainid`, for an
//!   admin): the parameters that are fields of the answer, `id`, `created`,
//!   the owner fields the answer has, and `tags` when it has them;
//! - `list*` filters the entity's documents by `id`/`ids`, `name` (without
//!   regard to case, as CloudStack's database compares), `keyword`, the
//!   list scope (`account`, `domainid`, `listall`, `isrecursive`),
//!   `projectid`, `tags` and any other text field of the answer, in pages,
//!   with CloudStack's list key and `count`;
//! - `update*` merges the given fields into the document;
//! - `delete`/`remove`/`destroy`/`expunge`/`purge` remove it (431 with
//!   CloudStack's text when the id names nothing);
//! - other verbs on a document change its `state` field when the verb
//!   names a state (`enable` → `Enabled`), and answer `{"success": true}`
//!   where the schema's answer is a success answer, else the document.
//!
//! Async APIs (the precache's `isasync`) run as jobs with action events;
//! sync changes record a Completed event. Who may call: [`roles`].

mod plan;
pub(crate) mod roles;
mod serve;

#[cfg(test)]
mod tests;

use crate::kernel::contract::{Fallback, Family};

/// The generic family.
pub(crate) const FAMILY: Family = Family::new("generic", include_str!("schema.sql"), &[])
    .answering_the_rest(Fallback {
        roles: roles::of,
        run: serve::serve,
    });
