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
    delete_protection INTEGER NOT NULL DEFAULT 0,   -- updateVolume deleteprotection
    path              TEXT,
    created           TEXT NOT NULL,
    attached          TEXT,
    system_vm         INTEGER NOT NULL DEFAULT 0    -- the ROOT volume of a system VM (listsystemvms)
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

-- What other families may read of this one (`api::VIEWS`): one table each,
-- under the owner's name, with stable columns.
CREATE VIEW storage_volumes AS
    SELECT id, seq, name, account_id, domain_id, zone_id, pod_id, pool_id, vm_id,
           device_id, volume_type, state, size, disk_offering_id, template_id, snapshot_id,
           provisioning_type, min_iops, max_iops, display_volume, path, created, attached
    FROM volumes;
CREATE VIEW storage_vm_snapshots AS
    SELECT seq, id, name, display_name, description, vm_id, account_id, domain_id, zone_id,
           type, state, current, parent_id, service_offering_id, created
    FROM vm_snapshots;
CREATE VIEW storage_snapshots AS
    SELECT seq, id, name, account_id, domain_id, zone_id, volume_id, volume_name,
           volume_type, volume_size, disk_offering_id, snapshot_type, interval_type, state,
           physical_size, policy_id, location_type, created
    FROM snapshots;

-- The VMs a pool's maintenance stopped (CloudStack's storage_pool_work):
-- cancelling the maintenance starts them again.
CREATE TABLE storage_pool_work (
    pool_id TEXT NOT NULL,
    vm_id   TEXT NOT NULL,
    PRIMARY KEY (pool_id, vm_id)
);

-- Read by the tags family, which checks who owns a tagged resource.
CREATE VIEW storage_snapshot_policies AS
    SELECT id, volume_id, account_id, domain_id FROM snapshot_policies;
