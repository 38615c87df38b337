//! The runtime of Marvin for Rust: everything that talks to an Apache CloudStack
//! management server.
//!
//! Without the default `client` feature this crate is only the shared,
//! dependency-light part: the [`schema`] model of a `listApis` answer, the
//! request [`signing`] rules, and the [`ErrorCode`]s of the protocol. The
//! simulator and the code generator both build on those.
//!
//! With `client` (the default) it adds the untyped CloudStack client the
//! generated typed layer builds on:
//!
//! - `Config`: Marvin's JSON config file (`MARVIN_CONFIG`);
//! - `Client`: key-signed, session or integration-port calls over HTTP(S),
//!   each one `client.call(api)` builder (`ApiCall`) with `Params` and
//!   per-call options;
//! - the `envelope` decoding of answers, the `Error` type, one waiter for
//!   async jobs, paged listings, retries of idempotent calls, per-account
//!   clients, a `cloudstack.call` tracing span per call, an `observer` hook,
//!   and `redact`ion of secrets everywhere.
#![cfg_attr(
    feature = "client",
    doc = r#"
```no_run
use marvin_core::client::Catalog;
use marvin_core::{Client, Config, Params, Result};
use std::time::Duration;

// Which APIs answer with a job: the precache's (the typed layer holds it as
// `marvin_entities::CATALOG`).
static APIS: Catalog = Catalog::new(&[
    ("deployVirtualMachine", true),
    ("destroyVirtualMachine", true),
    ("listZones", false),
]);

# async fn demo() -> Result<()> {
// From the file named by MARVIN_CONFIG, or directly.
let admin = match Config::from_env()? {
    Some(config) => Client::from_config(&config)?,
    None => Client::builder("http://localhost:8080/client/api")
        .credentials("admin", "password", "/")
        .build()?,
};

// A synchronous call: the object under the response key.
let answer = admin.call(APIS.api("listZones")).param("available", true).await?;
println!("{} zones", answer["count"]);

// Every item across all pages.
let templates = admin
    .list_all("listTemplates", Params::from([("templatefilter", "featured")]))
    .await?;

// An async command: submitted, waited for, its jobresult returned; the
// per-call options hang off the same builder.
let vm = admin
    .call(APIS.api("deployVirtualMachine"))
    .param("serviceofferingid", "...")
    .param("templateid", templates[0]["id"].as_str().unwrap_or_default())
    .param("zoneid", "...")
    .job_timeout(Duration::from_secs(300))
    .await?;

// Errors answer questions instead of needing parsing.
match admin.call(APIS.api("destroyVirtualMachine")).param("id", "gone").await {
    Err(e) if e.is_not_found() => {}
    other => { other?; }
}
# let _ = vm;
# Ok(()) }
```
"#
)]

pub mod codes;
pub mod linguist;
pub mod names;
pub mod openapi;
pub mod resource;
pub mod schema;
pub mod shapes;
pub mod signing;

#[cfg(feature = "client")]
pub mod cleanup;
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod config;
#[cfg(feature = "client")]
pub mod envelope;
#[cfg(feature = "client")]
pub mod error;
#[cfg(feature = "client")]
pub mod observer;
#[cfg(feature = "client")]
pub mod params;
#[cfg(feature = "client")]
pub mod redact;
#[cfg(feature = "client")]
pub mod should;
#[cfg(feature = "client")]
pub mod testing;

pub use codes::{CsErrorCode, ErrorCode};
pub use resource::{Deletion, Resource};

#[cfg(feature = "client")]
pub use client::{
    Api, ApiCall, AuthMode, Client, ClientBuilder, ListStream, RequestOptions, WaitOptions,
};
#[cfg(feature = "client")]
pub use config::{ClientSettings, Config, MgtServer};
#[cfg(feature = "client")]
pub use error::{Error, Result};
#[cfg(feature = "client")]
pub use observer::{CallObserver, CallOutcome, CallRecord};
#[cfg(feature = "client")]
pub use params::Params;
