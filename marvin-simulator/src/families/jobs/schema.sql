-- Async jobs: one row per call of an async command (queryAsyncJobResult,
-- listAsyncJobs).
CREATE TABLE async_jobs (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,         -- uuid (the jobid)
    user_id       TEXT NOT NULL,
    account_id    TEXT NOT NULL,
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
