-- Storage: volumes, volume snapshots and their policies, VM snapshots.
-- Templates made from volumes and snapshots go to the templates family's
-- table.

-- A volume is on primary storage (pool_id set, counted in the pool's
-- allocated_bytes) from the moment it is created there: a ROOT volume when
-- its VM first starts, a data volume when it is first attached. Until then
-- it is Allocated with no pool.
CREATE TABLE volumes (
    id                TEXT PRIMARY KEY,
    seq               INTEGER NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    account_id        TEXT NOT NULL,
    domain_id         TEXT NOT NULL,
    zone_id           TEXT NOT NULL,
    pod_id            TEXT,
    pool_id           TEXT,
    vm_id             TEXT,
    device_id         INTEGER,
    volume_type       TEXT NOT NULL,                -- ROOT, DATADISK
    state             TEXT NOT NULL,                -- Allocated, Ready, Destroy, Migrating, ...
    size              INTEGER NOT NULL,             -- bytes
    disk_offering_id  TEXT,
    template_id       TEXT,
    snapshot_id       TEXT,                         -- created from this snapshot
    provisioning_type TEXT NOT NULL DEFAULT 'thin',
    min_iops          INTEGER,
    max_iops          INTEGER,
    display_volume    INTEGER NOT NULL DEFAULT 1,
    path              TEXT,
    created           TEXT NOT NULL,
    attached          TEXT
);
CREATE INDEX volumes_account ON volumes(account_id, seq);
CREATE INDEX volumes_vm ON volumes(vm_id);
CREATE INDEX volumes_pool ON volumes(pool_id);
CREATE INDEX volumes_zone ON volumes(zone_id);

CREATE TABLE snapshot_policies (
    id            TEXT PRIMARY KEY,
    volume_id     TEXT NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    domain_id     TEXT NOT NULL,
    interval_type TEXT NOT NULL,                    -- HOURLY, DAILY, WEEKLY, MONTHLY
    schedule      TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    max_snaps     INTEGER NOT NULL,
    display       INTEGER NOT NULL DEFAULT 1,
    created       TEXT NOT NULL,
    UNIQUE (volume_id, interval_type)
);

-- Snapshots outlive their volume (volume_id may name a deleted volume).
CREATE TABLE snapshots (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    domain_id     TEXT NOT NULL,
    zone_id       TEXT NOT NULL,
    volume_id     TEXT NOT NULL,
    volume_name   TEXT NOT NULL,
    volume_type   TEXT NOT NULL,
    volume_size   INTEGER NOT NULL,
    disk_offering_id TEXT,
    snapshot_type TEXT NOT NULL,                    -- MANUAL, HOURLY, DAILY, ...
    interval_type TEXT NOT NULL,                    -- MANUAL, HOURLY, ...
    state         TEXT NOT NULL,                    -- Allocated, BackingUp, BackedUp, Destroyed, Error
    physical_size INTEGER NOT NULL,
    policy_id     TEXT,
    location_type TEXT,
    created       TEXT NOT NULL
);
CREATE INDEX snapshots_account ON snapshots(account_id, seq);
CREATE INDEX snapshots_volume ON snapshots(volume_id);

CREATE TABLE vm_snapshots (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description  TEXT,
    vm_id        TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    domain_id    TEXT NOT NULL,
    zone_id      TEXT NOT NULL,
    type         TEXT NOT NULL,                     -- Disk, DiskAndMemory
    state        TEXT NOT NULL,                     -- Allocated, Creating, Ready, Reverting, Expunging, Error
    current      INTEGER NOT NULL DEFAULT 0,
    parent_id    TEXT,
    service_offering_id TEXT,
    created      TEXT NOT NULL
);
CREATE INDEX vm_snapshots_vm ON vm_snapshots(vm_id);
CREATE INDEX vm_snapshots_account ON vm_snapshots(account_id);

-- Deleting an account gives back the primary storage its volumes used.
INSERT INTO account_cleanup (event, table_name, statement) VALUES
    ('delete', 'storage_pools',
     'UPDATE storage_pools SET allocated_bytes = max(0, allocated_bytes - (SELECT COALESCE(SUM(v.size), 0)
          FROM volumes v WHERE v.pool_id = storage_pools.id AND v.account_id = ?1))
      WHERE id IN (SELECT pool_id FROM volumes WHERE account_id = ?1 AND pool_id IS NOT NULL)');
