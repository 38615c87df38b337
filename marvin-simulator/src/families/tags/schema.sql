-- Resource tags (createTags / deleteTags / listTags): key/value pairs on
-- any taggable resource, owned by the resource's owner.
CREATE TABLE resource_tags (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    key           TEXT NOT NULL,
    value         TEXT NOT NULL,
    resource_type TEXT NOT NULL,                    -- UserVm, Volume, Network, ...
    resource_id   TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    domain_id     TEXT NOT NULL,
    customer      TEXT,
    created       TEXT NOT NULL,
    UNIQUE (resource_type, resource_id, key)
);
CREATE INDEX resource_tags_resource ON resource_tags(resource_id);
CREATE INDEX resource_tags_key ON resource_tags(resource_type, key, value);
CREATE INDEX resource_tags_account ON resource_tags(account_id);

-- Resource details (addResourceDetail / listResourceDetails /
-- removeResourceDetail): key/value metadata on a resource of a type that
-- supports it, one value per key; `display` hides a detail from users'
-- views (fordisplay=false).
CREATE TABLE resource_details (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_type TEXT NOT NULL,                    -- UserVm, Volume, Zone, ...
    resource_id   TEXT NOT NULL,
    name          TEXT NOT NULL,
    value         TEXT NOT NULL,
    display       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (resource_type, resource_id, name)
);
CREATE INDEX resource_details_key ON resource_details(resource_type, name, value);
