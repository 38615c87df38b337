//! A small CloudStack endpoint on 127.0.0.1:0 that emulates delete commands
//! with scripted answers, running on its own thread and runtime (test
//! runners build and drop their own runtimes).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use marvin_core::Client;
use marvin_core::resource::{Deletion, DeletionRule, Resource, rank_of};
use serde_json::{Value, json};

/// How the fake answers a deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Deleted.
    Ok,
    /// 431 "Unable to find ..." (what CloudStack says for a gone id).
    NotFound,
    /// An error with this code.
    Fail(u16),
}

#[derive(Default)]
struct FakeState {
    /// Scripted answers per resource id; unscripted ids are deleted.
    script: HashMap<String, VecDeque<Answer>>,
    /// `command id` per call, in order (job polls as `queryAsyncJobResult job`).
    calls: Vec<String>,
    /// The answer each async job will report.
    jobs: HashMap<String, Answer>,
    /// Every request's parameters, as sent.
    requests: Vec<Vec<(String, String)>>,
    /// Scripted answers of other commands (lists, creates): the body under
    /// `<command>response`, or an error code.
    answers: HashMap<String, Result<Value, u16>>,
}

/// The running fake.
#[derive(Clone)]
pub struct FakeCloud {
    pub url: String,
    state: Arc<Mutex<FakeState>>,
}

impl FakeCloud {
    /// Starts a fake on its own thread.
    pub fn start() -> Self {
        let state = Arc::new(Mutex::new(FakeState::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = state.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new()
                    .route("/client/api", any(handle))
                    .with_state(shared);
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx.recv().unwrap();
        Self {
            url: format!("http://{addr}/client/api"),
            state,
        }
    }

    /// A client for the fake (integration port: no signing).
    pub fn client(&self) -> Client {
        Client::builder(&self.url).integration().build().unwrap()
    }

    /// The answers for `id`, in order; after the last, it is deleted.
    pub fn script(&self, id: &str, answers: &[Answer]) {
        self.state
            .lock()
            .unwrap()
            .script
            .insert(id.to_string(), answers.iter().copied().collect());
    }

    /// Answers `command` (a list, a create) with `body` under its response
    /// key from now on.
    pub fn answer(&self, command: &str, body: Value) {
        self.state
            .lock()
            .unwrap()
            .answers
            .insert(command.to_string(), Ok(body));
    }

    /// Answers `command` with an error of `code` from now on.
    pub fn refuse(&self, command: &str, code: u16) {
        self.state
            .lock()
            .unwrap()
            .answers
            .insert(command.to_string(), Err(code));
    }

    /// Every call so far, as `command id`.
    pub fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Every request's parameters, as sent (`command` included).
    pub fn requests(&self) -> Vec<Vec<(String, String)>> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The delete calls so far (job polls and the reads of a failure
    /// report, its events and accounts, left out).
    pub fn deletions(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| !c.starts_with("queryAsyncJobResult") && !c.starts_with("list"))
            .collect()
    }
}

async fn handle(
    State(state): State<Arc<Mutex<FakeState>>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let query: HashMap<String, String> = pairs.iter().cloned().collect();
    state.lock().unwrap().requests.push(pairs);
    let command = query.get("command").cloned().unwrap_or_default();
    let id = query
        .get("id")
        .or(query.get("jobid"))
        .cloned()
        .unwrap_or_default();
    let mut state = state.lock().unwrap();
    state.calls.push(format!("{command} {id}"));
    let key = format!("{}response", command.to_ascii_lowercase());
    if command == "queryAsyncJobResult" {
        let answer = state.jobs.get(&id).copied().unwrap_or(Answer::Ok);
        let inner = match answer {
            Answer::Ok => {
                json!({"jobid": id, "jobstatus": 1, "jobresultcode": 0, "jobresult": {"success": true}})
            }
            Answer::NotFound => json!({"jobid": id, "jobstatus": 2, "jobresultcode": 530,
                "jobresult": {"errorcode": 431, "errortext": "Unable to find resource by id"}}),
            Answer::Fail(code) => json!({"jobid": id, "jobstatus": 2, "jobresultcode": 530,
                "jobresult": {"errorcode": code, "errortext": "scripted job failure"}}),
        };
        return reply(200, json!({ key: inner }));
    }
    if command == "getUserKeys" {
        return reply(
            200,
            json!({ key: {"userkeys": {"apikey": "user-api-key", "secretkey": "user-secret"}} }),
        );
    }
    match state.answers.get(&command) {
        Some(Ok(body)) => return reply(200, json!({ key: body })),
        Some(Err(code)) => return error(&key, *code, "scripted refusal"),
        None => {}
    }
    if !(command.starts_with("delete")
        || command.starts_with("destroy")
        || command.starts_with("release"))
    {
        // Anything else (listZones, ...) answers an empty list.
        return reply(200, json!({ key: {} }));
    }
    let answer = state
        .script
        .get_mut(&id)
        .and_then(VecDeque::pop_front)
        .unwrap_or(Answer::Ok);
    if command.starts_with("destroy") {
        let job = format!("job-{}", state.calls.len());
        state.jobs.insert(job.clone(), answer);
        return reply(200, json!({ key: {"jobid": job} }));
    }
    match answer {
        Answer::Ok => reply(200, json!({ key: {"success": "true"} })),
        Answer::NotFound => error(&key, 431, &format!("Unable to find resource by id {id}")),
        Answer::Fail(code) => error(&key, code, "scripted failure"),
    }
}

fn error(key: &str, code: u16, text: &str) -> Response {
    reply(
        code,
        json!({ key: {"uuidList": [], "errorcode": code, "cserrorcode": 4350, "errortext": text} }),
    )
}

fn reply(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// The rules a sweep checks [`Thing`] deletions against.
pub const RULES: &[DeletionRule] = &[
    DeletionRule::new("VirtualMachine", "destroyVirtualMachine", true, "id")
        .flags(&["expunge"])
        .sends(&[("expunge", "true")]),
    DeletionRule::new("Account", "deleteAccount", false, "id"),
    DeletionRule::new("Network", "deleteNetwork", false, "id").flags(&["forced"]),
    DeletionRule::new("Volume", "deleteVolume", false, "id"),
    DeletionRule::new("IpAddress", "disassociateIpAddress", false, "id"),
    DeletionRule::new("FirewallRule", "deleteFirewallRule", false, "id"),
    DeletionRule::new("Domain", "deleteDomain", false, "id").flags(&["cleanup"]),
];

/// A test entity: deleted by `command` (async for `destroy*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thing {
    pub entity: &'static str,
    pub command: &'static str,
    pub id: String,
}

impl Thing {
    pub fn new(entity: &'static str, id: &str) -> Self {
        let command = match entity {
            "VirtualMachine" => "destroyVirtualMachine",
            "Account" => "deleteAccount",
            "Network" => "deleteNetwork",
            "Volume" => "deleteVolume",
            "IpAddress" => "disassociateIpAddress",
            "FirewallRule" => "deleteFirewallRule",
            "Domain" => "deleteDomain",
            other => panic!("no command for {other}"),
        };
        Self {
            entity,
            command,
            id: id.to_string(),
        }
    }
}

impl Resource for Thing {
    const ENTITY: &'static str = "Thing";

    fn id(&self) -> &str {
        &self.id
    }

    fn deletion(&self) -> Option<Deletion> {
        let mut deletion = Deletion::new(
            self.entity,
            &self.id,
            self.command,
            self.command.starts_with("destroy"),
        );
        deletion.rank = rank_of(self.entity);
        Some(deletion)
    }
}

/// A fresh ledger path under the temp dir (its directory is removed by the
/// returned guard).
pub struct TempLedger {
    pub path: std::path::PathBuf,
}

impl TempLedger {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "marvin-runtime-test-{}-{name}-{:08x}",
            std::process::id(),
            rand_u32()
        ));
        Self {
            path: dir.join("ledger.jsonl"),
        }
    }

    pub fn ledger(&self) -> Arc<marvin_core::cleanup::Ledger> {
        Arc::new(marvin_core::cleanup::Ledger::open(&self.path))
    }

    /// `event entity id` per record.
    pub fn events(&self) -> Vec<String> {
        marvin_core::cleanup::Ledger::open(&self.path)
            .read()
            .unwrap()
            .records
            .iter()
            .map(|r| format!("{:?} {}", r.event, r.id).to_lowercase())
            .collect()
    }

    pub fn pending(&self) -> Vec<String> {
        let contents = marvin_core::cleanup::Ledger::open(&self.path)
            .read()
            .unwrap();
        contents
            .pending(None)
            .iter()
            .map(|r| r.id.clone())
            .collect()
    }
}

impl Drop for TempLedger {
    fn drop(&mut self) {
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now()) as u32
}
