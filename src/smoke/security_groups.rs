//! Security groups and their rules.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{SECURITY_GROUP, create, unique};
use crate::prelude::*;

/// An ingress rule authorised on a new group is listed with it, and gone
/// once revoked; a second group with the same name is refused (431).
pub async fn ingress_rules(ctx: &mut TestContext) -> Result<()> {
    let name = unique("sg");
    let group = create(
        ctx,
        &SECURITY_GROUP,
        Params::new()
            .with("name", &name)
            .with("description", "Smoke security group"),
    )
    .await?;
    group["ingressrule"]
        .as_array()
        .map_or(0, Vec::len)
        .should()
        .equal(0);
    ctx.client()
        .call(api("createSecurityGroup"))
        .params(Params::new().with("name", &name))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);

    let authorized = ctx
        .client()
        .call(api("authorizeSecurityGroupIngress"))
        .params(
            Params::new()
                .with("securitygroupid", group.id())
                .with("protocol", "tcp")
                .with("startport", 22)
                .with("endport", 22)
                .with("cidrlist", "0.0.0.0/0"),
        )
        .await?;
    let rules = authorized["securitygroup"]["ingressrule"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rules.len().should().equal(1);
    rules[0]["startport"].should().equal(22);
    let rule_id = rules[0]["ruleid"].as_str().unwrap_or_default().to_string();

    ctx.client()
        .call(api("revokeSecurityGroupIngress"))
        .params(Params::new().with("id", &rule_id))
        .await?;
    let listed = ctx
        .client()
        .list_all("listSecurityGroups", Params::new().with("id", group.id()))
        .await?;
    listed[0]["ingressrule"]
        .as_array()
        .map_or(0, Vec::len)
        .should()
        .equal(0);
    Ok(())
}

/// An egress rule authorised on a group is listed with it, and gone once
/// revoked.
pub async fn egress_rules(ctx: &mut TestContext) -> Result<()> {
    let group = create(
        ctx,
        &SECURITY_GROUP,
        Params::new().with("name", unique("sg-out")),
    )
    .await?;
    let authorized = ctx
        .client()
        .call(api("authorizeSecurityGroupEgress"))
        .params(
            Params::new()
                .with("securitygroupid", group.id())
                .with("protocol", "udp")
                .with("startport", 53)
                .with("endport", 53)
                .with("cidrlist", "10.0.0.0/8"),
        )
        .await?;
    let rules = authorized["securitygroup"]["egressrule"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rules.len().should().equal(1);
    rules[0]["protocol"].should().equal("udp");
    rules[0]["cidr"].should().equal("10.0.0.0/8");
    ctx.client()
        .call(api("revokeSecurityGroupEgress"))
        .params(Params::new().with("id", rules[0]["ruleid"].as_str().unwrap_or_default()))
        .await?;
    let listed = ctx
        .client()
        .list_all("listSecurityGroups", Params::new().with("id", group.id()))
        .await?;
    listed[0]["egressrule"]
        .as_array()
        .map_or(0, Vec::len)
        .should()
        .equal(0);
    Ok(())
}
