//! Accounts and users, made by the framework's factories and our own.

use marvin::prelude::*;
use user_suite::{OpsTeam, TeamAccount};

#[marvin::test(tags = ["accounts"])]
async fn a_new_user_account_is_enabled(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    account.state.as_deref().should().equal(Some("enabled"));
    Ok(())
}

#[marvin::test(tags = ["accounts"])]
async fn a_team_account_is_led_by_its_first_user(ctx: &mut TestContext) -> Result<()> {
    let account = TeamAccount::new().team("storage").create(ctx).await?;
    should!(account.user).have_length(1);
    account.user[0]
        .username
        .as_deref()
        .should()
        .equal(Some("storage-lead"));
    Ok(())
}

#[marvin::test(tags = ["accounts", "ops"])]
async fn the_ops_team_has_its_own_domain(ctx: &mut TestContext) -> Result<()> {
    let account = OpsTeam::create(ctx).await?;
    account.name.as_deref().should().equal(Some("ops-lead"));
    account.domain.as_deref().should_not().equal(Some("ROOT"));
    Ok(())
}

/// Slow on a real cloud, so it runs only when asked for: `cargo test --test
/// cloud -- --ignored`, or `cargo nextest run --run-ignored only`.
#[marvin::test(tags = ["accounts", "slow"])]
#[ignore = "makes ten accounts; run it with --ignored"]
async fn ten_accounts_in_one_batch(ctx: &mut TestContext) -> Result<()> {
    let accounts = UserAccount::create_batch(ctx, 10).await?;
    should!(accounts).have_length(10);
    Ok(())
}
