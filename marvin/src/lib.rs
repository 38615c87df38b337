//! Marvin for Rust: integration tests for Apache CloudStack clouds.
//!
//! Test authors write `use marvin::prelude::*;` and nothing else:
//!
//! ```no_run
//! use marvin::prelude::*;
//!
//! #[marvin::test(tags = ["smoke"])]
//! async fn zones_are_listed(ctx: &mut TestContext) -> Result<()> {
//!     let zones = ctx.client().list_all("listZones", Params::new()).await?;
//!     zones.should().not().be_empty();
//!     Ok(())
//! }
//! ```
//!
//! This crate is what a test author imports: the prelude, [`connect`],
//! [`main!`] and [`fixture!`]. The runner behind `main!` is the
//! `marvin-runner` crate; deploying zones and the `marvin` command line are
//! crates of their own (`marvin-deploy`, `marvin-cli`).
//!
//! Where the tests run is decided here, once per process: with
//! `MARVIN_CONFIG` set, against that cloud; without it, against the embedded
//! simulator, started on first use on its own thread and shared by every
//! test of the process (under `cargo nextest` each test is a process and gets
//! its own simulator, which starts in milliseconds).
//!
//! # Features
//!
//! - `simulator` (on by default): the embedded simulator. A suite that only
//!   targets live clouds can leave it out (`default-features = false`); its
//!   tests then need `MARVIN_CONFIG` (or the runner's `--config`).

#[cfg(feature = "simulator")]
use std::sync::OnceLock;

pub use marvin_core as core;
/// Declares a shared fixture (see [`marvin_core::testing::fixture`]).
pub use marvin_core::fixture;
pub use marvin_entities as entities;
pub use marvin_factories as factories;
pub use marvin_macros::test;
/// The embedded CloudStack-compatible simulator (the `simulator` feature).
#[cfg(feature = "simulator")]
pub use marvin_simulator as simulator;

pub use marvin_core::{Error, Result};

/// The everyday names of a test.
pub mod prelude {
    pub use marvin_core::cleanup::Managed;
    pub use marvin_core::should::{Should, SoftAssertions, eventually};
    pub use marvin_core::testing::{Fixture, TestContext};
    pub use marvin_core::{Client, CsErrorCode, Error, ErrorCode, Params, Result};
    pub use marvin_core::{should, should_match, should_not};
    // The entities (`VirtualMachine`, `Account`, ..), their `commands`, and
    // `api` for untyped calls (`client.call(api("listZones"))`).
    pub use marvin_entities::*;
    // The factories (`marvin::factories`): traits, sub-factory plumbing and
    // every data factory. No factory shares an entity's name: one named
    // after its entity takes factory_boy's `Factory` suffix
    // (`VirtualMachineFactory`), the others are named for what they make
    // (`UserAccount`, `VpcVirtualMachine`).
    pub use marvin_factories::{
        AdminAccount, AdminUser, AdvancedZone, BasicZone, Build, DefaultBuiltInTemplate,
        DefaultDiskOffering, DefaultIsolatedNetworkOfferingForVpc,
        DefaultIsolatedNetworkOfferingWithSourceNatService, DefaultServiceOffering,
        DefaultSharedNetworkOffering, DefaultSharedNetworkOfferingWithSGService, DefaultVpc,
        DefaultVpcNetwork, DefaultVpcOffering, DomainAdminAccount, DomainFactory, Factory,
        GuestIsolatedNetwork, HttpFirewallRule, IsolatedNetworkOffering,
        LoadBalancedVirtualMachines, LocalDiskOffering, Owner, ProjectFactory, PublicIpAddress,
        RootDomain, RootVolume, SecurityGroupFactory, SecurityGroupSshEgress,
        SecurityGroupSshIngress, SharedDiskOffering, SharedNetwork, SmallServiceOffering,
        SnapshotFactory, SshFirewallRule, SshKeyPair, Sub, TestZone, UserAccount, UserFactory,
        VirtualMachineFactory, VirtualMachineWithIngress, VirtualMachineWithStaticNat,
        VolumeFactory, VpcVirtualMachine, sequence,
    };
}

/// Where the tests of this process run.
#[cfg(feature = "simulator")]
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The API URL (`http://127.0.0.1:PORT/client/api`).
    pub url: String,
    /// The admin's API key.
    pub api_key: String,
    secret_key: String,
}

#[cfg(feature = "simulator")]
impl Endpoint {
    /// A client signed with the admin's keys.
    pub fn admin_client(&self) -> Result<marvin_core::Client> {
        marvin_core::Client::builder(&self.url)
            .keys(&self.api_key, &self.secret_key)
            .build()
    }
}

/// The embedded simulator of this process, started on first use on a
/// dedicated thread whose runtime outlives every test's own runtime.
#[cfg(feature = "simulator")]
pub fn embedded_simulator() -> Result<&'static Endpoint> {
    static EMBEDDED: OnceLock<std::result::Result<Endpoint, String>> = OnceLock::new();
    EMBEDDED
        .get_or_init(start_embedded)
        .as_ref()
        .map_err(|message| {
            marvin_core::Error::setup(format!("the embedded simulator did not start: {message}"))
        })
}

#[cfg(feature = "simulator")]
fn start_embedded() -> std::result::Result<Endpoint, String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("marvin-simulator".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = sender.send(Err(error.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                match marvin_simulator::Simulator::start_default().await {
                    Ok(simulator) => {
                        let endpoint = Endpoint {
                            url: simulator.url(),
                            api_key: simulator.api_key().to_string(),
                            secret_key: simulator.secret_key().to_string(),
                        };
                        let _ = sender.send(Ok(endpoint));
                        // Serve until the process ends.
                        std::future::pending::<()>().await;
                        drop(simulator);
                    }
                    Err(error) => {
                        let _ = sender.send(Err(error.to_string()));
                    }
                }
            });
        })
        .map_err(|error| error.to_string())?;
    receiver
        .recv()
        .map_err(|_| "the simulator thread ended before it was ready".to_string())?
}

/// The admin client of the configured cloud (`MARVIN_CONFIG`), or of the
/// embedded simulator when no config is set (an error without the
/// `simulator` feature). A replaying process (`MARVIN_REPLAY`) gets a
/// client that reaches no network, and no simulator starts.
pub async fn connect() -> Result<marvin_core::Client> {
    if marvin_core::client::cassette::replaying() {
        return marvin_core::client::cassette::replay_client();
    }
    match marvin_core::Config::from_env()? {
        Some(config) => marvin_core::Client::from_config(&config),
        None => Ok(default_cloud()?.0),
    }
}

/// The cloud used when no config names one: the embedded simulator.
#[cfg(feature = "simulator")]
fn default_cloud() -> Result<(marvin_core::Client, String)> {
    let endpoint = embedded_simulator()?;
    let client = endpoint.admin_client()?;
    Ok((client, format!("embedded simulator at {}", endpoint.url)))
}

/// Without the embedded simulator, a config must name the cloud.
#[cfg(not(feature = "simulator"))]
fn default_cloud() -> Result<(marvin_core::Client, String)> {
    Err(marvin_core::Error::setup(
        "no cloud is configured: set MARVIN_CONFIG (or pass --config); \
         this build of marvin has no embedded simulator (its `simulator` feature is off)",
    ))
}

/// The `main` of a test target with `harness = false`: runs the target's
/// tests with Marvin's runner (parallel, progress, summary, JUnit and HTML
/// reports, leak check, API coverage), under `cargo test` and `cargo
/// nextest` alike.
///
/// In `Cargo.toml`:
///
/// ```toml
/// [[test]]
/// name = "cloud"
/// harness = false
/// ```
///
/// and in `tests/cloud.rs`, after the `#[marvin::test]` functions (in this
/// file or its modules):
///
/// ```no_run
/// marvin::main!();
/// ```
///
/// `marvin::main!(SCENARIOS)` runs a table of
/// [`Scenario`](marvin_runner::Scenario)s instead. The command line is the
/// runner's: see `marvin_runner::harness` and `docs/writing-tests.md`.
#[macro_export]
macro_rules! main {
    () => {
        fn main() -> ::std::process::ExitCode {
            $crate::__private::harness::main_registered(
                ::core::env!("CARGO_CRATE_NAME"),
                $crate::__private::default_cloud,
            )
        }
    };
    ($scenarios:expr) => {
        fn main() -> ::std::process::ExitCode {
            $crate::__private::harness::main(
                ::core::env!("CARGO_CRATE_NAME"),
                $scenarios,
                $crate::__private::default_cloud,
            )
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use marvin_core::testing::{TestContext, TestSpec, run_test};
    pub use marvin_runner::{Registered, harness};

    /// The connection every `#[marvin::test]` uses.
    pub fn connect() -> impl std::future::Future<Output = marvin_core::Result<marvin_core::Client>>
    {
        super::connect()
    }

    /// The cloud `main!`'s runner uses when no config names one.
    pub fn default_cloud() -> marvin_core::Result<(marvin_core::Client, String)> {
        super::default_cloud()
    }
}

/// The README's example compiles (a doctest of its Rust block).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The examples of `docs/writing-tests.md` compile (doctests of its Rust
/// blocks).
#[cfg(doctest)]
#[doc = include_str!("../../docs/writing-tests.md")]
pub struct WritingTestsDoctests;

/// The examples of `docs/record-replay.md` compile (doctests of its Rust
/// blocks).
#[cfg(doctest)]
#[doc = include_str!("../../docs/record-replay.md")]
pub struct RecordReplayDoctests;
