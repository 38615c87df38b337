//! Helpers: a signing client, raw requests, job polling, test users.

use std::time::Duration;

use marvin_core::signing::{java_url_encode, sign};
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use serde_json::Value;

/// Starts a default simulator with a short job delay.
pub async fn start() -> RunningSimulator {
    start_with(SimulatorConfig {
        job_delay: Duration::from_millis(20),
        ..SimulatorConfig::default()
    })
    .await
}

/// Starts a simulator with a config.
pub async fn start_with(config: SimulatorConfig) -> RunningSimulator {
    Simulator::start(config)
        .await
        .expect("the simulator starts")
}

/// Owned pairs from borrowed ones.
pub fn pairs(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// A query string encoded the way Java's encoder does.
pub fn query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", java_url_encode(n), java_url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A client signing with one user's keys.
#[derive(Debug, Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub url: String,
    pub key: String,
    pub secret: String,
}

impl Api {
    /// The admin of a simulator.
    pub fn admin(sim: &RunningSimulator) -> Self {
        Self::new(sim.url(), sim.api_key(), sim.secret_key())
    }

    /// A client with these keys.
    pub fn new(url: impl Into<String>, key: &str, secret: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: url.into(),
            key: key.into(),
            secret: secret.into(),
        }
    }

    /// `params` + apiKey + response=json + signature (v2).
    pub fn sign(&self, command: &str, params: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut all = pairs(params);
        all.push(("command".into(), command.into()));
        all.push(("apiKey".into(), self.key.clone()));
        all.push(("response".into(), "json".into()));
        let signature = sign(
            all.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            &self.secret,
        );
        all.push(("signature".into(), signature));
        all
    }

    /// A signed GET.
    pub async fn call(&self, command: &str, params: &[(&str, &str)]) -> (u16, Value) {
        self.get_pairs(&self.sign(command, params)).await
    }

    /// A signed POST (parameters in the form body).
    pub async fn post(&self, command: &str, params: &[(&str, &str)]) -> (u16, Value) {
        let body = query(&self.sign(command, params));
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the request is answered");
        read(response).await
    }

    /// A GET with exactly these (already signed or unsigned) pairs.
    pub async fn get_pairs(&self, pairs: &[(String, String)]) -> (u16, Value) {
        self.raw(&query(pairs)).await
    }

    /// A GET with a raw query string.
    pub async fn raw(&self, raw_query: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}?{raw_query}", self.url))
            .send()
            .await
            .expect("the request is answered");
        read(response).await
    }

    /// A signed call that must succeed; returns the inside of the envelope.
    pub async fn ok(&self, command: &str, params: &[(&str, &str)]) -> Value {
        let (status, body) = self.call(command, params).await;
        assert_eq!(status, 200, "{command}: {body}");
        inner(&body, command)
    }

    /// Polls `queryAsyncJobResult` until the job is done (at most 5 s).
    pub async fn wait_job(&self, jobid: &str) -> Value {
        for _ in 0..500 {
            let job = self.ok("queryAsyncJobResult", &[("jobid", jobid)]).await;
            if job["jobstatus"] != 0 {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("job {jobid} did not finish");
    }
}

/// The status, the content type check, and the body as JSON.
pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(content_type, "application/json; charset=UTF-8");
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, body)
}

/// The inside of `{"<command>response": ...}`.
pub fn inner(body: &Value, command: &str) -> Value {
    let key = format!("{}response", command.to_ascii_lowercase());
    body.get(&key)
        .cloned()
        .unwrap_or_else(|| panic!("no {key} in {body}"))
}

/// Asserts an error answer: status, errorcode, and a text fragment.
pub fn assert_error(status: u16, body: &Value, code: u16, key: &str, text: &str) {
    assert_eq!(status, code, "{body}");
    let error = body
        .get(key)
        .unwrap_or_else(|| panic!("no {key} in {body}"));
    assert_eq!(error["errorcode"], code, "{body}");
    let shown = error["errortext"].as_str().unwrap_or_default();
    assert!(shown.contains(text), "expected {text:?} in {shown:?}");
}

/// Creates an account of `account_type` with one user and sets that user's
/// keys; returns (user id, account id).
pub async fn user_with_keys(
    sim: &RunningSimulator,
    name: &str,
    account_type: i64,
    key: &str,
    secret: &str,
) -> (String, String) {
    let admin = Api::admin(sim);
    let kind = account_type.to_string();
    let created = admin
        .ok(
            "createAccount",
            &[
                ("username", name),
                ("password", "secret-password"),
                ("firstname", "Test"),
                ("lastname", "User"),
                ("email", "test@example.com"),
                ("accounttype", &kind),
            ],
        )
        .await;
    let account = &created["account"];
    let user_id = account["user"][0]["id"]
        .as_str()
        .expect("a user id")
        .to_string();
    let account_id = account["id"].as_str().expect("an account id").to_string();
    sim.with_db(|db| {
        db.execute(
            "UPDATE users SET api_key = ?1, secret_key = ?2 WHERE id = ?3",
            [key, secret, &user_id],
        )
        .expect("keys are set")
    });
    (user_id, account_id)
}
