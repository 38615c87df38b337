//! Typed CloudStack commands, responses and entities, generated at compile
//! time from `api-precache.json` by [`marvin_macros::cloudstack_api!`].
//!
//! The precache is the crate's own `api-precache.json` (the APIs Marvin's
//! simulator serves) unless the `MARVIN_PRECACHE` environment variable names
//! another listApis file (absolute path) when the crate is built; cargo
//! rebuilds the crate when either changes. Without a precache the crate builds with its runtime only
//! (and a build warning).
//!
//! # What is generated
//!
//! - **Entities** at the crate root (`VirtualMachine`, `Account`, ...): the
//!   nouns of the API as the linguist groups it (`docs/api-mapping.md` lists
//!   where each API lands). An entity's page lists its creator, enumerator
//!   and verbs. Each entity has
//!   - its fields, typed and optional (lists default to empty), except
//!     `id: String`; fields the schema does not list stay in `extra`;
//!   - `create` (its `create*`/`register*`/`deploy*`/`add*` API), `list`
//!     (its `list*` API, every page; `.stream()` page by page) and
//!     `refresh` (the current state, listed by id);
//!   - one method per other API, named after the verb (`stop`,
//!     `reset_password`, `add_nic`); methods take `&self` and send the
//!     entity's id when the API takes it as `id` or `<entity>id`;
//!   - [`marvin_core::Resource`], whose `deletion` names the API that deletes
//!     it (`destroyVirtualMachine` with `expunge=true`, `disassociateIpAddress`,
//!     ...), for cleanup.
//! - **[`commands`]**: one request type per API (`DeployVirtualMachine`):
//!   required parameters as fields, optional ones in an `...Options` struct
//!   (`Default` plus one builder setter per parameter), APIs whose required
//!   parameters come in alternative sets (`disableAccount`: `id`, or
//!   `account` and `domainid`) take a `...Target` enum; `params()` shows what
//!   is sent and `send` sends it. Each implements [`Command`]. Beside each,
//!   its call builder (`DeployVirtualMachineCall`), which the entities'
//!   methods return.
//! - **[`responses`]**: the answer shapes that are not entities, and nested
//!   objects.
//! - **[`CATALOG`]** and [`api`]: every API and whether it answers with a
//!   job, for untyped calls (`client.call(api("listZones"))`).
//!
//! Every argument is named at the call site: a method returns a call
//! builder with one setter per parameter, and the builder is a future only
//! once every required argument is set, which the compiler checks (a
//! forgotten one shows as its marker type, `commands::args::zoneid`, in the
//! error). Alternative sets are set with `.by(..)`. Lists are sent
//! comma-joined and maps as `name[i].key=value`. Awaiting a builder gives a
//! [`Call`], a future of `marvin_core::Result<T>`; async APIs wait for
//! their job. The per-call options of [`CallOptions`] (`.post()`,
//! `.timeout(..)`, `.job_timeout(..)`, ..) are set on a builder like its
//! arguments, and a call of an async API can `.no_wait()` instead, which
//! answers with the [`Submitted`] job to wait for later. Answers decode leniently ([`Decode`]): numbers sent as
//! strings and strings sent as numbers are accepted, `{}` reads as an empty
//! list, dates are kept as [`Timestamp`]s, and secrets are [`Secret`]s that
//! never show in `Debug` output.
//!
//! ```no_run
//! use marvin_entities::VirtualMachine;
//! # async fn demo(client: marvin_core::Client) -> marvin_core::Result<()> {
//! let vm = VirtualMachine::create(&client)
//!     .serviceofferingid("offering-id")
//!     .templateid("template-id")
//!     .zoneid("zone-id")
//!     .name("web-1")
//!     .await?;
//! let vm = vm.stop(&client).forced(true).await?;
//! assert_eq!(vm.state.as_deref(), Some("Stopped"));
//! vm.destroy(&client).expunge(true).await?;
//! # Ok(()) }
//! ```

extern crate self as marvin_entities;

mod runtime;

/// The per-call options (`.post()`, `.timeout(..)`, `.job_timeout(..)`, ..)
/// of every typed call, as of `client.call(..)`.
pub use marvin_core::client::CallOptions;
pub use runtime::{
    Call, Command, Decode, Given, ListStream, NoClient, Object, Secret, Submitted, Success,
    Timestamp,
};

#[doc(hidden)]
pub mod __private {
    pub use crate::runtime::private::*;
}

marvin_macros::cloudstack_api!(env = "MARVIN_PRECACHE_PATH");

/// The `listApis` snapshot these entities were generated from (JSON): the
/// catalog a run's API coverage is counted against.
pub const PRECACHE: &str = include_str!(env!("MARVIN_PRECACHE_PATH"));
