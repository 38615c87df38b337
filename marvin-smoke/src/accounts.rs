//! Accounts: creation, state changes, deletion and their refusals.

use marvin::prelude::*;

/// A new user account is enabled (`AccountManagerImpl.createUserAccount`).
#[marvin::test(tags = ["smoke", "accounts"])]
async fn a_new_user_account_is_enabled(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    account.state.as_deref().should().equal(Some("enabled"));
    Ok(())
}
