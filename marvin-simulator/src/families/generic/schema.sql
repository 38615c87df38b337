-- The generic family's one table: a JSON document per object of an API
-- that no family models, owned like every other resource.
CREATE TABLE generic_documents (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    entity     TEXT NOT NULL,          -- the linguist's entity (AutoScalePolicy)
    account_id TEXT NOT NULL,
    domain_id  TEXT NOT NULL,
    project_id TEXT,
    name       TEXT,
    document   TEXT NOT NULL,          -- the answer's fields, as JSON
    created    TEXT NOT NULL
);
CREATE INDEX generic_documents_entity ON generic_documents(entity, account_id);
