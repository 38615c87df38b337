-- Projects: each project owns its resources through its own account
-- (account_type 5, named PrjAcct-<name>-<seq>); project_accounts lists the
-- member accounts (role Admin or Regular), project_invitations the pending
-- invitations.
CREATE TABLE projects (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    display_text TEXT,
    account_id   TEXT NOT NULL UNIQUE,               -- the project's own account
    domain_id    TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'Active',     -- Active, Suspended, Disabled
    created      TEXT NOT NULL
);
CREATE INDEX projects_domain ON projects(domain_id);

CREATE TABLE project_accounts (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    user_id    TEXT,
    role       TEXT NOT NULL DEFAULT 'Regular',      -- Admin, Regular
    created    TEXT NOT NULL,
    PRIMARY KEY (project_id, account_id)
);
CREATE INDEX project_accounts_account ON project_accounts(account_id);

CREATE TABLE project_invitations (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    account_id TEXT,
    domain_id  TEXT NOT NULL,
    email      TEXT,
    token      TEXT,
    state      TEXT NOT NULL DEFAULT 'Pending',      -- Pending, Completed, Declined, Expired
    created    TEXT NOT NULL
);
