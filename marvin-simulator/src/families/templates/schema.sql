-- Templates and ISOs, with the OS types and categories they declare.
CREATE TABLE os_categories (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    is_featured INTEGER NOT NULL DEFAULT 0,
    created     TEXT NOT NULL
);

CREATE TABLE os_types (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,                   -- the description CloudStack shows
    category_id     TEXT NOT NULL REFERENCES os_categories(id),
    is_user_defined INTEGER NOT NULL DEFAULT 0,
    for_display     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX os_types_name ON os_types(name);

-- One row per template or ISO (kind). Deleting sets `removed`.
-- cross_zones templates are in every zone; the others in the zones of
-- template_zones.
CREATE TABLE templates (
    seq                     INTEGER PRIMARY KEY AUTOINCREMENT,
    id                      TEXT NOT NULL UNIQUE,
    kind                    TEXT NOT NULL,             -- template, iso
    name                    TEXT NOT NULL,
    display_text            TEXT NOT NULL,
    account_id              TEXT NOT NULL REFERENCES accounts(id),
    domain_id               TEXT NOT NULL,
    format                  TEXT NOT NULL,             -- VHD, QCOW2, ..., ISO
    hypervisor              TEXT,                      -- NULL for ISOs
    os_type_id              TEXT REFERENCES os_types(id),
    url                     TEXT,
    checksum                TEXT,
    template_type           TEXT NOT NULL DEFAULT 'USER',  -- USER, BUILTIN, SYSTEM, ROUTING
    is_public               INTEGER NOT NULL DEFAULT 0,
    is_featured             INTEGER NOT NULL DEFAULT 0,
    is_extractable          INTEGER NOT NULL DEFAULT 0,
    password_enabled        INTEGER NOT NULL DEFAULT 0,
    sshkey_enabled          INTEGER NOT NULL DEFAULT 0,
    is_dynamically_scalable INTEGER NOT NULL DEFAULT 0,
    requires_hvm            INTEGER NOT NULL DEFAULT 1,
    bootable                INTEGER NOT NULL DEFAULT 1,
    bits                    INTEGER NOT NULL DEFAULT 64,
    cross_zones             INTEGER NOT NULL DEFAULT 0,
    size                    INTEGER NOT NULL DEFAULT 0,  -- bytes
    template_tag            TEXT,
    direct_download         INTEGER NOT NULL DEFAULT 0,
    deploy_as_is            INTEGER NOT NULL DEFAULT 0,
    arch                    TEXT NOT NULL DEFAULT 'x86_64',
    details                 TEXT,                        -- JSON object
    sort_key                INTEGER NOT NULL DEFAULT 0,
    userdata_id             TEXT,                        -- linkUserDataToTemplate
    userdata_policy         TEXT,                        -- ALLOWOVERRIDE, APPEND, DENYOVERRIDE
    state                   TEXT NOT NULL DEFAULT 'Active',
    created                 TEXT NOT NULL,
    removed                 TEXT
);
CREATE INDEX templates_account ON templates(account_id);

CREATE TABLE template_zones (
    template_id TEXT NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
    zone_id     TEXT NOT NULL,
    status      TEXT NOT NULL,
    is_ready    INTEGER NOT NULL DEFAULT 1,
    created     TEXT NOT NULL,
    PRIMARY KEY (template_id, zone_id)
);

-- Deleting an account removes its templates' zone rows before the rows.
INSERT INTO account_cleanup (table_name, statement) VALUES
    ('template_zones', 'DELETE FROM template_zones WHERE template_id IN (SELECT id FROM templates WHERE account_id = ?1)');

-- What other families may read of this one (`api::VIEWS`): one table each,
-- under the owner's name, with stable columns.
CREATE VIEW templates_templates AS
    SELECT seq, id, kind, name, display_text, account_id, domain_id, format, hypervisor,
           os_type_id, url, checksum, template_type, is_public, is_featured,
           is_extractable, password_enabled, sshkey_enabled, is_dynamically_scalable,
           requires_hvm, bootable, bits, cross_zones, size, template_tag, direct_download,
           deploy_as_is, arch, details, sort_key, state, created, removed, userdata_id
    FROM templates;
CREATE VIEW templates_template_zones AS
    SELECT template_id, zone_id, status, is_ready, created
    FROM template_zones;
CREATE VIEW templates_os_types AS
    SELECT seq, id, name, category_id, is_user_defined, for_display
    FROM os_types;

-- Launch permissions (updateTemplatePermissions op=add): accounts of the
-- owner's domain a private template is shared with (listTemplates
-- templatefilter=sharedexecutable).
CREATE TABLE template_launch_permissions (
    template_id TEXT NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL,
    PRIMARY KEY (template_id, account_id)
);
CREATE INDEX template_launch_permissions_account ON template_launch_permissions(account_id);
