//! Kubernetes clusters (`KubernetesClusterManagerImpl` and its workers:
//! `KubernetesClusterStartWorker`, `KubernetesClusterStopWorker`,
//! `KubernetesClusterScaleWorker`, `KubernetesClusterUpgradeWorker`,
//! `KubernetesClusterDestroyWorker`).
//!
//! A cluster is created in `Created` (the command's synchronous half); its
//! job starts it (`Starting`, then `Running`, or `Error` when a node cannot
//! be deployed), deploying its control and worker nodes as VMs of the
//! owner through compute's `api.rs`, in the network given or in an isolated
//! network made for it (`<cluster>-network`) through network's. Stopping
//! goes through `Stopping` to `Stopped`, scaling through `Scaling`,
//! upgrading through `Upgrading`, deleting through `Destroying` (the nodes
//! expunged, the row removed, as `kubernetesClusterDao.remove` hides it).

use std::cmp::Ordering;

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use crate::families::compute::api::{deploy, lifecycle, nodes, owner, refs, vm};
use crate::families::datacenter::api as datacenter;
use crate::families::identity::api as identity;
use crate::families::network::api as network;
use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::scope::check_access;
use crate::kernel::sql::Query;

use super::versions::{MIN_HA_VERSION, MIN_NODE_CPU, MIN_NODE_RAM, check_enabled, compare};

/// `KubernetesClusterService.KubernetesMaxClusterSize` and its default.
const MAX_SIZE_SETTING: &str = "cloud.kubernetes.cluster.max.size";
const MAX_SIZE_DEFAULT: i64 = 10;

/// A cluster row.
#[derive(Debug, Clone)]
struct Cluster {
    id: String,
    name: String,
    account_id: String,
    zone_id: String,
    version_id: String,
    offering_id: String,
    network_id: String,
    control_nodes: i64,
    size: i64,
    state: String,
    keypair: Option<String>,
}

fn find(call: &Call<'_>, id: &str) -> Result<Option<Cluster>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT id, name, account_id, zone_id, version_id, service_offering_id, network_id, control_nodes, size,
                    state, keypair
             FROM kubernetes_clusters WHERE id = ?1",
            [id],
            |r| {
                Ok(Cluster {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    account_id: r.get(2)?,
                    zone_id: r.get(3)?,
                    version_id: r.get(4)?,
                    offering_id: r.get(5)?,
                    network_id: r.get(6)?,
                    control_nodes: r.get(7)?,
                    size: r.get(8)?,
                    state: r.get(9)?,
                    keypair: r.get(10)?,
                })
            },
        )
        .optional()?)
}

/// The cluster `id` names, which the caller may operate (431 for an unknown
/// id, 531 for another's cluster: `accountManager.checkAccess` with
/// `OperateEntry`).
/// The API layer resolves the uuid before the manager checks that the
/// service is enabled (530).
fn operable(call: &Call<'_>) -> Result<Cluster, ApiError> {
    let id = call.required("id")?;
    let cluster = find(call, id)?.ok_or_else(|| ApiError::invalid_id("id", id))?;
    check_enabled(call)?;
    check_access(call, &cluster.account_id, &cluster.id)?;
    Ok(cluster)
}

fn set_state(call: &Call<'_>, id: &str, state: &str) -> Result<(), ApiError> {
    call.tx.execute(
        "UPDATE kubernetes_clusters SET state = ?2 WHERE id = ?1",
        params![id, state],
    )?;
    Ok(())
}

/// The cluster's nodes: (VM id, control node?), control nodes first.
fn nodes_of(call: &Call<'_>, id: &str) -> Result<Vec<(String, bool)>, ApiError> {
    Ok(call
        .tx
        .prepare(
            "SELECT vm_id, control FROM kubernetes_cluster_vms WHERE cluster_id = ?1 ORDER BY control DESC, seq",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

struct Version {
    id: String,
    name: String,
    semantic: String,
    zone_id: Option<String>,
    min_cpu: i64,
    min_memory: i64,
    state: String,
}

fn version(call: &Call<'_>, id: &str) -> Result<Option<Version>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT id, name, semantic_version, zone_id, min_cpu, min_memory, state FROM kubernetes_versions
             WHERE id = ?1",
            [id],
            |r| {
                Ok(Version {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    semantic: r.get(2)?,
                    zone_id: r.get(3)?,
                    min_cpu: r.get(4)?,
                    min_memory: r.get(5)?,
                    state: r.get(6)?,
                })
            },
        )
        .optional()?)
}

/// A cluster as `KubernetesClusterManagerImpl.createKubernetesClusterResponse`
/// shows it.
fn cluster_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let row = call.tx.query_row(
        "SELECT id, name, description, zone_id, version_id, service_offering_id, network_id, account_id,
                control_nodes, size, cores, memory, keypair, state, endpoint, created
         FROM kubernetes_clusters WHERE id = ?1",
        [id],
        |r| {
            let mut out = Map::new();
            out.insert("id".into(), json!(r.get::<_, String>(0)?));
            out.insert("name".into(), json!(r.get::<_, String>(1)?));
            out.insert(
                "description".into(),
                json!(r.get::<_, Option<String>>(2)?),
            );
            out.insert("controlnodes".into(), json!(r.get::<_, i64>(8)?));
            out.insert("masternodes".into(), json!(r.get::<_, i64>(8)?));
            out.insert("size".into(), json!(r.get::<_, i64>(9)?));
            out.insert(
                "cpunumber".into(),
                json!(r.get::<_, i64>(10)?.to_string()),
            );
            out.insert("memory".into(), json!(r.get::<_, i64>(11)?.to_string()));
            if let Some(keypair) = r.get::<_, Option<String>>(12)? {
                out.insert("keypair".into(), json!(keypair));
            }
            out.insert("state".into(), json!(r.get::<_, String>(13)?));
            if let Some(endpoint) = r.get::<_, Option<String>>(14)? {
                out.insert("endpoint".into(), json!(endpoint));
            }
            out.insert("created".into(), json!(r.get::<_, String>(15)?));
            out.insert("clustertype".into(), json!("CloudManaged"));
            out.insert("autoscalingenabled".into(), json!(false));
            out.insert("csienabled".into(), json!(false));
            Ok((
                out,
                [
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ],
            ))
        },
    )?;
    let (mut out, [zone_id, version_id, offering_id, network_id, account_id]) = row;
    let zone = datacenter::zone(call.tx, "zoneid", &zone_id)?;
    out.insert("zoneid".into(), json!(zone.id));
    out.insert("zonename".into(), json!(zone.name));
    if let Some(version) = version(call, &version_id)? {
        out.insert("kubernetesversionid".into(), json!(version.id));
        out.insert("kubernetesversionname".into(), json!(version.name));
    }
    if let Some(offering) = refs::service_offering(call, &offering_id)? {
        out.insert("serviceofferingid".into(), json!(offering.id));
        out.insert("serviceofferingname".into(), json!(offering.name));
    }
    out.insert("networkid".into(), json!(network_id));
    let network_name: Option<String> = call
        .tx
        .query_row(
            "SELECT name FROM network_networks WHERE id = ?1",
            [&network_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(name) = network_name {
        out.insert("associatednetworkname".into(), json!(name));
    }
    owner::account(call, &account_id)?.describe(call, &mut out)?;
    let mut machines = Vec::new();
    for (vm_id, _) in nodes_of(call, id)? {
        if vm::find(call, &vm_id)?.is_some() {
            machines.push(vm::vm_json(call, &vm_id)?);
        }
    }
    out.insert("virtualmachines".into(), Value::Array(machines));
    Ok(Value::Object(out))
}

fn reply(call: &Call<'_>, id: &str) -> Result<Reply, ApiError> {
    Ok(Reply::Object {
        key: "kubernetescluster",
        value: cluster_json(call, id)?,
    })
}

/// `validateServiceOffering` (create) and `checkServiceOfferingForNodesScale`
/// (scale): no custom offering, at least 2 vCPUs and 2048 MB, and the
/// version's minimums.
fn check_offering(
    offering: &refs::ServiceOffering,
    version: &Version,
    scaling: Option<&str>,
) -> Result<(), ApiError> {
    let (Some(cpu), Some(memory)) = (offering.cpu_number, offering.memory) else {
        return Err(ApiError::param(match scaling {
            None => format!(
                "Custom service offerings are not supported for creating clusters, service offering ID: {}",
                offering.id
            ),
            Some(cluster) => format!(
                "Custom service offerings are not supported for Kubernetes clusters. Kubernetes cluster : {cluster}, \
                 service offering : {}",
                offering.name
            ),
        }));
    };
    if cpu < MIN_NODE_CPU || memory < MIN_NODE_RAM {
        return Err(ApiError::param(match scaling {
            None => format!(
                "Kubernetes cluster cannot be created with service offering ID: {}, Kubernetes cluster \
                 template(CoreOS) needs minimum {MIN_NODE_CPU} vCPUs and {MIN_NODE_RAM} MB RAM",
                offering.id
            ),
            Some(cluster) => format!(
                "Kubernetes cluster : {cluster} cannot be scaled with service offering : {}, Kubernetes cluster \
                 template(CoreOS) needs minimum {MIN_NODE_CPU} vCPUs and {MIN_NODE_RAM} MB RAM",
                offering.name
            ),
        }));
    }
    if cpu < version.min_cpu {
        return Err(ApiError::param(match scaling {
            None => format!(
                "Kubernetes cluster cannot be created with service offering ID: {}, Kubernetes version ID: {} needs \
                 minimum {} vCPUs",
                offering.id, version.id, version.min_cpu
            ),
            Some(cluster) => format!(
                "Kubernetes cluster : {cluster} cannot be scaled with service offering : {}, associated Kubernetes \
                 version : {} needs minimum {} vCPUs",
                offering.name, version.name, version.min_cpu
            ),
        }));
    }
    if memory < version.min_memory {
        return Err(ApiError::param(match scaling {
            None => format!(
                "Kubernetes cluster cannot be created with service offering ID: {}, associated Kubernetes version \
                 ID: {} needs minimum {} MB RAM",
                offering.id, version.id, version.min_memory
            ),
            Some(cluster) => format!(
                "Kubernetes cluster : {cluster} cannot be scaled with service offering : {}, associated Kubernetes \
                 version : {} needs minimum {} MB RAM",
                offering.name, version.name, version.min_memory
            ),
        }));
    }
    Ok(())
}

/// A node's host name: the cluster's name made a host name, the node kind
/// and a number.
fn node_name(cluster: &str, kind: &str, n: i64) -> String {
    let mut base: String = cluster
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    base.truncate(40);
    let base = base.trim_matches('-');
    let base = if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("k8s-{base}")
    } else {
        base.to_string()
    };
    format!("{base}-{kind}-{n}")
}

/// Deploys one node of a cluster and maps it.
fn add_node(call: &Call<'_>, cluster: &Cluster, control: bool) -> Result<String, ApiError> {
    let kind = if control { "control" } else { "node" };
    let n = call.tx.query_row(
        "SELECT COUNT(*) + 1 FROM kubernetes_cluster_vms WHERE cluster_id = ?1 AND control = ?2",
        params![cluster.id, control],
        |r| r.get::<_, i64>(0),
    )?;
    let mut name = node_name(&cluster.name, kind, n);
    let mut bump = n;
    while call.tx.query_row(
        "SELECT COUNT(*) FROM kubernetes_cluster_vms m WHERE m.cluster_id = ?1 AND m.name = ?2",
        params![cluster.id, name],
        |r| r.get::<_, i64>(0),
    )? > 0
    {
        bump += 1;
        name = node_name(&cluster.name, kind, bump);
    }
    let vm_id = nodes::deploy_node(
        call,
        &nodes::NodeSpec {
            account_id: &cluster.account_id,
            zone_id: &cluster.zone_id,
            service_offering_id: &cluster.offering_id,
            network_id: &cluster.network_id,
            name: &name,
            keypair: cluster.keypair.as_deref(),
        },
    )?;
    call.tx.execute(
        "INSERT INTO kubernetes_cluster_vms (cluster_id, vm_id, name, control) VALUES (?1, ?2, ?3, ?4)",
        params![cluster.id, vm_id, name, control],
    )?;
    Ok(vm_id)
}

/// Expunges one node and forgets it.
fn remove_node(call: &Call<'_>, cluster_id: &str, vm_id: &str) -> Result<(), ApiError> {
    if let Some(found) = vm::find(call, vm_id)? {
        lifecycle::expunge_now(call, &found)?;
    }
    call.tx.execute(
        "DELETE FROM kubernetes_cluster_vms WHERE cluster_id = ?1 AND vm_id = ?2",
        [cluster_id, vm_id],
    )?;
    Ok(())
}

/// Records the cluster's totals (`cores`, `memory`: the offering's times
/// the nodes).
fn update_totals(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    let cluster = find(call, id)?.ok_or_else(|| ApiError::invalid_id("id", id))?;
    let (cpu, memory) = match refs::service_offering(call, &cluster.offering_id)? {
        Some(o) => (o.cpu_number.unwrap_or(0), o.memory.unwrap_or(0)),
        None => (0, 0),
    };
    let count = cluster.control_nodes + cluster.size;
    call.tx.execute(
        "UPDATE kubernetes_clusters SET cores = ?2, memory = ?3 WHERE id = ?1",
        params![id, cpu * count, memory * count],
    )?;
    Ok(())
}

/// `KubernetesClusterStartWorker.startKubernetesClusterOnCreate` (and its
/// start of a stopped cluster): the missing nodes deployed, the stopped
/// ones started, the endpoint set, `Running`.
fn provision(call: &Call<'_>, id: &str) -> Result<(), ApiError> {
    let cluster = find(call, id)?.ok_or_else(|| ApiError::invalid_id("id", id))?;
    for (vm_id, _) in nodes_of(call, id)? {
        if let Some(found) = vm::find(call, &vm_id)? {
            if found.state == "Stopped" && !lifecycle::start_now(call, &found)? {
                return Err(ApiError::internal(format!(
                    "Failed to start Kubernetes cluster : {}",
                    cluster.name
                )));
            }
        }
    }
    let nodes = nodes_of(call, id)?;
    let controls = nodes.iter().filter(|(_, control)| *control).count() as i64;
    let workers = nodes.len() as i64 - controls;
    for _ in controls..cluster.control_nodes {
        add_node(call, &cluster, true)?;
    }
    for _ in workers..cluster.size {
        add_node(call, &cluster, false)?;
    }
    let first = nodes_of(call, id)?
        .into_iter()
        .next()
        .map(|(vm_id, _)| vm_id);
    let address = match first {
        Some(vm_id) => network::nics_json(call, &vm_id)?
            .first()
            .and_then(|nic| nic["ipaddress"].as_str().map(str::to_string)),
        None => None,
    };
    call.tx.execute(
        "UPDATE kubernetes_clusters SET state = 'Running', endpoint = coalesce(endpoint, ?2) WHERE id = ?1",
        params![
            id,
            address.map(|address| format!("https://{address}:6443/"))
        ],
    )?;
    Ok(())
}

/// The cluster's state goes to `Error` when its job fails
/// (`KubernetesCluster.Event.OperationFailed`).
fn fail_to_error(id: String) -> crate::kernel::contract::JobFailure {
    Box::new(move |call: &Call<'_>| {
        if find(call, &id)?.is_some() {
            set_state(call, &id, "Error")?;
        }
        Ok(())
    })
}

/// The job of a command on a cluster: `work` runs with the cluster's id,
/// the event names the cluster, and a failure leaves it in `Error`.
fn cluster_job(
    id: &str,
    event: &'static str,
    doing: &str,
    work: impl FnOnce(&mut Call<'_>, &str) -> Result<Reply, ApiError> + Send + 'static,
) -> Reply {
    let job_id = id.to_string();
    Reply::Job(
        Job::on(
            "KubernetesCluster",
            id,
            Box::new(move |call: &mut Call<'_>| work(call, &job_id)),
        )
        .with_event(
            event,
            format!("{doing} Kubernetes cluster. Cluster Id: {id}"),
        )
        .with_failure(fail_to_error(id.to_string())),
    )
}

/// `createKubernetesCluster` (async create):
/// `KubernetesClusterManagerImpl.validateManagedKubernetesClusterCreateParameters`
/// then the cluster in `Created`, with a network made when none is given
/// (`getKubernetesClusterNetworkIfMissing`); the job starts it
/// (`startKubernetesCluster(cmd)` on create).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    // The API layer resolves every uuid parameter first (431).
    let zone = datacenter::zone(call.tx, "zoneid", call.required("zoneid")?).map_err(|_| {
        ApiError::invalid_id("zoneid", call.params.str("zoneid").unwrap_or_default())
    })?;
    if let Some(id) = call.params.str("kubernetesversionid") {
        version(call, id)?.ok_or_else(|| ApiError::invalid_id("kubernetesversionid", id))?;
    }
    if let Some(id) = call.params.str("serviceofferingid") {
        refs::service_offering(call, id)?
            .ok_or_else(|| ApiError::invalid_id("serviceofferingid", id))?;
    }
    if let Some(id) = call.params.str("networkid") {
        let known: Option<String> = call
            .tx
            .query_row("SELECT id FROM network_networks WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        known.ok_or_else(|| ApiError::invalid_id("networkid", id))?;
    }
    check_enabled(call)?;
    let params = call.params;
    let name = call.required("name")?.to_string();
    let owner = owner::resolve(call)?;
    let control_nodes = params.i64("controlnodes")?.unwrap_or(1);
    if control_nodes < 1 {
        return Err(ApiError::param(format!(
            "Invalid cluster control nodes count: {control_nodes}"
        )));
    }
    let size = params.i64("size")?.unwrap_or(1);
    if size < 1 {
        return Err(ApiError::param(format!("Invalid cluster size: {size}")));
    }
    let max = identity::setting_number(
        call.tx,
        MAX_SIZE_SETTING,
        &[("account", &owner.id)],
        MAX_SIZE_DEFAULT,
    )?;
    if control_nodes + size > max {
        return Err(ApiError::param(format!(
            "Maximum cluster size can not exceed {max}. Please contact your administrator"
        )));
    }
    deploy::check_zone_enabled(call, &deploy::zone(call, "zoneid", &zone.id)?)?;
    let Some(version_id) = params.str("kubernetesversionid") else {
        return Err(ApiError::param(
            "Unable to find given Kubernetes version in supported versions",
        ));
    };
    let version = version(call, version_id)?
        .ok_or_else(|| ApiError::invalid_id("kubernetesversionid", version_id))?;
    if control_nodes > 1 && compare(&version.semantic, MIN_HA_VERSION)? == Ordering::Less {
        return Err(ApiError::param(format!(
            "HA support is available only for Kubernetes version {MIN_HA_VERSION} and above. Given version ID: {} is {}",
            version.id, version.semantic
        )));
    }
    if version.zone_id.as_ref().is_some_and(|z| *z != zone.id) {
        return Err(ApiError::param(format!(
            "Kubernetes version ID: {} is not available for zone ID: {}",
            version.id, zone.id
        )));
    }
    let offering = match params.str("serviceofferingid") {
        Some(id) => refs::service_offering(call, id)?
            .ok_or_else(|| ApiError::invalid_id("serviceofferingid", id))?,
        None => {
            return Err(ApiError::param(
                "When serviceofferingid is not specified, service offerings for each node type must be specified in \
                 the nodeofferings parameter.",
            ));
        }
    };
    if let Err(err) = check_offering(&offering, &version, None) {
        return Err(ApiError::param(format!(
            "Given service offering ID: {} for DEFAULT nodes is not suitable for the Kubernetes cluster version {} - {}",
            offering.id, version.name, err.text
        )));
    }
    if params
        .i64("noderootdisksize")?
        .is_some_and(|size| size <= 0)
    {
        return Err(ApiError::param("Invalid value for noderootdisksize"));
    }
    let (network_id, cleanup) = match params.str("networkid") {
        Some(network_id) => {
            network::check_network_usable(call, network_id, &owner.id, &zone.id)?;
            let used: i64 = call.tx.query_row(
                "SELECT COUNT(*) FROM kubernetes_clusters WHERE network_id = ?1",
                [network_id],
                |r| r.get(0),
            )?;
            if used > 0 {
                return Err(ApiError::param(format!(
                    "Network ID: {network_id} is already under use by another Kubernetes cluster"
                )));
            }
            (network_id.to_string(), false)
        }
        None => (
            network::create_isolated(call, &owner.id, &zone.id, &format!("{name}-network"))?,
            true,
        ),
    };
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO kubernetes_clusters (id, name, description, zone_id, version_id, service_offering_id, network_id,
                                          network_cleanup, account_id, domain_id, control_nodes, size, cores, memory,
                                          keypair, state, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, 0, ?13, 'Created', ?14)",
        params![
            id,
            name,
            params.str("description").unwrap_or(&name),
            zone.id,
            version.id,
            offering.id,
            network_id,
            cleanup,
            owner.id,
            owner.domain_id,
            control_nodes,
            size,
            params.str("keypair"),
            call.timestamp()
        ],
    )?;
    update_totals(call, &id)?;
    event_log::created_event(
        call,
        "KUBERNETES.CLUSTER.CREATE",
        "creating Kubernetes cluster",
        Subject::of("KubernetesCluster", &id, &name),
    )?;
    Ok(cluster_job(
        &id,
        "KUBERNETES.CLUSTER.CREATE",
        "creating",
        move |call, id| {
            set_state(call, id, "Starting")?;
            provision(call, id)?;
            reply(call, id)
        },
    ))
}

/// `listKubernetesClusters`: the clusters the caller may see, by id, name,
/// keyword and state.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    check_enabled(call)?;
    let mut q = Query::new("SELECT c.id FROM kubernetes_clusters c");
    owner::scope(call, &mut q, "c.account_id")?;
    q.eq("c.id", call.params.str("id"));
    q.eq("c.name", call.params.str("name"));
    q.eq_nocase("c.state", call.params.str("state"));
    q.keyword(&["c.name"], call.params.str("keyword"));
    if call
        .params
        .str("clustertype")
        .is_some_and(|t| !t.eq_ignore_ascii_case("CloudManaged"))
    {
        q.and("0 = 1", []);
    }
    q.order("c.seq");
    let (count, ids) = q.page_ids(call)?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        items.push(cluster_json(call, &id)?);
    }
    Ok(Reply::List {
        key: "kubernetescluster",
        count,
        items,
    })
}

/// `startKubernetesCluster` (async): a running or starting cluster is left
/// as it is; a created (or failed) one is provisioned, a stopped one's
/// nodes started (`KubernetesClusterManagerImpl.startKubernetesCluster`).
pub(crate) fn start(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let cluster = operable(call)?;
    let id = cluster.id.clone();
    Ok(cluster_job(
        &id,
        "KUBERNETES.CLUSTER.START",
        "starting",
        move |call, id| {
            let cluster = find(call, id)?.ok_or_else(|| ApiError::invalid_id("id", id))?;
            if !matches!(cluster.state.as_str(), "Running" | "Starting") {
                set_state(call, id, "Starting")?;
                provision(call, id)?;
            }
            reply(call, id)
        },
    ))
}

/// `stopKubernetesCluster` (async): a stopped or stopping cluster is left
/// as it is; otherwise `KubernetesClusterStopWorker` stops every node
/// (`Stopping`, then `Stopped`).
pub(crate) fn stop(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let cluster = operable(call)?;
    let id = cluster.id.clone();
    Ok(cluster_job(
        &id,
        "KUBERNETES.CLUSTER.STOP",
        "stopping",
        move |call, id| {
            let cluster = find(call, id)?.ok_or_else(|| ApiError::invalid_id("id", id))?;
            if !matches!(cluster.state.as_str(), "Stopped" | "Stopping") {
                set_state(call, id, "Stopping")?;
                for (vm_id, _) in nodes_of(call, id)? {
                    if let Some(found) = vm::find(call, &vm_id)? {
                        lifecycle::stop_now(call, &found)?;
                    }
                }
                set_state(call, id, "Stopped")?;
            }
            Ok(Reply::Success(None))
        },
    ))
}

/// `scaleKubernetesCluster` (async):
/// `KubernetesClusterManagerImpl.validateKubernetesClusterScaleParameters`,
/// then `KubernetesClusterScaleWorker` (`Scaling`, workers added or
/// removed, the offering recorded, back to the state it had).
pub(crate) fn scale(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let cluster = operable(call)?;
    let params = call.params;
    let offering_id = params.str("serviceofferingid");
    let size = params.i64("size")?;
    let node_ids = params.list("nodeids");
    let autoscaling = params.bool("autoscalingenabled");
    if offering_id.is_none() && size.is_none() && node_ids.is_empty() && autoscaling.is_none() {
        return Err(ApiError::param(format!(
            "Kubernetes cluster {} cannot be scaled, either service offering or cluster size or nodeids to be \
             removed or autoscaling must be passed",
            cluster.name
        )));
    }
    if !matches!(cluster.state.as_str(), "Created" | "Running" | "Stopped") {
        return Err(ApiError::permission(format!(
            "Kubernetes cluster {} is in {} state and can not be scaled",
            cluster.name, cluster.state
        )));
    }
    let version = version(call, &cluster.version_id)?.ok_or_else(|| {
        ApiError::internal(format!(
            "Invalid Kubernetes version associated with Kubernetes cluster : {}",
            cluster.name
        ))
    })?;
    if autoscaling == Some(true) {
        return Err(ApiError::internal(
            "Autoscaling needs the cluster's endpoint URL (endpoint.url), which is not configured",
        ));
    }
    if !node_ids.is_empty() && (size.is_some() || offering_id.is_some()) {
        return Err(ApiError::param(
            "nodeids can not be passed along with clustersize or service offering",
        ));
    }
    let mapped = nodes_of(call, &cluster.id)?;
    if !node_ids.is_empty() {
        let chosen: Vec<&(String, bool)> = mapped
            .iter()
            .filter(|(vm_id, _)| node_ids.contains(vm_id))
            .collect();
        if chosen.len() != node_ids.len() {
            return Err(ApiError::param("Invalid node ids"));
        }
        if chosen.iter().filter(|(_, control)| *control).count() as i64 >= cluster.control_nodes {
            return Err(ApiError::param(
                "Can not remove all control nodes from a cluster",
            ));
        }
        if chosen.iter().filter(|(_, control)| !*control).count() as i64 >= cluster.size {
            return Err(ApiError::param("Can not remove all nodes from a cluster"));
        }
    }
    let mut new_offering = None;
    if let Some(offering_id) = offering_id {
        let offering = refs::service_offering(call, offering_id)?.ok_or_else(|| {
            ApiError::param(format!("Failed to find service offering ID: {offering_id}"))
        })?;
        check_offering(&offering, &version, Some(&cluster.name))?;
        if let Some(existing) = refs::service_offering(call, &cluster.offering_id)? {
            let speed =
                |o: &refs::ServiceOffering| o.cpu_number.unwrap_or(0) * o.cpu_speed.unwrap_or(0);
            if cluster.state == "Running"
                && (offering.memory < existing.memory || speed(&offering) < speed(&existing))
            {
                return Err(ApiError::internal(format!(
                    "Kubernetes cluster cannot be scaled down for service offering. Service offering : {} offers \
                     lesser resources as compared to service offering : {} of Kubernetes cluster : {}",
                    offering.name, existing.name, cluster.name
                )));
            }
        }
        new_offering = Some(offering.id);
    }
    if let Some(size) = size.filter(|size| *size != cluster.size) {
        if cluster.state == "Stopped" {
            return Err(ApiError::permission(format!(
                "Kubernetes cluster : {} is in {} state",
                cluster.name, cluster.state
            )));
        }
        if size < 1 {
            return Err(ApiError::param(format!(
                "Kubernetes cluster : {} cannot be scaled for size, {size}",
                cluster.name
            )));
        }
        let max = identity::setting_number(
            call.tx,
            MAX_SIZE_SETTING,
            &[("account", &cluster.account_id)],
            MAX_SIZE_DEFAULT,
        )?;
        if size + cluster.control_nodes > max {
            return Err(ApiError::param(format!(
                "Maximum cluster size can not exceed {max}. Please contact your administrator"
            )));
        }
    }
    let id = cluster.id.clone();
    let before = cluster.state.clone();
    Ok(cluster_job(
        &id,
        "KUBERNETES.CLUSTER.SCALE",
        "scaling",
        move |call, id| {
            set_state(call, id, "Scaling")?;
            if let Some(offering) = &new_offering {
                call.tx.execute(
                    "UPDATE kubernetes_clusters SET service_offering_id = ?2 WHERE id = ?1",
                    params![id, offering],
                )?;
            }
            let mut cluster = find(call, id)?.ok_or_else(|| ApiError::invalid_id("id", id))?;
            let removed_workers = node_ids
                .iter()
                .filter(|vm_id| mapped.iter().any(|(m, control)| m == *vm_id && !control))
                .count() as i64;
            let removed_controls = node_ids.len() as i64 - removed_workers;
            for vm_id in &node_ids {
                remove_node(call, id, vm_id)?;
            }
            let target = size.unwrap_or(cluster.size - removed_workers);
            let workers: Vec<String> = nodes_of(call, id)?
                .into_iter()
                .filter(|(_, control)| !control)
                .map(|(vm_id, _)| vm_id)
                .collect();
            if before != "Created" {
                for _ in workers.len() as i64..target {
                    add_node(call, &cluster, false)?;
                }
                for vm_id in workers.iter().skip(target.max(0) as usize).rev() {
                    remove_node(call, id, vm_id)?;
                }
            }
            cluster.size = target;
            call.tx.execute(
                "UPDATE kubernetes_clusters SET size = ?2, control_nodes = control_nodes - ?3, state = ?4
                 WHERE id = ?1",
                params![id, target, removed_controls, before],
            )?;
            update_totals(call, id)?;
            reply(call, id)
        },
    ))
}

/// `upgradeKubernetesCluster` (async):
/// `KubernetesClusterManagerImpl.validateKubernetesClusterUpgradeParameters`
/// (a running cluster, an enabled version its offering meets, newer than
/// the cluster's: `KubernetesVersionManagerImpl.canUpgradeKubernetesVersion`),
/// then `KubernetesClusterUpgradeWorker` (`Upgrading`, then `Running`).
pub(crate) fn upgrade(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    if let Some(id) = call.params.str("kubernetesversionid") {
        version(call, id)?.ok_or_else(|| ApiError::invalid_id("kubernetesversionid", id))?;
    }
    let cluster = operable(call)?;
    if cluster.state != "Running" {
        return Err(ApiError::param(format!(
            "Kubernetes cluster : {} is not in running state",
            cluster.name
        )));
    }
    let upgrade_id = call.required("kubernetesversionid")?;
    let upgrade = version(call, upgrade_id)?
        .ok_or_else(|| ApiError::invalid_id("kubernetesversionid", upgrade_id))?;
    if upgrade.state != "Enabled" {
        return Err(ApiError::param(format!(
            "Kubernetes version ID: {} for upgrade is in {} state",
            upgrade.id, upgrade.state
        )));
    }
    let current = version(call, &cluster.version_id)?.ok_or_else(|| {
        ApiError::param(format!(
            "Invalid Kubernetes version associated with cluster : {}",
            cluster.name
        ))
    })?;
    if let Some(offering) = refs::service_offering(call, &cluster.offering_id)? {
        let cpu = offering.cpu_number.unwrap_or(0);
        let memory = offering.memory.unwrap_or(0);
        if cpu < upgrade.min_cpu {
            return Err(ApiError::param(format!(
                "Kubernetes cluster : {} cannot be upgraded with Kubernetes version : {} which needs minimum {} vCPUs \
                 while associated service offering : {} offers only {cpu} vCPUs",
                cluster.name, upgrade.name, upgrade.min_cpu, offering.name
            )));
        }
        if memory < upgrade.min_memory {
            return Err(ApiError::param(format!(
                "Kubernetes cluster : {} cannot be upgraded with Kubernetes version : {} which needs minimum {} MB \
                 RAM while associated service offering : {} offers only {memory} MB RAM",
                cluster.name, upgrade.name, upgrade.min_memory, offering.name
            )));
        }
    }
    match compare(&upgrade.semantic, &current.semantic)? {
        Ordering::Equal => {
            return Err(ApiError::param(format!(
                "Kubernetes clusters can not be upgraded, current version: {}, upgrade version: {}",
                current.semantic, upgrade.semantic
            )));
        }
        Ordering::Less => {
            return Err(ApiError::param(format!(
                "Kubernetes clusters can not be downgraded, current version: {}, upgrade version: {}",
                current.semantic, upgrade.semantic
            )));
        }
        Ordering::Greater => {}
    }
    let id = cluster.id.clone();
    let version_id = upgrade.id.clone();
    Ok(cluster_job(
        &id,
        "KUBERNETES.CLUSTER.UPGRADE",
        "upgrading",
        move |call, id| {
            set_state(call, id, "Upgrading")?;
            call.tx.execute(
                "UPDATE kubernetes_clusters SET version_id = ?2, state = 'Running' WHERE id = ?1",
                params![id, version_id],
            )?;
            reply(call, id)
        },
    ))
}

/// `deleteKubernetesCluster` (async): `KubernetesClusterDestroyWorker`
/// (`Destroying`, every node expunged, the network made for the cluster
/// deleted, the cluster removed).
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let cluster = operable(call)?;
    let id = cluster.id.clone();
    Ok(cluster_job(
        &id,
        "KUBERNETES.CLUSTER.DELETE",
        "deleting",
        move |call, id| {
            set_state(call, id, "Destroying")?;
            for (vm_id, _) in nodes_of(call, id)? {
                remove_node(call, id, &vm_id)?;
            }
            let (network_id, cleanup): (String, bool) = call.tx.query_row(
                "SELECT network_id, network_cleanup FROM kubernetes_clusters WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if cleanup {
                network::delete_unused(call, &network_id)?;
            }
            call.tx
                .execute("DELETE FROM kubernetes_clusters WHERE id = ?1", [&id])?;
            Ok(Reply::Success(None))
        },
    ))
}

/// `getKubernetesClusterConfig`: the kubeconfig of a cluster the caller
/// may operate (`KubernetesClusterManagerImpl.getKubernetesClusterConfig`),
/// empty until the cluster has an endpoint.
pub(crate) fn config(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let cluster = operable(call)?;
    let endpoint: Option<String> = call.tx.query_row(
        "SELECT endpoint FROM kubernetes_clusters WHERE id = ?1",
        [&cluster.id],
        |r| r.get(0),
    )?;
    let data = match endpoint {
        Some(endpoint) => format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: {endpoint}\n  name: kubernetes\n\
             contexts:\n- context:\n    cluster: kubernetes\n    user: kubernetes-admin\n  name: \
             kubernetes-admin@kubernetes\ncurrent-context: kubernetes-admin@kubernetes\nusers:\n- name: \
             kubernetes-admin\n"
        ),
        None => String::new(),
    };
    Ok(Reply::Object {
        key: "clusterconfig",
        value: json!({"id": cluster.id, "name": cluster.name, "configdata": data}),
    })
}

/// Whether a supported version is used by a cluster
/// (`KubernetesVersionManagerImpl.deleteKubernetesSupportedVersion`).
pub(crate) fn version_in_use(call: &Call<'_>, version_id: &str) -> Result<bool, ApiError> {
    Ok(call.tx.query_row(
        "SELECT COUNT(*) FROM kubernetes_clusters WHERE version_id = ?1",
        [version_id],
        |r| r.get::<_, i64>(0),
    )? > 0)
}
