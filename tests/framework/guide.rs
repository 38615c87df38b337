//! The complete example of `docs/writing-tests.md`, kept compiling and
//! passing here (against the embedded simulator, or `MARVIN_CONFIG`).

use std::time::Duration;

use marvin::entities::commands;
use marvin::factories::{factory, fake, sequence};
use marvin::prelude::*;

#[marvin::test(tags = ["smoke", "advanced"])]
async fn a_vm_behind_static_nat_can_be_stopped(ctx: &mut TestContext) -> Result<()> {
    // A VM in a new network, with a public IP and static NAT to it. Every
    // resource the factory made is deleted after the test, in dependency
    // order, even if an assertion below panics.
    let vm = VirtualMachineWithStaticNat::create(ctx).await?;
    vm.state.as_deref().should().equal(Some("Running"));
    vm.public_ip().should_not().be_none();

    // Overrides at the call site, and an existing resource as a sub-factory.
    let admin = AdminAccount::new().firstname("Ops").create(ctx).await?;
    let user = UserFactory::new()
        .account(Sub::of(&admin))
        .firstname("Grace")
        .create(ctx)
        .await?;
    should!(user.firstname.as_deref()).equal(Some("Grace"));

    // `build` gives the request without calling the cloud; the email is a
    // lazy attribute, computed from the names unless given.
    let request = UserAccount::new()
        .firstname("Ada")
        .lastname("Lovelace")
        .build();
    request.email.should().equal("ada.lovelace@example.com");
    request.username.should().start_with("user-");

    // Entity methods, and waiting for a state with `eventually`.
    vm.vm.stop(ctx.client()).await?;
    let client = ctx.client().clone();
    eventually(
        || vm.vm.refresh(&client),
        |fresh| fresh.state.as_deref() == Some("Stopped"),
    )
    .named("the VM is stopped")
    .timeout(Duration::from_secs(30))
    .await?;
    Ok(())
}

// The declaration example of the guide.
factory! {
    /// A team account: its first user is named after the team.
    pub TeamAccount / TeamAccountBuilder {
        subs {
            /// Made first; `domain.id()` flows into the request.
            domain: marvin::factories::DomainFactory,
        }
        fields {
            team: String = sequence("team"),
            username: String = format!("{team}-lead"),
            firstname: String = fake::first_name(),
            lastname: String = fake::last_name(),
            email: String = fake::email(&firstname, &lastname),
            password: String = fake::password(),
        }
        build -> commands::CreateAccount {
            commands::CreateAccount::builder()
                .email(email)
                .firstname(firstname)
                .lastname(lastname)
                .password(password)
                .username(username)
                .into_request()
                .with_options(commands::CreateAccountOptions {
                    accounttype: Some(0),
                    domainid: Some(domain.id_string()),
                    ..Default::default()
                })
        }
        after(ctx, account) {
            println!("team account {} is ready", account.id);
        }
    }

    /// Inheritance: the same factory with other defaults.
    pub OpsTeam = TeamAccount::new().team("ops");
}

#[marvin::test]
async fn a_factory_declared_in_a_test_crate_works(ctx: &mut TestContext) -> Result<()> {
    let ops = OpsTeam::new().team(sequence("ops")).create(ctx).await?;
    ops.name
        .as_deref()
        .should()
        .satisfy("ends with -lead", |name| {
            name.is_some_and(|n| n.ends_with("-lead"))
        });
    let domain = ops.domainid.clone().unwrap_or_default();
    should!(domain).not().be_empty();
    OpsTeam::build().username.should().equal("ops-lead");
    Ok(())
}
