-- System VMs: each zone's secondary storage VM and console proxy, made
-- once the zone can run them (api.rs `provision`).
CREATE TABLE system_vms (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    vm_type           TEXT NOT NULL,                -- secondarystoragevm, consoleproxy
    zone_id           TEXT NOT NULL,
    pod_id            TEXT NOT NULL,
    host_id           TEXT NOT NULL,
    hypervisor        TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'Running',
    private_ip        TEXT,
    private_mac       TEXT NOT NULL,
    link_local_ip     TEXT NOT NULL,
    link_local_mac    TEXT NOT NULL,
    created           TEXT NOT NULL
);
CREATE INDEX system_vms_zone ON system_vms(zone_id, seq);
