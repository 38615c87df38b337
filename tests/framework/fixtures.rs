//! Fixtures: tests that fail, panic, hang or skip on purpose. They are
//! `#[ignore]`d, and the tests of the other modules run them as child
//! processes (`child::Cloud::fixture`) against their own simulator. Run by
//! hand (`--ignored`) without `MARVIN_FIXTURE=1`, they do nothing.

use marvin_entities::api;
use std::time::Duration;

use marvin::prelude::*;

/// Returns early unless run by a framework test.
macro_rules! only_as_fixture {
    () => {
        if std::env::var_os("MARVIN_FIXTURE").is_none() {
            println!("fixture: run by the framework tests only");
            return Ok(());
        }
    };
}

/// A network over a network offering made for it: two resources, one
/// depending on the other, for the cleanup order to get right.
async fn network_of_its_own(ctx: &TestContext) -> Result<Managed<marvin::entities::Network>> {
    let offering = DefaultIsolatedNetworkOfferingWithSourceNatService::create(ctx).await?;
    GuestIsolatedNetwork::new()
        .offering(offering.id.as_str())
        .create(ctx)
        .await
}

#[marvin::test]
#[ignore = "fixture"]
async fn panics_halfway(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let user = AdminUser::create(ctx).await?;
    let offering = SmallServiceOffering::create(ctx).await?;
    let network = network_of_its_own(ctx).await?;
    println!("created {} {} {}", user.id, offering.id, network.id);
    panic!("halfway through, on purpose");
}

#[marvin::test]
#[ignore = "fixture"]
async fn cleanup_fails_for_one(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let first = UserAccount::create(ctx).await?;
    let offering = SmallServiceOffering::create(ctx).await?;
    let second = UserAccount::create(ctx).await?;
    println!("offering {}", offering.id);
    println!("accounts {} {}", first.id, second.id);
    Ok(())
}

#[marvin::test]
#[ignore = "fixture"]
async fn waits_to_be_killed(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let account = UserAccount::create(ctx).await?;
    let network = network_of_its_own(ctx).await?;
    println!("READY {} {}", account.id, network.id);
    tokio::time::sleep(Duration::from_secs(60)).await;
    Ok(())
}

#[marvin::test]
#[ignore = "fixture"]
async fn makes_names(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    for _ in 0..200 {
        println!("NAME={}", sequence("seq"));
    }
    for _ in 0..5 {
        println!("FAKE={}", marvin::factories::fake::first_name());
    }
    for account in UserAccount::create_batch(ctx, 3).await? {
        println!("NAME={}", account.name.as_deref().unwrap_or_default());
    }
    Ok(())
}

#[marvin::test]
#[ignore = "fixture"]
async fn assertion_fails(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let account = UserAccount::new().username("reader").create(ctx).await?;
    should!(account.name).equal(Some("nobody".to_string()));
    Ok(())
}

#[marvin::test]
#[ignore = "fixture"]
async fn soft_assertions_fail(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let account = UserAccount::new().username("soft").create(ctx).await?;
    let soft = SoftAssertions::new();
    soft.check(&account.accounttype)
        .named("account.accounttype")
        .equal(Some(1));
    soft.check(&account.user)
        .named("account.user")
        .have_length(1);
    soft.check(&account.state.as_deref())
        .named("account.state")
        .equal(Some("locked"));
    soft.finish();
    Ok(())
}

#[marvin::test]
#[ignore = "fixture"]
async fn eventually_times_out(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let account = UserAccount::create(ctx).await?;
    let client = ctx.client().clone();
    eventually(
        || account.refresh(&client),
        |fresh| fresh.state.as_deref() == Some("disabled"),
    )
    .named("the account is disabled")
    .timeout(Duration::from_millis(300))
    .interval(Duration::from_millis(50))
    .await?;
    Ok(())
}

#[marvin::test(tags = ["smoke", "accounts"])]
#[ignore = "fixture"]
async fn tagged_smoke(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let account = UserAccount::create(ctx).await?;
    println!("ran {} as {}", ctx.test_name(), account.id);
    Ok(())
}

#[marvin::test(required_hardware = true)]
#[ignore = "fixture"]
async fn needs_hardware(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    UserAccount::create(ctx).await?;
    println!("ran on hardware");
    Ok(())
}

#[marvin::test]
#[ignore = "fixture"]
async fn skips_itself(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let account = UserAccount::create(ctx).await?;
    println!("created {}", account.id);
    ctx.skip("the zone has no security groups");
}

#[marvin::test]
#[ignore = "fixture"]
async fn returns_an_error(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let account = UserAccount::create(ctx).await?;
    println!("created {}", account.id);
    // A second account with the same login name: the cloud refuses it.
    let name = account.name.clone().unwrap_or_default();
    UserAccount::new().username(name).create(ctx).await?;
    Ok(())
}

#[marvin::test]
#[ignore = "fixture"]
async fn lints_every_factory(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let report = marvin::factories::lint(ctx).await;
    println!("{report}");
    assert!(report.is_clean(), "{report}");
    Ok(())
}

#[marvin::test]
#[ignore = "fixture"]
async fn fails_with_question_mark(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let account = UserAccount::create(ctx).await?;
    println!("account {}", account.id);
    println!("fails at line {}", line!() + 1);
    ctx.client().call(api("createAccount")).await?;
    Ok(())
}

/// `?` in every shape a test writes it: `#[marvin::test]` wraps those that
/// leave the body (to report their place), and this must still compile as
/// written: inferred types, temporaries borrowed past the `?`, nested `?`,
/// and `?` in closures and async blocks (left as they are).
#[marvin::test]
#[ignore = "fixture"]
async fn question_marks_of_every_shape(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let zones = ctx.client().list_all("listZones", Params::new()).await?;
    let first: Option<&str> = (|| zones.first()?.get("id")?.as_str())();
    let count: u64 = serde_json::from_value(serde_json::json!(zones.len()))
        .map_err(|e| Error::setup(e.to_string()))?;
    let name = ctx.client().call(api("listZones")).await?["zone"][0]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let domains = async {
        let listed = ctx.client().list_all("listDomains", Params::new()).await?;
        Ok::<_, Error>(listed.len())
    }
    .await?;
    let nested = ctx
        .client()
        .call(api("listZones"))
        .params(Params::new().with("id", first.ok_or_else(|| Error::setup("no zone"))?))
        .await?;
    println!("{count} {name} {domains} {}", nested["count"]);
    Ok(())
}

#[marvin::test]
#[ignore = "fixture"]
async fn returns_its_own_error(ctx: &mut TestContext) -> Result<()> {
    only_as_fixture!();
    let zones = ctx.client().list_all("listZones", Params::new()).await?;
    if !zones.is_empty() {
        println!("returns at line {}", line!() + 1);
        return Err(Error::setup("the test gives up on purpose"));
    }
    Ok(())
}
