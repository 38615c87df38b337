-- Identity: domains, roles, accounts, users. Other families reference
-- accounts(id) as the owner of their resources, and authentication reads
-- users/accounts/domains directly, so these columns are a shared contract.
CREATE TABLE domains (
    id             TEXT PRIMARY KEY,            -- uuid
    name           TEXT NOT NULL,
    parent_id      TEXT REFERENCES domains(id),
    path           TEXT NOT NULL,               -- '/' for ROOT, '/a/b/' below
    level          INTEGER NOT NULL,            -- ROOT is 0
    state          TEXT NOT NULL DEFAULT 'Active',
    network_domain TEXT,
    created        TEXT NOT NULL
);
CREATE UNIQUE INDEX domains_name_in_parent ON domains(parent_id, name);
CREATE INDEX domains_path ON domains(path);

CREATE TABLE roles (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role_type   TEXT NOT NULL,                  -- Admin, ResourceAdmin, DomainAdmin, User
    description TEXT NOT NULL DEFAULT '',
    is_default  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE accounts (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT, -- the numeric id CloudStack shows in names
    id             TEXT NOT NULL UNIQUE,        -- uuid
    name           TEXT NOT NULL,
    account_type   INTEGER NOT NULL,            -- 0 user, 1 root admin, 2 domain admin, ...
    role_id        TEXT NOT NULL REFERENCES roles(id),
    domain_id      TEXT NOT NULL REFERENCES domains(id),
    state          TEXT NOT NULL DEFAULT 'enabled', -- enabled, disabled, locked
    network_domain TEXT,
    created        TEXT NOT NULL
);
CREATE UNIQUE INDEX accounts_name_in_domain ON accounts(domain_id, name);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,                -- uuid
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    username   TEXT NOT NULL,
    password   TEXT NOT NULL,                   -- stored as given; never sent back
    firstname  TEXT NOT NULL DEFAULT '',
    lastname   TEXT NOT NULL DEFAULT '',
    email      TEXT,
    timezone   TEXT,
    api_key    TEXT UNIQUE,
    secret_key TEXT,
    state      TEXT NOT NULL DEFAULT 'enabled', -- enabled, disabled, locked
    is_default INTEGER NOT NULL DEFAULT 0,
    created    TEXT NOT NULL
);
CREATE INDEX users_account ON users(account_id);
CREATE INDEX users_username ON users(username);
