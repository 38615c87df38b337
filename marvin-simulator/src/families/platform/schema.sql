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
