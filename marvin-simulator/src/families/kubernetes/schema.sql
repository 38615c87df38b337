-- Kubernetes supported versions (addKubernetesSupportedVersion ...): the
-- versions clusters may run, each with the URL of its binaries ISO.
CREATE TABLE kubernetes_versions (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    semantic_version TEXT NOT NULL,
    zone_id         TEXT,                          -- NULL: every zone
    iso_url         TEXT NOT NULL,
    direct_download INTEGER NOT NULL DEFAULT 0,
    min_cpu         INTEGER NOT NULL,
    min_memory      INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'Enabled', -- Enabled, Disabled
    created         TEXT NOT NULL
);

-- Kubernetes clusters (createKubernetesCluster ...): the owner's nodes run
-- the version on the offering, in the network (made for the cluster when
-- network_cleanup).
CREATE TABLE kubernetes_clusters (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    description         TEXT,
    zone_id             TEXT NOT NULL,
    version_id          TEXT NOT NULL,
    service_offering_id TEXT NOT NULL,
    network_id          TEXT NOT NULL,
    network_cleanup     INTEGER NOT NULL DEFAULT 0,
    account_id          TEXT NOT NULL,
    domain_id           TEXT NOT NULL,
    control_nodes       INTEGER NOT NULL,
    size                INTEGER NOT NULL,
    cores               INTEGER NOT NULL DEFAULT 0,
    memory              INTEGER NOT NULL DEFAULT 0,
    keypair             TEXT,
    -- Created, Starting, Running, Stopping, Stopped, Scaling, Upgrading,
    -- Destroying, Error (KubernetesCluster.State)
    state               TEXT NOT NULL,
    endpoint            TEXT,
    created             TEXT NOT NULL
);

-- The VMs of each cluster (kubernetes_cluster_vm_map).
CREATE TABLE kubernetes_cluster_vms (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id TEXT NOT NULL,
    vm_id      TEXT NOT NULL,
    name       TEXT NOT NULL,
    control    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (cluster_id, vm_id)
);

-- Deleting an account removes its clusters' node maps (the generic DELETE
-- of its rows then removes its clusters, as its VMs).
INSERT INTO account_cleanup (event, table_name, statement) VALUES
    ('delete', 'kubernetes_cluster_vms',
     'DELETE FROM kubernetes_cluster_vms WHERE cluster_id IN (SELECT id FROM kubernetes_clusters WHERE account_id = ?1)');
