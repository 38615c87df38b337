//! Kubernetes supported versions as `KubernetesVersionManagerImpl` keeps
//! them.

use crate::families::testkit::{Kit, code};

fn enable(kit: &mut Kit) {
    let admin = kit.admin();
    kit.call(
        &admin,
        "updateConfiguration",
        &[
            ("name", "cloud.kubernetes.service.enabled"),
            ("value", "true"),
        ],
    )
    .unwrap();
}

fn add(
    kit: &mut Kit,
    extra: &[(&'static str, &'static str)],
) -> Result<serde_json::Value, crate::kernel::error::ApiError> {
    let admin = kit.admin();
    let mut params = vec![
        ("semanticversion", "1.28.4"),
        ("mincpunumber", "2"),
        ("minmemory", "2048"),
        ("url", "http://images.example.com/setup-v1.28.4.iso"),
    ];
    params.extend_from_slice(extra);
    kit.call(&admin, "addKubernetesSupportedVersion", &params)
}

/// Every manager method starts with the service switch (530 while off).
#[test]
fn the_service_switch_gates_every_command() {
    let mut kit = Kit::new();
    let err = add(&mut kit, &[]).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (530, "Kubernetes Service plugin is disabled")
    );
    let admin = kit.admin();
    let err = kit
        .call(&admin, "listKubernetesSupportedVersions", &[])
        .unwrap_err();
    assert_eq!(code(&err), 530);
}

/// `addKubernetesSupportedVersion`: the minimums and the version format
/// (431), the default name; `updateKubernetesSupportedVersion` toggles the
/// state; the list filters by zone and minimum version; deletion removes.
#[test]
fn versions_are_added_listed_toggled_and_deleted() {
    let mut kit = Kit::new();
    enable(&mut kit);
    let made = add(&mut kit, &[]).unwrap();
    let version = &made["kubernetessupportedversion"];
    assert_eq!(version["name"], "v1.28.4");
    assert_eq!(version["state"], "Enabled");
    assert_eq!(version["supportsha"], true);
    assert_eq!(version["supportsautoscaling"], true);
    let id = version["id"].as_str().unwrap().to_string();

    let err = add(&mut kit, &[("mincpunumber", "1")]).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Invalid value for mincpunumber parameter. Minimum 2 vCPUs required."
        )
    );
    let err = add(&mut kit, &[("minmemory", "1024")]).unwrap_err();
    assert_eq!(
        err.text,
        "Invalid value for minmemory parameter. Minimum 2048MB memory required"
    );
    let err = add(&mut kit, &[("semanticversion", "1.10.0")]).unwrap_err();
    assert!(
        err.text
            .starts_with("New supported Kubernetes version cannot be added as 1.11.0")
    );
    let err = add(&mut kit, &[("semanticversion", "1.2")]).unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(err.text.starts_with("Invalid version format, 1.2."));

    let zone = kit.id("zone");
    let admin = kit.admin();
    let zoned = kit
        .call(
            &admin,
            "addKubernetesSupportedVersion",
            &[
                ("semanticversion", "1.15.1"),
                ("mincpunumber", "2"),
                ("minmemory", "2048"),
                ("url", "http://images.example.com/old.iso"),
                ("zoneid", &zone),
            ],
        )
        .unwrap();
    assert!(
        zoned["kubernetessupportedversion"]["name"]
            .as_str()
            .unwrap()
            .starts_with("v1.15.1-")
    );
    assert_eq!(zoned["kubernetessupportedversion"]["supportsha"], false);
    let recent = kit
        .call(
            &admin,
            "listKubernetesSupportedVersions",
            &[("minimumsemanticversion", "1.20.0")],
        )
        .unwrap();
    assert_eq!(recent["count"], 1);
    let in_zone = kit
        .call(
            &admin,
            "listKubernetesSupportedVersions",
            &[("zoneid", &zone)],
        )
        .unwrap();
    assert_eq!(in_zone["count"], 2);

    let disabled = kit
        .call(
            &admin,
            "updateKubernetesSupportedVersion",
            &[("id", &id), ("state", "Disabled")],
        )
        .unwrap();
    assert_eq!(disabled["kubernetessupportedversion"]["state"], "Disabled");
    let err = kit
        .call(
            &admin,
            "updateKubernetesSupportedVersion",
            &[("id", &id), ("state", "disabled")],
        )
        .unwrap_err();
    assert_eq!(err.text, "Invalid value for state parameter");

    kit.call(&admin, "deleteKubernetesSupportedVersion", &[("id", &id)])
        .unwrap();
    let left = kit
        .call(&admin, "listKubernetesSupportedVersions", &[])
        .unwrap();
    assert_eq!(left["count"], 1);
    for kind in [
        "KUBERNETES.VERSION.ADD",
        "KUBERNETES.VERSION.UPDATE",
        "KUBERNETES.VERSION.DELETE",
    ] {
        assert!(
            kit.count("SELECT COUNT(*) FROM events WHERE type = ?1", kind) >= 1,
            "{kind}"
        );
    }
}

/// A service offering of `cpus` vCPUs and `memory` MB, as admin.
fn make_offering(kit: &mut Kit, name: &str, cpus: &str, memory: &str) -> String {
    let admin = kit.admin();
    let made = kit
        .call(
            &admin,
            "createServiceOffering",
            &[
                ("name", name),
                ("displaytext", name),
                ("cpunumber", cpus),
                ("cpuspeed", "1000"),
                ("memory", memory),
            ],
        )
        .unwrap();
    made["serviceoffering"]["id"].as_str().unwrap().to_string()
}

fn version_id(kit: &mut Kit, semantic: &'static str) -> String {
    let made = add(kit, &[("semanticversion", semantic)]).unwrap();
    made["kubernetessupportedversion"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The service on, a 2-vCPU 2048 MB offering and versions 1.27.1 and
/// 1.28.4: (offering, old version, new version).
fn setup(kit: &mut Kit) -> (String, String, String) {
    enable(kit);
    let offering = make_offering(kit, "cks-medium", "2", "2048");
    let old = version_id(kit, "1.27.1");
    let new = version_id(kit, "1.28.4");
    (offering, old, new)
}

fn create_cluster(
    kit: &mut Kit,
    caller: &crate::kernel::caller::Caller,
    name: &str,
    offering: &str,
    version: &str,
    extra: &[(&str, &str)],
) -> Result<serde_json::Value, crate::kernel::error::ApiError> {
    let zone = kit.id("zone");
    let mut params = vec![
        ("name", name),
        ("zoneid", zone.as_str()),
        ("serviceofferingid", offering),
        ("kubernetesversionid", version),
    ];
    params.extend_from_slice(extra);
    kit.call(caller, "createKubernetesCluster", &params)
}

fn state_of(kit: &mut Kit, caller: &crate::kernel::caller::Caller, id: &str) -> String {
    let listed = kit
        .call(caller, "listKubernetesClusters", &[("id", id)])
        .unwrap();
    listed["kubernetescluster"][0]["state"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `KubernetesClusterManagerImpl.createManagedKubernetesCluster`: the
/// cluster is the caller's, made in `Created` with an isolated network
/// `<name>-network` when none is given (`getKubernetesClusterNetworkIfMissing`);
/// its job (`KubernetesClusterStartWorker.startKubernetesClusterOnCreate`)
/// deploys one VM per control and worker node and leaves it `Running`;
/// `listKubernetesClusters` shows it to its owner only; the event is
/// `KUBERNETES.CLUSTER.CREATE`.
#[test]
fn a_cluster_is_created_in_its_own_network_and_started() {
    let mut kit = Kit::new();
    let (offering, old, _) = setup(&mut kit);
    let user = kit.account("cks-user", 0, None);
    let made = create_cluster(&mut kit, &user, "web", &offering, &old, &[("size", "2")]).unwrap();
    let cluster = &made["kubernetescluster"];
    assert_eq!(cluster["state"], "Running");
    assert_eq!(cluster["account"], "cks-user");
    assert_eq!(cluster["controlnodes"], 1);
    assert_eq!(cluster["size"], 2);
    assert_eq!(cluster["cpunumber"], "6");
    assert_eq!(cluster["memory"], "6144");
    assert_eq!(cluster["associatednetworkname"], "web-network");
    assert_eq!(cluster["kubernetesversionid"], old.as_str());
    let machines = cluster["virtualmachines"].as_array().unwrap();
    assert_eq!(machines.len(), 3);
    assert!(machines.iter().all(|vm| vm["state"] == "Running"));
    assert!(machines.iter().all(|vm| vm["account"] == "cks-user"));
    assert!(
        cluster["endpoint"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM vms WHERE account_id = (SELECT account_id FROM users WHERE id = ?1)",
            &user.user_id
        ),
        3
    );

    let other = kit.account("cks-other", 0, None);
    let seen = kit.call(&other, "listKubernetesClusters", &[]).unwrap();
    assert_eq!(seen["count"], 0);
    let mine = kit.call(&user, "listKubernetesClusters", &[]).unwrap();
    assert_eq!(mine["count"], 1);
    let id = cluster["id"].as_str().unwrap().to_string();
    let err = kit
        .call(&other, "stopKubernetesCluster", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "KUBERNETES.CLUSTER.CREATE"
        ),
        2
    );

    // The network is in use: a second cluster may not share it
    // (getKubernetesClusterNetworkIfMissing).
    let network = cluster["networkid"].as_str().unwrap().to_string();
    let err = create_cluster(
        &mut kit,
        &user,
        "second",
        &offering,
        &old,
        &[("networkid", &network)],
    )
    .unwrap_err();
    assert_eq!(
        err.text,
        format!("Network ID: {network} is already under use by another Kubernetes cluster")
    );
}

/// `KubernetesClusterManagerImpl.validateManagedKubernetesClusterCreateParameters`:
/// control nodes and size at least 1, their sum within
/// `cloud.kubernetes.cluster.max.size` (10), several control nodes only
/// from 1.16.0, the version's zone; `validateServiceOffering`: at least 2
/// vCPUs and 2048 MB, then the version's minimums; all 431.
#[test]
fn creation_checks_sizes_versions_and_offerings() {
    let mut kit = Kit::new();
    let (offering, old, _) = setup(&mut kit);
    let admin = kit.admin();
    let err = create_cluster(&mut kit, &admin, "c", &offering, &old, &[("size", "0")]).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Invalid cluster size: 0")
    );
    let err = create_cluster(
        &mut kit,
        &admin,
        "c",
        &offering,
        &old,
        &[("controlnodes", "0")],
    )
    .unwrap_err();
    assert_eq!(err.text, "Invalid cluster control nodes count: 0");
    let err =
        create_cluster(&mut kit, &admin, "c", &offering, &old, &[("size", "10")]).unwrap_err();
    assert_eq!(
        err.text,
        "Maximum cluster size can not exceed 10. Please contact your administrator"
    );
    let small = kit.id("service_offering_small");
    let err = create_cluster(&mut kit, &admin, "c", &small, &old, &[]).unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .contains("Kubernetes cluster template(CoreOS) needs minimum 2 vCPUs and 2048 MB RAM"),
        "{}",
        err.text
    );
    let old_ha = version_id(&mut kit, "1.15.1");
    let err = create_cluster(
        &mut kit,
        &admin,
        "c",
        &offering,
        &old_ha,
        &[("controlnodes", "3")],
    )
    .unwrap_err();
    assert!(
        err.text
            .starts_with("HA support is available only for Kubernetes version 1.16.0 and above."),
        "{}",
        err.text
    );
    let hungry = add(
        &mut kit,
        &[("semanticversion", "1.29.0"), ("mincpunumber", "4")],
    )
    .unwrap();
    let hungry = hungry["kubernetessupportedversion"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = create_cluster(&mut kit, &admin, "c", &offering, &hungry, &[]).unwrap_err();
    assert!(err.text.contains("needs minimum 4 vCPUs"), "{}", err.text);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM kubernetes_clusters WHERE name = ?1",
            "c"
        ),
        0
    );
}

/// `KubernetesClusterStopWorker` stops every node (`Stopped`);
/// `startKubernetesCluster` on a stopped cluster starts them again
/// (`KubernetesClusterStartWorker.startStoppedKubernetesCluster`); events
/// `KUBERNETES.CLUSTER.STOP` and `.START`.
#[test]
fn a_cluster_stops_and_starts_with_its_nodes() {
    let mut kit = Kit::new();
    let (offering, old, _) = setup(&mut kit);
    let admin = kit.admin();
    let made = create_cluster(&mut kit, &admin, "ops", &offering, &old, &[]).unwrap();
    let id = made["kubernetescluster"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.call(&admin, "stopKubernetesCluster", &[("id", &id)])
        .unwrap();
    assert_eq!(state_of(&mut kit, &admin, &id), "Stopped");
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM vms WHERE state = 'Stopped' AND id IN
             (SELECT vm_id FROM kubernetes_cluster_vms WHERE cluster_id = ?1)",
            &id
        ),
        2
    );
    let started = kit
        .call(&admin, "startKubernetesCluster", &[("id", &id)])
        .unwrap();
    assert_eq!(started["kubernetescluster"]["state"], "Running");
    assert!(
        started["kubernetescluster"]["virtualmachines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|vm| vm["state"] == "Running")
    );
    for kind in ["KUBERNETES.CLUSTER.STOP", "KUBERNETES.CLUSTER.START"] {
        assert!(
            kit.count("SELECT COUNT(*) FROM events WHERE type = ?1", kind) >= 1,
            "{kind}"
        );
    }
}

/// `KubernetesClusterManagerImpl.validateKubernetesClusterScaleParameters`:
/// something to scale must be given (431); a stopped cluster's size may not
/// change (531); a running cluster's offering may not shrink (530,
/// `logAndThrow`); `KubernetesClusterScaleWorker` adds and removes worker
/// VMs; nodes removed by id, never the last control node.
#[test]
fn a_cluster_scales_its_workers_and_offering() {
    let mut kit = Kit::new();
    let (offering, old, _) = setup(&mut kit);
    let admin = kit.admin();
    let made = create_cluster(&mut kit, &admin, "grow", &offering, &old, &[]).unwrap();
    let id = made["kubernetescluster"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = kit
        .call(&admin, "scaleKubernetesCluster", &[("id", &id)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .contains("cannot be scaled, either service offering")
    );

    let scaled = kit
        .call(
            &admin,
            "scaleKubernetesCluster",
            &[("id", &id), ("size", "3")],
        )
        .unwrap();
    let cluster = &scaled["kubernetescluster"];
    assert_eq!(cluster["size"], 3);
    assert_eq!(cluster["state"], "Running");
    assert_eq!(cluster["virtualmachines"].as_array().unwrap().len(), 4);
    let scaled = kit
        .call(
            &admin,
            "scaleKubernetesCluster",
            &[("id", &id), ("size", "2")],
        )
        .unwrap();
    assert_eq!(
        scaled["kubernetescluster"]["virtualmachines"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let control = kit.count(
        "SELECT COUNT(*) FROM kubernetes_cluster_vms WHERE cluster_id = ?1 AND control = 1",
        &id,
    );
    assert_eq!(control, 1);
    let control_vm: String = scaled["kubernetescluster"]["virtualmachines"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = kit
        .call(
            &admin,
            "scaleKubernetesCluster",
            &[("id", &id), ("nodeids", &control_vm)],
        )
        .unwrap_err();
    assert_eq!(err.text, "Can not remove all control nodes from a cluster");

    let big = make_offering(&mut kit, "cks-large", "4", "4096");
    let scaled = kit
        .call(
            &admin,
            "scaleKubernetesCluster",
            &[("id", &id), ("serviceofferingid", &big)],
        )
        .unwrap();
    assert_eq!(
        scaled["kubernetescluster"]["serviceofferingid"],
        big.as_str()
    );
    let err = kit
        .call(
            &admin,
            "scaleKubernetesCluster",
            &[("id", &id), ("serviceofferingid", &offering)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 530);
    assert!(
        err.text
            .starts_with("Kubernetes cluster cannot be scaled down for service offering.")
    );

    kit.call(&admin, "stopKubernetesCluster", &[("id", &id)])
        .unwrap();
    let err = kit
        .call(
            &admin,
            "scaleKubernetesCluster",
            &[("id", &id), ("size", "3")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    assert_eq!(err.text, "Kubernetes cluster : grow is in Stopped state");
    assert!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "KUBERNETES.CLUSTER.SCALE"
        ) >= 1
    );
}

/// `KubernetesClusterManagerImpl.validateKubernetesClusterUpgradeParameters`:
/// a running cluster only, never to the same or an older version
/// (`KubernetesVersionManagerImpl.canUpgradeKubernetesVersion`), and
/// `KubernetesClusterUpgradeWorker` moves it to the new version.
#[test]
fn a_cluster_upgrades_only_to_a_newer_version() {
    let mut kit = Kit::new();
    let (offering, old, new) = setup(&mut kit);
    let admin = kit.admin();
    let made = create_cluster(&mut kit, &admin, "up", &offering, &new, &[]).unwrap();
    let id = made["kubernetescluster"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = kit
        .call(
            &admin,
            "upgradeKubernetesCluster",
            &[("id", &id), ("kubernetesversionid", &new)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Kubernetes clusters can not be upgraded, current version: 1.28.4, upgrade version: 1.28.4"
        )
    );
    let err = kit
        .call(
            &admin,
            "upgradeKubernetesCluster",
            &[("id", &id), ("kubernetesversionid", &old)],
        )
        .unwrap_err();
    assert!(
        err.text
            .starts_with("Kubernetes clusters can not be downgraded")
    );

    let newer = version_id(&mut kit, "1.29.1");
    let upgraded = kit
        .call(
            &admin,
            "upgradeKubernetesCluster",
            &[("id", &id), ("kubernetesversionid", &newer)],
        )
        .unwrap();
    assert_eq!(
        upgraded["kubernetescluster"]["kubernetesversionid"],
        newer.as_str()
    );
    assert_eq!(upgraded["kubernetescluster"]["state"], "Running");
    assert!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "KUBERNETES.CLUSTER.UPGRADE"
        ) >= 1
    );

    kit.call(&admin, "stopKubernetesCluster", &[("id", &id)])
        .unwrap();
    let err = kit
        .call(
            &admin,
            "upgradeKubernetesCluster",
            &[("id", &id), ("kubernetesversionid", &newer)],
        )
        .unwrap_err();
    assert_eq!(err.text, "Kubernetes cluster : up is not in running state");
}

/// `getKubernetesClusterConfig` gives the running cluster's kubeconfig;
/// `KubernetesClusterDestroyWorker` expunges the nodes, deletes the network
/// made for the cluster and removes the cluster (`KUBERNETES.CLUSTER.DELETE`); a version in use may not be
/// deleted (`KubernetesVersionManagerImpl.deleteKubernetesSupportedVersion`,
/// 530) until then.
#[test]
fn a_cluster_gives_its_config_and_is_deleted_with_its_nodes() {
    let mut kit = Kit::new();
    let (offering, old, _) = setup(&mut kit);
    let admin = kit.admin();
    let made = create_cluster(&mut kit, &admin, "gone", &offering, &old, &[]).unwrap();
    let id = made["kubernetescluster"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let config = kit
        .call(&admin, "getKubernetesClusterConfig", &[("id", &id)])
        .unwrap();
    assert!(
        config["clusterconfig"]["configdata"]
            .as_str()
            .unwrap()
            .contains("server: https://")
    );
    let err = kit
        .call(&admin, "deleteKubernetesSupportedVersion", &[("id", &old)])
        .unwrap_err();
    assert_eq!(code(&err), 530);
    assert!(
        err.text
            .ends_with("Existing clusters currently using the version.")
    );

    let network = made["kubernetescluster"]["networkid"]
        .as_str()
        .unwrap()
        .to_string();
    kit.call(&admin, "deleteKubernetesCluster", &[("id", &id)])
        .unwrap();
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM networks WHERE id = ?1", &network),
        0
    );
    let listed = kit.call(&admin, "listKubernetesClusters", &[]).unwrap();
    assert_eq!(listed["count"], 0);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM kubernetes_cluster_vms WHERE cluster_id = ?1",
            &id
        ),
        0
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM vms WHERE name LIKE ?1", "gone-%"),
        0
    );
    assert!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "KUBERNETES.CLUSTER.DELETE"
        ) >= 1
    );
    kit.call(&admin, "deleteKubernetesSupportedVersion", &[("id", &old)])
        .unwrap();
}

/// `CreateKubernetesClusterCmd.getEntityOwnerId`: an admin creates a
/// cluster for the account (and domain) it names, whose nodes are that
/// account's VMs; deleting the account removes the cluster and its node
/// map (`AccountManagerImpl.cleanupAccount` reaches every manager).
#[test]
fn a_cluster_belongs_to_the_named_account_and_goes_with_it() {
    let mut kit = Kit::new();
    let (offering, old, _) = setup(&mut kit);
    let user = kit.account("cks-owner", 0, None);
    let admin = kit.admin();
    let made = create_cluster(
        &mut kit,
        &admin,
        "owned",
        &offering,
        &old,
        &[("account", "cks-owner"), ("domainid", &user.domain_id)],
    )
    .unwrap();
    let cluster = &made["kubernetescluster"];
    assert_eq!(cluster["account"], "cks-owner");
    assert!(
        cluster["virtualmachines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|vm| vm["account"] == "cks-owner")
    );
    let mine = kit.call(&user, "listKubernetesClusters", &[]).unwrap();
    assert_eq!(mine["count"], 1);
    kit.call(&admin, "deleteAccount", &[("id", &user.account_id)])
        .unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM kubernetes_clusters WHERE name = ?1",
            "owned"
        ),
        0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM kubernetes_cluster_vms WHERE name LIKE ?1",
            "owned-%"
        ),
        0
    );
}
