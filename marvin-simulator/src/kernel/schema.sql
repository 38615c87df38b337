-- The kernel's tables, created before any family's: what the engine itself
-- records (the database's birth, events, async jobs, injected faults, login
-- sessions). Families read them through the kernel's modules; they hold no
-- foreign keys, since the rows outlive what they name (a deleted account's
-- jobs and events stay).
CREATE TABLE simulator_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Events: one row per change (listEvents).
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,         -- uuid
    type          TEXT NOT NULL,                -- VM.START, ACCOUNT.CREATE, ...
    level         TEXT NOT NULL,                -- INFO, ERROR
    state         TEXT NOT NULL,                -- Created, Scheduled, Started, Completed
    description   TEXT NOT NULL,
    user_id       TEXT,
    account_id    TEXT,
    domain_id     TEXT,
    resource_type TEXT,
    resource_id   TEXT,
    resource_name TEXT,
    parent_id     TEXT,
    created       TEXT NOT NULL
);
CREATE INDEX events_account ON events(account_id);

-- Async jobs: one row per call of an async command (queryAsyncJobResult,
-- listAsyncJobs). Rows outlive their account, as CloudStack's async_job rows
-- do: the account's name is kept for the answers once it is gone.
CREATE TABLE async_jobs (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,         -- uuid (the jobid)
    user_id       TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    account_name  TEXT,                         -- the owner's name when the job was submitted
    domain_id     TEXT NOT NULL,
    cmd           TEXT NOT NULL,                -- the command, as CloudStack spells it
    status        INTEGER NOT NULL DEFAULT 0,   -- 0 pending, 1 succeeded, 2 failed, 3 cancelled
    proc_status   INTEGER NOT NULL DEFAULT 0,
    result_code   INTEGER NOT NULL DEFAULT 0,
    result_type   TEXT,                         -- 'object' once finished
    result        TEXT,                         -- the jobresult, as JSON
    instance_type TEXT,
    instance_id   TEXT,
    created       TEXT NOT NULL,
    completed     TEXT
);
CREATE INDEX async_jobs_account ON async_jobs(account_id);
CREATE INDEX async_jobs_instance ON async_jobs(instance_id) WHERE status = 0;

-- Injected faults (configureSimulatorFault): the engine consults this table
-- before every handler (see src/kernel/faults.rs).
CREATE TABLE simulator_faults (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,         -- uuid
    api_name      TEXT NOT NULL,                -- lower-cased command name
    api_display   TEXT NOT NULL,                -- as CloudStack spells it
    action        TEXT NOT NULL,                -- fail, hang, delay
    target        TEXT NOT NULL,                -- request, job
    remaining     INTEGER NOT NULL,             -- uses left; -1 = until deleted
    probability   REAL NOT NULL DEFAULT 1,      -- chance of firing on each matching call
    matched       INTEGER NOT NULL DEFAULT 0,   -- matching calls seen while armed
    fired         INTEGER NOT NULL DEFAULT 0,
    error_code    INTEGER,
    cs_error_code INTEGER,
    error_text    TEXT,
    delay_ms      INTEGER NOT NULL DEFAULT 0,
    zone_id       TEXT,
    created       TEXT NOT NULL
);
CREATE INDEX simulator_faults_api ON simulator_faults(api_name);

-- Login sessions (login/logout): the JSESSIONID cookie names a row, the
-- session key must come with every call.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,               -- the JSESSIONID (without .node0)
    session_key TEXT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL,
    created     TEXT NOT NULL,
    last_seen   INTEGER NOT NULL                -- unix seconds of the last call
);
CREATE INDEX sessions_user ON sessions(user_id);
