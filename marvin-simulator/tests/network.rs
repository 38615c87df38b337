//! The network family through the whole stack: generic validation against
//! the precache, envelopes, HTTP error codes of create phases and the
//! outcome of async jobs.

mod common;

use common::{Client, start};

async fn offering(admin: &Client, name: &str) -> String {
    let all = admin.ok("listNetworkOfferings", &[("name", name)]).await;
    all["networkoffering"][0]["id"]
        .as_str()
        .expect("the offering is seeded")
        .to_string()
}

#[tokio::test]
async fn networks_ips_and_rules_over_http() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let zone = admin.ok("listZones", &[]).await["zone"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let isolated = offering(&admin, "DefaultIsolatedNetworkOfferingWithSourceNatService").await;

    let created = admin
        .ok(
            "createNetwork",
            &[
                ("name", "web"),
                ("networkofferingid", &isolated),
                ("zoneid", &zone),
            ],
        )
        .await;
    let network = created["network"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["network"]["state"], "Allocated");

    let job = admin
        .job("associateIpAddress", &[("networkid", &network)])
        .await;
    assert_eq!(job["jobstatus"], 1);
    assert_eq!(job["jobinstancetype"], "IpAddress");
    let ip = job["jobresult"]["ipaddress"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(job["jobinstanceid"], ip.as_str());

    let rule = [
        ("ipaddressid", ip.as_str()),
        ("protocol", "tcp"),
        ("startport", "22"),
        ("endport", "22"),
    ];
    let job = admin.job("createFirewallRule", &rule).await;
    assert_eq!(job["jobresult"]["firewallrule"]["state"], "Active");
    let (status, error) = admin.call("createFirewallRule", &rule).await;
    assert_eq!(status, 537, "{error}");
    assert_eq!(error["cserrorcode"], 4360);

    let group = admin.ok("createSecurityGroup", &[("name", "db")]).await["securitygroup"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    admin.ok("createSecurityGroup", &[("name", "app")]).await;
    let job = admin
        .job(
            "authorizeSecurityGroupIngress",
            &[
                ("securitygroupid", &group),
                ("protocol", "tcp"),
                ("startport", "5432"),
                ("endport", "5432"),
                ("usersecuritygrouplist[0].account", "admin"),
                ("usersecuritygrouplist[0].group", "app"),
            ],
        )
        .await;
    assert_eq!(job["jobstatus"], 1, "{job}");
    assert_eq!(
        job["jobresult"]["securitygroup"]["ingressrule"][0]["securitygroupname"],
        "app"
    );

    let job = admin.job("deleteNetwork", &[("id", &network)]).await;
    assert_eq!(job["jobresult"]["success"], true);
    let listed = admin.ok("listNetworks", &[("id", &network)]).await;
    assert!(listed.get("count").is_none(), "{listed}");
}

#[tokio::test]
async fn vpc_over_http() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let zone = admin.ok("listZones", &[]).await["zone"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let vpc_offering = admin
        .ok("listVPCOfferings", &[("name", "Default VPC offering")])
        .await["vpcoffering"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let job = admin
        .job(
            "createVPC",
            &[
                ("name", "v"),
                ("displaytext", "v"),
                ("cidr", "10.20.0.0/16"),
                ("vpcofferingid", &vpc_offering),
                ("zoneid", &zone),
            ],
        )
        .await;
    assert_eq!(job["jobstatus"], 1, "{job}");
    let vpc = job["jobresult"]["vpc"]["id"].as_str().unwrap().to_string();
    let tier_offering = offering(&admin, "DefaultIsolatedNetworkOfferingForVpcNetworks").await;
    let (status, error) = admin
        .call(
            "createNetwork",
            &[
                ("name", "t"),
                ("networkofferingid", &tier_offering),
                ("zoneid", &zone),
                ("vpcid", &vpc),
                ("gateway", "10.30.0.1"),
                ("netmask", "255.255.255.0"),
            ],
        )
        .await;
    assert_eq!(status, 431, "{error}");
    let routers = admin
        .ok("listRouters", &[("vpcid", &vpc), ("listall", "true")])
        .await;
    assert_eq!(routers["count"], 1);
    let job = admin.job("deleteVPC", &[("id", &vpc)]).await;
    assert_eq!(job["jobresult"]["success"], true, "{job}");
}
