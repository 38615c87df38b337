//! The network family through the whole stack: generic validation against
//! the precache, envelopes, HTTP error codes of create phases and the
//! outcome of async jobs.

use std::time::Duration;

use marvin_core::signing::{java_url_encode, sign};
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use serde_json::Value;

struct Client {
    http: reqwest::Client,
    url: String,
    key: String,
    secret: String,
}

impl Client {
    fn admin(sim: &RunningSimulator) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: sim.url(),
            key: sim.api_key().into(),
            secret: sim.secret_key().into(),
        }
    }

    /// A signed GET: the HTTP status and the inside of the envelope.
    async fn call(&self, command: &str, params: &[(&str, &str)]) -> (u16, Value) {
        let mut pairs: Vec<(String, String)> = params
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        pairs.push(("command".into(), command.into()));
        pairs.push(("apiKey".into(), self.key.clone()));
        pairs.push(("response".into(), "json".into()));
        let signature = sign(
            pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            &self.secret,
        );
        pairs.push(("signature".into(), signature));
        let query = pairs
            .iter()
            .map(|(n, v)| format!("{}={}", java_url_encode(n), java_url_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .http
            .get(format!("{}?{query}", self.url))
            .send()
            .await
            .expect("answered");
        let status = response.status().as_u16();
        let body: Value =
            serde_json::from_str(&response.text().await.expect("a body")).expect("JSON");
        let key = format!("{}response", command.to_ascii_lowercase());
        let inner = body
            .get(&key)
            .or_else(|| body.get("errorresponse"))
            .cloned()
            .unwrap_or(body);
        (status, inner)
    }

    async fn ok(&self, command: &str, params: &[(&str, &str)]) -> Value {
        let (status, body) = self.call(command, params).await;
        assert_eq!(status, 200, "{command}: {body}");
        body
    }

    /// Runs an async command to its end: the finished job.
    async fn job(&self, command: &str, params: &[(&str, &str)]) -> Value {
        let answer = self.ok(command, params).await;
        let jobid = answer["jobid"]
            .as_str()
            .unwrap_or_else(|| panic!("{command}: {answer}"))
            .to_string();
        for _ in 0..500 {
            let job = self.ok("queryAsyncJobResult", &[("jobid", &jobid)]).await;
            if job["jobstatus"] != 0 {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("job {jobid} of {command} did not finish");
    }
}

async fn offering(admin: &Client, name: &str) -> String {
    let all = admin.ok("listNetworkOfferings", &[("name", name)]).await;
    all["networkoffering"][0]["id"]
        .as_str()
        .expect("the offering is seeded")
        .to_string()
}

#[tokio::test]
async fn networks_ips_and_rules_over_http() {
    let sim = Simulator::start(SimulatorConfig {
        job_delay: Duration::from_millis(1),
        ..SimulatorConfig::default()
    })
    .await
    .expect("the simulator starts");
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
    let sim = Simulator::start(SimulatorConfig {
        job_delay: Duration::from_millis(1),
        ..SimulatorConfig::default()
    })
    .await
    .expect("the simulator starts");
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
