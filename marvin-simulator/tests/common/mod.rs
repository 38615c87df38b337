//! What the whole-stack tests of the families share: a simulator with a
//! short job delay and a client that signs its requests.

use std::time::Duration;

use marvin_core::signing::{java_url_encode, sign};
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use serde_json::Value;

/// Starts a simulator (`empty`: without the default zone) whose jobs run
/// after 1 ms.
pub async fn start(empty: bool) -> RunningSimulator {
    Simulator::start(SimulatorConfig {
        job_delay: Duration::from_millis(1),
        empty,
        ..SimulatorConfig::default()
    })
    .await
    .expect("the simulator starts")
}

/// A client signing with one user's keys.
pub struct Client {
    http: reqwest::Client,
    url: String,
    key: String,
    secret: String,
}

impl Client {
    /// The simulator's admin.
    pub fn admin(sim: &RunningSimulator) -> Self {
        Self::new(sim, sim.api_key(), sim.secret_key())
    }

    /// A client with these keys.
    pub fn new(sim: &RunningSimulator, key: &str, secret: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: sim.url(),
            key: key.into(),
            secret: secret.into(),
        }
    }

    /// A signed GET: the HTTP status and the inside of the envelope.
    pub async fn call(&self, command: &str, params: &[(&str, &str)]) -> (u16, Value) {
        let (status, text) = self.raw(command, params).await;
        let body: Value = serde_json::from_str(&text).expect("JSON");
        let key = format!("{}response", command.to_ascii_lowercase());
        let inner = body
            .get(&key)
            .or_else(|| body.get("errorresponse"))
            .cloned()
            .unwrap_or(body);
        (status, inner)
    }

    /// A signed GET: the HTTP status and the body as sent.
    #[allow(dead_code)] // Not every test binary uses it.
    pub async fn raw(&self, command: &str, params: &[(&str, &str)]) -> (u16, String) {
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
        (status, response.text().await.expect("a body"))
    }

    /// A call that must succeed (HTTP 200): the inside of the envelope.
    pub async fn ok(&self, command: &str, params: &[(&str, &str)]) -> Value {
        let (status, body) = self.call(command, params).await;
        assert_eq!(status, 200, "{command}: {body}");
        body
    }

    /// Waits for a job to finish: the finished job.
    pub async fn wait(&self, jobid: &str) -> Value {
        for _ in 0..500 {
            let job = self.ok("queryAsyncJobResult", &[("jobid", jobid)]).await;
            if job["jobstatus"] != 0 {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("job {jobid} did not finish");
    }

    /// Runs an async command to its end: the finished job.
    pub async fn job(&self, command: &str, params: &[(&str, &str)]) -> Value {
        let answer = self.ok(command, params).await;
        let jobid = answer["jobid"]
            .as_str()
            .unwrap_or_else(|| panic!("{command} gave no jobid: {answer}"))
            .to_string();
        self.wait(&jobid).await
    }
}
