//! A test harness for family handlers: an in-memory database with every
//! family's schema and seed, and a way to call commands as someone, running
//! the async half of a command at once in its own transaction (as the
//! engine does later).

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::kernel::caller::{Caller, Role};
use crate::kernel::catalog::{Catalog, Registry, Served};
use crate::kernel::contract::{Call, Command, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::params::Params;

/// An in-memory simulator database for tests.
pub(crate) struct Kit {
    pub(crate) conn: Connection,
    pub(crate) ids: BTreeMap<&'static str, String>,
}

impl std::fmt::Debug for Kit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kit")
            .field("ids", &self.ids)
            .finish_non_exhaustive()
    }
}

fn find(command: &str) -> &'static Command {
    // Through the registry, so that the generic family's APIs are found too.
    served()
        .registry
        .get(command)
        .unwrap_or_else(|| panic!("no family answers {command}"))
}

fn render(reply: Reply) -> Value {
    match reply {
        Reply::Object { key, value } => json!({ key: value }),
        Reply::List { key, items, count } => json!({ "count": count, key: items }),
        Reply::Rendered { key, items, count } => {
            json!({ "count": count, key: items.to_values() })
        }
        Reply::Success(text) => json!({ "success": true, "displaytext": text }),
        Reply::Bare(value) => value,
        Reply::Job(_) => unreachable!("jobs are run before rendering"),
    }
}

/// What the simulator serves, for the calls tests make directly.
pub(crate) fn served() -> &'static Served {
    static SERVED: std::sync::LazyLock<Served> = std::sync::LazyLock::new(|| {
        let catalog = Catalog::global().expect("the embedded precache parses");
        Served {
            catalog,
            registry: Registry::build(super::ALL, catalog).expect("no duplicate commands"),
        }
    });
    &SERVED
}

impl Kit {
    /// Every schema and the default seed.
    pub(crate) fn new() -> Self {
        Self::build(false)
    }

    /// Every schema and the seed, of a fresh install when `empty`.
    pub(crate) fn build(empty: bool) -> Self {
        let mut conn = Connection::open_in_memory().expect("in-memory database");
        conn.execute_batch("PRAGMA foreign_keys = ON;")
            .expect("pragma");
        let tx = conn.transaction().expect("seed transaction");
        let ids = crate::kernel::engine::install(&tx, super::ALL, OffsetDateTime::now_utc(), empty)
            .unwrap_or_else(|e| panic!("{e}"));
        tx.commit().expect("seed commit");
        Self { conn, ids }
    }

    /// A seed id.
    pub(crate) fn id(&self, name: &str) -> String {
        self.ids
            .get(name)
            .unwrap_or_else(|| panic!("no seed id {name}"))
            .clone()
    }

    /// The caller a user id stands for.
    pub(crate) fn caller_of(&self, user_id: &str) -> Caller {
        self.conn
            .query_row(
                "SELECT u.id, a.id, a.name, a.account_type, d.id, d.path, r.role_type
                 FROM users u JOIN accounts a ON a.id = u.account_id JOIN domains d ON d.id = a.domain_id
                 JOIN roles r ON r.id = a.role_id WHERE u.id = ?1",
                [user_id],
                |r| {
                    Ok(Caller {
                        user_id: r.get(0)?,
                        account_id: r.get(1)?,
                        account_name: r.get(2)?,
                        account_type: r.get(3)?,
                        domain_id: r.get(4)?,
                        domain_path: r.get(5)?,
                        role: Role::from_name(&r.get::<_, String>(6)?).unwrap_or(Role::User),
                    })
                },
            )
            .expect("caller")
    }

    /// The seeded root admin.
    pub(crate) fn admin(&self) -> Caller {
        self.caller_of(&self.id("admin_user"))
    }

    /// Creates an account (as admin) and returns its first user as a caller.
    pub(crate) fn account(
        &mut self,
        name: &str,
        account_type: i64,
        domain_id: Option<&str>,
    ) -> Caller {
        let admin = self.admin();
        let kind = account_type.to_string();
        let mut params = vec![
            ("username", name),
            ("password", "secret"),
            ("firstname", "First"),
            ("lastname", "Last"),
            ("email", "someone@example.com"),
            ("accounttype", kind.as_str()),
        ];
        if let Some(domain) = domain_id {
            params.push(("domainid", domain));
        }
        let answer = self
            .call(&admin, "createAccount", &params)
            .expect("createAccount");
        let user = answer["account"]["user"][0]["id"]
            .as_str()
            .expect("user id")
            .to_string();
        self.caller_of(&user)
    }

    /// Runs only the synchronous half of a command as `caller`, as the API
    /// server does before it queues a job, and commits it: the reply (a
    /// job's work is not run).
    pub(crate) fn submit(
        &mut self,
        caller: &Caller,
        command: &str,
        params: &[(&str, &str)],
    ) -> Result<Reply, ApiError> {
        let params = Params::from_pairs(params.iter().copied());
        self.submit_params(caller, find(command), &params)
    }

    fn submit_params(
        &mut self,
        caller: &Caller,
        cmd: &'static Command,
        params: &Params,
    ) -> Result<Reply, ApiError> {
        let tx = self.conn.transaction().expect("transaction");
        let reply = {
            let mut call = Call {
                tx: &tx,
                caller,
                params,
                command: cmd.name,
                now: OffsetDateTime::now_utc(),
                job_id: None,
                served: crate::families::testkit::served(),
            };
            (cmd.run)(&mut call)?
        };
        tx.commit().expect("commit");
        Ok(reply)
    }

    /// Calls a command as `caller`; an async command's job runs at once.
    pub(crate) fn call(
        &mut self,
        caller: &Caller,
        command: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, ApiError> {
        let cmd = find(command);
        // Later pairs override earlier ones, so helpers can put defaults
        // first (a request keeps its first value: `Params::from_pairs`).
        let mut given = Params::new();
        for (name, value) in params {
            given.insert(name, *value);
        }
        let params = given;
        let reply = self.submit_params(caller, cmd, &params)?;
        let Reply::Job(job) = reply else {
            return Ok(render(reply));
        };
        let tx = self.conn.transaction().expect("job transaction");
        let result = {
            let mut call = Call {
                tx: &tx,
                caller,
                params: &params,
                command: cmd.name,
                now: OffsetDateTime::now_utc(),
                job_id: Some("test-job"),
                served: crate::families::testkit::served(),
            };
            let result = (job.work)(&mut call)?;
            if let Some(event) = &job.event {
                let subject = Subject {
                    kind: job.instance_type,
                    id: job.instance_id.as_deref(),
                    name: None,
                };
                call.event(
                    event.kind,
                    &format!("Successfully completed {}", event.description),
                    subject,
                )?;
            }
            result
        };
        tx.commit().expect("job commit");
        Ok(render(result))
    }

    /// A single number from SQL.
    pub(crate) fn count(&self, sql: &str, arg: &str) -> i64 {
        self.conn
            .query_row(sql, [arg], |r| r.get(0))
            .expect("count")
    }
}

/// The HTTP-level code of an error.
pub(crate) fn code(error: &ApiError) -> u16 {
    error.code.as_u16()
}
