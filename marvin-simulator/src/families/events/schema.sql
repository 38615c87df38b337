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
