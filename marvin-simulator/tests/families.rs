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
