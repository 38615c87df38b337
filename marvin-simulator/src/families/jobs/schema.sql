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

-- Deleting an account leaves its jobs (no statement: nothing to do).
INSERT INTO account_cleanup (table_name, statement) VALUES ('async_jobs', NULL);
