//! `deployVirtualMachine`: everything is checked, counted, placed and
//! inserted in the request (refusals are HTTP errors: 431, 531, 533, 535);
//! the job brings a started VM to Running.

use std::collections::BTreeMap;

use base64::Engine as _;
use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use crate::families::identity::api as identity;
use crate::families::limits::api::{self as limits, ResourceKind};
use crate::families::storage::api::pools;
use crate::families::storage::api::volume::{self, NewVolume};
use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::sql;

use super::capacity::{self, Need};
use super::owner::{self, Owner};
use super::refs::{self, GIB};
use super::{affinity, groups, json, keypairs, net, vm};

/// The zone columns deploy needs.
pub(crate) struct Zone {
    pub id: String,
    pub enabled: bool,
}

/// A zone by id, or 431 naming the parameter.
pub(crate) fn zone(call: &Call<'_>, param: &str, id: &str) -> Result<Zone, ApiError> {
    call.tx
        .prepare_cached("SELECT id, allocation_state FROM datacenter_zones WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Zone {
                id: r.get(0)?,
                enabled: r.get::<_, String>(1)? == "Enabled",
            })
        })
        .optional()?
        .ok_or_else(|| ApiError::invalid_id(param, id))
}

/// Refuses a disabled zone to anyone but the root admin.
pub(crate) fn check_zone_enabled(call: &Call<'_>, zone: &Zone) -> Result<(), ApiError> {
    if !zone.enabled && !call.caller.is_root_admin() {
        return Err(ApiError::permission(format!(
            "Cannot perform this operation, Zone is currently disabled: {}",
            zone.id
        )));
    }
    Ok(())
}

/// Refuses an owner that is disabled.
pub(crate) fn check_owner_enabled(owner: &Owner, what: &str) -> Result<(), ApiError> {
    if owner.state == "disabled" {
        return Err(ApiError::permission(format!(
            "The owner of {what} is disabled: Acct[{}-{}]",
            owner.id, owner.name
        )));
    }
    Ok(())
}

/// The custom values a `details` map gives (`details[0].cpuNumber`, ...),
/// keys lower-cased as the request decoder stores them.
fn custom_parameters(call: &Call<'_>) -> BTreeMap<String, String> {
    call.params.map("details").into_iter().flatten().collect()
}

/// Java's `NumbersUtil.parseInt(value, fallback)`: `Integer.parseInt`, so
/// only a 32-bit decimal (optional sign, no blanks) is a number; anything
/// else, out-of-range values included, is the fallback.
fn parse_java_int(value: Option<&str>, fallback: i64) -> i64 {
    value
        .and_then(|v| v.parse::<i32>().ok())
        .map_or(fallback, i64::from)
}

/// The CPU count, speed (MHz) and memory (MiB) a VM gets from an offering:
/// its fixed values, and for a custom (dynamic) offering the `details`
/// the caller gives, checked as CloudStack checks them
/// (`UserVmManagerImpl.validateCustomParameters`): each custom value is a
/// 32-bit integer (`NumbersUtil.parseInt`, so an out-of-range value counts
/// as missing) within the offering's range, refused with 431 otherwise;
/// a value the offering fixes may not be given.
pub(crate) fn compute_size(
    call: &Call<'_>,
    offering: &refs::ServiceOffering,
) -> Result<(i64, i64, i64), ApiError> {
    let fixed = (offering.cpu_number, offering.cpu_speed, offering.memory);
    if let (Some(cpu), Some(speed), Some(memory)) = fixed {
        return Ok((cpu, speed, memory));
    }
    let details = custom_parameters(call);
    if details.is_empty() {
        return Err(ApiError::param(
            "Need to specify custom parameter values cpu, cpu speed and memory when using custom offering",
        ));
    }
    let given = |key: &str| details.get(key).map(String::as_str);
    let max_int = i64::from(i32::MAX);
    // One value: the offering's, or the custom one within `min..=max`.
    let size = |fixed: Option<i64>, key: &str, what: &str, min: i64, max: i64| match fixed {
        None => {
            let value = parse_java_int(given(key), -1);
            if value < min || value > max {
                return Err(ApiError::param(format!(
                    "Invalid {what} value, specify a value between {min} and {max}"
                )));
            }
            Ok(value)
        }
        Some(_) if given(key).is_some() => Err(ApiError::param(format!(
            "The {what} of this offering id:{} is not customizable. This is predefined in the template.",
            offering.id
        ))),
        Some(value) => Ok(value),
    };
    let cpu = size(
        offering.cpu_number,
        "cpunumber",
        "cpu cores",
        offering.min_cpu.unwrap_or(1),
        offering.max_cpu.unwrap_or(max_int),
    )?;
    let speed = size(offering.cpu_speed, "cpuspeed", "cpu speed", 1, max_int)?;
    let memory = size(
        offering.memory,
        "memory",
        "memory",
        offering.min_memory.unwrap_or(32),
        offering.max_memory.unwrap_or(max_int),
    )?;
    Ok((cpu, speed, memory))
}

/// Checks base64 user data.
pub(crate) fn check_user_data(data: &str) -> Result<(), ApiError> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| ApiError::param("User data is not base64 encoded."))?;
    if decoded.len() > 1_048_576 {
        return Err(ApiError::param("User data is too long"));
    }
    Ok(())
}

/// Refuses root-admin-only placement parameters to others.
fn check_placement_params(call: &Call<'_>) -> Result<(), ApiError> {
    for param in ["podid", "clusterid", "hostid"] {
        if call.params.str(param).is_some() && !call.caller.is_root_admin() {
            return Err(ApiError::permission(format!(
                "Parameter {param} can only be specified by a Root Admin, permission denied"
            )));
        }
    }
    if let Some(host) = call.params.str("hostid") {
        if !sql::exists(call.tx, "datacenter_hosts", host)? {
            return Err(ApiError::invalid_id("hostid", host));
        }
    }
    Ok(())
}

/// Refuses a host name already used in one of the networks.
fn check_name_free(call: &Call<'_>, name: &str, networks: &[String]) -> Result<(), ApiError> {
    if networks.is_empty() || !sql::table_exists(call.tx, "network_nics")? {
        return Ok(());
    }
    for network in networks {
        let taken: Option<String> = call
            .tx
            .query_row(
                "SELECT v.id FROM network_nics n JOIN vms v ON v.id = n.vm_id
                 WHERE n.network_id = ?1 AND v.name = ?2 AND v.state NOT IN ('Expunging') LIMIT 1",
                [network, name],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            let domain: Option<String> = call
                .tx
                .query_row(
                    "SELECT network_domain FROM network_networks networks WHERE id = ?1",
                    [network],
                    |r| r.get(0),
                )
                .optional()
                .ok()
                .flatten()
                .flatten();
            return Err(ApiError::param(format!(
                "The vm with hostName {name} already exists in the network domain: {}; network={network}",
                domain.unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// `deployVirtualMachine`.
pub(crate) fn deploy(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let params = call.params;
    let zone = zone(call, "zoneid", call.required("zoneid")?)?;
    let offering_id = call.required("serviceofferingid")?;
    let template_id = call.required("templateid")?;
    check_zone_enabled(call, &zone)?;
    let owner = owner::resolve(call)?;
    check_owner_enabled(&owner, "vm to deploy")?;
    check_placement_params(call)?;

    let offering = refs::service_offering(call, offering_id)?
        .ok_or_else(|| ApiError::invalid_id("serviceofferingid", offering_id))?;
    if !offering.active {
        return Err(ApiError::param(format!(
            "Unable to deploy VM as service offering {} is not active",
            offering.name
        )));
    }
    let (cpu_number, cpu_speed, memory) = compute_size(call, &offering)?;
    let template = refs::template(call, template_id)?
        .ok_or_else(|| ApiError::invalid_id("templateid", template_id))?;
    if !refs::template_ready_in(call, &template.id, &zone.id)? {
        return Err(ApiError::param(format!(
            "The template {} is not available for use",
            template.id
        )));
    }

    // UserVmManagerImpl.configureCustomRootDiskSize: positive, at most
    // storage.max.volume.size, then not below the template's size.
    let mut root_size = match params.i64("rootdisksize")? {
        Some(gb) if gb <= 0 => {
            return Err(ApiError::param(
                "Root disk size should be a positive number.",
            ));
        }
        Some(gb) => {
            let bytes = refs::gib_to_bytes(gb);
            volume::check_max_size(bytes)?;
            if bytes < template.size {
                return Err(ApiError::param(format!(
                    "Root disk size {gb}GB is smaller than the template size {}GB",
                    template.size / GIB
                )));
            }
            bytes
        }
        None => offering.root_disk_size.unwrap_or(template.size),
    };
    let mut data_disk = match params.str("diskofferingid") {
        Some(id) => {
            let disk = refs::disk_offering(call, id)?
                .ok_or_else(|| ApiError::invalid_id("diskofferingid", id))?;
            let size = if disk.customized {
                match params.i64("size")? {
                    Some(gb) if gb > 0 => {
                        crate::families::storage::api::volume::custom_size(call, gb)?
                    }
                    _ => {
                        return Err(ApiError::param(format!(
                            "Disk offering {} requires size parameter.",
                            disk.name
                        )));
                    }
                }
            } else {
                disk.size
            };
            Some((disk, size))
        }
        None => None,
    };
    // Booting from an ISO: the disk offering gives the ROOT disk instead of
    // a data disk.
    let iso_id = if template.is_iso {
        let (_, size) = data_disk.take().ok_or_else(|| {
            ApiError::param(
                "Installing from ISO requires a disk offering to be specified for the root disk.",
            )
        })?;
        root_size = size;
        Some(template.id.clone())
    } else {
        None
    };

    let mut names: Vec<String> = params.list("keypairs");
    if let Some(name) = params.str("keypair") {
        if !names.iter().any(|n| n == name) {
            names.insert(0, name.to_string());
        }
    }
    let keypairs = keypairs::by_names(call, &owner.id, &names)?;
    if keypairs.len() != names.len() {
        return Err(ApiError::param("Not all specified keyparis exist"));
    }

    if let Some(name) = params.str("name") {
        vm::check_host_name(name)?;
    }
    if let Some(data) = params.str("userdata") {
        check_user_data(data)?;
    }
    let user_data_id = match params.str("userdataid") {
        Some(id) => Some(super::userdata::usable(call, id, &owner)?),
        None => None,
    };
    let affinity_groups = affinity::from_params(call, &owner)?;

    // iptonetworklist[i].networkid/ip names networks with their addresses;
    // otherwise networkids (with ipaddress for the first), else the
    // account's default network.
    // DeployVMCmd.create: a Basic zone's VMs go to its one network.
    let basic: bool = call.tx.query_row(
        "SELECT network_type = 'Basic' FROM datacenter_zones WHERE id = ?1",
        [&zone.id],
        |r| r.get(0),
    )?;
    if basic && !params.list("networkids").is_empty() {
        return Err(ApiError::param("Can't specify network Ids in Basic zone"));
    }
    let ip_list = params.map("iptonetworklist");
    if !ip_list.is_empty() && !params.list("networkids").is_empty() {
        return Err(ApiError::param(
            "networkids and iptonetworklist can't be specified at the same time",
        ));
    }
    let mut addresses: Vec<Option<String>> = Vec::new();
    let mut networks: Vec<String> = Vec::new();
    for entry in &ip_list {
        let network = entry
            .get("networkid")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ApiError::param("iptonetworklist entries need a networkid"))?;
        networks.push(network.clone());
        addresses.push(entry.get("ip").filter(|ip| !ip.is_empty()).cloned());
    }
    if ip_list.is_empty() {
        networks = params.list("networkids");
        addresses = networks
            .iter()
            .enumerate()
            .map(|(i, _)| {
                if i == 0 {
                    params.str("ipaddress").map(String::from)
                } else {
                    None
                }
            })
            .collect();
    }
    if networks.is_empty() {
        addresses.push(params.str("ipaddress").map(String::from));
        networks.push(net::default_network(call, &owner.id, &zone.id)?);
    }
    for network in &networks {
        net::check_network_usable(call, network, &owner.id, &zone.id)?;
    }

    let id = match params.str("customid") {
        Some(custom) if sql::exists(call.tx, "vms", custom)? => {
            return Err(ApiError::param(format!(
                "The uuid {custom} given as customid is already in use"
            )));
        }
        Some(custom) => custom.to_string(),
        None => ids::new_id(),
    };
    let instance_suffix =
        identity::setting_value(call.tx, "instance.name", &[])?.unwrap_or_else(|| "VM".into());
    let name = match params.str("name") {
        Some(name) => name.to_string(),
        None => format!("{instance_suffix}-{id}"),
    };
    check_name_free(call, &name, &networks)?;

    let volumes_needed = if data_disk.is_some() { 2 } else { 1 };
    let storage_needed = root_size.saturating_add(data_disk.as_ref().map_or(0, |(_, size)| *size));
    limits::reserve_all(
        call,
        &owner.id,
        &[
            (ResourceKind::UserVm, 1),
            (ResourceKind::Cpu, cpu_number),
            (ResourceKind::Memory, memory),
            (ResourceKind::Volume, volumes_needed),
            (ResourceKind::PrimaryStorage, storage_needed),
        ],
    )?;

    let seq = vm::next_seq(call, "vm")?;
    let instance_name = format!("i-{}-{seq}-{instance_suffix}", owner.seq);
    let start = params.flag("startvm", true);
    let placement = if start {
        let need = Need {
            vm_id: None,
            zone_id: &zone.id,
            hypervisor: template.hypervisor.as_deref(),
            cpu_number,
            cpu_speed,
            memory,
            host_tag: offering.host_tag.as_deref(),
            affinity_groups: &affinity_groups,
            avoid: &[],
        };
        let placement = capacity::pick(call, &need, params.str("hostid"))?
            .ok_or_else(|| capacity::no_host(&instance_name))?;
        let root_pool = pools::pick(
            call,
            &zone.id,
            Some(&placement.cluster_id),
            root_size,
            None,
            None,
        )?
        .ok_or_else(|| capacity::no_host(&instance_name))?;
        let data_pool = match &data_disk {
            Some((_, size)) => {
                let extra = if pools::pick(
                    call,
                    &zone.id,
                    Some(&placement.cluster_id),
                    root_size.saturating_add(*size),
                    Some(&root_pool.id),
                    None,
                )?
                .is_some()
                {
                    Some(root_pool.clone())
                } else {
                    pools::pick(
                        call,
                        &zone.id,
                        Some(&placement.cluster_id),
                        *size,
                        None,
                        Some(&root_pool.id),
                    )?
                };
                Some(extra.ok_or_else(|| capacity::no_host(&instance_name))?)
            }
            None => None,
        };
        Some((placement, root_pool, data_pool))
    } else {
        None
    };

    let group_id = match params.str("group") {
        Some(name) => Some(groups::find_or_create(call, &owner, name)?),
        None => None,
    };
    let details: Map<String, Value> = params
        .map("details")
        .into_iter()
        .flatten()
        .filter(|(k, _)| !matches!(k.as_str(), "cpunumber" | "cpuspeed" | "memory"))
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let keypair_names = if names.is_empty() {
        None
    } else {
        Some(names.join(","))
    };
    let display_name = params.str("displayname").unwrap_or(&name).to_string();
    let now = call.timestamp();
    call.tx.execute(
        "INSERT INTO vms (id, seq, name, display_name, instance_name, account_id, domain_id, user_id, zone_id,
                          template_id, iso_id, service_offering_id, disk_offering_id, hypervisor, cpu_number, cpu_speed,
                          memory, state, group_id, ha_enable, display_vm, dynamically_scalable, keypairs, user_data,
                          user_data_id, details, boot_type, boot_mode, created, last_updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 'Stopped', ?18, ?19, ?20,
                 ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?28)",
        params![
            id,
            seq,
            name,
            display_name,
            instance_name,
            owner.id,
            owner.domain_id,
            call.caller.user_id,
            zone.id,
            template.id,
            iso_id,
            offering.id,
            data_disk.as_ref().map(|(d, _)| d.id.clone()),
            template.hypervisor.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| "Simulator".into()),
            cpu_number,
            cpu_speed,
            memory,
            group_id,
            offering.ha,
            params.flag("displayvm", true),
            params.flag("dynamicscalingenabled", true) && offering.dynamic_scaling && template.dynamically_scalable,
            keypair_names,
            params.str("userdata"),
            user_data_id,
            Value::Object(details).to_string(),
            params.str("boottype").map(str::to_ascii_uppercase).unwrap_or_else(|| "BIOS".into()),
            params.str("bootmode").map(str::to_ascii_uppercase).unwrap_or_else(|| "LEGACY".into()),
            now,
        ],
    )?;
    for group in &affinity_groups {
        call.tx.execute(
            "INSERT INTO affinity_group_vms (group_id, vm_id) VALUES (?1, ?2)",
            [group, &id],
        )?;
    }

    let (root_pool, data_pool) = match &placement {
        Some((_, root, data)) => (Some(root), data.as_ref()),
        None => (None, None),
    };
    volume::insert(
        call,
        &ids::new_id(),
        &NewVolume {
            name: Some(&format!("ROOT-{seq}")),
            account_id: &owner.id,
            domain_id: &owner.domain_id,
            zone_id: &zone.id,
            vm_id: Some(&id),
            device_id: Some(0),
            volume_type: "ROOT",
            size: root_size,
            disk_offering_id: None,
            template_id: Some(&template.id),
            snapshot_id: None,
            provisioning_type: "thin",
            min_iops: None,
            max_iops: None,
            pool: root_pool,
        },
    )?;
    if let Some((disk, size)) = &data_disk {
        volume::insert(
            call,
            &ids::new_id(),
            &NewVolume {
                name: Some(&format!("DATA-{seq}")),
                account_id: &owner.id,
                domain_id: &owner.domain_id,
                zone_id: &zone.id,
                vm_id: Some(&id),
                device_id: Some(1),
                volume_type: "DATADISK",
                size: *size,
                disk_offering_id: Some(&disk.id),
                template_id: None,
                snapshot_id: None,
                provisioning_type: &disk.provisioning,
                min_iops: disk.min_iops,
                max_iops: disk.max_iops,
                pool: data_pool,
            },
        )?;
    }

    // The pod is chosen before the NICs: a Basic zone's addresses are the
    // pod's (DirectPodBasedNetworkGuru.reserve, in the destination pod).
    if let Some((placement, _, _)) = &placement {
        call.tx.execute(
            "UPDATE vms SET pod_id = ?2 WHERE id = ?1",
            params![id, placement.pod_id],
        )?;
    }
    for (index, network) in networks.iter().enumerate() {
        let ip = addresses.get(index).and_then(Option::as_deref);
        net::add_nic(call, &id, network, ip, index == 0)?;
    }
    let mut group_ids = params.list("securitygroupids");
    let group_names = params.list("securitygroupnames");
    if !group_ids.is_empty() && !group_names.is_empty() {
        return Err(ApiError::param(
            "securitygroupids parameter is mutually exclusive with securitygroupnames parameter",
        ));
    }
    for name in group_names {
        let found: Option<String> = call
            .tx
            .query_row(
                "SELECT id FROM network_security_groups WHERE account_id = ?1 AND name = ?2",
                [&owner.id, &name],
                |r| r.get(0),
            )
            .optional()?;
        group_ids.push(
            found.ok_or_else(|| ApiError::param(format!("Unable to find group by name {name}")))?,
        );
    }
    net::assign_security_groups(call, &id, &owner.id, &group_ids)?;

    if let Some((placement, _, _)) = &placement {
        let vm = vm::reload(call, &id)?;
        vm::place(call, &vm, &placement.host_id, &placement.pod_id, "Starting")?;
    }
    event_log::created_event(
        call,
        "VM.CREATE",
        "deploying Vm",
        crate::kernel::contract::Subject::of("VirtualMachine", &id, &name),
    )?;

    let password = if template.password_enabled {
        Some(match params.str("password") {
            Some(given) => given.to_string(),
            None => vm::random_password(call)?,
        })
    } else {
        None
    };
    Ok(Reply::Job(
        vm::job(&id, move |call, job_id, vm| {
            if vm.state == "Starting" {
                vm::set_state(call, job_id, "Running")?;
            }
            let mut value = json::vm_json(call, job_id)?;
            if let (Some(password), Some(object)) = (&password, value.as_object_mut()) {
                object.insert("password".into(), json!(password));
            }
            Ok(Reply::Object {
                key: "virtualmachine",
                value,
            })
        })
        .with_event("VM.CREATE", format!("deploying Vm. Vm Id: {id}")),
    ))
}

/// A VM another family deploys for its service (a Kubernetes cluster's
/// node): the owner account, zone, offering, network and host name.
pub(crate) struct NodeSpec<'a> {
    pub account_id: &'a str,
    pub zone_id: &'a str,
    pub service_offering_id: &'a str,
    pub network_id: &'a str,
    pub name: &'a str,
    pub keypair: Option<&'a str>,
}

/// Deploys and starts a VM for another family's service with every check
/// and count of `deployVirtualMachine` (as CloudStack's service workers call
/// `UserVmService.createAdvancedVirtualMachine`), from the first template
/// ready in the zone; the VM's id.
pub(crate) fn deploy_node(call: &Call<'_>, spec: &NodeSpec<'_>) -> Result<String, ApiError> {
    let owner = owner::account(call, spec.account_id)?;
    let template: Option<String> = call
        .tx
        .query_row(
            "SELECT t.id FROM templates_templates t
             WHERE t.removed IS NULL AND t.state = 'Active' AND lower(coalesce(t.kind, '')) <> 'iso'
               AND (t.cross_zones = 1 OR EXISTS (SELECT 1 FROM templates_template_zones z
                                                 WHERE z.template_id = t.id AND z.zone_id = ?1 AND z.is_ready = 1))
             LIMIT 1",
            [spec.zone_id],
            |r| r.get(0),
        )
        .optional()?;
    let template = template.ok_or_else(|| {
        ApiError::internal(format!(
            "No template is available for use in zone {}",
            spec.zone_id
        ))
    })?;
    let mut params = crate::kernel::params::Params::new();
    params.insert("zoneid", spec.zone_id);
    params.insert("serviceofferingid", spec.service_offering_id);
    params.insert("templateid", template);
    params.insert("networkids", spec.network_id);
    params.insert("name", spec.name);
    match &owner.project {
        Some((project_id, _)) => params.insert("projectid", project_id.clone()),
        None => {
            params.insert("account", owner.name.clone());
            params.insert("domainid", owner.domain_id.clone());
        }
    }
    if let Some(keypair) = spec.keypair {
        params.insert("keypair", keypair);
    }
    let mut sub = Call {
        tx: call.tx,
        caller: call.caller,
        params: &params,
        command: "deployVirtualMachine",
        now: call.now,
        job_id: call.job_id,
        served: call.served,
    };
    match deploy(&mut sub)? {
        Reply::Job(job) => {
            let id = job.instance_id.clone().unwrap_or_default();
            (job.work)(&mut sub)?;
            Ok(id)
        }
        _ => Err(ApiError::internal("deploy answered without a job")),
    }
}
