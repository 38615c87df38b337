//! Reading a cloud's topology back as a [`DataCenter`].

use marvin_core::{Client, Params, Result};
use serde_json::Value;

use super::model::{
    Cluster, DataCenter, Host, IpRange, PhysicalNetwork, Pod, PrimaryStorage, Provider,
    SecondaryStorage, TrafficType, Zone,
};

/// The cloud's zones with their physical networks (traffic types, enabled
/// providers), public IP ranges, pods, clusters, hosts, primary and
/// secondary storage, in the order the cloud lists them (traffic types and
/// providers sorted by name).
///
/// Host URLs are not part of `listHosts`: simulator hosts get
/// `http://sim/c<cluster>/h<host>` (numbered in the zone) with their CPU
/// and memory as URL parameters; other hosts `http://<ipaddress>`.
/// Credentials are never exported.
pub async fn export(client: &Client) -> Result<DataCenter> {
    let mut zones = Vec::new();
    for zone in client.list_all("listZones", Params::new()).await? {
        zones.push(export_zone(client, &zone).await?);
    }
    Ok(DataCenter {
        zones,
        global_config: Vec::new(),
    })
}

fn text(value: &Value, key: &str) -> Option<String> {
    match &value[key] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(items) => items.first().and_then(|v| v.as_str()).map(String::from),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn req(value: &Value, key: &str) -> String {
    text(value, key).unwrap_or_default()
}

async fn export_zone(client: &Client, zone: &Value) -> Result<Zone> {
    let zone_id = req(zone, "id");
    let by_zone = || Params::from([("zoneid", zone_id.as_str())]);

    let mut physical_networks = Vec::new();
    for network in client.list_all("listPhysicalNetworks", by_zone()).await? {
        let id = req(&network, "id");
        let by_network = || Params::from([("physicalnetworkid", id.as_str())]);
        let mut traffictypes: Vec<TrafficType> = client
            .list_all("listTrafficTypes", by_network())
            .await?
            .iter()
            .map(|t| TrafficType {
                typ: req(t, "traffictype"),
            })
            .collect();
        traffictypes.sort_by(|a, b| a.typ.cmp(&b.typ));
        let mut providers: Vec<Provider> = client
            .list_all("listNetworkServiceProviders", by_network())
            .await?
            .iter()
            .filter(|p| p["state"] == "Enabled")
            .map(|p| Provider {
                name: req(p, "name"),
            })
            .collect();
        providers.sort_by(|a, b| a.name.cmp(&b.name));
        physical_networks.push(PhysicalNetwork {
            name: req(&network, "name"),
            vlan: text(&network, "vlan"),
            isolationmethods: text(&network, "isolationmethods")
                .map(|m| m.split(',').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default(),
            broadcastdomainrange: text(&network, "broadcastdomainrange"),
            traffictypes,
            providers,
        });
    }

    let ranges = client.list_all("listVlanIpRanges", by_zone()).await?;
    let range = |r: &Value| IpRange {
        vlan: text(r, "vlan").map(|v| v.trim_start_matches("vlan://").to_string()),
        gateway: req(r, "gateway"),
        netmask: req(r, "netmask"),
        startip: req(r, "startip"),
        endip: req(r, "endip"),
    };
    let ipranges = ranges
        .iter()
        .filter(|r| r["forvirtualnetwork"] == true)
        .map(range)
        .collect();

    let mut pods = Vec::new();
    let mut cluster_number = 0;
    for pod in client.list_all("listPods", by_zone()).await? {
        let pod_id = req(&pod, "id");
        let mut clusters = Vec::new();
        let by_pod = Params::from([("podid", pod_id.as_str())]);
        for cluster in client.list_all("listClusters", by_pod).await? {
            cluster_number += 1;
            let cluster_id = req(&cluster, "id");
            let by_cluster = || Params::from([("clusterid", cluster_id.as_str())]);
            let hosts = client
                .list_all(
                    "listHosts",
                    Params::from([("clusterid", cluster_id.as_str()), ("type", "Routing")]),
                )
                .await?
                .iter()
                .enumerate()
                .map(|(index, host)| Host {
                    url: host_url(host, cluster_number, index + 1),
                    username: None,
                    password: None,
                })
                .collect();
            let primary_storages = client
                .list_all("listStoragePools", by_cluster())
                .await?
                .iter()
                .filter(|p| {
                    !p["scope"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case("zone"))
                })
                .map(pool)
                .collect();
            clusters.push(Cluster {
                clustername: req(&cluster, "name"),
                hypervisor: req(&cluster, "hypervisortype"),
                clustertype: text(&cluster, "clustertype").unwrap_or_else(|| "CloudManaged".into()),
                hosts,
                primary_storages,
            });
        }
        pods.push(Pod {
            name: req(&pod, "name"),
            gateway: req(&pod, "gateway"),
            netmask: req(&pod, "netmask"),
            startip: req(&pod, "startip"),
            endip: text(&pod, "endip"),
            // A Basic zone's pod-scoped guest ranges (untagged, so no vlan).
            guest_ip_ranges: ranges
                .iter()
                .filter(|r| r["forvirtualnetwork"] == false && r["podid"] == pod_id.as_str())
                .map(|r| IpRange {
                    vlan: None,
                    ..range(r)
                })
                .collect(),
            clusters,
        });
    }

    let primary_storages = client
        .list_all(
            "listStoragePools",
            Params::from([("zoneid", zone_id.as_str()), ("scope", "ZONE")]),
        )
        .await?
        .iter()
        .map(pool)
        .collect();
    let secondary_storages = client
        .list_all("listImageStores", by_zone())
        .await?
        .iter()
        .map(|s| SecondaryStorage {
            url: req(s, "url"),
            provider: text(s, "providername").unwrap_or_else(|| "NFS".into()),
            name: text(s, "name"),
        })
        .collect();

    Ok(Zone {
        name: req(zone, "name"),
        networktype: text(zone, "networktype").unwrap_or_else(|| "Advanced".into()),
        dns1: text(zone, "dns1"),
        dns2: text(zone, "dns2"),
        internaldns1: text(zone, "internaldns1"),
        internaldns2: text(zone, "internaldns2"),
        guestcidraddress: text(zone, "guestcidraddress"),
        domain: text(zone, "domain"),
        securitygroupenabled: zone["securitygroupsenabled"].as_bool(),
        localstorageenabled: zone["localstorageenabled"].as_bool(),
        physical_networks,
        ipranges,
        pods,
        primary_storages,
        secondary_storages,
        networkofferingname: None,
    })
}

fn host_url(host: &Value, cluster: usize, index: usize) -> String {
    if host["hypervisor"] == "Simulator" {
        let mut url = format!("http://sim/c{cluster}/h{index}");
        let specs = [
            ("cpucore", "cpunumber"),
            ("cpuspeed", "cpuspeed"),
            ("memory", "memorytotal"),
        ];
        let query: Vec<String> = specs
            .iter()
            .filter_map(|(param, key)| text(host, key).map(|v| format!("{param}={v}")))
            .collect();
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        url
    } else {
        format!("http://{}", req(host, "ipaddress"))
    }
}

fn pool(pool: &Value) -> PrimaryStorage {
    let scheme = match pool["type"].as_str() {
        Some("NetworkFilesystem") => "nfs",
        Some("SMB") => "cifs",
        Some(other) => other,
        None => "nfs",
    };
    let scope = text(pool, "scope").map(|s| s.to_ascii_lowercase());
    let zone_wide = scope.as_deref() == Some("zone");
    PrimaryStorage {
        name: req(pool, "name"),
        url: format!("{scheme}://{}{}", req(pool, "ipaddress"), req(pool, "path")),
        scope,
        hypervisor: if zone_wide {
            text(pool, "hypervisor")
        } else {
            None
        },
    }
}
