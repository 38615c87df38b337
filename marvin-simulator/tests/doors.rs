//! The doors besides the API: the readiness answer (`GET /`), held at 503
//! by start-up work and by a cloud that is not ready (a zone that is not
//! Enabled; the deployments in tests/peers.rs show the way to 200), and
//! the Ansible-style keys door (`/admin.json`, the API behind it), 503
//! until ready; fixed admin keys.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use marvin_simulator::{AdminKeys, RunningSimulator, Simulator, SimulatorConfig};
use serde_json::Value;

const API_KEY: &str = "doors-test-api-key-0123456789";
const SECRET_KEY: &str = "doors-test-secret-key-0123456789";

async fn start(hold_ready: bool) -> RunningSimulator {
    Simulator::start(SimulatorConfig {
        empty: true,
        job_delay: Duration::ZERO,
        hold_ready,
        keys_door_bind: Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)),
        admin_keys: Some(AdminKeys {
            api_key: API_KEY.into(),
            secret_key: SECRET_KEY.into(),
        }),
        ..SimulatorConfig::default()
    })
    .await
    .expect("the simulator starts")
}

async fn get(url: String) -> (u16, Value) {
    let answer = reqwest::get(url).await.expect("an answer");
    let status = answer.status().as_u16();
    let text = answer.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, body)
}

fn root_of(sim: &RunningSimulator) -> String {
    format!("http://{}", sim.addr())
}

fn door_of(sim: &RunningSimulator) -> String {
    format!("http://{}", sim.keys_door_addr().expect("a keys door"))
}

#[tokio::test]
async fn start_up_work_holds_every_door_at_503_until_released() {
    let sim = start(true).await;
    for url in [
        root_of(&sim),
        format!("{}/client", root_of(&sim)),
        format!("{}/admin.json", door_of(&sim)),
        format!(
            "{}/client/api?command=listZones&response=json",
            door_of(&sim)
        ),
    ] {
        let (status, body) = get(url.clone()).await;
        assert_eq!(status, 503, "{url}: {body}");
    }
    let (_, body) = get(root_of(&sim)).await;
    assert_eq!(body["status"], "starting");
    assert!(
        body["reason"].as_str().unwrap().contains("deployment"),
        "{body}"
    );

    sim.release();
    let (status, body) = get(root_of(&sim)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    let (status, keys) = get(format!("{}/admin.json", door_of(&sim))).await;
    assert_eq!(status, 200, "{keys}");
    assert_eq!(
        keys,
        serde_json::json!({"apikey": API_KEY, "secretkey": SECRET_KEY}),
        "admin.json is getUserKeys' userkeys, with the fixed keys"
    );
    assert_eq!(sim.api_key(), API_KEY);
    assert_eq!(sim.secret_key(), SECRET_KEY);
    // /admin.json is the keys door's alone.
    let (status, _) = get(format!("{}/admin.json", root_of(&sim))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn readiness_is_503_while_a_zone_is_not_enabled() {
    let sim = start(false).await;
    let (status, body) = get(root_of(&sim)).await;
    assert_eq!(status, 200, "an empty cloud is ready: {body}");
    assert_eq!(body["zones"], 0);

    let zone = sim
        .call_as_admin(
            "createZone",
            &[
                ("name", "doors-zone"),
                ("networktype", "Advanced"),
                ("dns1", "8.8.8.8"),
                ("internaldns1", "8.8.8.8"),
            ],
        )
        .expect("createZone");
    let id = zone["zone"]["id"].as_str().expect("a zone id").to_owned();
    let (status, body) = get(root_of(&sim)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["reason"], "zone doors-zone is Disabled",
        "the reason names the zone"
    );
    let (status, _) = get(format!("{}/admin.json", door_of(&sim))).await;
    assert_eq!(status, 503);

    // Gone again (deployDataCenter's rollback): ready again.
    sim.call_as_admin("deleteZone", &[("id", &id)])
        .expect("deleteZone");
    let (status, body) = get(root_of(&sim)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["zones"], 0);
}

#[tokio::test]
async fn unusable_admin_keys_stop_the_start_without_showing_them() {
    let refused = |api_key: &str, secret_key: &str| {
        let keys = AdminKeys {
            api_key: api_key.into(),
            secret_key: secret_key.into(),
        };
        async move {
            Simulator::start(SimulatorConfig {
                admin_keys: Some(keys),
                ..SimulatorConfig::default()
            })
            .await
            .expect_err("unusable keys are refused")
            .to_string()
        }
    };
    let text = refused("short", SECRET_KEY).await;
    assert!(text.contains("the API key must be 16 to 512"), "{text}");
    assert!(
        !text.contains("short") && !text.contains(SECRET_KEY),
        "{text}"
    );
    let spaced = "a secret key with spaces in it";
    let text = refused(API_KEY, spaced).await;
    assert!(text.contains("the secret key may hold only"), "{text}");
    assert!(!text.contains(spaced) && !text.contains(API_KEY), "{text}");
    let keys = AdminKeys {
        api_key: API_KEY.into(),
        secret_key: SECRET_KEY.into(),
    };
    assert!(!format!("{keys:?}").contains(SECRET_KEY));
}
