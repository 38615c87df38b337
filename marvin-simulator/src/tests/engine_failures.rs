//! The dispatcher when things go wrong: a handler or a job's work that
//! panics (the caller still gets a CloudStack-shaped answer, the
//! transaction is rolled back, and the engine goes on serving: its
//! writer's mutex is not left poisoned for good), and a call held by a
//! fault's delay when the simulator stops.

use std::sync::{Arc, LazyLock};

use serde_json::Value;
use tokio::sync::watch;

use crate::families::{async_jobs, events, identity, platform};
use crate::kernel::caller::RoleSet;
use crate::kernel::catalog::Catalog;
use crate::kernel::contract::{Call, Command, Family, Job, Reply};
use crate::kernel::engine::*;
use crate::kernel::error::ApiError;
use crate::kernel::request::{Method, Request};

/// Stands in for the projects of the directory too: these engines have
/// none.
const CRASH_FAMILY: Family = Family::new(
    "crash",
    "CREATE TABLE crash_rows (value TEXT NOT NULL);
     CREATE TABLE crash_projects (id TEXT, account_id TEXT);
     CREATE TABLE crash_members (project_id TEXT, account_id TEXT, user_id TEXT, role TEXT);
     CREATE VIEW directory_projects AS SELECT id, account_id FROM crash_projects;
     CREATE VIEW directory_project_members AS SELECT project_id, account_id, user_id, role FROM crash_members;",
    COMMANDS,
);

const COMMANDS: &[Command] = &[
    Command::new(
        "crashWrite",
        RoleSet::ALL,
        "Writes a row, then panics when asked.",
        crash_write,
    ),
    Command::new(
        "crashJob",
        RoleSet::ALL,
        "An async command whose work writes a row, then panics.",
        crash_job,
    ),
];

fn crash_write(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    call.tx
        .execute("INSERT INTO crash_rows (value) VALUES ('call')", [])?;
    assert!(
        !call.params.flag("panic", false),
        "the handler was asked to panic"
    );
    Ok(Reply::Success(None))
}

fn crash_job(_: &mut Call<'_>) -> Result<Reply, ApiError> {
    let work = Box::new(|call: &mut Call<'_>| -> Result<Reply, ApiError> {
        call.tx
            .execute("INSERT INTO crash_rows (value) VALUES ('job')", [])?;
        panic!("the job's work was asked to panic");
    });
    Ok(Reply::Job(Job::on("Crash", "c-1".to_string(), work)))
}

const CRASH_APIS: &str = r#"{"api":[
    {"name":"crashWrite","isasync":false,"params":[{"name":"panic","type":"boolean"}]},
    {"name":"crashJob","isasync":true,"params":[]}]}"#;

static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::from_json(CRASH_APIS).expect("crash catalog"));
static FAMILIES: &[&Family] = &[
    &events::FAMILY,
    &identity::FAMILY,
    &async_jobs::FAMILY,
    &platform::FAMILY,
    &CRASH_FAMILY,
];

fn crash_engine() -> (Arc<Engine>, watch::Sender<bool>) {
    let (stop, stopped) = watch::channel(false);
    let engine = Engine::open_with(&Options::default(), FAMILIES, &CATALOG, stopped)
        .expect("the engine opens");
    (engine, stop)
}

fn count(engine: &Engine, sql: &str) -> i64 {
    engine.with_connection(|db| db.query_row(sql, [], |row| row.get(0)).expect("a count"))
}

async fn call(engine: &Arc<Engine>, pairs: &[(&str, &str)]) -> (u16, Value) {
    let mut request = Request::from_pairs(
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .chain([("response".to_string(), "json".to_string())])
            .collect(),
        Method::Get,
    );
    request.integration = true;
    let answer = Arc::clone(engine).handle(request).await;
    let body = serde_json::from_str(answer.text()).expect("a JSON answer");
    (answer.status, body)
}

#[tokio::test]
async fn a_panicking_handler_gets_a_530_its_writes_are_undone_and_serving_goes_on() {
    let (engine, _stop) = crash_engine();
    let (status, body) = call(&engine, &[("command", "crashWrite"), ("panic", "true")]).await;
    assert_eq!(status, 530, "{body}");
    let error = &body["errorresponse"];
    assert_eq!(error["errorcode"], 530, "{body}");
    assert_eq!(error["cserrorcode"], 4250, "{body}");
    assert!(
        error["errortext"]
            .as_str()
            .is_some_and(|text| text.starts_with("Internal error executing command")),
        "{body}"
    );
    assert!(
        !body.to_string().contains("asked to panic"),
        "the panic message stays inside: {body}"
    );
    assert_eq!(count(&engine, "SELECT COUNT(*) FROM crash_rows"), 0);

    // The next call is served as usual.
    let (status, body) = call(&engine, &[("command", "crashWrite")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["crashwriteresponse"]["success"], true, "{body}");
    assert_eq!(count(&engine, "SELECT COUNT(*) FROM crash_rows"), 1);
}

#[tokio::test]
async fn a_panicking_job_leaves_its_job_pending_and_its_call_answered() {
    let (engine, _stop) = crash_engine();
    let (status, body) = call(&engine, &[("command", "crashJob")]).await;
    assert_eq!(status, 200, "{body}");
    let job_id = body["crashjobresponse"]["jobid"]
        .as_str()
        .expect("a job id")
        .to_string();
    // The work ran at once (no job delay) and panicked: nothing it wrote
    // stays, and its job is still pending, as after a crash mid-job.
    assert_eq!(count(&engine, "SELECT COUNT(*) FROM crash_rows"), 0);
    let status: i64 = engine.with_connection(|db| {
        db.query_row(
            "SELECT status FROM async_jobs WHERE id = ?1",
            [&job_id],
            |row| row.get(0),
        )
        .expect("the job row")
    });
    assert_eq!(status, 0, "pending");

    // The engine still serves calls after it.
    let (status, body) = call(&engine, &[("command", "crashWrite")]).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_call_held_by_a_delay_fault_answers_534_when_the_simulator_stops() {
    let (stop, stopped) = watch::channel(false);
    let engine =
        Engine::open(&Options::default(), crate::families::ALL, stopped).expect("the engine opens");
    let (status, body) = call(
        &engine,
        &[
            ("command", "configureSimulatorFault"),
            ("apiname", "createDomain"),
            ("action", "delay"),
            ("delay", "600000"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let held = tokio::spawn({
        let engine = Arc::clone(&engine);
        async move { call(&engine, &[("command", "createDomain"), ("name", "held")]).await }
    });
    stop.send(true).expect("the engine listens");
    let (status, body) = held.await.expect("the call ends");
    assert_eq!(status, 534, "{body}");
    let error = &body["createdomainresponse"];
    assert_eq!(
        error["errortext"], "The simulator is shutting down",
        "{body}"
    );
    let named = |name: &str| {
        engine
            .run_as_root(
                "listDomains",
                crate::kernel::params::Params::from_pairs([("name", name)]),
            )
            .expect("listDomains")
    };
    assert_eq!(named("held")["count"], Value::Null, "nothing was created");
    // The same lookup sees a domain that was created.
    engine
        .run_as_root(
            "createDomain",
            crate::kernel::params::Params::from_pairs([("name", "made")]),
        )
        .expect("createDomain");
    assert_eq!(named("made")["count"], 1);
}
