//! The identity, datacenter, offerings and templates families through the
//! whole stack: signed HTTP requests, envelopes, error codes and async jobs.

mod common;

use common::{Client, start};

#[tokio::test]
async fn default_seed_accounts_isolation_and_async_deletion() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);

    let zones = admin.ok("listZones", &[]).await;
    assert_eq!(zones["count"], 1);
    assert_eq!(zones["zone"][0]["name"], "Sandbox-simulator");
    let templates = admin
        .ok("listTemplates", &[("templatefilter", "featured")])
        .await;
    assert_eq!(
        templates["template"][0]["name"],
        "CentOS 5.6 (64-bit) no GUI (Simulator)"
    );
    let offerings = admin.ok("listServiceOfferings", &[]).await;
    assert_eq!(offerings["serviceoffering"][0]["name"], "Small Instance");

    let created = admin
        .ok(
            "createAccount",
            &[
                ("username", "alice"),
                ("password", "pw"),
                ("firstname", "A"),
                ("lastname", "L"),
                ("email", "a@example.com"),
                ("accounttype", "0"),
            ],
        )
        .await;
    let account_id = created["account"]["id"].as_str().unwrap().to_string();
    let user_id = created["account"]["user"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let keys = admin.ok("registerUserKeys", &[("id", &user_id)]).await;
    let alice = Client::new(
        &sim,
        keys["userkeys"]["apikey"].as_str().unwrap(),
        keys["userkeys"]["secretkey"].as_str().unwrap(),
    );

    let seen = alice.ok("listAccounts", &[("listall", "true")]).await;
    assert_eq!(seen["count"], 1);
    assert_eq!(seen["account"][0]["name"], "alice");
    let (status, body) = alice
        .call(
            "createZone",
            &[
                ("name", "X"),
                ("networktype", "Basic"),
                ("dns1", "8.8.8.8"),
                ("internaldns1", "8.8.8.8"),
            ],
        )
        .await;
    assert_eq!((status, body["errorcode"].as_u64()), (432, Some(432)));
    let (status, body) = alice
        .call("getUserKeys", &[("id", &sim_admin_user(&admin).await)])
        .await;
    assert_eq!(
        (status, body["cserrorcode"].as_u64()),
        (531, Some(4365)),
        "{body}"
    );

    let (status, body) = admin
        .call(
            "createZone",
            &[
                ("name", "Sandbox-simulator"),
                ("networktype", "Advanced"),
                ("dns1", "8.8.8.8"),
                ("internaldns1", "8.8.8.8"),
            ],
        )
        .await;
    assert_eq!((status, body["cserrorcode"].as_u64()), (431, Some(4350)));
    assert_eq!(
        body["errortext"],
        "A zone with that name already exists. Please specify a unique zone name."
    );

    let deleted = admin.job("deleteAccount", &[("id", &account_id)]).await;
    assert_eq!(deleted["jobstatus"], 1, "{deleted}");
    assert_eq!(deleted["jobresult"]["success"], true);
    let (status, _) = alice.call("listAccounts", &[]).await;
    assert_eq!(status, 401, "the deleted account's keys no longer work");

    let root = admin.ok("listDomains", &[]).await["domain"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = admin.job("deleteDomain", &[("id", &root)]).await;
    assert_eq!(refused["jobstatus"], 2);
    assert_eq!(refused["jobresultcode"], 530);
    assert_eq!(
        refused["jobresult"]["errortext"],
        "Can't delete ROOT domain"
    );
    sim.shutdown().await;
}

async fn sim_admin_user(admin: &Client) -> String {
    let users = admin.ok("listUsers", &[("username", "admin")]).await;
    users["user"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn deploy_datacenter_on_an_empty_simulator() {
    let sim = start(true).await;
    let admin = Client::admin(&sim);
    assert_eq!(
        admin.ok("listZones", &[]).await.get("count"),
        None,
        "an empty list is {{}}"
    );

    let zone = admin
        .ok(
            "createZone",
            &[
                ("name", "Z"),
                ("networktype", "Advanced"),
                ("dns1", "8.8.8.8"),
                ("internaldns1", "8.8.4.4"),
            ],
        )
        .await["zone"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let answer = admin
        .ok(
            "createPhysicalNetwork",
            &[("zoneid", &zone), ("name", "PN"), ("vlan", "100-110")],
        )
        .await;
    assert!(
        answer["id"].is_string() && answer["jobid"].is_string(),
        "create-style async answers id and jobid: {answer}"
    );
    let pn = answer["id"].as_str().unwrap().to_string();
    for traffic in ["Guest", "Public", "Management"] {
        let job = admin
            .job(
                "addTrafficType",
                &[("physicalnetworkid", &pn), ("traffictype", traffic)],
            )
            .await;
        assert_eq!(job["jobresult"]["traffictype"]["traffictype"], traffic);
    }
    let nsp = admin
        .ok(
            "listNetworkServiceProviders",
            &[("physicalnetworkid", &pn), ("name", "VirtualRouter")],
        )
        .await["networkserviceprovider"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let element = admin
        .ok("listVirtualRouterElements", &[("nspid", &nsp)])
        .await["virtualrouterelement"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    admin
        .job(
            "configureVirtualRouterElement",
            &[("id", &element), ("enabled", "true")],
        )
        .await;
    let enabled = admin
        .job(
            "updateNetworkServiceProvider",
            &[("id", &nsp), ("state", "Enabled")],
        )
        .await;
    assert_eq!(
        enabled["jobresult"]["networkserviceprovider"]["state"],
        "Enabled"
    );
    admin
        .job(
            "updatePhysicalNetwork",
            &[("id", &pn), ("state", "Enabled")],
        )
        .await;
    let pod = admin
        .ok(
            "createPod",
            &[
                ("zoneid", &zone),
                ("name", "P"),
                ("gateway", "192.168.0.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "192.168.0.10"),
                ("endip", "192.168.0.50"),
            ],
        )
        .await["pod"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    admin
        .ok(
            "createVlanIpRange",
            &[
                ("zoneid", &zone),
                ("vlan", "untagged"),
                ("gateway", "172.30.0.1"),
                ("netmask", "255.255.255.0"),
                ("startip", "172.30.0.10"),
                ("endip", "172.30.0.20"),
            ],
        )
        .await;
    let cluster = admin
        .ok(
            "addCluster",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clustername", "C"),
                ("clustertype", "CloudManaged"),
                ("hypervisor", "Simulator"),
            ],
        )
        .await["cluster"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let host = admin
        .ok(
            "addHost",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clusterid", &cluster),
                ("hypervisor", "Simulator"),
                ("url", "http://sim/c0/h0"),
                ("username", "root"),
                ("password", "password"),
            ],
        )
        .await;
    assert_eq!(host["host"][0]["cpunumber"], 4);
    admin
        .ok(
            "createStoragePool",
            &[
                ("zoneid", &zone),
                ("podid", &pod),
                ("clusterid", &cluster),
                ("name", "primary"),
                ("url", "nfs://10.0.0.5/primary"),
            ],
        )
        .await;
    admin
        .ok(
            "addImageStore",
            &[
                ("zoneid", &zone),
                ("provider", "NFS"),
                ("url", "nfs://10.0.0.5/secondary"),
            ],
        )
        .await;
    let zone_now = admin
        .ok(
            "updateZone",
            &[("id", &zone), ("allocationstate", "Enabled")],
        )
        .await;
    assert_eq!(zone_now["zone"]["allocationstate"], "Enabled");
    let templates = admin
        .ok(
            "listTemplates",
            &[("templatefilter", "featured"), ("zoneid", &zone)],
        )
        .await;
    assert_eq!(templates["count"], 1);
    sim.shutdown().await;
}

/// Creates a user account in ROOT with API keys: (client, account id,
/// user id).
async fn user(
    sim: &marvin_simulator::RunningSimulator,
    admin: &Client,
    name: &str,
) -> (Client, String, String) {
    let created = admin
        .ok(
            "createAccount",
            &[
                ("username", name),
                ("password", "pw"),
                ("firstname", "F"),
                ("lastname", "L"),
                ("email", "u@example.com"),
                ("accounttype", "0"),
            ],
        )
        .await;
    let account = created["account"]["id"].as_str().unwrap().to_string();
    let user_id = created["account"]["user"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let keys = admin.ok("registerUserKeys", &[("id", &user_id)]).await;
    let client = Client::new(
        sim,
        keys["userkeys"]["apikey"].as_str().unwrap(),
        keys["userkeys"]["secretkey"].as_str().unwrap(),
    );
    (client, account, user_id)
}

/// The first item's `id` of a list answer under `key`.
fn first_id(answer: &serde_json::Value, key: &str) -> String {
    answer[key][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {answer}"))
        .to_string()
}

/// What an async command made: the `id` of `jobresult.<key>` once its job
/// succeeded.
async fn made(client: &Client, command: &str, key: &str, params: &[(&str, &str)]) -> String {
    let job = client.job(command, params).await;
    assert_eq!(job["jobstatus"], 1, "{command}: {job}");
    job["jobresult"][key]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{command} made no {key}: {job}"))
        .to_string()
}

// CloudStack keeps async_job rows when an account is removed (they are not
// deleted with it, and the account row itself is only marked removed):
// ApiResponseHelper.queryJobResult lets the root admin see any job, and
// listAsyncJobs' view still finds the job through the account's domain.
#[tokio::test]
async fn jobs_of_a_deleted_account_stay_visible_to_the_root_admin() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let (jody, account, _) = user(&sim, &admin, "jody").await;
    let zone = first_id(&admin.ok("listZones", &[]).await, "zone");
    let offering = first_id(
        &admin.ok("listServiceOfferings", &[]).await,
        "serviceoffering",
    );
    let template = first_id(
        &admin
            .ok("listTemplates", &[("templatefilter", "featured")])
            .await,
        "template",
    );
    let submitted = jody
        .ok(
            "deployVirtualMachine",
            &[
                ("zoneid", &zone),
                ("serviceofferingid", &offering),
                ("templateid", &template),
            ],
        )
        .await;
    let jobid = submitted["jobid"].as_str().unwrap().to_string();
    assert_eq!(jody.wait(&jobid).await["jobstatus"], 1);

    let deleted = admin.job("deleteAccount", &[("id", &account)]).await;
    assert_eq!(deleted["jobstatus"], 1, "{deleted}");

    let (status, job) = admin
        .call("queryAsyncJobResult", &[("jobid", &jobid)])
        .await;
    assert_eq!(status, 200, "{job}");
    assert_eq!(job["jobstatus"], 1);
    assert_eq!(job["accountid"], account.as_str());
    assert_eq!(
        job["account"], "jody",
        "the answer keeps the account's name"
    );
    assert_eq!(job["jobresult"]["virtualmachine"]["account"], "jody");

    let listed = |answer: &serde_json::Value| {
        answer["asyncjobs"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|j| j["jobid"] == jobid.as_str())
    };
    let everything = admin.ok("listAsyncJobs", &[("listall", "true")]).await;
    assert!(listed(&everything), "listall: {everything}");
    let root = first_id(&admin.ok("listDomains", &[]).await, "domain");
    let by_domain = admin
        .ok(
            "listAsyncJobs",
            &[("domainid", &root), ("isrecursive", "true")],
        )
        .await;
    assert!(listed(&by_domain), "domain ROOT, recursive: {by_domain}");
    let in_domain = admin.ok("listAsyncJobs", &[("domainid", &root)]).await;
    assert!(listed(&in_domain), "domain ROOT: {in_domain}");
    let own = admin.ok("listAsyncJobs", &[]).await;
    assert!(!listed(&own), "without listall, only the admin's own jobs");
    sim.shutdown().await;
}

/// One list call of the visibility table: the command, its parameters and
/// what the other account's user gets.
type Case<'a> = (&'static str, Vec<(&'static str, &'a str)>, Seen);

/// What a user gets from a list naming another account's object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// An empty list (`{}`), as `buildACLSearchParameters` filters.
    Empty,
    /// 531 / 4365: the command checks access on the named object.
    Denied,
    /// The caller's own resource limits (searchForLimits ignores the
    /// account a non-admin names).
    OwnLimits,
}

// Semantics §10 "List scoping": a user naming another account's object by
// `id` gets an empty list, no error (AccountManagerImpl.
// buildACLSearchParameters adds only the caller's account). The exceptions
// are the commands that check access on the object they are given:
// listNics (NetworkServiceImpl.listNics), listLoadBalancerRuleInstances
// and the LB policy lists
// (LoadBalancingRulesManagerImpl), listSnapshotPolicies
// (SnapshotManagerImpl) and listProjectAccounts (ProjectManagerImpl);
// listResourceLimits gives a non-admin its own limits
// (ResourceLimitManagerImpl.searchForLimits); listVolumes by
// `virtualmachineid` only filters (searchForVolumeIdsAndCount).
#[tokio::test]
async fn a_user_naming_another_accounts_object_gets_what_cloudstack_gives() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let (alice, _, _) = user(&sim, &admin, "alice").await;
    let (bob, _, _) = user(&sim, &admin, "bob").await;
    let zone = first_id(&admin.ok("listZones", &[]).await, "zone");
    let offering = first_id(
        &admin.ok("listServiceOfferings", &[]).await,
        "serviceoffering",
    );
    let template = first_id(
        &admin
            .ok("listTemplates", &[("templatefilter", "featured")])
            .await,
        "template",
    );
    let root_domain = first_id(&admin.ok("listDomains", &[]).await, "domain");

    // Bob's objects.
    let vm = {
        let answer = bob
            .ok(
                "deployVirtualMachine",
                &[
                    ("zoneid", &zone),
                    ("serviceofferingid", &offering),
                    ("templateid", &template),
                ],
            )
            .await;
        let job = bob.wait(answer["jobid"].as_str().unwrap()).await;
        assert_eq!(job["jobstatus"], 1, "{job}");
        answer["id"].as_str().unwrap().to_string()
    };
    let listed_vm = bob.ok("listVirtualMachines", &[("id", &vm)]).await;
    let network = listed_vm["virtualmachine"][0]["nic"][0]["networkid"]
        .as_str()
        .unwrap()
        .to_string();
    let root_volume = first_id(
        &bob.ok("listVolumes", &[("virtualmachineid", &vm)]).await,
        "volume",
    );
    let snapshot = made(
        &bob,
        "createSnapshot",
        "snapshot",
        &[("volumeid", &root_volume)],
    )
    .await;
    let vm_snapshot = made(
        &bob,
        "createVMSnapshot",
        "vmsnapshot",
        &[("virtualmachineid", &vm)],
    )
    .await;
    let source_nat = first_id(
        &bob.ok("listPublicIpAddresses", &[("issourcenat", "true")])
            .await,
        "publicipaddress",
    );
    let ip = made(
        &bob,
        "associateIpAddress",
        "ipaddress",
        &[("networkid", &network)],
    )
    .await;
    let lb_ip = made(
        &bob,
        "associateIpAddress",
        "ipaddress",
        &[("networkid", &network)],
    )
    .await;
    let firewall = made(
        &bob,
        "createFirewallRule",
        "firewallrule",
        &[
            ("ipaddressid", &ip),
            ("protocol", "tcp"),
            ("startport", "22"),
            ("endport", "22"),
        ],
    )
    .await;
    let forwarding = made(
        &bob,
        "createPortForwardingRule",
        "portforwardingrule",
        &[
            ("ipaddressid", &ip),
            ("protocol", "tcp"),
            ("publicport", "80"),
            ("privateport", "80"),
            ("virtualmachineid", &vm),
        ],
    )
    .await;
    let balancer = made(
        &bob,
        "createLoadBalancerRule",
        "loadbalancer",
        &[
            ("publicipid", &lb_ip),
            ("algorithm", "roundrobin"),
            ("name", "web"),
            ("publicport", "80"),
            ("privateport", "80"),
        ],
    )
    .await;
    let egress = made(
        &bob,
        "createEgressFirewallRule",
        "firewallrule",
        &[("networkid", &network), ("protocol", "tcp")],
    )
    .await;
    let security_group =
        bob.ok("createSecurityGroup", &[("name", "web")]).await["securitygroup"]["id"]
            .as_str()
            .unwrap()
            .to_string();
    let keypair = bob.ok("createSSHKeyPair", &[("name", "bobkey")]).await["keypair"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let affinity = made(
        &bob,
        "createAffinityGroup",
        "affinitygroup",
        &[("name", "spread"), ("type", "host anti-affinity")],
    )
    .await;
    let group = bob.ok("createInstanceGroup", &[("name", "grp")]).await["instancegroup"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    bob.ok(
        "registerUserData",
        &[("name", "ud"), ("userdata", "aGVsbG8=")],
    )
    .await;
    let user_data = first_id(&bob.ok("listUserData", &[("name", "ud")]).await, "userdata");
    let vpc_offering = first_id(&admin.ok("listVPCOfferings", &[]).await, "vpcoffering");
    let vpc = {
        let answer = bob
            .ok(
                "createVPC",
                &[
                    ("name", "vpc"),
                    ("displaytext", "vpc"),
                    ("cidr", "10.10.0.0/16"),
                    ("vpcofferingid", &vpc_offering),
                    ("zoneid", &zone),
                ],
            )
            .await;
        let job = bob.wait(answer["jobid"].as_str().unwrap()).await;
        assert_eq!(job["jobstatus"], 1, "{job}");
        answer["id"].as_str().unwrap().to_string()
    };
    let acl_list = made(
        &bob,
        "createNetworkACLList",
        "networkacllist",
        &[("name", "acl"), ("vpcid", &vpc)],
    )
    .await;
    let acl = made(
        &bob,
        "createNetworkACL",
        "networkacl",
        &[("aclid", &acl_list), ("protocol", "tcp")],
    )
    .await;
    let vpn_gateway = made(&bob, "createVpnGateway", "vpngateway", &[("vpcid", &vpc)]).await;
    let customer_gateway = made(
        &bob,
        "createVpnCustomerGateway",
        "vpncustomergateway",
        &[
            ("cidrlist", "192.168.50.0/24"),
            ("esppolicy", "aes128-sha1"),
            ("ikepolicy", "aes128-sha1"),
            ("gateway", "203.0.113.9"),
            ("ipsecpsk", "sharedsecret"),
        ],
    )
    .await;
    let connection = made(
        &bob,
        "createVpnConnection",
        "vpnconnection",
        &[
            ("s2scustomergatewayid", &customer_gateway),
            ("s2svpngatewayid", &vpn_gateway),
        ],
    )
    .await;
    let remote_vpn = made(
        &bob,
        "createRemoteAccessVpn",
        "remoteaccessvpn",
        &[("publicipid", &source_nat)],
    )
    .await;
    let vpn_user = made(
        &bob,
        "addVpnUser",
        "vpnuser",
        &[("username", "vpnbob"), ("password", "vpnpass")],
    )
    .await;
    let os_type = first_id(&admin.ok("listOsTypes", &[]).await, "ostype");
    let bob_template = made(
        &bob,
        "createTemplate",
        "template",
        &[
            ("name", "bobtpl"),
            ("displaytext", "bobtpl"),
            ("ostypeid", &os_type),
            ("snapshotid", &snapshot),
        ],
    )
    .await;
    let iso = first_id(
        &bob.ok(
            "registerIso",
            &[
                ("name", "bobiso"),
                ("displaytext", "bobiso"),
                ("url", "http://example.com/bob.iso"),
                ("zoneid", &zone),
                ("ostypeid", &os_type),
            ],
        )
        .await,
        "iso",
    );
    let project = made(
        &bob,
        "createProject",
        "project",
        &[("name", "bobproj"), ("displaytext", "bobproj")],
    )
    .await;
    let policy = bob
        .ok(
            "createSnapshotPolicy",
            &[
                ("volumeid", &root_volume),
                ("intervaltype", "daily"),
                ("maxsnaps", "1"),
                ("schedule", "00:00"),
                ("timezone", "UTC"),
            ],
        )
        .await["snapshotpolicy"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let event = first_id(&bob.ok("listEvents", &[]).await, "event");

    use Seen::{Denied, Empty, OwnLimits};
    let table: Vec<Case<'_>> = vec![
        ("listVirtualMachines", vec![("id", &vm)], Empty),
        ("listVolumes", vec![("id", &root_volume)], Empty),
        ("listVolumes", vec![("virtualmachineid", &vm)], Empty),
        ("listSnapshots", vec![("id", &snapshot)], Empty),
        (
            "listVMSnapshot",
            vec![("vmsnapshotid", &vm_snapshot)],
            Empty,
        ),
        ("listNetworks", vec![("id", &network)], Empty),
        ("listPublicIpAddresses", vec![("id", &ip)], Empty),
        ("listFirewallRules", vec![("id", &firewall)], Empty),
        ("listPortForwardingRules", vec![("id", &forwarding)], Empty),
        ("listLoadBalancerRules", vec![("id", &balancer)], Empty),
        ("listEgressFirewallRules", vec![("id", &egress)], Empty),
        ("listSecurityGroups", vec![("id", &security_group)], Empty),
        ("listSSHKeyPairs", vec![("id", &keypair)], Empty),
        ("listAffinityGroups", vec![("id", &affinity)], Empty),
        ("listInstanceGroups", vec![("id", &group)], Empty),
        ("listUserData", vec![("id", &user_data)], Empty),
        ("listVPCs", vec![("id", &vpc)], Empty),
        ("listNetworkACLLists", vec![("id", &acl_list)], Empty),
        ("listNetworkACLs", vec![("id", &acl)], Empty),
        ("listVpnGateways", vec![("id", &vpn_gateway)], Empty),
        (
            "listVpnCustomerGateways",
            vec![("id", &customer_gateway)],
            Empty,
        ),
        ("listVpnConnections", vec![("id", &connection)], Empty),
        ("listRemoteAccessVpns", vec![("id", &remote_vpn)], Empty),
        ("listVpnUsers", vec![("id", &vpn_user)], Empty),
        ("listEvents", vec![("id", &event)], Empty),
        (
            "listTemplates",
            vec![("templatefilter", "self"), ("id", &bob_template)],
            Empty,
        ),
        (
            "listTemplates",
            vec![("templatefilter", "executable"), ("id", &bob_template)],
            Empty,
        ),
        ("listIsos", vec![("isofilter", "self"), ("id", &iso)], Empty),
        ("listProjects", vec![("id", &project)], Empty),
        ("listNics", vec![("virtualmachineid", &vm)], Denied),
        (
            "listLoadBalancerRuleInstances",
            vec![("id", &balancer)],
            Denied,
        ),
        (
            "listLBStickinessPolicies",
            vec![("lbruleid", &balancer)],
            Denied,
        ),
        (
            "listLBHealthCheckPolicies",
            vec![("lbruleid", &balancer)],
            Denied,
        ),
        (
            "listSnapshotPolicies",
            vec![("volumeid", &root_volume)],
            Denied,
        ),
        ("listSnapshotPolicies", vec![("id", &policy)], Denied),
        ("listProjectAccounts", vec![("projectid", &project)], Denied),
        (
            "listResourceLimits",
            vec![("account", "bob"), ("domainid", &root_domain)],
            OwnLimits,
        ),
    ];
    let mut wrong = Vec::new();
    for (command, params, expected) in &table {
        let (status, body) = alice.call(command, params).await;
        let seen = match (status, body["cserrorcode"].as_u64()) {
            (200, _) if body.get("count").is_none() => Some(Empty),
            (200, _)
                if *command == "listResourceLimits"
                    && body["resourcelimit"][0]["account"] == "alice" =>
            {
                Some(OwnLimits)
            }
            (531, Some(4365)) => Some(Denied),
            _ => None,
        };
        if seen != Some(*expected) {
            wrong.push(format!(
                "{command} {params:?}: expected {expected:?}, got {status} {body}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Bob still sees each of his own objects the same way.
    for (command, params, expected) in &table {
        if *expected != Empty {
            continue;
        }
        let answer = bob.ok(command, params).await;
        assert!(
            answer.get("count").is_some(),
            "bob's own {command} {params:?}: {answer}"
        );
    }
    sim.shutdown().await;
}
