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

-- deleteAccount refuses an account that is Admin of a project
-- (AccountManagerImpl.deleteUserAccount, the 4.21 text).
INSERT INTO account_cleanup (event, table_name, statement) VALUES
    ('refuse', 'project_accounts',
     'SELECT ''Unable to delete account ['' || ?1 || ''], because it manages the following project(s): [''
             || group_concat(project_id, '', '') || '']. Please, remove the account from these projects or demote it to a regular project role first.''
      FROM (SELECT pa.project_id FROM project_accounts pa JOIN projects p ON p.id = pa.project_id
            WHERE pa.account_id = ?1 AND pa.role = ''Admin'' ORDER BY p.seq)
      HAVING count(*) > 0');

-- The project part of the kernel's directory (src/kernel/directory.rs):
-- which account stands for which project, and who its members are, so that
-- the kernel's access check lets a member act on the project's resources.
CREATE VIEW directory_projects AS
    SELECT id, account_id FROM projects;
CREATE VIEW directory_project_members AS
    SELECT project_id, account_id, user_id, role FROM project_accounts;

-- What other families may read of this one (`api::VIEWS`): one table each,
-- under the owner's name, with stable columns.
CREATE VIEW projects_projects AS
    SELECT seq, id, name, display_text, account_id, domain_id, state, created
    FROM projects;
CREATE VIEW projects_project_accounts AS
    SELECT project_id, account_id, user_id, role, created
    FROM project_accounts;
