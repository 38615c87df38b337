//! The answer shapes and instance methods of the typed layer where the
//! `listApis` schema misleads the generator, against the embedded
//! simulator: answers the schema misstates (a scaled VM, a security group
//! after an authorisation, a load balancer's VMs, a VM with an ISO), verbs
//! that send the entity's own id or key, lists of ids and names, and a
//! camel-case answer field.

use marvin::prelude::*;
use marvin_core::testing::{RunSettings, TestSpec, run_scenario};

fn admin() -> Client {
    marvin::embedded_simulator()
        .expect("the embedded simulator starts")
        .admin_client()
        .expect("admin client")
}

fn settings() -> RunSettings {
    let mut settings = RunSettings::from_env();
    settings.ledger = None;
    settings.selected_tags = None;
    settings.termination_grace = None;
    settings.chaos = None;
    settings
}

/// Runs the body as a test of its own (factories, cleanup) and fails on
/// anything but a pass, with the error and where it left the body, or on a
/// failed cleanup.
macro_rules! scenario {
    ($name:literal, |$ctx:ident| $body:block) => {{
        let outcome = run_scenario(&settings(), &TestSpec::new($name), admin(), move |$ctx| {
            Box::pin(async move $body)
        })
        .await;
        assert!(
            outcome.verdict.is_success(),
            "{}: {:?} at {:?}",
            $name,
            outcome.verdict,
            outcome.error_location
        );
        assert!(!outcome.cleanup.failed(), "{}: cleanup {:?}", $name, outcome.cleanup);
    }};
}

/// Registers an extractable template like the built-in one, for cleanup.
async fn register_template(ctx: &TestContext) -> Result<Managed<Template>> {
    let builtin = DefaultBuiltInTemplate::create(ctx).await?;
    let zone = TestZone::create(ctx).await?;
    let template = Template::create(ctx.client())
        .displaytext("Shapes template")
        .format(builtin.format.clone().unwrap_or_else(|| "VHD".into()))
        .hypervisor(
            builtin
                .hypervisor
                .clone()
                .unwrap_or_else(|| "Simulator".into()),
        )
        .name(sequence("shape-tpl"))
        .url("http://images.example.com/shapes.vhd.bz2")
        .zoneid(&zone.id)
        .ostypeid(builtin.ostypeid.clone().unwrap_or_default())
        .isextractable(true)
        .await?;
    Ok(ctx.manage(template))
}

#[tokio::test]
async fn a_scaled_vm_answers_with_the_vm_on_its_new_offering() {
    scenario!("scale_answers_the_vm", |ctx| {
        let vm = VirtualMachineFactory::new()
            .with_request(|r| r.options.startvm = Some(false))
            .create(ctx)
            .await?;
        let offering = SmallServiceOffering::create(ctx).await?;
        let scaled: VirtualMachine = vm
            .scale(ctx.client())
            .serviceofferingid(&offering.id)
            .await?;
        assert_eq!(scaled.id, vm.id);
        assert_eq!(scaled.serviceofferingid, Some(offering.id.clone()));
        Ok(())
    });
}

#[tokio::test]
async fn an_authorisation_answers_with_the_group_and_its_rules() {
    scenario!("authorize_answers_the_group", |ctx| {
        let group = SecurityGroupFactory::create(ctx).await?;
        // No `securitygroupid`: the method sends the group's id.
        let after: SecurityGroup = group
            .authorize_ingress(ctx.client())
            .protocol("tcp")
            .startport(80)
            .endport(80)
            .cidrlist(["10.1.0.0/16", "10.2.0.0/16"])
            .await?;
        assert_eq!(after.id, group.id);
        let ports: Vec<Option<i64>> = after.ingressrule.iter().map(|r| r.startport).collect();
        assert_eq!(ports.iter().filter(|p| **p == Some(80)).count(), 2);
        let after = group
            .authorize_egress(ctx.client())
            .protocol("udp")
            .startport(53)
            .endport(53)
            .cidrlist(["0.0.0.0/0"])
            .await?;
        assert_eq!(after.id, group.id);
        assert!(
            after.egressrule.iter().any(|r| r.startport == Some(53)),
            "{:?}",
            after.egressrule
        );
        Ok(())
    });
}

#[tokio::test]
async fn a_volume_update_sends_the_volumes_id() {
    scenario!("volume_update_sends_id", |ctx| {
        let volume = VolumeFactory::create(ctx).await?;
        let protected = volume.update(ctx.client()).deleteprotection(true).await?;
        assert_eq!(protected.id, volume.id);
        assert_eq!(protected.deleteprotection, Some(true));
        let plain = volume.update(ctx.client()).deleteprotection(false).await?;
        assert_eq!(plain.deleteprotection, Some(false));
        Ok(())
    });
}

#[tokio::test]
async fn a_load_balancer_lists_its_vms() {
    scenario!("lb_instances_are_vms", |ctx| {
        let balanced = LoadBalancedVirtualMachines::create(ctx).await?;
        let instances: Vec<VirtualMachine> = LoadBalancerRule::list_instances(ctx.client())
            .id(&balanced.rule.id)
            .await?;
        let mut listed: Vec<&str> = instances.iter().map(|vm| vm.id.as_str()).collect();
        let mut assigned: Vec<&str> = balanced.vms.iter().map(|vm| vm.id.as_str()).collect();
        listed.sort_unstable();
        assigned.sort_unstable();
        assert_eq!(listed, assigned);
        assert!(instances.iter().all(|vm| vm.name.is_some()));
        Ok(())
    });
}

#[tokio::test]
async fn an_attached_iso_answers_with_the_vm() {
    scenario!("attach_iso_answers_the_vm", |ctx| {
        let builtin = DefaultBuiltInTemplate::create(ctx).await?;
        let zone = TestZone::create(ctx).await?;
        let iso = Iso::create(ctx.client())
            .displaytext("Shapes ISO")
            .name(sequence("shape-iso"))
            .url("http://images.example.com/shapes.iso")
            .zoneid(&zone.id)
            .ostypeid(builtin.ostypeid.clone().unwrap_or_default())
            .await?;
        let iso = ctx.manage(iso);
        let vm = VirtualMachineFactory::create(ctx).await?;
        let attached: VirtualMachine = iso.attach(ctx.client()).virtualmachineid(&vm.id).await?;
        assert_eq!(attached.id, vm.id);
        assert_eq!(attached.isoid, Some(iso.id.clone()));
        let detached: VirtualMachine = Iso::detach(ctx.client()).virtualmachineid(&vm.id).await?;
        assert_eq!(detached.id, vm.id);
        assert_eq!(detached.isoid, None);
        Ok(())
    });
}

#[tokio::test]
async fn a_template_refreshes_and_reads_its_permissions() {
    scenario!("template_refresh_and_permissions", |ctx| {
        let template = register_template(ctx).await?;
        let friend = UserAccount::create(ctx).await?;
        let friend_name = friend.name.clone().unwrap_or_default();
        template
            .update_permissions(ctx.client())
            .accounts([friend_name.clone()])
            .op("add")
            .await?;
        let permissions = template.list_permissions(ctx.client()).await?;
        assert_eq!(permissions.id.as_deref(), Some(template.id.as_str()));
        let accounts: &Vec<String> = &permissions.account;
        assert!(accounts.contains(&friend_name), "{accounts:?}");
        let refreshed = template.refresh(ctx.client()).await?;
        assert_eq!(refreshed.id, template.id);
        assert_eq!(refreshed.name, template.name);
        let extracted = template
            .extract(ctx.client())
            .mode("HTTP_DOWNLOAD")
            .zoneid(template.zoneid.clone().unwrap_or_default())
            .await?;
        assert_eq!(extracted.extractmode.as_deref(), Some("HTTP_DOWNLOAD"));
        Ok(())
    });
}

#[tokio::test]
async fn an_affinity_group_lists_its_vms_ids() {
    scenario!("affinity_group_vm_ids", |ctx| {
        let group = AffinityGroup::create(ctx.client())
            .name(sequence("shape-ag"))
            .type_("host anti-affinity")
            .await?;
        let group = ctx.manage(group);
        let vm = VirtualMachineFactory::new()
            .with_request({
                let id = group.id.clone();
                move |r| r.options.affinitygroupids = Some(vec![id.clone()])
            })
            .create(ctx)
            .await?;
        let listed = group.refresh(ctx.client()).await?;
        let ids: &Vec<String> = &listed.virtualmachineids;
        assert_eq!(ids, &vec![vm.id.clone()]);
        Ok(())
    });
}

#[tokio::test]
async fn deletions_by_key_and_static_nat_are_methods() {
    scenario!("key_methods", |ctx| {
        let pair = SshKeyPair::create(ctx).await?;
        SSHKeyPair::delete(&pair, ctx.client()).await?;
        let left = SSHKeyPair::list(ctx.client())
            .name(pair.name.clone().unwrap_or_default())
            .await?;
        assert!(left.is_empty(), "{left:?}");

        let network = GuestIsolatedNetwork::create(ctx).await?;
        let vm = VirtualMachineFactory::new()
            .network(network.id.clone())
            .create(ctx)
            .await?;
        let ip = PublicIpAddress::new()
            .network(network.id.clone())
            .create(ctx)
            .await?;
        ip.enable_static_nat(ctx.client())
            .virtualmachineid(&vm.id)
            .await?;
        assert_eq!(ip.refresh(ctx.client()).await?.isstaticnat, Some(true));
        ip.disable_static_nat(ctx.client()).await?;
        assert_eq!(ip.refresh(ctx.client()).await?.isstaticnat, Some(false));

        let source_nat = IpAddress::list(ctx.client())
            .associatednetworkid(&network.id)
            .issourcenat(true)
            .await?;
        let source_nat = source_nat.first().expect("a source NAT address");
        let vpn = RemoteAccessVpn::create(ctx.client())
            .publicipid(&source_nat.id)
            .await?;
        let username = sequence("vpnuser");
        let user = VpnUser::create(ctx.client())
            .username(&username)
            .password("Shapes-pass-1")
            .await?;
        VpnUser::remove(&user, ctx.client()).await?;
        let active = VpnUser::list(ctx.client())
            .username(&username)
            .await?
            .into_iter()
            .filter(|u| u.state.as_deref() != Some("Revoke"))
            .count();
        assert_eq!(active, 0);
        RemoteAccessVpn::delete(&vpn, ctx.client()).await?;
        let left = RemoteAccessVpn::list(ctx.client())
            .publicipid(&source_nat.id)
            .await?;
        assert!(left.is_empty(), "{left:?}");
        Ok(())
    });
}
