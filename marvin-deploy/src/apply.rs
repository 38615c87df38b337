//! Building a [`DataCenter`] on a cloud, step by step, with a rollback of
//! everything built so far when a step fails.

use marvin_core::cleanup::CleanupStack;
use marvin_core::resource::{Deletion, Resource};
use marvin_core::{Client, Params};
use marvin_entities::{self as entities, Decode, api};
use serde_json::Value;

use super::DeployError;
use super::model::{Cluster, DataCenter, IpRange, PhysicalNetwork, Pod, PrimaryStorage, Zone};

/// What a successful deployment built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The zones, as `(name, id)`, in config order.
    pub zones: Vec<(String, String)>,
    /// How many API steps ran.
    pub steps: usize,
}

/// Lets a deployment go on past a global setting the cloud does not have
/// (431, "... doesn't exist"), as deployDataCenter does: CloudStack's own
/// setup/dev/advanced.cfg still sets `outofbandmanagement.sync.interval`,
/// which CloudStack removed in 4.10. Any other failure stops it.
fn unknown_setting((label, error): (String, marvin_core::Error)) -> StepResult<Value> {
    let unknown = error.status() == Some(431)
        && error
            .text()
            .is_some_and(|text| text.ends_with("doesn't exist"));
    if unknown {
        tracing::warn!(step = %label, %error, "skipped: the cloud has no such setting");
        Ok(Value::Null)
    } else {
        Err((label, error))
    }
}

/// Something built, to delete on rollback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zone,
    PhysicalNetwork,
    Pod,
    Network,
    VlanRange,
    Cluster,
    Host,
    StoragePool,
    ImageStore,
}

impl Kind {
    /// How `id` is deleted: the generated entity's own deletion
    /// ([`Resource::deletion`]), forced where deployDataCenter's cleanup
    /// forces it (a network, host or pool may still hold system resources).
    fn deletion(self, id: &str) -> Option<Deletion> {
        fn of<T: Resource + Decode>(id: &str) -> Option<Deletion> {
            T::from_value(serde_json::json!({ "id": id })).deletion()
        }
        let deletion = match self {
            Self::Zone => of::<entities::Zone>(id),
            Self::PhysicalNetwork => of::<entities::PhysicalNetwork>(id),
            Self::Pod => of::<entities::Pod>(id),
            Self::Network => of::<entities::Network>(id),
            Self::VlanRange => of::<entities::VlanIpRange>(id),
            Self::Cluster => of::<entities::Cluster>(id),
            Self::Host => of::<entities::Host>(id),
            Self::StoragePool => of::<entities::StoragePool>(id),
            Self::ImageStore => of::<entities::ImageStore>(id),
        }?;
        Some(match self {
            Self::Network | Self::Host | Self::StoragePool => deletion.param("forced", "true"),
            _ => deletion,
        })
    }
}

/// The name (and display text) deployDataCenter gives a Basic zone's guest
/// network.
const BASIC_GUEST_NETWORK: &str = "guestNetworkForBasicZone";
/// The name (and display text) deployDataCenter gives the shared network of
/// an Advanced zone with security groups.
const SHARED_SG_NETWORK: &str = "Shared SG enabled network";

/// The host user name sent for Simulator hosts without one (Marvin's
/// simulator configs use it; the simulator does not check it).
const SIMULATOR_HOST_USER: &str = "root";
/// The host password sent for Simulator hosts without one (likewise).
const SIMULATOR_HOST_PASSWORD: &str = "password";

/// The providers whose element must be configured before the provider is
/// enabled, with the commands that list and configure that element (as
/// deployDataCenter's configureProviders does).
const ELEMENTS: &[(&str, &str, &str)] = &[
    (
        "VirtualRouter",
        "listVirtualRouterElements",
        "configureVirtualRouterElement",
    ),
    (
        "VpcVirtualRouter",
        "listVirtualRouterElements",
        "configureVirtualRouterElement",
    ),
    (
        "InternalLbVm",
        "listInternalLoadBalancerElements",
        "configureInternalLoadBalancerElement",
    ),
];

/// Deploys `datacenter` with `client` (a root admin), calling `progress`
/// with one line per step. On a failing step, deletes what this call built,
/// in reverse order, and returns [`DeployError::Step`]. Global settings
/// (`globalConfig`) are applied first and are not rolled back.
pub async fn deploy(
    client: &Client,
    datacenter: &DataCenter,
    progress: &mut dyn FnMut(&str),
) -> Result<Deployment, DeployError> {
    datacenter.validate()?;
    let mut run = Run {
        client,
        progress,
        built: Vec::new(),
        steps: 0,
    };
    match run.all(datacenter).await {
        Ok(zones) => Ok(Deployment {
            zones,
            steps: run.steps,
        }),
        Err((step, source)) => {
            let (rolled_back, rollback_failures) = run.rollback().await;
            Err(DeployError::Step {
                step,
                source: Box::new(source),
                rolled_back,
                rollback_failures,
            })
        }
    }
}

type StepResult<T> = Result<T, (String, marvin_core::Error)>;

struct Run<'a> {
    client: &'a Client,
    progress: &'a mut dyn FnMut(&str),
    built: Vec<(Kind, String, String)>,
    steps: usize,
}

impl Run<'_> {
    /// One API call as a numbered step.
    async fn call(&mut self, label: String, command: &str, params: Params) -> StepResult<Value> {
        self.steps += 1;
        (self.progress)(&format!("[{:>3}] {label}", self.steps));
        self.client
            .call(api(command))
            .params(params)
            .await
            .map_err(|error| (label, error))
    }

    /// A step that creates something: records it for the rollback and
    /// returns its id.
    async fn create(
        &mut self,
        kind: Kind,
        label: String,
        command: &str,
        params: Params,
    ) -> StepResult<String> {
        let answer = self.call(label.clone(), command, params).await?;
        let id = entity_id(&answer).ok_or_else(|| {
            (
                label.clone(),
                marvin_core::Error::setup(format!("{command} answered no id: {answer}")),
            )
        })?;
        self.built.push((kind, id.clone(), label));
        Ok(id)
    }

    async fn list(&mut self, label: &str, command: &str, params: Params) -> StepResult<Vec<Value>> {
        self.client
            .list_all(command, params)
            .await
            .map_err(|error| (label.to_owned(), error))
    }

    async fn all(&mut self, datacenter: &DataCenter) -> StepResult<Vec<(String, String)>> {
        for setting in &datacenter.global_config {
            self.call(
                format!("updateConfiguration {}", setting.name),
                "updateConfiguration",
                Params::from([("name", &setting.name), ("value", &setting.value)]),
            )
            .await
            .or_else(unknown_setting)?;
        }
        let mut zones = Vec::new();
        for zone in &datacenter.zones {
            let id = self.zone(zone).await?;
            zones.push((zone.name.clone(), id));
        }
        Ok(zones)
    }

    async fn zone(&mut self, zone: &Zone) -> StepResult<String> {
        let mut params = Params::new();
        params
            .set("name", &zone.name)
            .set("networktype", &zone.networktype)
            .set_opt("dns1", zone.dns1.as_ref())
            .set_opt("dns2", zone.dns2.as_ref())
            .set_opt("internaldns1", zone.internaldns1.as_ref())
            .set_opt("internaldns2", zone.internaldns2.as_ref())
            .set_opt("guestcidraddress", zone.guestcidraddress.as_ref())
            .set_opt("domain", zone.domain.as_ref())
            .set_opt("securitygroupenabled", zone.securitygroupenabled)
            .set_opt("localstorageenabled", zone.localstorageenabled);
        let zone_id = self
            .create(
                Kind::Zone,
                format!("createZone {}", zone.name),
                "createZone",
                params,
            )
            .await?;
        let mut public_network = None;
        for network in &zone.physical_networks {
            let id = self.physical_network(&zone_id, network).await?;
            if network.traffictypes.iter().any(|t| t.typ == "Public") {
                public_network.get_or_insert(id);
            }
        }
        // deployDataCenter's Basic path: the zone's one shared guest network,
        // then each pod with its guest ranges in that network; public ranges
        // only in an EIP/ELB zone (a Public traffic type).
        // An Advanced zone with security groups gets one shared SG network
        // holding the last of `ipranges` (and no public ranges), before its
        // pods, which take it as their network.
        let advanced_sg = !zone.is_basic() && zone.securitygroupenabled == Some(true);
        let guest_network = if zone.is_basic() {
            Some(self.basic_network(&zone_id, zone).await?)
        } else if advanced_sg {
            Some(self.shared_sg_network(&zone_id, zone).await?)
        } else {
            None
        };
        for pod in &zone.pods {
            self.pod(&zone_id, guest_network.as_deref(), pod).await?;
        }
        let public_ranges = match (zone.is_basic() && public_network.is_none()) || advanced_sg {
            true => &[][..],
            false => &zone.ipranges[..],
        };
        for range in public_ranges {
            let mut params = Params::new();
            params
                .set("zoneid", &zone_id)
                .set("vlan", range.vlan.as_deref().unwrap_or("untagged"))
                .set("gateway", &range.gateway)
                .set("netmask", &range.netmask)
                .set("startip", &range.startip)
                .set("endip", &range.endip)
                .set("forvirtualnetwork", "true")
                .set_opt("physicalnetworkid", public_network.as_ref());
            self.create(
                Kind::VlanRange,
                format!(
                    "createVlanIpRange {}-{} in {}",
                    range.startip, range.endip, zone.name
                ),
                "createVlanIpRange",
                params,
            )
            .await?;
        }
        for storage in &zone.primary_storages {
            self.storage_pool(&zone_id, None, storage).await?;
        }
        for store in &zone.secondary_storages {
            let mut params = Params::new();
            params
                .set("zoneid", &zone_id)
                .set("provider", &store.provider)
                .set("url", &store.url)
                .set_opt("name", store.name.as_ref());
            self.create(
                Kind::ImageStore,
                format!("addImageStore {} in {}", store.url, zone.name),
                "addImageStore",
                params,
            )
            .await?;
        }
        self.call(
            format!("updateZone {} allocationstate=Enabled", zone.name),
            "updateZone",
            Params::from([("id", zone_id.as_str()), ("allocationstate", "Enabled")]),
        )
        .await?;
        Ok(zone_id)
    }

    async fn physical_network(
        &mut self,
        zone_id: &str,
        network: &PhysicalNetwork,
    ) -> StepResult<String> {
        let mut params = Params::new();
        params
            .set("zoneid", zone_id)
            .set("name", &network.name)
            .set_opt("vlan", network.vlan.as_ref())
            .set_opt(
                "broadcastdomainrange",
                network.broadcastdomainrange.as_ref(),
            );
        if !network.isolationmethods.is_empty() {
            params.set_list("isolationmethods", &network.isolationmethods);
        }
        let id = self
            .create(
                Kind::PhysicalNetwork,
                format!("createPhysicalNetwork {}", network.name),
                "createPhysicalNetwork",
                params,
            )
            .await?;
        for traffic in &network.traffictypes {
            self.call(
                format!("addTrafficType {} on {}", traffic.typ, network.name),
                "addTrafficType",
                Params::from([
                    ("physicalnetworkid", id.as_str()),
                    ("traffictype", &traffic.typ),
                ]),
            )
            .await?;
        }
        for provider in &network.providers {
            self.provider(&id, &network.name, &provider.name).await?;
        }
        self.call(
            format!("updatePhysicalNetwork {} state=Enabled", network.name),
            "updatePhysicalNetwork",
            Params::from([("id", id.as_str()), ("state", "Enabled")]),
        )
        .await?;
        Ok(id)
    }

    async fn provider(&mut self, network_id: &str, network: &str, name: &str) -> StepResult<()> {
        let label = format!("listNetworkServiceProviders {name} on {network}");
        let found = self
            .list(
                &label,
                "listNetworkServiceProviders",
                Params::from([("physicalnetworkid", network_id), ("name", name)]),
            )
            .await?
            .into_iter()
            .next();
        let provider = match found {
            Some(provider) => provider,
            None => {
                let answer = self
                    .call(
                        format!("addNetworkServiceProvider {name} on {network}"),
                        "addNetworkServiceProvider",
                        Params::from([("physicalnetworkid", network_id), ("name", name)]),
                    )
                    .await?;
                entity(&answer).cloned().unwrap_or(answer)
            }
        };
        let nsp_id = provider["id"].as_str().unwrap_or_default().to_string();
        if let Some((_, list, configure)) = ELEMENTS.iter().find(|(p, ..)| *p == name) {
            let elements = self
                .list(
                    &format!("{list} of {name} on {network}"),
                    list,
                    Params::from([("nspid", nsp_id.as_str())]),
                )
                .await?;
            for element in elements.iter().filter(|e| e["enabled"] != true) {
                let element_id = element["id"].as_str().unwrap_or_default();
                self.call(
                    format!("{configure} {name} on {network}"),
                    configure,
                    Params::from([("id", element_id), ("enabled", "true")]),
                )
                .await?;
            }
        }
        if provider["state"] != "Enabled" {
            self.call(
                format!("updateNetworkServiceProvider {name} on {network} state=Enabled"),
                "updateNetworkServiceProvider",
                Params::from([("id", nsp_id.as_str()), ("state", "Enabled")]),
            )
            .await?;
        }
        Ok(())
    }

    /// A Basic zone's guest network, `guestNetworkForBasicZone`, on the
    /// zone's shared offering (deployDataCenter.createZones).
    async fn basic_network(&mut self, zone_id: &str, zone: &Zone) -> StepResult<String> {
        let eip = zone
            .physical_networks
            .first()
            .is_some_and(|n| n.traffictypes.iter().any(|t| t.typ == "Public"));
        let offering_name = match (&zone.networkofferingname, eip) {
            (Some(name), _) => name.as_str(),
            (None, true) => "DefaultSharedNetscalerEIPandELBNetworkOffering",
            (None, false) => "DefaultSharedNetworkOfferingWithSGService",
        };
        self.shared_network(zone_id, zone, offering_name, BASIC_GUEST_NETWORK, None)
            .await
    }

    /// An Advanced zone's shared network with security groups, `Shared SG
    /// enabled network`, on the last of the zone's `ipranges`
    /// (deployDataCenter.createZones).
    async fn shared_sg_network(&mut self, zone_id: &str, zone: &Zone) -> StepResult<String> {
        let offering_name = zone
            .networkofferingname
            .as_deref()
            .unwrap_or("DefaultSharedNetworkOfferingWithSGService");
        self.shared_network(
            zone_id,
            zone,
            offering_name,
            SHARED_SG_NETWORK,
            zone.ipranges.last(),
        )
        .await
    }

    /// Creates a zone-wide shared network on the offering named.
    async fn shared_network(
        &mut self,
        zone_id: &str,
        zone: &Zone,
        offering_name: &str,
        name: &str,
        range: Option<&IpRange>,
    ) -> StepResult<String> {
        let label = format!("listNetworkOfferings {offering_name}");
        let offerings = self
            .list(
                &label,
                "listNetworkOfferings",
                Params::from([("name", offering_name)]),
            )
            .await?;
        let offering = offerings
            .iter()
            .find(|o| o["name"] == offering_name)
            .and_then(|o| o["id"].as_str())
            .ok_or_else(|| {
                (
                    label.clone(),
                    marvin_core::Error::setup(format!(
                        "the cloud has no network offering {offering_name}"
                    )),
                )
            })?
            .to_string();
        let mut params = Params::from([
            ("zoneid", zone_id),
            ("name", name),
            ("displaytext", name),
            ("networkofferingid", offering.as_str()),
        ]);
        if let Some(range) = range {
            params
                .set("startip", &range.startip)
                .set("endip", &range.endip)
                .set("gateway", &range.gateway)
                .set("netmask", &range.netmask)
                .set_opt("vlan", range.vlan.as_ref());
        }
        self.create(
            Kind::Network,
            format!("createNetwork {name} in {}", zone.name),
            "createNetwork",
            params,
        )
        .await
    }

    async fn pod(&mut self, zone_id: &str, network_id: Option<&str>, pod: &Pod) -> StepResult<()> {
        let mut params = Params::new();
        params
            .set("zoneid", zone_id)
            .set("name", &pod.name)
            .set("gateway", &pod.gateway)
            .set("netmask", &pod.netmask)
            .set("startip", &pod.startip)
            .set_opt("endip", pod.endip.as_ref());
        let pod_id = self
            .create(
                Kind::Pod,
                format!("createPod {}", pod.name),
                "createPod",
                params,
            )
            .await?;
        if let Some(network_id) = network_id {
            // createVlanIpRanges("Basic", pod.guestIpRanges, zone, pod, network).
            for range in &pod.guest_ip_ranges {
                let mut params = Params::new();
                params
                    .set("zoneid", zone_id)
                    .set("podid", &pod_id)
                    .set("networkid", network_id)
                    .set("gateway", &range.gateway)
                    .set("netmask", &range.netmask)
                    .set("startip", &range.startip)
                    .set("endip", &range.endip)
                    .set_opt("vlan", range.vlan.as_ref())
                    .set("forvirtualnetwork", "false");
                self.create(
                    Kind::VlanRange,
                    format!(
                        "createVlanIpRange {}-{} in {}",
                        range.startip, range.endip, pod.name
                    ),
                    "createVlanIpRange",
                    params,
                )
                .await?;
            }
        }
        for cluster in &pod.clusters {
            self.cluster(zone_id, &pod_id, cluster).await?;
        }
        Ok(())
    }

    async fn cluster(&mut self, zone_id: &str, pod_id: &str, cluster: &Cluster) -> StepResult<()> {
        let cluster_id = self
            .create(
                Kind::Cluster,
                format!("addCluster {}", cluster.clustername),
                "addCluster",
                Params::from([
                    ("zoneid", zone_id),
                    ("podid", pod_id),
                    ("clustername", &cluster.clustername),
                    ("clustertype", &cluster.clustertype),
                    ("hypervisor", &cluster.hypervisor),
                ]),
            )
            .await?;
        for host in &cluster.hosts {
            let mut params = Params::new();
            params
                .set("zoneid", zone_id)
                .set("podid", pod_id)
                .set("clusterid", &cluster_id)
                .set("hypervisor", &cluster.hypervisor)
                .set("url", &host.url)
                .set_opt("username", host.username.as_ref())
                .set_opt("password", host.password.as_ref());
            // The simulator ignores host credentials but, like CloudStack,
            // requires them; exported files carry none.
            if cluster.hypervisor.eq_ignore_ascii_case("Simulator") {
                if host.username.is_none() {
                    params.set("username", SIMULATOR_HOST_USER);
                }
                if host.password.is_none() {
                    params.set("password", SIMULATOR_HOST_PASSWORD);
                }
            }
            self.create(
                Kind::Host,
                format!("addHost {} to {}", host.url, cluster.clustername),
                "addHost",
                params,
            )
            .await?;
        }
        for storage in &cluster.primary_storages {
            self.storage_pool(zone_id, Some((pod_id, cluster_id.as_str())), storage)
                .await?;
        }
        Ok(())
    }

    async fn storage_pool(
        &mut self,
        zone_id: &str,
        place: Option<(&str, &str)>,
        storage: &PrimaryStorage,
    ) -> StepResult<()> {
        let mut params = Params::new();
        params
            .set("zoneid", zone_id)
            .set("name", &storage.name)
            .set("url", &storage.url)
            .set_opt("scope", storage.scope.as_ref())
            .set_opt("hypervisor", storage.hypervisor.as_ref());
        if let Some((pod_id, cluster_id)) = place {
            params.set("podid", pod_id).set("clusterid", cluster_id);
        }
        self.create(
            Kind::StoragePool,
            format!("createStoragePool {}", storage.name),
            "createStoragePool",
            params,
        )
        .await?;
        Ok(())
    }

    /// Deletes what was built on a cleanup stack (dependants first, then
    /// newest first, a dependency failure retried after the rest); returns
    /// how many deletions succeeded and the failures.
    async fn rollback(&mut self) -> (usize, Vec<String>) {
        let stack = CleanupStack::new("deploy", "rollback", None);
        let mut failures = Vec::new();
        for (kind, id, label) in self.built.drain(..) {
            match kind.deletion(&id) {
                Some(deletion) => {
                    (self.progress)(&format!(
                        "[undo] {} {id} (built by: {label})",
                        deletion.command
                    ));
                    stack.push(deletion, self.client.clone());
                }
                None => failures.push(format!("{kind:?} {id}: no deletion is known for it")),
            }
        }
        let report = stack.run().await;
        failures.extend(report.failures.iter().map(|failure| {
            format!(
                "{} {}: {}",
                failure.deletion.command, failure.deletion.id, failure.error
            )
        }));
        (report.deleted.len() + report.already_gone.len(), failures)
    }
}

/// The entity of an answer: the value of its only key
/// (`{"zone": {..}}`), or the first item of a list (`{"host": [{..}]}`).
fn entity(answer: &Value) -> Option<&Value> {
    let object = answer.as_object()?;
    object
        .iter()
        .find(|(key, value)| key.as_str() != "count" && (value.is_object() || value.is_array()))
        .and_then(|(_, value)| match value {
            Value::Array(items) => items.first(),
            other => Some(other),
        })
}

/// The id of the entity an answer holds.
fn entity_id(answer: &Value) -> Option<String> {
    entity(answer)?["id"].as_str().map(String::from)
}
