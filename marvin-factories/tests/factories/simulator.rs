//! `create` against the embedded simulator: the resource exists, its
//! sub-factories were made first, hooks ran, and cleanup removes it all.

use std::collections::HashSet;

use marvin_factories::*;

use super::harness::Harness;

#[tokio::test]
async fn an_account_is_created_tagged_and_cleaned_up() {
    let h = Harness::start("factories::account").await;
    let before = h.count("listAccounts", &[]).await;
    let account = UserAccount::new()
        .username("alice-f")
        .create(&h.ctx)
        .await
        .unwrap();
    assert_eq!(account.name.as_deref(), Some("alice-f"));
    assert_eq!(account.accounttype, Some(0));
    assert_eq!(h.count("listAccounts", &[]).await, before + 1);

    let tags = h
        .ctx
        .client()
        .list_all(
            "listTags",
            [("resourceid", account.id.as_str()), ("listall", "true")]
                .into_iter()
                .collect(),
        )
        .await
        .unwrap();
    let tag = |key: &str| {
        tags.iter()
            .find(|t| t["key"] == key)
            .and_then(|t| t["value"].as_str())
            .map(str::to_string)
    };
    assert_eq!(
        tag(tags::RUN_KEY).as_deref(),
        Some("factories-test"),
        "{tags:?}"
    );
    assert_eq!(tag(tags::TEST_KEY).as_deref(), Some("factories::account"));

    drop(account);
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.deleted.len(), 1);
    assert_eq!(h.count("listAccounts", &[]).await, before);
}

#[tokio::test]
async fn sub_factories_are_made_first_and_cleaned_up_after() {
    let h = Harness::start("factories::admin_user").await;
    let accounts = h.count("listAccounts", &[]).await;
    let user = AdminUser::new()
        .username("root-two")
        .create(&h.ctx)
        .await
        .unwrap();
    assert_eq!(user.username.as_deref(), Some("root-two"));
    let calls = h.calls();
    let account_at = calls.iter().position(|c| c == "createAccount").unwrap();
    let user_at = calls.iter().position(|c| c == "createUser").unwrap();
    assert!(account_at < user_at, "{calls:?}");
    let account: Vec<_> = h
        .ctx
        .client()
        .list_all(
            "listAccounts",
            [("name", user.account.as_deref().unwrap_or_default())]
                .into_iter()
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(
        account[0]["accounttype"], 1,
        "the AdminAccount sub-factory: {account:?}"
    );
    assert_eq!(h.count("listAccounts", &[]).await, accounts + 1);

    drop(user);
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    let order: Vec<&str> = report.deleted.iter().map(|d| d.entity.as_str()).collect();
    assert_eq!(order, ["User", "Account"]);
    assert_eq!(h.count("listAccounts", &[]).await, accounts);
}

#[tokio::test]
async fn batches_are_unique_and_an_existing_parent_is_reused() {
    let h = Harness::start("factories::batch").await;
    let accounts = UserAccount::create_batch(&h.ctx, 5).await.unwrap();
    let names: HashSet<_> = accounts.iter().map(|a| a.name.clone().unwrap()).collect();
    assert_eq!(names.len(), 5);
    let users = UserFactory::new()
        .account(Sub::of(&accounts[0]))
        .create_batch(&h.ctx, 3)
        .await
        .unwrap();
    assert!(
        users
            .iter()
            .all(|u| u.accountid.as_deref() == Some(accounts[0].id.as_str()))
    );
    assert_eq!(
        h.calls().iter().filter(|c| *c == "createAccount").count(),
        5
    );
    drop((accounts, users));
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.deleted.len(), 8);
}

#[tokio::test]
async fn lookups_are_cached_per_context() {
    let h = Harness::start("factories::lookups").await;
    let zone = TestZone::create(&h.ctx).await.unwrap();
    let again = TestZone::create(&h.ctx).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&zone, &again));
    let template = DefaultBuiltInTemplate::create(&h.ctx).await.unwrap();
    assert_eq!(template.templatetype.as_deref(), Some("BUILTIN"));
    let offering = DefaultServiceOffering::create(&h.ctx).await.unwrap();
    assert_eq!(offering.issystem, Some(false));
    DefaultDiskOffering::create(&h.ctx).await.unwrap();
    RootDomain::create(&h.ctx).await.unwrap();
    let zones = h.calls().iter().filter(|c| *c == "listZones").count();
    assert_eq!(zones, 1, "{:?}", h.calls());
    let report = h.cleanup().await;
    assert_eq!(report.total(), 0, "lookups are not cleaned up: {report}");
}

#[tokio::test]
async fn the_enable_hook_runs_after_creation() {
    let h = Harness::start("factories::offering").await;
    let enabled = DefaultIsolatedNetworkOfferingWithSourceNatService::create(&h.ctx)
        .await
        .unwrap();
    assert_eq!(enabled.state.as_deref(), Some("Enabled"));
    let disabled = DefaultSharedNetworkOffering::new()
        .enable(false)
        .create(&h.ctx)
        .await
        .unwrap();
    assert_eq!(disabled.state.as_deref(), Some("Disabled"));
    assert_eq!(disabled.guestiptype.as_deref(), Some("Shared"));
    let vpc = DefaultVpcOffering::create(&h.ctx).await.unwrap();
    assert_eq!(vpc.state.as_deref(), Some("Enabled"));
    drop((enabled, disabled, vpc));
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.deleted.len(), 3);
}

#[tokio::test]
async fn related_factories_are_made_after_with_a_reference_to_the_parent() {
    let h = Harness::start("factories::related").await;
    let vm = VirtualMachineWithIngress::create(&h.ctx).await.unwrap();
    let group = vm
        .securitygroup
        .first()
        .map(|g| g.id.clone())
        .expect("a security group");
    let calls = h.calls();
    let deploy = calls
        .iter()
        .position(|c| c == "deployVirtualMachine")
        .unwrap();
    let ingress = calls
        .iter()
        .position(|c| c == "authorizeSecurityGroupIngress")
        .unwrap();
    assert!(deploy < ingress, "{calls:?}");
    let sent = &h.params_of("authorizeSecurityGroupIngress")[0];
    assert!(
        sent.contains(&("securitygroupid".to_string(), group)),
        "{sent:?}"
    );
    assert!(sent.contains(&("startport".to_string(), "22".to_string())));
    drop(vm);
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    let kinds: Vec<&str> = report.deleted.iter().map(|d| d.entity.as_str()).collect();
    assert_eq!(kinds[0], "SecurityGroupRule", "rules go first: {kinds:?}");
}

#[tokio::test]
async fn composite_factories_keep_their_parts() {
    let h = Harness::start("factories::composite").await;
    let vm = VirtualMachineWithStaticNat::create(&h.ctx).await.unwrap();
    assert_eq!(vm.state.as_deref(), Some("Running"));
    assert!(vm.public_ip().is_some_and(|ip| !ip.is_empty()));
    assert_eq!(vm.ip.isstaticnat, Some(true));
    assert_eq!(vm.ip.virtualmachineid.as_deref(), Some(vm.id.as_str()));

    let lb = LoadBalancedVirtualMachines::new()
        .count(3)
        .publicport(8080)
        .create(&h.ctx)
        .await
        .unwrap();
    assert_eq!(lb.vms.len(), 3);
    assert_eq!(lb.publicport.as_deref(), Some("8080"));
    let assigned = h.params_of("assignToLoadBalancerRule");
    let ids = assigned[0]
        .iter()
        .find(|(k, _)| k == "virtualmachineids")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert!(lb.vms.iter().all(|vm| ids.contains(&vm.id)), "{ids}");
    assert!(
        lb.vms
            .iter()
            .all(|vm| vm.nic[0].networkid.as_deref() == Some(lb.network.id.as_str()))
    );
    assert!(lb.network.is_made() && lb.ip.is_made());
    assert_eq!(
        lb.ip.associatednetworkid.as_deref(),
        Some(lb.network.id.as_str()),
        "the rule's address is acquired on the VMs' network"
    );
    assert_eq!(lb.publicipid.as_deref(), Some(lb.ip.id.as_str()));
    let negative = LoadBalancedVirtualMachines::new()
        .count(-1)
        .create(&h.ctx)
        .await
        .unwrap_err();
    assert!(
        negative.to_string().contains("count must not be negative"),
        "{negative}"
    );

    let volume = RootVolume::new()
        .vm(vm.id.as_str())
        .create(&h.ctx)
        .await
        .unwrap();
    assert_eq!(volume.virtualmachineid.as_deref(), Some(vm.id.as_str()));
    assert!(volume.vm.is_none(), "an existing VM is not owned");
    drop((vm, lb, volume));
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(h.count("listVirtualMachines", &[]).await, 0);
    assert_eq!(h.count("listLoadBalancerRules", &[]).await, 0);
}

#[tokio::test]
async fn a_failed_batch_leaves_what_it_made_to_the_cleanup() {
    let h = Harness::start("factories::failed_batch").await;
    let accounts = h.count("listAccounts", &[]).await;
    h.simulator
        .call_as_admin(
            "configureSimulatorFault",
            &[
                ("apiname", "createAccount"),
                ("action", "fail"),
                ("count", "1"),
            ],
        )
        .expect("the fault is armed");
    let error = UserAccount::create_batch(&h.ctx, 3).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Simulated failure of createAccount"),
        "{error}"
    );
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.deleted.len(), 2, "{report}");
    assert_eq!(h.count("listAccounts", &[]).await, accounts);
}

#[tokio::test]
async fn an_owner_gets_the_resource_and_its_sub_factories_resources() {
    let h = Harness::start("factories::owner").await;
    let account = UserAccount::create(&h.ctx).await.unwrap();
    let network = GuestIsolatedNetwork::new()
        .owner(&account)
        .create(&h.ctx)
        .await
        .unwrap();
    assert_eq!(network.account, account.name);
    // The account's user sees it as its own; the admin client still made
    // the context, and cleans up.
    let as_user = Owner::of(&account).context(&h.ctx).await.unwrap();
    assert_ne!(as_user.client().api_key(), h.ctx.client().api_key());
    let mine = marvin_entities::Network::list(as_user.client())
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        [network.id.as_str()]
    );
    drop((network, account));
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
}

#[tokio::test]
async fn a_batch_for_an_owner_shares_the_owners_context() {
    let h = Harness::start("factories::owner_batch").await;
    let account = UserAccount::create(&h.ctx).await.unwrap();
    let networks = GuestIsolatedNetwork::new()
        .owner(&account)
        .create_batch(&h.ctx, 3)
        .await
        .unwrap();
    assert!(networks.iter().all(|n| n.account == account.name));
    let key_calls = h
        .calls()
        .iter()
        .filter(|c| *c == "registerUserKeys")
        .count();
    assert!(
        key_calls <= 1,
        "the user's keys are registered once: {:?}",
        h.calls()
    );
    drop((networks, account));
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
}
