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
    delete_protection   INTEGER NOT NULL DEFAULT 0,   -- updateVirtualMachine deleteprotection
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
    for_cks    INTEGER NOT NULL DEFAULT 0,           -- a CNI configuration (registerCniConfiguration)
    UNIQUE (account_id, name)
);

-- Deleting an account (before the generic DELETE of its vms rows) and
-- disabling it stop its VMs; the datacenter family's rules, which run
-- first, give their host capacity back.
INSERT INTO account_cleanup (event, table_name, statement) VALUES
    ('delete', 'affinity_group_vms',
     'DELETE FROM affinity_group_vms WHERE vm_id IN (SELECT id FROM vms WHERE account_id = ?1)
          OR group_id IN (SELECT id FROM affinity_groups WHERE account_id = ?1)'),
    ('disable', 'vms',
     'UPDATE vms SET state = ''Stopped'', last_host_id = host_id, host_id = NULL
      WHERE account_id = ?1 AND state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping'')');

-- What other families may read of this one (`api::VIEWS`): one table each,
-- under the owner's name, with stable columns.
CREATE VIEW compute_vms AS
    SELECT id, seq, name, display_name, instance_name, account_id, domain_id, user_id,
           zone_id, pod_id, host_id, last_host_id, template_id, iso_id,
           service_offering_id, disk_offering_id, hypervisor, cpu_number, cpu_speed,
           memory, state, group_id, ha_enable, display_vm, dynamically_scalable, keypairs,
           user_data, user_data_id, details, boot_type, boot_mode, created, last_updated
    FROM vms;

-- Read by the tags family, which checks who owns a tagged resource.
CREATE VIEW compute_affinity_groups AS SELECT id, account_id, domain_id FROM affinity_groups;

-- Registered user data (not its text): the templates family links it to
-- templates and shows its name and parameters with them.
CREATE VIEW compute_user_data AS SELECT id, name, account_id, domain_id, params FROM user_data;
