//! [`lint()`]: create every data factory once and report every failure
//! together (FactoryBot's `lint`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use marvin_core::testing::TestContext;
use marvin_core::{Error, Result};

use crate::*;

/// One factory's check: its name and how to run it.
type Check = (
    &'static str,
    for<'c> fn(&'c TestContext) -> Pin<Box<dyn Future<Output = Result<()>> + 'c>>,
);

/// Builds the request without the cloud, then creates one (dropped at once:
/// it is deleted with the test's cleanup).
fn check<F: Factory>(ctx: &TestContext) -> Pin<Box<dyn Future<Output = Result<()>> + '_>> {
    Box::pin(async move {
        let built = std::panic::catch_unwind(|| {
            let _ = F::build();
        });
        if built.is_err() {
            return Err(Error::setup(format!("{}::build panicked", F::NAME)));
        }
        let made = F::create(ctx).await?;
        drop(made);
        Ok(())
    })
}

macro_rules! checks {
    ($($factory:ident),* $(,)?) => {
        &[$((stringify!($factory), check::<$factory>)),*]
    };
}

/// Every data factory of this crate, in dependency order (lookups first).
pub const FACTORIES: &[Check] = checks![
    TestZone,
    RootDomain,
    DefaultBuiltInTemplate,
    DefaultServiceOffering,
    DefaultDiskOffering,
    IsolatedNetworkOffering,
    UserAccount,
    AdminAccount,
    DomainAdminAccount,
    UserFactory,
    AdminUser,
    DomainFactory,
    ProjectFactory,
    SmallServiceOffering,
    SharedDiskOffering,
    LocalDiskOffering,
    DefaultIsolatedNetworkOfferingWithSourceNatService,
    DefaultSharedNetworkOffering,
    DefaultSharedNetworkOfferingWithSGService,
    DefaultIsolatedNetworkOfferingForVpc,
    DefaultVpcOffering,
    GuestIsolatedNetwork,
    SharedNetwork,
    DefaultVpc,
    DefaultVpcNetwork,
    PublicIpAddress,
    SshFirewallRule,
    HttpFirewallRule,
    SecurityGroupFactory,
    SecurityGroupSshIngress,
    SecurityGroupSshEgress,
    VirtualMachineFactory,
    VpcVirtualMachine,
    VirtualMachineWithStaticNat,
    VirtualMachineWithIngress,
    LoadBalancedVirtualMachines,
    VolumeFactory,
    RootVolume,
    SnapshotFactory,
    SshKeyPair,
    AdvancedZone,
    BasicZone,
];

/// How one factory fared.
#[derive(Debug)]
pub struct LintResult {
    /// The factory.
    pub factory: &'static str,
    /// Its error, if it failed.
    pub error: Option<Error>,
    /// How long it took.
    pub elapsed: Duration,
}

/// What [`lint()`] found.
#[derive(Debug, Default)]
pub struct LintReport {
    /// One result per factory, in [`FACTORIES`] order.
    pub results: Vec<LintResult>,
}

impl LintReport {
    /// The factories that failed, with their errors.
    pub fn failures(&self) -> impl Iterator<Item = (&'static str, &Error)> {
        self.results
            .iter()
            .filter_map(|r| r.error.as_ref().map(|e| (r.factory, e)))
    }

    /// The names of the factories that worked.
    pub fn passed(&self) -> Vec<&'static str> {
        self.results
            .iter()
            .filter(|r| r.error.is_none())
            .map(|r| r.factory)
            .collect()
    }

    /// Whether every factory worked.
    pub fn is_clean(&self) -> bool {
        self.failures().next().is_none()
    }
}

impl fmt::Display for LintReport {
    /// `factories: 38 created, 2 failed` and one line per failure.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures().count();
        write!(
            f,
            "factories: {} created, {failed} failed",
            self.results.len() - failed
        )?;
        for (factory, error) in self.failures() {
            write!(f, "\n  {factory}: {error}")?;
        }
        Ok(())
    }
}

/// Creates every factory of [`FACTORIES`] once, one after the other, and
/// reports all failures together. What was created is deleted by the
/// test's cleanup.
///
/// ```no_run
/// async fn every_factory_works(ctx: &marvin_core::testing::TestContext) {
///     let report = marvin_factories::lint(ctx).await;
///     assert!(report.is_clean(), "{report}");
/// }
/// ```
pub async fn lint(ctx: &TestContext) -> LintReport {
    lint_only(ctx, |_| true).await
}

/// [`lint()`] for the factories whose name `select` accepts.
pub async fn lint_only(ctx: &TestContext, select: impl Fn(&str) -> bool) -> LintReport {
    let mut report = LintReport::default();
    for (factory, run) in FACTORIES.iter().filter(|(name, _)| select(name)) {
        let started = Instant::now();
        let error = run(ctx).await.err();
        report.results.push(LintResult {
            factory,
            error,
            elapsed: started.elapsed(),
        });
    }
    report
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_factory_is_named_like_an_entity() {
        // Both are in Marvin's prelude: one name, one meaning.
        let shared: Vec<&str> = super::FACTORIES
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| marvin_entities::ENTITIES.contains(name))
            .collect();
        assert!(
            shared.is_empty(),
            "factories named like entities: {shared:?}"
        );
        assert!(marvin_entities::ENTITIES.contains(&"VirtualMachine"));
    }
}
