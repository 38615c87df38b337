-- Compute: user VMs, SSH key pairs, affinity groups, instance groups and
-- registered user data. NICs belong to the network family (nics.vm_id).

-- Numeric ids that must never be reused (a VM's seq appears in its
-- instance name i-<account seq>-<vm seq>-VM).
CREATE TABLE compute_sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- User VMs. state is one of Starting, Running, Stopping, Stopped, Destroyed,
-- Expunging, Migrating, Error; an expunged VM's row is deleted. While a VM
-- is Starting or Running (or Migrating) host_id names its host, whose
-- cpu_allocated/memory_allocated include cpu_number * cpu_speed MHz and
-- memory MiB of this VM.
CREATE TABLE vms (
    id                  TEXT PRIMARY KEY,
    seq                 INTEGER NOT NULL UNIQUE,
    name                TEXT NOT NULL,               -- the host name
    display_name        TEXT,
    instance_name       TEXT NOT NULL,
    account_id          TEXT NOT NULL,
    domain_id           TEXT NOT NULL,
    user_id             TEXT,                        -- the user that deployed it
    zone_id             TEXT NOT NULL,
    pod_id              TEXT,
    host_id             TEXT,
    last_host_id        TEXT,
    template_id         TEXT,
    iso_id              TEXT,
    service_offering_id TEXT,
    disk_offering_id    TEXT,                        -- the data disk offering given at deploy
    hypervisor          TEXT NOT NULL DEFAULT 'Simulator',
    cpu_number          INTEGER NOT NULL,
    cpu_speed           INTEGER NOT NULL,            -- MHz
    memory              INTEGER NOT NULL,            -- MiB
    state               TEXT NOT NULL,
    group_id            TEXT,
    ha_enable           INTEGER NOT NULL DEFAULT 0,
    display_vm          INTEGER NOT NULL DEFAULT 1,
    dynamically_scalable INTEGER NOT NULL DEFAULT 0,
    keypairs            TEXT,                        -- comma-joined key pair names
    user_data           TEXT,                        -- base64
    user_data_id        TEXT,
    details             TEXT NOT NULL DEFAULT '{}',  -- JSON object
    boot_type           TEXT NOT NULL DEFAULT 'BIOS',
    boot_mode           TEXT NOT NULL DEFAULT 'LEGACY',
    created             TEXT NOT NULL,
    last_updated        TEXT
);
CREATE INDEX vms_account ON vms(account_id, seq);
CREATE INDEX vms_zone ON vms(zone_id, seq);
CREATE INDEX vms_host ON vms(host_id);
CREATE INDEX vms_state ON vms(state, seq);
CREATE INDEX vms_template ON vms(template_id);
CREATE INDEX vms_offering ON vms(service_offering_id);
CREATE INDEX vms_group ON vms(group_id);
CREATE INDEX vms_name ON vms(name);

CREATE TABLE ssh_keypairs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    domain_id   TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created     TEXT NOT NULL,
    UNIQUE (account_id, name)
);
CREATE INDEX ssh_keypairs_fingerprint ON ssh_keypairs(fingerprint);

CREATE TABLE affinity_groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    type        TEXT NOT NULL,                       -- host anti-affinity, host affinity
    account_id  TEXT NOT NULL,
    domain_id   TEXT NOT NULL,
    created     TEXT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE affinity_group_vms (
    group_id TEXT NOT NULL REFERENCES affinity_groups(id) ON DELETE CASCADE,
    vm_id    TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, vm_id)
);
CREATE INDEX affinity_group_vms_vm ON affinity_group_vms(vm_id);

CREATE TABLE instance_groups (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    account_id TEXT NOT NULL,
    domain_id  TEXT NOT NULL,
    created    TEXT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE user_data (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    account_id TEXT NOT NULL,
    domain_id  TEXT NOT NULL,
    user_data  TEXT NOT NULL,                        -- base64
    params     TEXT,                                 -- comma list of variables
    created    TEXT NOT NULL,
    UNIQUE (account_id, name)
);

-- Deleting an account gives back the host capacity of its running VMs
-- (before the generic DELETE of its vms rows); disabling it stops them.
INSERT INTO account_cleanup (event, table_name, statement) VALUES
    ('delete', 'hosts',
     'UPDATE hosts SET
          cpu_allocated = max(0, cpu_allocated - (SELECT COALESCE(SUM(v.cpu_number * v.cpu_speed), 0) FROM vms v
              WHERE v.host_id = hosts.id AND v.account_id = ?1 AND v.state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping''))),
          memory_allocated = max(0, memory_allocated - (SELECT COALESCE(SUM(v.memory), 0) * 1048576 FROM vms v
              WHERE v.host_id = hosts.id AND v.account_id = ?1 AND v.state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping'')))
      WHERE id IN (SELECT host_id FROM vms WHERE account_id = ?1 AND host_id IS NOT NULL)'),
    ('delete', 'affinity_group_vms',
     'DELETE FROM affinity_group_vms WHERE vm_id IN (SELECT id FROM vms WHERE account_id = ?1)
          OR group_id IN (SELECT id FROM affinity_groups WHERE account_id = ?1)'),
    ('disable', 'hosts',
     'UPDATE hosts SET
          cpu_allocated = max(0, cpu_allocated - (SELECT COALESCE(SUM(v.cpu_number * v.cpu_speed), 0) FROM vms v
              WHERE v.host_id = hosts.id AND v.account_id = ?1 AND v.state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping''))),
          memory_allocated = max(0, memory_allocated - (SELECT COALESCE(SUM(v.memory), 0) * 1048576 FROM vms v
              WHERE v.host_id = hosts.id AND v.account_id = ?1 AND v.state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping'')))
      WHERE id IN (SELECT host_id FROM vms WHERE account_id = ?1 AND host_id IS NOT NULL)'),
    ('disable', 'vms',
     'UPDATE vms SET state = ''Stopped'', last_host_id = host_id, host_id = NULL
      WHERE account_id = ?1 AND state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping'')');
