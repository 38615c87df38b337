//! What the smoke scenarios share: unique names, resources made by raw API
//! calls and registered for cleanup, list helpers and cached lookups.
//!
//! The scenarios call the API directly (command names and parameters as
//! CloudStack documents them), so that each one reads as the behaviour it
//! checks; every resource they create is registered with the test's
//! cleanup stack the moment it exists.

use marvin_entities::api;
use std::ops::Deref;
use std::sync::Arc;

use marvin_core::cleanup::Managed;
use marvin_core::testing::TestContext;
use marvin_core::{Client, Deletion, Error, Params, Resource, Result};
use serde_json::Value;

/// A name no other test or run uses: `prefix-` and 12 random hex digits.
pub fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", &id[..12])
}

/// A password for generated users.
pub fn password() -> String {
    format!("Pw-{}", uuid::Uuid::new_v4().simple())
}

/// A resource created by a raw API call: its JSON (as the create call
/// answered it) and how to delete it. Derefs to the JSON.
#[derive(Debug, Clone)]
pub struct Raw {
    json: Value,
    deletion: Deletion,
}

impl Raw {
    /// The id.
    pub fn id(&self) -> &str {
        &self.deletion.id
    }

    /// A text field of the JSON (empty when absent).
    pub fn text(&self, field: &str) -> &str {
        self.json[field].as_str().unwrap_or_default()
    }
}

impl Deref for Raw {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.json
    }
}

impl Resource for Raw {
    // The entity of each value is in its deletion; this constant names
    // the kind of wrapper.
    const ENTITY: &'static str = "Raw";

    fn id(&self) -> &str {
        &self.deletion.id
    }

    fn deletion(&self) -> Option<Deletion> {
        Some(self.deletion.clone())
    }
}

/// How one kind of resource is created and deleted.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// The entity name (`Account`), as the ledger records it.
    pub entity: &'static str,
    /// The creating command.
    pub create: &'static str,
    /// The key of the created object in the answer (`account`).
    pub key: &'static str,
    /// The deleting command.
    pub delete: &'static str,
    /// Extra parameters of the deleting call.
    pub delete_params: &'static [(&'static str, &'static str)],
    /// The parameter of the deleting call that names the resource, and the
    /// field of the created object that gives its value (`id`, `id`;
    /// `name`, `name` for SSH key pairs).
    pub delete_key: (&'static str, &'static str),
}

const fn kind(
    entity: &'static str,
    create: &'static str,
    key: &'static str,
    delete: &'static str,
    delete_params: &'static [(&'static str, &'static str)],
) -> Kind {
    Kind {
        entity,
        create,
        key,
        delete,
        delete_params,
        delete_key: ("id", "id"),
    }
}

const fn keyed(kind: Kind, param: &'static str, field: &'static str) -> Kind {
    Kind {
        delete_key: (param, field),
        ..kind
    }
}

/// Accounts (deleting one removes its users and resources).
pub const ACCOUNT: Kind = kind("Account", "createAccount", "account", "deleteAccount", &[]);
/// Users of an account.
pub const USER: Kind = kind("User", "createUser", "user", "deleteUser", &[]);
/// Domains; deleted with `cleanup=true`, so that whatever a failed test
/// left inside goes too.
pub const DOMAIN: Kind = kind(
    "Domain",
    "createDomain",
    "domain",
    "deleteDomain",
    &[("cleanup", "true")],
);
/// Service (compute) offerings.
pub const SERVICE_OFFERING: Kind = kind(
    "ServiceOffering",
    "createServiceOffering",
    "serviceoffering",
    "deleteServiceOffering",
    &[],
);
/// Disk offerings.
pub const DISK_OFFERING: Kind = kind(
    "DiskOffering",
    "createDiskOffering",
    "diskoffering",
    "deleteDiskOffering",
    &[],
);
/// Network offerings.
pub const NETWORK_OFFERING: Kind = kind(
    "NetworkOffering",
    "createNetworkOffering",
    "networkoffering",
    "deleteNetworkOffering",
    &[],
);
/// VPC offerings.
pub const VPC_OFFERING: Kind = kind(
    "VpcOffering",
    "createVPCOffering",
    "vpcoffering",
    "deleteVPCOffering",
    &[],
);
/// Templates (registered from a URL).
pub const TEMPLATE: Kind = kind(
    "Template",
    "registerTemplate",
    "template",
    "deleteTemplate",
    &[],
);
/// ISOs (registered from a URL).
pub const ISO: Kind = kind("Iso", "registerIso", "iso", "deleteIso", &[]);
/// Zones.
pub const ZONE: Kind = kind("Zone", "createZone", "zone", "deleteZone", &[]);
/// Pods.
pub const POD: Kind = kind("Pod", "createPod", "pod", "deletePod", &[]);
/// Physical networks.
pub const PHYSICAL_NETWORK: Kind = kind(
    "PhysicalNetwork",
    "createPhysicalNetwork",
    "physicalnetwork",
    "deletePhysicalNetwork",
    &[],
);
/// Faults armed in the simulator (`configureSimulatorFault`).
pub const SIMULATOR_FAULT: Kind = kind(
    "SimulatorFault",
    "configureSimulatorFault",
    "simulatorfault",
    "deleteSimulatorFault",
    &[],
);

/// Virtual machines, destroyed with `expunge=true`.
pub const VIRTUAL_MACHINE: Kind = kind(
    "VirtualMachine",
    "deployVirtualMachine",
    "virtualmachine",
    "destroyVirtualMachine",
    &[("expunge", "true")],
);
/// Data volumes, destroyed with `expunge=true`.
pub const VOLUME: Kind = kind(
    "Volume",
    "createVolume",
    "volume",
    "destroyVolume",
    &[("expunge", "true")],
);
/// Volume snapshots.
pub const SNAPSHOT: Kind = kind(
    "Snapshot",
    "createSnapshot",
    "snapshot",
    "deleteSnapshot",
    &[],
);
/// VM snapshots.
pub const VM_SNAPSHOT: Kind = keyed(
    kind(
        "VMSnapshot",
        "createVMSnapshot",
        "vmsnapshot",
        "deleteVMSnapshot",
        &[],
    ),
    "vmsnapshotid",
    "id",
);
/// SSH key pairs made by the cloud.
pub const SSH_KEY_PAIR: Kind = keyed(
    kind(
        "SSHKeyPair",
        "createSSHKeyPair",
        "keypair",
        "deleteSSHKeyPair",
        &[],
    ),
    "name",
    "name",
);
/// SSH key pairs registered from a public key.
pub const REGISTERED_SSH_KEY_PAIR: Kind = Kind {
    create: "registerSSHKeyPair",
    ..SSH_KEY_PAIR
};
/// Affinity groups.
pub const AFFINITY_GROUP: Kind = kind(
    "AffinityGroup",
    "createAffinityGroup",
    "affinitygroup",
    "deleteAffinityGroup",
    &[],
);
/// Instance groups.
pub const INSTANCE_GROUP: Kind = kind(
    "InstanceGroup",
    "createInstanceGroup",
    "instancegroup",
    "deleteInstanceGroup",
    &[],
);
/// Projects.
pub const PROJECT: Kind = kind("Project", "createProject", "project", "deleteProject", &[]);

/// Guest networks (isolated, shared, VPC tiers).
pub const NETWORK: Kind = kind("Network", "createNetwork", "network", "deleteNetwork", &[]);
/// Public IP addresses.
pub const IP_ADDRESS: Kind = kind(
    "IpAddress",
    "associateIpAddress",
    "ipaddress",
    "disassociateIpAddress",
    &[],
);
/// Ingress firewall rules on a public IP.
pub const FIREWALL_RULE: Kind = kind(
    "FirewallRule",
    "createFirewallRule",
    "firewallrule",
    "deleteFirewallRule",
    &[],
);
/// Egress firewall rules of a network.
pub const EGRESS_FIREWALL_RULE: Kind = kind(
    "EgressFirewallRule",
    "createEgressFirewallRule",
    "firewallrule",
    "deleteEgressFirewallRule",
    &[],
);
/// Port forwarding rules.
pub const PORT_FORWARDING_RULE: Kind = kind(
    "PortForwardingRule",
    "createPortForwardingRule",
    "portforwardingrule",
    "deletePortForwardingRule",
    &[],
);
/// Load balancer rules.
pub const LOAD_BALANCER_RULE: Kind = kind(
    "LoadBalancerRule",
    "createLoadBalancerRule",
    "loadbalancer",
    "deleteLoadBalancerRule",
    &[],
);
/// Security groups.
pub const SECURITY_GROUP: Kind = kind(
    "SecurityGroup",
    "createSecurityGroup",
    "securitygroup",
    "deleteSecurityGroup",
    &[],
);
/// VPCs.
pub const VPC: Kind = kind("Vpc", "createVPC", "vpc", "deleteVPC", &[]);
/// Network ACL lists of a VPC.
pub const NETWORK_ACL_LIST: Kind = kind(
    "NetworkACLList",
    "createNetworkACLList",
    "networkacllist",
    "deleteNetworkACLList",
    &[],
);
/// Network ACL items.
pub const NETWORK_ACL: Kind = kind(
    "NetworkACL",
    "createNetworkACL",
    "networkacl",
    "deleteNetworkACL",
    &[],
);

/// Creates a resource of `kind` with the admin client and registers its
/// deletion.
pub async fn create(ctx: &TestContext, kind: &Kind, params: Params) -> Result<Managed<Raw>> {
    create_with(ctx, ctx.client(), kind, params).await
}

/// [`create`] with another client (a user's, from `ctx.as_user`). The
/// resource is still deleted with the admin client: a user may not be
/// allowed to delete it the way cleanup does (expunging a VM is for admins
/// only), and the user's own account may be gone by then.
///
/// An async create is registered from its submission's answer (the new
/// `id`), before its job is waited for: when the job fails, the object (a VM
/// in the Error state, a volume) is still deleted with the test.
pub async fn create_with(
    ctx: &TestContext,
    client: &Client,
    kind: &Kind,
    params: Params,
) -> Result<Managed<Raw>> {
    ctx.create_managed(
        client.call(api(kind.create)).params(params),
        |id| {
            // Only kinds deleted by the id the submission answers.
            (kind.delete_key.1 == "id").then(|| Raw {
                json: serde_json::json!({ "id": id }),
                deletion: deletion_of(kind, id, &Value::Null),
            })
        },
        |answer| {
            let mut json = answer[kind.key].clone();
            // Some creators (registerTemplate, registerIso) answer with a list.
            if let Value::Array(items) = json {
                json = items.into_iter().next().unwrap_or(Value::Null);
            }
            let field = kind.delete_key.1;
            let Some(id) = json[field].as_str().map(String::from) else {
                return Err(Error::setup(format!(
                    "{} answered without {}.{field}",
                    kind.create, kind.key
                )));
            };
            let deletion = deletion_of(kind, &id, &json);
            Ok(Raw { json, deletion })
        },
    )
    .await
}

/// How to delete the resource of `kind` named `key` (its id, or its name),
/// created as `json`.
fn deletion_of(kind: &Kind, key: &str, json: &Value) -> Deletion {
    let (param, _) = kind.delete_key;
    let mut deletion = Deletion::new(kind.entity, key, kind.delete, api(kind.delete).is_async());
    deletion.params = vec![(param.to_string(), key.to_string())];
    // A name is unique per account only: name the owner too, since the
    // admin client deletes it.
    if param == "name" {
        for field in ["account", "domainid"] {
            if let Some(value) = json[field].as_str() {
                deletion = deletion.param(field, value);
            }
        }
    }
    for (name, value) in kind.delete_params {
        deletion = deletion.param(name, value);
    }
    deletion
}

/// The parameters of a new account of `accounttype` (0 user, 1 root admin,
/// 2 domain admin) with generated names.
pub fn account_params(accounttype: u8) -> Params {
    let name = unique("smoke");
    Params::new()
        .with("username", &name)
        .with("firstname", "Smoke")
        .with("lastname", "Tester")
        .with("email", format!("{name}@example.com"))
        .with("password", password())
        .with("accounttype", accounttype)
}

/// A new user account (type 0) in the ROOT domain.
pub async fn user_account(ctx: &TestContext) -> Result<Managed<Raw>> {
    create(ctx, &ACCOUNT, account_params(0)).await
}

/// The id of the first user of an account JSON.
pub fn first_user_id(account: &Value) -> String {
    account["user"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A client acting as the first user of `account` (its keys registered on
/// first use).
pub async fn client_of(ctx: &TestContext, account: &Value) -> Result<Client> {
    ctx.as_user(&first_user_id(account)).await
}

/// All items of a list command (every page).
pub async fn list(client: &Client, command: &str, params: Params) -> Result<Vec<Value>> {
    client.list_all(command, params).await
}

/// The item with `id` from a list command, if listed.
pub async fn find(
    client: &Client,
    command: &str,
    id: &str,
    params: Params,
) -> Result<Option<Value>> {
    let items = list(client, command, params.with("id", id)).await;
    match items {
        Ok(items) => Ok(items.into_iter().find(|item| item["id"] == id)),
        // CloudStack answers some lists of an unknown id with 431.
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}

/// The ids of a list of items.
pub fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| item["id"].as_str().map(String::from))
        .collect()
}

/// The first enabled zone of the cloud (cached per test). Zones other
/// tests create start disabled, so they are never picked.
pub async fn zone(ctx: &TestContext) -> Result<Arc<Value>> {
    ctx.cached("zone", || async {
        let zones = list(ctx.client(), "listZones", Params::new()).await?;
        zones
            .into_iter()
            .find(|zone| zone["allocationstate"] == "Enabled")
            .ok_or_else(|| Error::setup("the cloud has no enabled zone"))
    })
    .await
}

/// The id of a JSON object (empty when absent).
pub fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap_or_default().to_string()
}

/// Skips the test unless the cloud serves `command` (the simulator's own
/// APIs, such as fault injection, are not on a real cloud).
pub async fn require_api(ctx: &TestContext, command: &str) -> Result<()> {
    let answer = ctx
        .client()
        .call(api("listApis"))
        .params(Params::new().with("name", command))
        .await;
    match answer {
        Ok(answer) if answer["api"].as_array().is_some_and(|a| !a.is_empty()) => Ok(()),
        Ok(_) => ctx.skip(format!("the cloud does not serve {command}")),
        Err(error)
            if error.is_not_found()
                || error.code() == Some(marvin_core::ErrorCode::UnsupportedAction) =>
        {
            ctx.skip(format!("the cloud does not serve {command}"))
        }
        Err(error) => Err(error),
    }
}

/// A fixed-size service offering of the cloud, the smallest by memory
/// (cached per test).
pub async fn service_offering(ctx: &TestContext) -> Result<Arc<Value>> {
    ctx.cached("service-offering", || async {
        let mut offerings: Vec<Value> = list(ctx.client(), "listServiceOfferings", Params::new())
            .await?
            .into_iter()
            .filter(|o| o["iscustomized"] != true && o["cpunumber"].is_number())
            .collect();
        offerings.sort_by_key(|o| o["memory"].as_i64().unwrap_or(i64::MAX));
        offerings
            .into_iter()
            .next()
            .ok_or_else(|| Error::setup("the cloud has no fixed-size service offering"))
    })
    .await
}

/// A fixed-size disk offering of the cloud, the smallest (cached per
/// test).
pub async fn disk_offering(ctx: &TestContext) -> Result<Arc<Value>> {
    ctx.cached("disk-offering", || async {
        let mut offerings: Vec<Value> = list(ctx.client(), "listDiskOfferings", Params::new())
            .await?
            .into_iter()
            .filter(|o| o["iscustomized"] != true && o["disksize"].as_i64().unwrap_or(0) > 0)
            .collect();
        offerings.sort_by_key(|o| o["disksize"].as_i64().unwrap_or(i64::MAX));
        offerings
            .into_iter()
            .next()
            .ok_or_else(|| Error::setup("the cloud has no fixed-size disk offering"))
    })
    .await
}

/// The parameters of a VM in the first enabled zone, from the built-in
/// template and the smallest service offering, with a unique name.
pub async fn vm_params(ctx: &TestContext) -> Result<Params> {
    let zone = zone(ctx).await?;
    let offering = service_offering(ctx).await?;
    let template = super::templates::builtin_template(ctx).await?;
    Ok(Params::new()
        .with("zoneid", id_of(&zone))
        .with("serviceofferingid", id_of(&offering))
        .with("templateid", id_of(&template))
        .with("name", unique("vm")))
}

/// A running VM of the admin, deployed with `extra` parameters on top of
/// [`vm_params`]; without `networkids`, into the test's
/// [`default_network`].
pub async fn deploy(ctx: &TestContext, extra: Params) -> Result<Managed<Raw>> {
    let mut params = vm_params(ctx).await?;
    if !extra.contains("networkids") {
        params.set("networkids", default_network(ctx).await?.as_str());
    }
    for (name, value) in extra.iter() {
        params.set(name, value);
    }
    create(ctx, &VIRTUAL_MACHINE, params).await
}

/// The id of an isolated network of the admin made for this test (once per
/// test, deleted after it). The admin account is shared by concurrent
/// tests, so a VM deployed without `networkids` would not know which of
/// their networks to use (CloudStack refuses with 431).
pub async fn default_network(ctx: &TestContext) -> Result<Arc<String>> {
    ctx.cached("default-network", || async {
        let network = isolated_network(ctx).await?;
        let id = network.id().to_string();
        // Dropping the guard puts its deletion on the test's cleanup stack:
        // the network goes when the test ends, after its VMs.
        drop(network);
        Ok(id)
    })
    .await
}

/// Runs an async command and returns the object under `key` of its result.
pub async fn run(ctx: &TestContext, command: &str, params: Params, key: &str) -> Result<Value> {
    let answer = ctx.client().call(api(command)).params(params).await?;
    Ok(answer[key].clone())
}

/// The network offering called `name` (cached per test).
pub async fn network_offering(ctx: &TestContext, name: &str) -> Result<Arc<Value>> {
    ctx.cached(name, || async {
        list(
            ctx.client(),
            "listNetworkOfferings",
            Params::new().with("name", name),
        )
        .await?
        .into_iter()
        .find(|o| o["name"] == name)
        .ok_or_else(|| Error::setup(format!("the cloud has no network offering {name}")))
    })
    .await
}

/// A new isolated network with source NAT (the default offering) in the
/// first enabled zone, created with `client` for its owner.
pub async fn isolated_network_with(ctx: &TestContext, client: &Client) -> Result<Managed<Raw>> {
    let zone = zone(ctx).await?;
    let offering =
        network_offering(ctx, "DefaultIsolatedNetworkOfferingWithSourceNatService").await?;
    create_with(
        ctx,
        client,
        &NETWORK,
        Params::new()
            .with("name", unique("net"))
            .with("displaytext", "Smoke isolated network")
            .with("networkofferingid", id_of(&offering))
            .with("zoneid", id_of(&zone)),
    )
    .await
}

/// [`isolated_network_with`] for the admin.
pub async fn isolated_network(ctx: &TestContext) -> Result<Managed<Raw>> {
    isolated_network_with(ctx, ctx.client()).await
}

/// A public IP for `network`.
pub async fn public_ip(ctx: &TestContext, network: &str) -> Result<Managed<Raw>> {
    create(ctx, &IP_ADDRESS, Params::new().with("networkid", network)).await
}
