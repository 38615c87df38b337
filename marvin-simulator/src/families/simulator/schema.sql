-- Injected faults (configureSimulatorFault): the engine consults this table
-- before every handler (see src/faults.rs).
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
