//! Engine tests with a probe family: transactions, job outcomes and events,
//! and the exact signature vectors through request decoding and
//! authentication.

use std::sync::LazyLock;

use marvin_core::signing::java_url_encode;
use serde_json::json;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

use crate::families::{async_jobs, events, identity, platform, simulator_faults};
use crate::kernel::auth::{self, Via};
use crate::kernel::caller::RoleSet;
use crate::kernel::catalog::Catalog;
use crate::kernel::contract::{Call, Command, Family, Job, Reply};
use crate::kernel::engine::*;
use crate::kernel::error::ApiError;
use crate::kernel::params::Params;
use crate::kernel::request::{Method, Request};

/// The probe family also stands in for the projects of the directory
/// (`kernel/directory.rs`): these engines have no projects.
const PROBE_FAMILY: Family = Family::new(
    "probe",
    "CREATE TABLE probe (value TEXT NOT NULL);
     CREATE TABLE probe_projects (id TEXT, account_id TEXT);
     CREATE TABLE probe_members (project_id TEXT, account_id TEXT, user_id TEXT, role TEXT);
     CREATE VIEW directory_projects AS SELECT id, account_id FROM probe_projects;
     CREATE VIEW directory_project_members AS SELECT project_id, account_id, user_id, role FROM probe_members;",
    PROBE,
);

const PROBE: &[Command] = &[
    Command {
        name: "probeWrite",
        roles: RoleSet::ALL,
        doc: "Writes a row, then fails when asked.",
        run: probe_write,
    },
    Command {
        name: "probeJob",
        roles: RoleSet::ALL,
        doc: "An async command with a chosen outcome.",
        run: probe_job,
    },
    Command {
        name: "probeSync",
        roles: RoleSet::ALL,
        doc: "An async command that answers directly.",
        run: probe_sync,
    },
    Command {
        name: "listProbes",
        roles: RoleSet::ALL,
        doc: "Lists the rows, a page at a time.",
        run: list_probes,
    },
    Command {
        name: "listProbesWriting",
        roles: RoleSet::ALL,
        doc: "A list that (wrongly) writes.",
        run: list_probes_writing,
    },
];

fn probe_write(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    call.tx
        .execute("INSERT INTO probe (value) VALUES ('sync')", [])?;
    if call.params.flag("fail", false) {
        return Err(ApiError::in_use("asked to fail"));
    }
    Ok(Reply::Success(None))
}

fn probe_job(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let outcome = call.required("outcome")?.to_string();
    let id = uuid::Uuid::new_v4().to_string();
    let instance = id.clone();
    let work = Box::new(move |call: &mut Call<'_>| {
        assert!(call.job_id.is_some(), "the work knows its job");
        call.tx
            .execute("INSERT INTO probe (value) VALUES ('job')", [])?;
        match outcome.as_str() {
            "param" => Err(ApiError::param("bad value")),
            "denied" => Err(ApiError::permission("not yours")),
            _ => Ok(Reply::Object {
                key: "probe",
                value: json!({"id": instance, "gone": null}),
            }),
        }
    });
    Ok(Reply::Job(
        Job::on("Probe", id, work).with_event("PROBE.RUN", "probing things"),
    ))
}

fn list_probes(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut query = crate::kernel::sql::Query::new("SELECT rowid AS n, value FROM probe");
    query.order("rowid");
    query.list_plain(call, "probe")
}

fn list_probes_writing(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    call.tx
        .execute("INSERT INTO probe (value) VALUES ('from a list')", [])?;
    list_probes(call)
}

fn probe_sync(_: &mut Call<'_>) -> Result<Reply, ApiError> {
    Ok(Reply::Success(Some("done".into())))
}

const PROBE_APIS: &str = r#"{"api":[
    {"name":"probeWrite","isasync":false,"params":[{"name":"fail","type":"boolean"}]},
    {"name":"probeJob","isasync":true,"params":[{"name":"outcome","type":"string","length":10,"required":true}]},
    {"name":"probeSync","isasync":true,"params":[]},
    {"name":"listProbes","isasync":false,"params":[{"name":"page","type":"integer"},{"name":"pagesize","type":"integer"}]},
    {"name":"listProbesWriting","isasync":false,"params":[]}]}"#;

static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::from_json(PROBE_APIS).expect("probe catalog"));
static FAMILIES: &[&Family] = &[
    &events::FAMILY,
    &identity::FAMILY,
    &async_jobs::FAMILY,
    &platform::FAMILY,
    &simulator_faults::FAMILY,
    &PROBE_FAMILY,
];

fn probe_engine(delay_ms: u64) -> (Arc<Engine>, watch::Sender<bool>) {
    let (stop, stopped) = watch::channel(false);
    let options = Options {
        job_delay: Duration::from_millis(delay_ms),
        ..Options::default()
    };
    let engine =
        Engine::open_with(&options, FAMILIES, &CATALOG, stopped).expect("the engine opens");
    (engine, stop)
}

fn count(engine: &Engine, sql: &str) -> i64 {
    engine.with_connection(|db| db.query_row(sql, [], |row| row.get(0)).expect("a count"))
}

#[tokio::test]
async fn a_failing_handler_rolls_back_its_writes() {
    let (engine, _stop) = probe_engine(0);
    let error = engine
        .run_as_root("probeWrite", Params::from_pairs([("fail", "true")]))
        .unwrap_err();
    assert_eq!(error.code.as_u16(), 536);
    assert_eq!(count(&engine, "SELECT COUNT(*) FROM probe"), 0);
    let answer = engine.run_as_root("probeWrite", Params::new()).unwrap();
    assert_eq!(answer, json!({"success": true}));
    assert_eq!(count(&engine, "SELECT COUNT(*) FROM probe"), 1);
}

#[tokio::test]
async fn job_outcomes_map_to_cloudstack_codes_with_events() {
    let (engine, _stop) = probe_engine(0);
    let ok = engine
        .run_as_root("probeJob", Params::from_pairs([("outcome", "ok")]))
        .unwrap();
    assert!(
        ok["probe"]["id"].is_string() && ok["probe"].get("gone").is_none(),
        "{ok}"
    );

    let param = engine
        .run_as_root("probeJob", Params::from_pairs([("outcome", "param")]))
        .unwrap_err();
    assert_eq!(param.code.as_u16(), 431, "a parameter error keeps 431");
    let denied = engine
        .run_as_root("probeJob", Params::from_pairs([("outcome", "denied")]))
        .unwrap_err();
    assert_eq!(denied.code.as_u16(), 530, "anything else becomes 530");
    assert_eq!(denied.text, "not yours");

    assert_eq!(
        count(&engine, "SELECT COUNT(*) FROM probe"),
        1,
        "failed work was rolled back"
    );
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM async_jobs WHERE status = 1 AND result_code = 0"
        ),
        1
    );
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM async_jobs WHERE status = 2 AND result_code = 431"
        ),
        1
    );
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM async_jobs WHERE status = 2 AND result_code = 530"
        ),
        1
    );
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM events WHERE type = 'PROBE.RUN' AND state = 'Scheduled'"
        ),
        3
    );
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM events WHERE type = 'PROBE.RUN' AND state = 'Started'"
        ),
        3
    );
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM events WHERE description = 'Successfully completed probing things' AND level = 'INFO'"
        ),
        1
    );
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM events e JOIN events s ON s.id = e.parent_id AND s.state = 'Started'
             WHERE e.description = 'Error while probing things' AND e.level = 'ERROR'"
        ),
        2
    );
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM events WHERE description = 'Probing things'"
        ),
        3,
        "Started is capitalised"
    );
}

fn integration(pairs: &[(&str, &str)]) -> Request {
    let mut request = Request::from_pairs(
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        Method::Get,
    );
    request.integration = true;
    request
}

#[tokio::test]
async fn an_async_command_answering_directly_still_gets_a_job() {
    let (engine, _stop) = probe_engine(100);
    let answer = Arc::clone(&engine)
        .handle(integration(&[
            ("command", "probeSync"),
            ("response", "json"),
        ]))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let body: Value = serde_json::from_str(answer.text()).unwrap();
    let jobid = body["probesyncresponse"]["jobid"]
        .as_str()
        .expect("a job id")
        .to_string();
    assert!(body["probesyncresponse"].get("id").is_none());
    assert_eq!(
        count(&engine, "SELECT COUNT(*) FROM async_jobs WHERE status = 0"),
        1,
        "pending during the delay"
    );

    let answer = Arc::clone(&engine)
        .handle(integration(&[
            ("command", "probeJob"),
            ("outcome", "ok"),
            ("response", "json"),
        ]))
        .await;
    let body: Value = serde_json::from_str(answer.text()).unwrap();
    let instance = body["probejobresponse"]["id"]
        .as_str()
        .expect("the instance id at once")
        .to_string();
    let pending = engine.with_connection(|db| {
        let tx = rusqlite::Transaction::new_unchecked(db, rusqlite::TransactionBehavior::Deferred)
            .unwrap();
        crate::kernel::jobs::rows::pending_for(&tx, &instance).unwrap()
    });
    assert_eq!(
        pending.as_deref(),
        body["probejobresponse"]["jobid"].as_str()
    );

    for _ in 0..200 {
        if count(&engine, "SELECT COUNT(*) FROM async_jobs WHERE status = 0") == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let result: String = engine.with_connection(|db| {
        db.query_row(
            "SELECT result FROM async_jobs WHERE id = ?1",
            [&jobid],
            |row| row.get(0),
        )
        .unwrap()
    });
    assert_eq!(
        serde_json::from_str::<Value>(&result).unwrap(),
        json!({"success": true, "displaytext": "done"})
    );
}

#[tokio::test]
async fn validation_runs_before_the_handler() {
    let (engine, _stop) = probe_engine(0);
    let answer = Arc::clone(&engine)
        .handle(integration(&[
            ("command", "probeJob"),
            ("outcome", "much too long"),
            ("response", "json"),
        ]))
        .await;
    assert_eq!(answer.status, 431, "{}", answer.text());
    assert_eq!(count(&engine, "SELECT COUNT(*) FROM async_jobs"), 0);
}

/// The seven vectors of cloudstack-protocol.md §2 exactly, as a client
/// puts them on the wire, through decoding and authentication.
#[tokio::test]
async fn the_exact_protocol_vectors_authenticate() {
    let (stop, stopped) = watch::channel(false);
    let engine =
        Engine::open(&Options::default(), crate::families::ALL, stopped).expect("the engine opens");
    engine.with_connection(|db| {
        db.execute(
            "UPDATE users SET api_key = 'foo', secret_key = 'bar' WHERE id = (SELECT id FROM users WHERE username = 'admin')",
            [],
        )
        .unwrap()
    });
    type Vector = (&'static [(&'static str, &'static str)], &'static str, bool);
    let vectors: [Vector; 7] = [
        (
            &[
                ("apiKey", "foo"),
                ("command", "listVirtualMachines"),
                ("listAll", "true"),
                ("response", "json"),
            ],
            "B0d6hBsZTcFVCiioSxzwKA9Pke8=",
            false,
        ),
        (
            &[
                ("apiKey", "foo"),
                ("command", "listVirtualMachines"),
                ("page", "1"),
                ("pagesize", "10"),
                ("response", "json"),
                ("temPlateidd", "4"),
                ("templateId", "3"),
                ("zoneid", "2"),
            ],
            "mMS7XALuGkCXk7kj5SywySku0Z0=",
            false,
        ),
        (
            &[
                ("apiKey", "foo"),
                ("command", "listVirtualMachines"),
                ("listall", "1"),
                ("response", "json"),
                ("unicode_param", "éèààû"),
            ],
            "gABU/KFJKD3FLAgKDuxQoryu4sA=",
            false,
        ),
        (
            &[
                ("apiKey", "foo"),
                ("bar[0].baz", "blah"),
                ("bar[0].foo", "1000"),
                ("bytes_param", "blah"),
                ("command", "listVirtualMachines"),
                ("foo", "foo,bar"),
                ("response", "json"),
            ],
            "ImJ/5F0P2RDL7yn4LdLnGcEx5WE=",
            false,
        ),
        (
            &[
                ("apiKey", "foo"),
                ("command", "scaleVirtualMachine"),
                ("details[0].cpuNumber", "1000"),
                ("details[0].memory", "640k"),
                ("id", "a"),
                ("response", "json"),
            ],
            "ZNl66z3gFhnsx2Eo3vvCIM0kAgI=",
            false,
        ),
        (
            &[
                ("apiKey", "foo"),
                ("command", "createNetwork"),
                ("display_text", ""),
                ("name", ""),
                ("response", "json"),
            ],
            "CistTEiPt/4Rv1v4qSyILvPbhmg=",
            false,
        ),
        (
            &[
                ("apiKey", "foo"),
                ("blah", "brah"),
                ("command", "listVirtualMachines"),
                ("response", "json"),
            ],
            "58VvLSaVUqHnG9DhXNOAiDFwBoA=",
            true,
        ),
    ];
    for (params, signature, post) in vectors {
        let mut wire: Vec<String> = params
            .iter()
            .map(|(n, v)| format!("{}={}", java_url_encode(n), java_url_encode(v)))
            .collect();
        wire.push(format!("signature={}", java_url_encode(signature)));
        let wire = wire.join("&");
        for (text, expect) in [
            (wire.clone(), true),
            (
                wire.replace("response=json", "response=json&extra=1"),
                false,
            ),
        ] {
            let mut request = if post {
                Request::decode(Method::Post, None, Some(text.as_bytes())).unwrap()
            } else {
                Request::decode(Method::Get, Some(&text), None).unwrap()
            };
            let mut conn = engine.lock();
            let tx = conn.transaction().unwrap();
            let mut keys = engine.keys.lock().unwrap();
            let outcome = auth::authenticate(&tx, &mut request, now(), &mut keys);
            assert_eq!(outcome.is_ok(), expect, "{text}");
            if let Ok((caller, via)) = outcome {
                assert_eq!(via, Via::Key);
                assert!(caller.is_root_admin());
            }
        }
    }
    drop(stop);
}

#[tokio::test]
async fn a_restart_fails_the_jobs_left_pending() {
    let dir = std::env::temp_dir().join(format!(
        "marvin-engine-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let options = Options {
        db_path: Some(dir.join("db.sqlite")),
        job_delay: Duration::from_secs(60),
        empty: false,
    };
    {
        let (_stop, stopped) = watch::channel(false);
        let engine = Engine::open_with(&options, FAMILIES, &CATALOG, stopped.clone()).unwrap();
        let answer = Arc::clone(&engine)
            .handle(integration(&[
                ("command", "probeSync"),
                ("response", "json"),
            ]))
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(
            count(&engine, "SELECT COUNT(*) FROM async_jobs WHERE status = 0"),
            1
        );
    }
    let (_stop, stopped) = watch::channel(false);
    let engine = Engine::open_with(&options, FAMILIES, &CATALOG, stopped).unwrap();
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM async_jobs WHERE status = 2 AND result_code = 530"
        ),
        1
    );
    assert_eq!(
        count(
            &engine,
            "SELECT COUNT(*) FROM users WHERE username = 'admin'"
        ),
        1,
        "seeded once"
    );
    drop(engine);
    std::fs::remove_dir_all(dir).ok();
}

/// Inserts `rows` probe rows in one transaction.
fn insert_probes(engine: &Engine, rows: usize) {
    let mut conn = engine.lock();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx.prepare("INSERT INTO probe (value) VALUES (?1)").unwrap();
        for n in 0..rows {
            insert.execute([format!("row {n}")]).unwrap();
        }
    }
    tx.commit().unwrap();
}

/// The whole body of an answer, streamed or not.
async fn body_of(answer: Answer) -> String {
    match answer.body {
        Body::Text(text) => text,
        Body::Stream(mut parts) => {
            let mut text = Vec::new();
            while let Some(part) = parts.recv().await {
                text.extend(part.expect("no part breaks the answer off"));
            }
            String::from_utf8(text).expect("UTF-8")
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_do_not_wait_for_the_writer() {
    let (engine, _stop) = probe_engine(0);
    insert_probes(&engine, 3);
    // The writer is busy (a long write holds its connection): a read still
    // answers, from its own connection.
    let writer = engine.lock();
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        Arc::clone(&engine).handle(integration(&[
            ("command", "listProbes"),
            ("response", "json"),
        ])),
    )
    .await
    .expect("the read does not queue behind the writer");
    drop(writer);
    let body: Value = serde_json::from_str(answer.text()).unwrap();
    assert_eq!(body["listprobesresponse"]["count"], 3, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_sees_only_committed_writes() {
    let (engine, _stop) = probe_engine(0);
    insert_probes(&engine, 2);
    let mut writer = engine.lock();
    let tx = writer.transaction().unwrap();
    tx.execute("INSERT INTO probe (value) VALUES ('not yet')", [])
        .unwrap();
    let answer = Arc::clone(&engine)
        .handle(integration(&[
            ("command", "listProbes"),
            ("response", "json"),
        ]))
        .await;
    let body: Value = serde_json::from_str(answer.text()).unwrap();
    assert_eq!(body["listprobesresponse"]["count"], 2, "{body}");
    tx.commit().unwrap();
    drop(writer);
    let answer = Arc::clone(&engine)
        .handle(integration(&[
            ("command", "listProbes"),
            ("response", "json"),
        ]))
        .await;
    let body: Value = serde_json::from_str(answer.text()).unwrap();
    assert_eq!(body["listprobesresponse"]["count"], 3, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_handler_cannot_write() {
    let (engine, _stop) = probe_engine(0);
    let answer = Arc::clone(&engine)
        .handle(integration(&[
            ("command", "listProbesWriting"),
            ("response", "json"),
        ]))
        .await;
    assert_eq!(answer.status, 530, "{}", answer.text());
    assert_eq!(count(&engine, "SELECT COUNT(*) FROM probe"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unbounded_list_is_streamed_with_the_text_of_a_whole_answer() {
    let (engine, _stop) = probe_engine(0);
    // Sizes around the page boundaries of the stream (500, then doubling
    // to 4,000), and one well past them.
    for (rows, streamed) in [
        (0, false),
        (499, false),
        (500, false),
        (501, true),
        (1_000, true),
        (12_345, true),
    ] {
        let have = count(&engine, "SELECT COUNT(*) FROM probe") as usize;
        insert_probes(&engine, rows - have);
        let answer = Arc::clone(&engine)
            .handle(integration(&[
                ("command", "listProbes"),
                ("response", "json"),
                ("pagesize", "-1"),
            ]))
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(
            matches!(answer.body, Body::Stream(_)),
            streamed,
            "{rows} rows"
        );
        let text = body_of(answer).await;
        // The text is exactly what the whole answer would be.
        let whole = engine
            .run_as_root_text("listProbes", Params::from_pairs([("pagesize", "-1")]))
            .unwrap();
        assert_eq!(
            text,
            format!("{{\"listprobesresponse\":{whole}}}"),
            "{rows} rows"
        );
        let body: Value = serde_json::from_str(&text).unwrap();
        let items = body["listprobesresponse"]["probe"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(items, rows);
        if rows > 0 {
            assert_eq!(body["listprobesresponse"]["count"], rows);
            assert_eq!(body["listprobesresponse"]["probe"][rows - 1]["n"], rows);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_list_keeps_its_snapshot_while_writes_go_on() {
    let (engine, _stop) = probe_engine(0);
    insert_probes(&engine, 20_000);
    let answer = Arc::clone(&engine)
        .handle(integration(&[
            ("command", "listProbes"),
            ("response", "json"),
            ("pagesize", "-1"),
        ]))
        .await;
    let Body::Stream(mut parts) = answer.body else {
        panic!("a list of 20,000 is streamed");
    };
    // The first part is out; the producer waits on the channel. A write
    // commits meanwhile, without waiting for the stream.
    let mut text = parts.recv().await.unwrap().unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        Arc::clone(&engine)
            .handle(integration(&[
                ("command", "probeWrite"),
                ("response", "json"),
            ]))
            .await
    })
    .await
    .expect("a write does not wait for a streamed read");
    while let Some(part) = parts.recv().await {
        text.extend(part.unwrap());
    }
    let body: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(body["listprobesresponse"]["count"], 20_000);
    assert_eq!(
        body["listprobesresponse"]["probe"]
            .as_array()
            .unwrap()
            .len(),
        20_000,
        "the rows of the snapshot the list began in"
    );
    assert_eq!(count(&engine, "SELECT COUNT(*) FROM probe"), 20_001);
}

#[tokio::test]
async fn commands_are_looked_up_by_their_exact_spelling() {
    // ApiServer keeps its commands in a case-sensitive map: `LISTPROBES` is
    // no command at all (432 on the integration port, like any unknown one).
    let (engine, _stop) = probe_engine(0);
    let answer = Arc::clone(&engine)
        .handle(integration(&[
            ("command", "LISTPROBES"),
            ("response", "json"),
        ]))
        .await;
    assert_eq!(answer.status, 432, "{}", answer.text());
    assert!(answer.text().contains("Unknown API command: LISTPROBES"));
}

/// A family publishing a view its schema does not create.
const MISSING_VIEW_FAMILY: Family =
    Family::new("misprint", "CREATE TABLE misprints (id TEXT);", &[])
        .publishing(&["misprint_rows"]);

#[tokio::test]
async fn start_up_fails_when_a_published_view_is_missing() {
    static WITH_MISSING_VIEW: &[&Family] =
        &[&events::FAMILY, &identity::FAMILY, &MISSING_VIEW_FAMILY];
    let (_stop, stopped) = watch::channel(false);
    let error = match Engine::open_with(&Options::default(), WITH_MISSING_VIEW, &CATALOG, stopped) {
        Ok(_) => panic!("the engine opened without the view"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("misprint") && error.contains("no such view: misprint_rows"),
        "{error}"
    );
}
