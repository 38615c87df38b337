//! Security groups: their ingress and egress rules, names, members, and
//! deletion.

use marvin::prelude::*;

/// A new group has no rules; a second group with its name is refused: 431,
/// "already exists" (`SecurityGroupManagerImpl.createSecurityGroup`).
#[marvin::test(tags = ["smoke", "security_groups"])]
async fn a_group_name_is_unique_within_an_account(ctx: &mut TestContext) -> Result<()> {
    let group = SecurityGroupFactory::create(ctx).await?;
    group.ingressrule.should().be_empty();
    group.egressrule.should().be_empty();
    SecurityGroup::create(ctx.client())
        .name(group.name.clone().unwrap_or_default())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// An authorised ingress rule is listed with its group
/// (`SecurityGroupManagerImpl.authorizeSecurityGroupIngress`).
#[marvin::test(tags = ["smoke", "security_groups"])]
async fn an_ingress_rule_is_listed_with_its_group(ctx: &mut TestContext) -> Result<()> {
    let group = SecurityGroupFactory::create(ctx).await?;
    let rule = SecurityGroupSshIngress::new()
        .securitygroup(group.id.clone())
        .create(ctx)
        .await?;
    let listed = group.refresh(ctx.client()).await?;
    listed.ingressrule.should().have_length(1);
    listed.ingressrule[0]
        .ruleid
        .should()
        .equal(Some(rule.id.clone()));
    listed.ingressrule[0].startport.should().equal(Some(22));
    listed.ingressrule[0]
        .cidr
        .as_deref()
        .should()
        .equal(Some("0.0.0.0/0"));
    Ok(())
}

/// A revoked ingress rule is gone from its group
/// (`SecurityGroupManagerImpl.revokeSecurityGroupIngress`).
#[marvin::test(tags = ["smoke", "security_groups"])]
async fn a_revoked_ingress_rule_is_gone(ctx: &mut TestContext) -> Result<()> {
    let group = SecurityGroupFactory::create(ctx).await?;
    let rule = SecurityGroupSshIngress::new()
        .securitygroup(group.id.clone())
        .create(ctx)
        .await?;
    rule.delete().await?;
    group
        .refresh(ctx.client())
        .await?
        .ingressrule
        .should()
        .be_empty();
    Ok(())
}

/// An authorised egress rule keeps its protocol, ports and CIDR
/// (`SecurityGroupManagerImpl.authorizeSecurityGroupEgress`).
#[marvin::test(tags = ["smoke", "security_groups"])]
async fn an_egress_rule_is_listed_with_its_group(ctx: &mut TestContext) -> Result<()> {
    let group = SecurityGroupFactory::create(ctx).await?;
    let _rule = SecurityGroupSshEgress::new()
        .securitygroup(group.id.clone())
        .protocol("udp")
        .ports(53, 53)
        .cidr("10.0.0.0/8")
        .create(ctx)
        .await?;
    let listed = group.refresh(ctx.client()).await?;
    listed.egressrule.should().have_length(1);
    listed.egressrule[0]
        .protocol
        .as_deref()
        .should()
        .equal(Some("udp"));
    listed.egressrule[0]
        .cidr
        .as_deref()
        .should()
        .equal(Some("10.0.0.0/8"));
    listed.ingressrule.should().be_empty();
    Ok(())
}

/// An authorisation adds one rule per CIDR of its list
/// (`SecurityGroupManagerImpl.authorizeSecurityGroupRule`).
#[marvin::test(tags = ["smoke", "security_groups"])]
async fn one_rule_is_added_per_cidr(ctx: &mut TestContext) -> Result<()> {
    let group = SecurityGroupFactory::create(ctx).await?;
    let _first = SecurityGroupSshIngress::new()
        .securitygroup(group.id.clone())
        .create(ctx)
        .await?;
    // The answer is the group with only the rules this call added; the
    // group itself keeps all three.
    let answer = group
        .authorize_ingress(ctx.client())
        .protocol("tcp")
        .startport(80)
        .endport(80)
        .cidrlist(["10.1.0.0/16".to_string(), "10.2.0.0/16".to_string()])
        .await?;
    answer.ingressrule.should().have_length(2);
    group
        .refresh(ctx.client())
        .await?
        .ingressrule
        .should()
        .have_length(3);
    Ok(())
}

/// Authorising only rules that exist already fails the job: 530, "Failed
/// to authorize security group ingress rule(s)"
/// (`SecurityGroupManagerImpl.authorizeSecurityGroupRule`).
#[marvin::test(tags = ["smoke", "security_groups"])]
async fn a_duplicate_rule_is_refused(ctx: &mut TestContext) -> Result<()> {
    let group = SecurityGroupFactory::create(ctx).await?;
    let _rule = SecurityGroupSshIngress::new()
        .securitygroup(group.id.clone())
        .create(ctx)
        .await?;
    group
        .authorize_ingress(ctx.client())
        .securitygroupid(&group.id)
        .protocol("tcp")
        .startport(22)
        .endport(22)
        .cidrlist(["0.0.0.0/0".to_string()])
        .await
        .should()
        .fail_with(ErrorCode::InternalError);
    Ok(())
}

/// A VM deployed into a group is its member: the VM names the group and
/// the group lists the VM (`SecurityGroupManagerImpl.addInstanceToGroups`).
#[marvin::test(tags = ["smoke", "security_groups", "vms"])]
async fn a_vm_is_a_member_of_its_group(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineWithIngress::create(ctx).await?;
    vm.securitygroup.should().have_length(1);
    let group = vm.securitygroup[0].id.clone();
    let groups = SecurityGroup::list(ctx.client())
        .virtualmachineid(&vm.id)
        .await?;
    groups.iter().any(|g| g.id == group).should().equal(true);
    Ok(())
}

/// A group in use by a VM is not deleted: 536, "Cannot delete group when
/// it's in use by virtual machines"
/// (`SecurityGroupManagerImpl.deleteSecurityGroup`).
#[marvin::test(tags = ["smoke", "security_groups"])]
async fn a_group_in_use_is_not_deleted(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineWithIngress::create(ctx).await?;
    let group = SecurityGroup::list(ctx.client())
        .virtualmachineid(&vm.id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::setup("the VM is in no security group"))?;
    group
        .delete(ctx.client())
        .await
        .should()
        .fail_with(ErrorCode::ResourceInUse);
    Ok(())
}

/// A deleted group is no longer listed
/// (`SecurityGroupManagerImpl.deleteSecurityGroup`).
#[marvin::test(tags = ["smoke", "security_groups"])]
async fn a_deleted_group_is_gone(ctx: &mut TestContext) -> Result<()> {
    let group = SecurityGroupFactory::create(ctx).await?;
    let id = group.id.clone();
    group.delete().await?;
    SecurityGroup::list(ctx.client())
        .id(id)
        .await?
        .should()
        .be_empty();
    Ok(())
}
