//! Async, typed data factories for CloudStack tests.
//!
//! A factory makes one kind of resource with sensible, unique data, and
//! registers it for cleanup:
//!
//! ```no_run
//! use marvin_core::testing::TestContext;
//! use marvin_factories::{AdminAccount, Sub, UserAccount, UserFactory, VirtualMachineFactory};
//!
//! async fn users_join_accounts(ctx: &TestContext) -> marvin_core::Result<()> {
//!     let account = UserAccount::create(ctx).await?; // defaults
//!     let admin = AdminAccount::new().username("root2").create(ctx).await?; // overrides
//!     let user = UserFactory::new().account(Sub::of(&account)).create(ctx).await?; // a parent
//!     let vms = VirtualMachineFactory::create_batch(ctx, 3).await?; // three at once
//!     let request = UserAccount::build(); // no cloud call
//!     # let _ = (admin, user, vms, request);
//!     Ok(())
//! }
//! ```
//!
//! - [`Factory`]: `F::create(&ctx)`, `F::build()`, `F::create_batch(&ctx, n)`,
//!   `F::new()` (a builder for overrides);
//! - [`Build`]: the builder's `create`, `build`, `create_batch` (the builders
//!   of [`factory!`] declarations also have one setter per attribute and
//!   `with_request` for anything else);
//! - [`factory!`]: declarations with sub-factories, attributes (defaults,
//!   sequences, fake data, lazy attributes), post-generation hooks, related
//!   factories, variants that inherit (`AdminAccount` is `UserAccount`
//!   with account type 1), and composites that make several resources and
//!   give them together ([`VirtualMachineWithStaticNat`] gives a
//!   [`VmWithPublicIp`], whose parts are [`Part`]s or `Managed` entities);
//! - [`sequence()`]: names unique across threads, processes and runs;
//!   [`unique_in`]: numbers (VLANs, subnets) that do not repeat in a process;
//!   [`fake`]: realistic data, reproducible with `MARVIN_SEED`;
//! - lookups ([`TestZone`], [`RootDomain`], [`DefaultBuiltInTemplate`],
//!   [`DefaultServiceOffering`], [`DefaultDiskOffering`],
//!   [`IsolatedNetworkOffering`]): shared resources,
//!   found once per test context;
//! - the data factories: accounts and users ([`UserAccount`],
//!   [`AdminAccount`], [`DomainAdminAccount`], [`UserFactory`], [`AdminUser`],
//!   [`DomainFactory`], [`ProjectFactory`]), offerings ([`SmallServiceOffering`],
//!   [`SharedDiskOffering`], [`LocalDiskOffering`], the network offerings,
//!   [`DefaultVpcOffering`]), networks ([`GuestIsolatedNetwork`],
//!   [`SharedNetwork`], [`DefaultVpc`], [`DefaultVpcNetwork`]), compute
//!   ([`VirtualMachineFactory`], [`VirtualMachineWithStaticNat`],
//!   [`VirtualMachineWithIngress`], [`VpcVirtualMachine`],
//!   [`LoadBalancedVirtualMachines`], [`VolumeFactory`], [`RootVolume`], [`SnapshotFactory`],
//!   [`SshKeyPair`]), rules ([`PublicIpAddress`], [`SshFirewallRule`],
//!   [`HttpFirewallRule`], [`SecurityGroupFactory`], [`SecurityGroupSshIngress`],
//!   [`SecurityGroupSshEgress`]) and zones ([`AdvancedZone`], [`BasicZone`]);
//! - [`lint()`]: creates every factory once and reports all failures.
//!
//! Factory names follow Marvin's: several equal entity names
//! (`VirtualMachineFactory`, `VolumeFactory`, `UserFactory`...). The entities are in
//! `marvin_entities` (`marvin::entities`); a factory's output derefs to its
//! entity, so `vm.state` reads the VM's state.
//!
//! # What `create` does
//!
//! 1. resolves the sub-factories in declaration order: creates their
//!    resources (or uses the given ids or entities; lookups are cached per
//!    test context);
//! 2. evaluates the attributes in declaration order (overrides win);
//! 3. builds the request and applies the `with_request` hooks;
//! 4. sends it with the test's admin client and registers the entity for
//!    cleanup ([`send_managed`]: a ledger record is written; the entity is
//!    deleted after the test, in dependency order, also when the test
//!    panics). For async creates the entity is registered from the
//!    submission's answer, before its job is waited for, so a failed job
//!    still leaves it scheduled for deletion;
//! 5. tags it `marvin:run` / `marvin:test` where the cloud supports tags;
//! 6. runs the post-generation hook and the related factories.
//!
//! A composite runs steps 1 and 2, then its `make` step, which makes the
//! other parts with factories (or [`send_managed`]) so each is registered
//! and tagged as above.

mod compute;
mod factory;
pub mod fake;
mod identity;
pub mod lint;
mod lookups;
mod macros;
mod networks;
mod offerings;
mod owner;
mod rules;
mod sequence;
pub mod tags;
mod zones;

/// Deletions the factories write by hand rather than take from a generated
/// entity: security group rules (revoked by direction). A sweep of
/// factory-made resources checks records against these besides
/// `marvin_entities::DELETION_RULES`.
pub const DELETION_RULES: &[marvin_core::resource::DeletionRule] =
    &[rules::INGRESS_RULE_DELETION, rules::EGRESS_RULE_DELETION];

/// Every deletion a sweep may send: each generated entity's own
/// (`marvin_entities::DELETION_RULES`) and the factories' hand-written ones
/// ([`DELETION_RULES`]).
pub fn all_deletion_rules() -> Vec<marvin_core::resource::DeletionRule> {
    marvin_entities::DELETION_RULES
        .iter()
        .chain(DELETION_RULES)
        .copied()
        .collect()
}

pub use compute::{
    LoadBalancedVirtualMachines, LoadBalancedVirtualMachinesBuilder, LoadBalancedVms, RootVolume,
    RootVolumeBuilder, SnapshotBuilder, SnapshotFactory, SshKeyPair, SshKeyPairBuilder,
    VirtualMachineBuilder, VirtualMachineFactory, VirtualMachineWithIngress,
    VirtualMachineWithIngressBuilder, VirtualMachineWithStaticNat,
    VirtualMachineWithStaticNatBuilder, VmWithPublicIp, VolumeBuilder, VolumeFactory, VolumeOfVm,
    VpcVirtualMachine, VpcVirtualMachineBuilder,
};
pub use factory::{
    Build, Entity, EntityOf, Factory, IntoSub, Made, NoRequest, Output, Part, Request, RequestHook,
    Sub, send_managed,
};
pub use identity::{
    AdminAccount, AdminUser, DomainAdminAccount, DomainBuilder, DomainFactory, ProjectBuilder,
    ProjectFactory, UserAccount, UserAccountBuilder, UserBuilder, UserFactory,
};
pub use lint::{LintReport, LintResult, lint, lint_only};
pub use lookups::{
    DefaultBuiltInTemplate, DefaultBuiltInTemplateBuilder, DefaultDiskOffering,
    DefaultDiskOfferingBuilder, DefaultServiceOffering, DefaultServiceOfferingBuilder,
    IsolatedNetworkOffering, IsolatedNetworkOfferingBuilder, RootDomain, RootDomainBuilder,
    TestZone, TestZoneBuilder, ZONE_VAR,
};
pub use networks::{
    DefaultVpc, DefaultVpcBuilder, DefaultVpcNetwork, DefaultVpcNetworkBuilder,
    GuestIsolatedNetwork, GuestIsolatedNetworkBuilder, SharedNetwork, SharedNetworkBuilder,
};
pub use offerings::{
    DefaultIsolatedNetworkOfferingForVpc, DefaultIsolatedNetworkOfferingWithSourceNatService,
    DefaultSharedNetworkOffering, DefaultSharedNetworkOfferingWithSGService, DefaultVpcOffering,
    DiskOfferingBuilder, LocalDiskOffering, NetworkOfferingBuilder, SharedDiskOffering,
    SmallServiceOffering, SmallServiceOfferingBuilder, VpcOfferingBuilder, service_providers,
};
pub use owner::Owner;
pub use rules::{
    Direction, FirewallRuleBuilder, HttpFirewallRule, PublicIpAddress, PublicIpAddressBuilder,
    SecurityGroupBuilder, SecurityGroupEgressBuilder, SecurityGroupFactory,
    SecurityGroupIngressBuilder, SecurityGroupRule, SecurityGroupSshEgress,
    SecurityGroupSshIngress, SshFirewallRule,
};
pub use sequence::{sequence, unique_in, unique_suffix};
pub use zones::{AdvancedZone, BasicZone, ZoneBuilder};

/// Items the macros expand to; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use futures_util::future::LocalBoxFuture;
    pub use marvin_core::Result;
    pub use marvin_core::cleanup::Managed;
    pub use marvin_core::testing::TestContext;
    pub use marvin_entities::{Account, Command};

    pub use crate::factory::create_batch_for;
}
