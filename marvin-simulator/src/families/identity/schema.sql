-- Identity: domains, roles, accounts, users. Other families reference
-- accounts(id) as the owner of their resources; the kernel reads these
-- tables only through the directory views at the end of this file.
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
    is_default  INTEGER NOT NULL DEFAULT 0,
    is_public   INTEGER NOT NULL DEFAULT 1,      -- added: listRoles ispublic
    state       TEXT NOT NULL DEFAULT 'ENABLED'  -- added: ENABLED, DISABLED
);

CREATE TABLE accounts (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT, -- the numeric id CloudStack shows in names
    id             TEXT NOT NULL UNIQUE,        -- uuid
    -- Compared without case, as CloudStack's MySQL collation compares it:
    -- duplicate checks, name filters and logins alike.
    name           TEXT NOT NULL COLLATE NOCASE,
    account_type   INTEGER NOT NULL,            -- 0 user, 1 root admin, 2 domain admin, ...
    role_id        TEXT NOT NULL REFERENCES roles(id),
    domain_id      TEXT NOT NULL REFERENCES domains(id),
    state          TEXT NOT NULL DEFAULT 'enabled', -- enabled, disabled, locked
    network_domain TEXT,
    created        TEXT NOT NULL,
    is_default     INTEGER NOT NULL DEFAULT 0   -- the system and admin accounts
);
CREATE UNIQUE INDEX accounts_name_in_domain ON accounts(domain_id, name);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,                -- uuid
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    username   TEXT NOT NULL COLLATE NOCASE,   -- without case, as accounts.name
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

-- Added by the identity family (everything below is new; nothing above was
-- renamed or removed).

-- accountdetails of createAccount/updateAccount.
CREATE TABLE account_details (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
);

-- Hooks run on an account's resources, in seq order, with the account's
-- uuid as ?1. Families add their rows in their own schema.sql.
-- event 'delete' (deleteAccount): every table with an account_id column
--   loses the account's rows (DELETE), unless a rule names the table: a rule
--   with a NULL statement keeps the rows (events); otherwise its statement
--   runs instead of the DELETE (e.g. public IPs go back to the pool). Rules
--   run before the generic deletes.
-- event 'disable' (disableAccount with lock=false): statements that stop the
--   account's VMs and routers; table_name is informative.
CREATE TABLE account_cleanup (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    event      TEXT NOT NULL DEFAULT 'delete',
    table_name TEXT NOT NULL,
    statement  TEXT
);
-- The kernel's events and async jobs outlive their account, as in CloudStack.
INSERT INTO account_cleanup (table_name, statement) VALUES ('events', NULL), ('async_jobs', NULL);

-- Global settings (listConfigurations / updateConfiguration).
CREATE TABLE configurations (
    name          TEXT PRIMARY KEY,
    category      TEXT NOT NULL,
    component     TEXT NOT NULL DEFAULT 'management-server',
    value         TEXT,
    default_value TEXT,
    description   TEXT NOT NULL,
    scope         TEXT NOT NULL DEFAULT '',     -- comma list: Zone, Cluster, StoragePool, Account, Domain, ImageStore
    is_dynamic    INTEGER NOT NULL DEFAULT 1,
    type          TEXT NOT NULL,                -- Boolean, Integer, Long, Float, String
    group_name    TEXT NOT NULL DEFAULT 'Miscellaneous',
    subgroup      TEXT NOT NULL DEFAULT 'Others'
);

-- A setting's value for one zone, account, domain, ... (scope lower case).
CREATE TABLE configuration_values (
    name     TEXT NOT NULL REFERENCES configurations(name),
    scope    TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    value    TEXT,
    PRIMARY KEY (name, scope, scope_id)
);

-- Resource limits and counts per account or domain (owner_id), by
-- CloudStack's resource type number (0 user_vm ... 11 secondary_storage).
-- A missing limit row means the max.account.* / max.domain.* default; -1 is
-- unlimited. Families that reserve resources keep resource_counts current.
CREATE TABLE resource_limits (
    owner_id      TEXT NOT NULL,
    resource_type INTEGER NOT NULL,
    max           INTEGER NOT NULL,
    PRIMARY KEY (owner_id, resource_type)
);
CREATE TABLE resource_counts (
    owner_id      TEXT NOT NULL,
    resource_type INTEGER NOT NULL,
    count         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, resource_type)
);
CREATE INDEX resource_counts_type ON resource_counts(resource_type);

-- Deleting an account takes its counts off its domains' counts
-- (cleanup.rs then drops the account's own rows).
INSERT INTO account_cleanup (event, table_name, statement) VALUES
    ('delete', 'resource_counts',
     'UPDATE resource_counts SET count = max(0, count - COALESCE((SELECT c.count FROM resource_counts c
          WHERE c.owner_id = ?1 AND c.resource_type = resource_counts.resource_type), 0))
      WHERE owner_id IN (WITH RECURSIVE chain(id) AS (
          SELECT domain_id FROM accounts WHERE id = ?1
          UNION SELECT d.parent_id FROM domains d JOIN chain ON d.id = chain.id WHERE d.parent_id IS NOT NULL)
        SELECT id FROM chain)');

-- The directory the kernel reads to know who calls and what an account or
-- a domain covers (authentication, list scopes): src/kernel/directory.rs
-- names these views and their columns, and the kernel reads nothing else of
-- this family's tables.
CREATE VIEW directory_users AS
    SELECT id AS user_id, username, api_key, secret_key, state AS user_state, created AS user_created,
           account_id
    FROM users;
CREATE VIEW directory_accounts AS
    SELECT id, name, domain_id, account_type, state, seq, role_id FROM accounts;
CREATE VIEW directory_domains AS
    SELECT id, name, path, parent_id FROM domains;
CREATE VIEW directory_roles AS
    SELECT id, role_type FROM roles;

-- The rules of a custom role (createRolePermission ...): checked in
-- sort_order, the first whose rule (an API name, `*` a wildcard) matches
-- decides. Default roles have none and keep their types' API sets.
CREATE TABLE role_permissions (
    id          TEXT PRIMARY KEY,
    role_id     TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    rule        TEXT NOT NULL,
    permission  TEXT NOT NULL,                 -- allow, deny
    description TEXT,
    sort_order  INTEGER NOT NULL
);
CREATE UNIQUE INDEX role_permissions_rule ON role_permissions(role_id, rule);
CREATE INDEX role_permissions_order ON role_permissions(role_id, sort_order);
CREATE VIEW directory_role_rules AS
    SELECT role_id, rule, permission, sort_order FROM role_permissions;

-- What other families may read of this one (`api::VIEWS`): one table each,
-- under the owner's name, with stable columns.
CREATE VIEW identity_accounts AS
    SELECT seq, id, name, account_type, role_id, domain_id, state, network_domain, created,
           is_default
    FROM accounts;
CREATE VIEW identity_domains AS
    SELECT id, name, parent_id, path, level, state, network_domain, created
    FROM domains;
CREATE VIEW identity_users AS
    SELECT id, account_id, username, firstname, lastname, email, timezone, state,
           is_default, created
    FROM users;
CREATE VIEW identity_configurations AS
    SELECT name, category, component, value, default_value, description, scope, is_dynamic,
           type, group_name, subgroup
    FROM configurations;
CREATE VIEW identity_configuration_values AS
    SELECT name, scope, scope_id, value
    FROM configuration_values;
CREATE VIEW identity_resource_limits AS
    SELECT owner_id, resource_type, max
    FROM resource_limits;
CREATE VIEW identity_resource_counts AS
    SELECT owner_id, resource_type, count
    FROM resource_counts;
