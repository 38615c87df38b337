//! Public IPs, firewall rules and security groups.

use futures_util::future::LocalBoxFuture;
use marvin_core::cleanup::Managed;
use marvin_core::resource::{Deletion, DeletionRule, rank_of};
use marvin_core::testing::TestContext;
use marvin_core::{Error, Resource, Result};
use marvin_entities::api;
use marvin_entities::commands;
use serde_json::Value;

use crate::{Build, Factory, GuestIsolatedNetwork, IntoSub, Made, Sub, factory, fake, sequence};

factory! {
    /// A public IP address acquired for a new [`GuestIsolatedNetwork`].
    pub PublicIpAddress / PublicIpAddressBuilder {
        subs {
            /// The network the address is for.
            network: GuestIsolatedNetwork,
        }
        fields {}
        build -> commands::AssociateIpAddress as marvin_entities::IpAddress {
            commands::AssociateIpAddress::default().with_options(commands::AssociateIpAddressOptions {
                networkid: Some(network.id_string()),
                ..Default::default()
            })
        }
    }

    /// A firewall rule opening TCP port 22 from `0.0.0.0/0` on a new
    /// [`PublicIpAddress`].
    pub SshFirewallRule / FirewallRuleBuilder {
        subs {
            /// The public address the rule is on.
            ip: PublicIpAddress,
        }
        fields {
            /// The protocol.
            protocol: String = "tcp".to_string(),
            /// The first port.
            startport: i64 = 22,
            /// The last port.
            endport: i64 = startport,
            /// The source CIDRs.
            cidrlist: Vec<String> = vec!["0.0.0.0/0".to_string()],
        }
        build -> commands::CreateFirewallRule as marvin_entities::FirewallRule {
            commands::CreateFirewallRule::builder()
                .ipaddressid(ip.id_string())
                .protocol(protocol)
                .into_request()
                .with_options(
                commands::CreateFirewallRuleOptions {
                    startport: Some(startport),
                    endport: Some(endport),
                    cidrlist: Some(cidrlist),
                    ..Default::default()
                },
            )
        }
    }

    /// [`SshFirewallRule`] for TCP port 80.
    pub HttpFirewallRule = SshFirewallRule::new().startport(80);

    /// A security group with a unique name.
    pub SecurityGroupFactory / SecurityGroupBuilder {
        fields {
            /// The name (unique).
            name: String = sequence("sg"),
            /// The description.
            description: String = fake::description(),
        }
        build -> commands::CreateSecurityGroup as marvin_entities::SecurityGroup {
            commands::CreateSecurityGroup::builder()
                .name(name)
                .into_request()
                .with_options(commands::CreateSecurityGroupOptions {
                description: Some(description),
                ..Default::default()
            })
        }
    }
}

/// Which way a security group rule lets traffic through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Into the group's VMs.
    Ingress,
    /// Out of them.
    Egress,
}

/// One rule of a security group (made by [`SecurityGroupSshIngress`] and
/// [`SecurityGroupSshEgress`]); its deletion revokes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroupRule {
    /// The rule's id.
    pub id: String,
    /// The group it belongs to.
    pub securitygroupid: String,
    /// Ingress or egress.
    pub direction: Direction,
    /// The protocol.
    pub protocol: String,
    /// The first port.
    pub startport: i64,
    /// The last port.
    pub endport: i64,
    /// The CIDR it allows.
    pub cidr: String,
}

impl Resource for SecurityGroupRule {
    const ENTITY: &'static str = "SecurityGroupRule";

    fn id(&self) -> &str {
        &self.id
    }

    fn deletion(&self) -> Option<Deletion> {
        let rule = match self.direction {
            Direction::Ingress => INGRESS_RULE_DELETION,
            Direction::Egress => EGRESS_RULE_DELETION,
        };
        let mut deletion = rule.deletion(&self.id);
        deletion.rank = rank_of(Self::ENTITY);
        Some(deletion)
    }
}

/// How an ingress security group rule is deleted.
pub(crate) const INGRESS_RULE_DELETION: DeletionRule = DeletionRule::new(
    "SecurityGroupRule",
    "revokeSecurityGroupIngress",
    true,
    "id",
);

/// How an egress security group rule is deleted.
pub(crate) const EGRESS_RULE_DELETION: DeletionRule =
    DeletionRule::new("SecurityGroupRule", "revokeSecurityGroupEgress", true, "id");

/// Declares a security group rule factory (the authorize calls answer with
/// the group, in which the new rule is found).
macro_rules! rule_factory {
    ($(#[$meta:meta])* $name:ident / $builder:ident, $direction:expr, $command:ty, $options:ident, $api:literal, $rules:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl Factory for $name {
            type Builder = $builder;
            const NAME: &'static str = stringify!($name);
            fn new() -> $builder {
                $builder::default()
            }
        }

        crate::__factory_shortcuts!($name, $builder, Managed<SecurityGroupRule>, build -> $command);

        #[doc = concat!("The overrides of [`", stringify!($name), "`].")]
        #[derive(Debug, Clone)]
        #[must_use = "a builder does nothing until `create` or `build` is called"]
        pub struct $builder {
            securitygroup: Option<Sub<SecurityGroupFactory>>,
            protocol: String,
            startport: i64,
            endport: i64,
            cidr: String,
        }

        impl Default for $builder {
            fn default() -> Self {
                Self {
                    securitygroup: None,
                    protocol: "tcp".into(),
                    startport: 22,
                    endport: 22,
                    cidr: "0.0.0.0/0".into(),
                }
            }
        }

        impl $builder {
            /// The group (a new [`SecurityGroupFactory`] by default).
            pub fn securitygroup(mut self, group: impl IntoSub<SecurityGroupFactory>) -> Self {
                self.securitygroup = Some(group.into_sub());
                self
            }

            /// The protocol (`tcp`).
            pub fn protocol(mut self, protocol: impl Into<String>) -> Self {
                self.protocol = protocol.into();
                self
            }

            /// The port range (22 to 22).
            pub fn ports(mut self, start: i64, end: i64) -> Self {
                self.startport = start;
                self.endport = end;
                self
            }

            /// The CIDR (`0.0.0.0/0`).
            pub fn cidr(mut self, cidr: impl Into<String>) -> Self {
                self.cidr = cidr.into();
                self
            }

            fn request(&self, group: &str) -> $command {
                <$command>::default().with_options(commands::$options {
                    securitygroupid: Some(group.to_string()).filter(|id| !id.is_empty()),
                    protocol: Some(self.protocol.clone()),
                    startport: Some(self.startport),
                    endport: Some(self.endport),
                    cidrlist: Some(vec![self.cidr.clone()]),
                    ..Default::default()
                })
            }
        }

        impl<F: Factory<Builder = $builder>> IntoSub<F> for $builder {
            fn into_sub(self) -> Sub<F> {
                Sub::With(self)
            }
        }

        impl Build for $builder {
            type Entity = SecurityGroupRule;
            type Output = Managed<SecurityGroupRule>;
            type Request = $command;

            fn build(self) -> $command {
                let group = Made::<SecurityGroupFactory>::unresolved(self.securitygroup.clone().unwrap_or(Sub::Default));
                self.request(group.id())
            }

            fn create(self, ctx: &TestContext) -> LocalBoxFuture<'_, Result<Managed<SecurityGroupRule>>> {
                Box::pin(async move {
                    let group = Made::<SecurityGroupFactory>::resolve(
                        self.securitygroup.clone().unwrap_or(Sub::Default),
                        ctx,
                    )
                    .await?;
                    let request = self.request(group.id());
                    let answer = ctx.client().call(api($api)).params(request.params()).await?;
                    let mut rule = SecurityGroupRule {
                        id: String::new(),
                        securitygroupid: group.id_string(),
                        direction: $direction,
                        protocol: self.protocol.clone(),
                        startport: self.startport,
                        endport: self.endport,
                        cidr: self.cidr.clone(),
                    };
                    rule.id = find_rule(&answer, $rules, &rule).ok_or_else(|| {
                        Error::setup(format!(concat!($api, " answered without the new rule's id: {}"), answer))
                    })?;
                    Ok(ctx.manage(rule))
                })
            }
        }
    };
}

/// The id of `rule` in an authorize answer: the matching entry of the
/// group's `ingressrule`/`egressrule` list (the last one), else a top-level
/// `ruleid`.
fn find_rule(answer: &Value, list: &str, rule: &SecurityGroupRule) -> Option<String> {
    let group = answer.get("securitygroup").unwrap_or(answer);
    let matches = |r: &&Value| {
        let text = |k: &str| {
            r.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let number = |k: &str| {
            r.get(k).and_then(|v| {
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
        };
        text("protocol").eq_ignore_ascii_case(&rule.protocol)
            && number("startport") == Some(rule.startport)
            && number("endport") == Some(rule.endport)
            && (text("cidr") == rule.cidr || r.get("cidr").is_none())
    };
    let from_list = group
        .get(list)
        .and_then(Value::as_array)
        .and_then(|rules| rules.iter().rev().find(matches))
        .and_then(|r| r.get("ruleid"))
        .and_then(Value::as_str);
    from_list
        .or_else(|| group.get("ruleid").and_then(Value::as_str))
        .map(str::to_string)
}

rule_factory! {
    /// Allows TCP port 22 from `0.0.0.0/0` into a new [`SecurityGroupFactory`].
    SecurityGroupSshIngress / SecurityGroupIngressBuilder, Direction::Ingress,
    commands::AuthorizeSecurityGroupIngress, AuthorizeSecurityGroupIngressOptions,
    "authorizeSecurityGroupIngress", "ingressrule"
}

rule_factory! {
    /// Allows TCP port 22 to `0.0.0.0/0` out of a new [`SecurityGroupFactory`].
    SecurityGroupSshEgress / SecurityGroupEgressBuilder, Direction::Egress,
    commands::AuthorizeSecurityGroupEgress, AuthorizeSecurityGroupEgressOptions,
    "authorizeSecurityGroupEgress", "egressrule"
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_new_rule_is_found_in_the_answer() {
        let rule = SecurityGroupRule {
            id: String::new(),
            securitygroupid: "g".into(),
            direction: Direction::Ingress,
            protocol: "tcp".into(),
            startport: 22,
            endport: 22,
            cidr: "0.0.0.0/0".into(),
        };
        let answer = json!({"securitygroup": {"id": "g", "ingressrule": [
            {"ruleid": "r1", "protocol": "tcp", "startport": 80, "endport": 80, "cidr": "0.0.0.0/0"},
            {"ruleid": "r2", "protocol": "TCP", "startport": "22", "endport": 22, "cidr": "0.0.0.0/0"}
        ]}});
        assert_eq!(
            find_rule(&answer, "ingressrule", &rule).as_deref(),
            Some("r2")
        );
        assert_eq!(find_rule(&answer, "egressrule", &rule), None);
        let flat = json!({"ruleid": "r3", "protocol": "tcp"});
        assert_eq!(
            find_rule(&flat, "ingressrule", &rule).as_deref(),
            Some("r3")
        );
        let deletion = rule.deletion().unwrap();
        assert_eq!(deletion.command, "revokeSecurityGroupIngress");
    }
}
