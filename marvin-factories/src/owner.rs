//! [`Owner`]: the account a factory makes its resource for.

use marvin_core::testing::TestContext;
use marvin_core::{Error, Result};
use marvin_entities as entities;

/// The account a factory makes its resource for (`.owner(&account)` on a
/// builder): the factory acts as the account's first user, so the
/// resource, and every sub-factory's, belongs to the account, as Marvin's
/// `VirtualMachine.create(apiclient, accountid=.., domainid=..)` does.
/// Cleanup still deletes with the admin client.
///
/// ```no_run
/// use marvin_factories::{Owner, UserAccount, VirtualMachineFactory};
///
/// # async fn demo(ctx: &marvin_core::testing::TestContext) -> marvin_core::Result<()> {
/// let account = UserAccount::create(ctx).await?;
/// // The VM and the network it is made in belong to the account.
/// let vm = VirtualMachineFactory::new().owner(&account).create(ctx).await?;
/// assert_eq!(vm.account, account.name);
/// // Acting as the account's user for the test's own calls.
/// let as_user = Owner::of(&account).context(ctx).await?;
/// let mine = marvin_entities::VirtualMachine::list(as_user.client()).await?;
/// assert_eq!(mine.len(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    account: String,
    domainid: String,
}

impl Owner {
    /// The owner `account`.
    pub fn of(account: &entities::Account) -> Self {
        Self {
            account: account.name.clone().unwrap_or_default(),
            domainid: account.domainid.clone().unwrap_or_default(),
        }
    }

    /// The account's name.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The account's domain id.
    pub fn domainid(&self) -> &str {
        &self.domainid
    }

    /// `ctx` acting as the account's first user (see
    /// `TestContext::acting_as`).
    pub async fn context(&self, ctx: &TestContext) -> Result<TestContext> {
        let users = entities::User::list(ctx.admin())
            .account(self.account.clone())
            .domainid(self.domainid.clone())
            .listall(true)
            .await?;
        let user = users.first().ok_or_else(|| {
            Error::setup(format!(
                "account {} (domain {}) has no user to act as",
                self.account, self.domainid
            ))
        })?;
        ctx.acting_as(&user.id).await
    }
}
