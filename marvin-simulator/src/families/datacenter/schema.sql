-- Datacenter: zones and their physical networks (traffic types, service
-- providers, guest VLANs), pods, clusters, hosts, primary and secondary
-- storage, public IP ranges and their addresses.
CREATE TABLE zones (
    seq                    INTEGER PRIMARY KEY AUTOINCREMENT,
    id                     TEXT NOT NULL UNIQUE,
    name                   TEXT NOT NULL UNIQUE,
    description            TEXT,
    network_type           TEXT NOT NULL,            -- Advanced, Basic
    dns1                   TEXT,
    dns2                   TEXT,
    internal_dns1          TEXT,
    internal_dns2          TEXT,
    ip6_dns1               TEXT,
    ip6_dns2               TEXT,
    guest_cidr             TEXT,
    network_domain         TEXT,
    domain_id              TEXT REFERENCES domains(id),  -- a zone dedicated to a domain
    security_group_enabled INTEGER NOT NULL DEFAULT 0,
    local_storage_enabled  INTEGER NOT NULL DEFAULT 0,
    allocation_state       TEXT NOT NULL DEFAULT 'Disabled',
    zone_token             TEXT NOT NULL,
    dhcp_provider          TEXT NOT NULL DEFAULT 'VirtualRouter',
    is_edge                INTEGER NOT NULL DEFAULT 0,
    created                TEXT NOT NULL
);

CREATE TABLE physical_networks (
    id                     TEXT PRIMARY KEY,
    zone_id                TEXT NOT NULL REFERENCES zones(id),
    name                   TEXT NOT NULL,
    vlan                   TEXT,                     -- guest VLAN ranges, '100-199,300-310'
    isolation_methods      TEXT NOT NULL DEFAULT 'VLAN',
    broadcast_domain_range TEXT NOT NULL DEFAULT 'ZONE',
    network_speed          TEXT,
    tags                   TEXT,
    state                  TEXT NOT NULL DEFAULT 'Disabled',
    domain_id              TEXT,
    created                TEXT NOT NULL
);
CREATE INDEX physical_networks_zone ON physical_networks(zone_id);

CREATE TABLE traffic_types (
    id                  TEXT PRIMARY KEY,
    physical_network_id TEXT NOT NULL REFERENCES physical_networks(id) ON DELETE CASCADE,
    traffic_type        TEXT NOT NULL,             -- Guest, Public, Management, Storage
    kvm_label           TEXT,
    xen_label           TEXT,
    vmware_label        TEXT,
    hyperv_label        TEXT,
    ovm3_label          TEXT,
    vlan                TEXT,
    UNIQUE (physical_network_id, traffic_type)
);

CREATE TABLE network_service_providers (
    id                       TEXT PRIMARY KEY,
    physical_network_id      TEXT NOT NULL REFERENCES physical_networks(id) ON DELETE CASCADE,
    name                     TEXT NOT NULL,        -- VirtualRouter, VpcVirtualRouter, ...
    state                    TEXT NOT NULL DEFAULT 'Disabled',
    services                 TEXT NOT NULL DEFAULT '',  -- comma list
    dest_physical_network_id TEXT,
    UNIQUE (physical_network_id, name)
);

-- The VirtualRouter / VpcVirtualRouter elements of a provider
-- (listVirtualRouterElements, configureVirtualRouterElement).
CREATE TABLE virtual_router_elements (
    id      TEXT PRIMARY KEY,
    nsp_id  TEXT NOT NULL REFERENCES network_service_providers(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,                          -- VirtualRouter, VPCVirtualRouter
    enabled INTEGER NOT NULL DEFAULT 0
);

-- One row per guest VLAN of a physical network; a network takes one by
-- setting account_id/network_id/taken.
CREATE TABLE guest_vnets (
    physical_network_id TEXT NOT NULL REFERENCES physical_networks(id) ON DELETE CASCADE,
    zone_id             TEXT NOT NULL,
    vnet                INTEGER NOT NULL,
    account_id          TEXT,
    network_id          TEXT,
    taken               TEXT,
    PRIMARY KEY (physical_network_id, vnet)
);

CREATE TABLE pods (
    id               TEXT PRIMARY KEY,
    zone_id          TEXT NOT NULL REFERENCES zones(id),
    name             TEXT NOT NULL,
    gateway          TEXT NOT NULL,
    netmask          TEXT NOT NULL,
    cidr             TEXT NOT NULL,
    start_ip         TEXT NOT NULL,
    end_ip           TEXT NOT NULL,
    allocation_state TEXT NOT NULL DEFAULT 'Enabled',
    created          TEXT NOT NULL,
    UNIQUE (zone_id, name)
);

CREATE TABLE clusters (
    id                TEXT PRIMARY KEY,
    zone_id           TEXT NOT NULL REFERENCES zones(id),
    pod_id            TEXT NOT NULL REFERENCES pods(id),
    name              TEXT NOT NULL,
    hypervisor        TEXT NOT NULL,
    cluster_type      TEXT NOT NULL DEFAULT 'CloudManaged',
    allocation_state  TEXT NOT NULL DEFAULT 'Enabled',
    managed_state     TEXT NOT NULL DEFAULT 'Managed',
    cpu_overcommit    TEXT NOT NULL DEFAULT '1.0',
    memory_overcommit TEXT NOT NULL DEFAULT '1.0',
    created           TEXT NOT NULL,
    UNIQUE (pod_id, name)
);

-- Hosts with their capacity: cpu_allocated (MHz) and memory_allocated
-- (bytes) are what placed VMs use; the compute family keeps them current.
CREATE TABLE hosts (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    zone_id          TEXT NOT NULL REFERENCES zones(id),
    pod_id           TEXT NOT NULL REFERENCES pods(id),
    cluster_id       TEXT NOT NULL REFERENCES clusters(id),
    hypervisor       TEXT NOT NULL,
    type             TEXT NOT NULL DEFAULT 'Routing',
    state            TEXT NOT NULL DEFAULT 'Up',
    resource_state   TEXT NOT NULL DEFAULT 'Enabled',  -- Enabled, Disabled, PrepareForMaintenance, Maintenance
    ip_address       TEXT NOT NULL,
    url              TEXT NOT NULL,
    cpu_number       INTEGER NOT NULL,
    cpu_speed        INTEGER NOT NULL,                 -- MHz per core
    memory_total     INTEGER NOT NULL,                 -- bytes
    cpu_allocated    INTEGER NOT NULL DEFAULT 0,       -- MHz
    memory_allocated INTEGER NOT NULL DEFAULT 0,       -- bytes
    local_storage    INTEGER NOT NULL DEFAULT 0,       -- bytes
    host_tags        TEXT,
    guid             TEXT NOT NULL,
    version          TEXT NOT NULL,
    created          TEXT NOT NULL,
    last_pinged      TEXT NOT NULL
);
CREATE INDEX hosts_cluster ON hosts(cluster_id);

CREATE TABLE storage_pools (
    id              TEXT PRIMARY KEY,
    zone_id         TEXT NOT NULL REFERENCES zones(id),
    pod_id          TEXT REFERENCES pods(id),
    cluster_id      TEXT REFERENCES clusters(id),
    name            TEXT NOT NULL,
    url             TEXT NOT NULL,
    path            TEXT NOT NULL,
    ip_address      TEXT NOT NULL,
    scope           TEXT NOT NULL,                    -- CLUSTER, ZONE
    type            TEXT NOT NULL,                    -- NetworkFilesystem, ...
    provider        TEXT NOT NULL DEFAULT 'DefaultPrimary',
    hypervisor      TEXT,
    capacity_bytes  INTEGER NOT NULL,
    allocated_bytes INTEGER NOT NULL DEFAULT 0,       -- the volumes family keeps it current
    used_bytes      INTEGER NOT NULL DEFAULT 0,
    tags            TEXT,
    state           TEXT NOT NULL DEFAULT 'Up',
    created         TEXT NOT NULL
);

CREATE TABLE image_stores (
    id       TEXT PRIMARY KEY,
    zone_id  TEXT REFERENCES zones(id),
    name     TEXT NOT NULL,
    url      TEXT,
    protocol TEXT,
    provider TEXT NOT NULL,
    scope    TEXT NOT NULL,
    readonly INTEGER NOT NULL DEFAULT 0,
    created  TEXT NOT NULL
);

-- IP ranges (createVlanIpRange). account_id/domain_id dedicate a range.
CREATE TABLE vlans (
    id                  TEXT PRIMARY KEY,
    zone_id             TEXT NOT NULL REFERENCES zones(id),
    pod_id              TEXT,
    physical_network_id TEXT,
    network_id          TEXT,
    vlan_tag            TEXT NOT NULL,                -- vlan://50, vlan://untagged
    gateway             TEXT NOT NULL,
    netmask             TEXT NOT NULL,
    cidr                TEXT NOT NULL,
    start_ip            TEXT NOT NULL,
    end_ip              TEXT NOT NULL,
    for_virtual_network INTEGER NOT NULL DEFAULT 1,
    for_system_vms      INTEGER NOT NULL DEFAULT 0,
    account_id          TEXT,
    domain_id           TEXT,
    created             TEXT NOT NULL,
    -- The IPv6 part of a dual-stack range, as given.
    ip6_gateway         TEXT,
    ip6_cidr            TEXT,
    start_ipv6          TEXT,
    end_ipv6            TEXT
);

-- Storage network address ranges of pods (createStorageNetworkIpRange);
-- network_id is the zone's Storage traffic type.
CREATE TABLE storage_network_ranges (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    zone_id    TEXT NOT NULL,
    pod_id     TEXT NOT NULL REFERENCES pods(id) ON DELETE CASCADE,
    network_id TEXT NOT NULL,
    start_ip   TEXT NOT NULL,
    end_ip     TEXT NOT NULL,
    gateway    TEXT NOT NULL,
    netmask    TEXT NOT NULL,
    vlan       INTEGER,
    created    TEXT NOT NULL
);

-- Deleting an account gives back the host capacity of its running VMs and
-- the primary storage its volumes used (these rules run before the VMs'
-- and volumes' rows go), and its ranges and VLANs; disabling it gives
-- back the host capacity of the VMs it stops. Each rule reads the other
-- family's published view.
INSERT INTO account_cleanup (event, table_name, statement) VALUES
    ('delete', 'hosts',
     'UPDATE hosts SET
          cpu_allocated = max(0, cpu_allocated - (SELECT COALESCE(SUM(v.cpu_number * v.cpu_speed), 0) FROM compute_vms v
              WHERE v.host_id = hosts.id AND v.account_id = ?1 AND v.state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping''))),
          memory_allocated = max(0, memory_allocated - (SELECT COALESCE(SUM(v.memory), 0) * 1048576 FROM compute_vms v
              WHERE v.host_id = hosts.id AND v.account_id = ?1 AND v.state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping'')))
      WHERE id IN (SELECT host_id FROM compute_vms WHERE account_id = ?1 AND host_id IS NOT NULL)'),
    ('disable', 'hosts',
     'UPDATE hosts SET
          cpu_allocated = max(0, cpu_allocated - (SELECT COALESCE(SUM(v.cpu_number * v.cpu_speed), 0) FROM compute_vms v
              WHERE v.host_id = hosts.id AND v.account_id = ?1 AND v.state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping''))),
          memory_allocated = max(0, memory_allocated - (SELECT COALESCE(SUM(v.memory), 0) * 1048576 FROM compute_vms v
              WHERE v.host_id = hosts.id AND v.account_id = ?1 AND v.state IN (''Starting'', ''Running'', ''Migrating'', ''Stopping'')))
      WHERE id IN (SELECT host_id FROM compute_vms WHERE account_id = ?1 AND host_id IS NOT NULL)'),
    ('delete', 'storage_pools',
     'UPDATE storage_pools SET allocated_bytes = max(0, allocated_bytes - (SELECT COALESCE(SUM(v.size), 0)
          FROM storage_volumes v WHERE v.pool_id = storage_pools.id AND v.account_id = ?1))
      WHERE id IN (SELECT pool_id FROM storage_volumes WHERE account_id = ?1 AND pool_id IS NOT NULL)');
INSERT INTO account_cleanup (table_name, statement) VALUES
    ('vlans', 'UPDATE vlans SET account_id = NULL, domain_id = NULL WHERE account_id = ?1'),
    ('guest_vnets', 'UPDATE guest_vnets SET account_id = NULL, network_id = NULL, taken = NULL WHERE account_id = ?1');

-- What other families may read of this one (`api::VIEWS`): one table each,
-- under the owner's name, with stable columns.
CREATE VIEW datacenter_zones AS
    SELECT seq, id, name, description, network_type, dns1, dns2, internal_dns1,
           internal_dns2, ip6_dns1, ip6_dns2, guest_cidr, network_domain, domain_id,
           security_group_enabled, local_storage_enabled, allocation_state, zone_token,
           dhcp_provider, is_edge, created
    FROM zones;
CREATE VIEW datacenter_hosts AS
    SELECT seq, id, name, zone_id, pod_id, cluster_id, hypervisor, type, state,
           resource_state, ip_address, url, cpu_number, cpu_speed, memory_total,
           cpu_allocated, memory_allocated, local_storage, host_tags, guid, version,
           created, last_pinged
    FROM hosts;
CREATE VIEW datacenter_pods AS
    SELECT id, zone_id, name, gateway, netmask, cidr, start_ip, end_ip, allocation_state,
           created
    FROM pods;
CREATE VIEW datacenter_clusters AS
    SELECT id, zone_id, pod_id, name, hypervisor, cluster_type, allocation_state,
           managed_state, cpu_overcommit, memory_overcommit, created
    FROM clusters;
CREATE VIEW datacenter_storage_pools AS
    SELECT rowid, id, zone_id, pod_id, cluster_id, name, url, path, ip_address, scope, type,
           provider, hypervisor, capacity_bytes, allocated_bytes, used_bytes, tags, state,
           created
    FROM storage_pools;
CREATE VIEW datacenter_vlans AS
    SELECT id, zone_id, pod_id, physical_network_id, network_id, vlan_tag, gateway,
           netmask, cidr, start_ip, end_ip, for_virtual_network, for_system_vms,
           account_id, domain_id, created
    FROM vlans;
CREATE VIEW datacenter_guest_vnets AS
    SELECT physical_network_id, zone_id, vnet, account_id, network_id, taken
    FROM guest_vnets;
CREATE VIEW datacenter_physical_networks AS
    SELECT id, zone_id, name, vlan, isolation_methods, broadcast_domain_range,
           network_speed, tags, state, domain_id, created
    FROM physical_networks;
CREATE VIEW datacenter_traffic_types AS
    SELECT id, physical_network_id, traffic_type, kvm_label, xen_label, vmware_label,
           hyperv_label, ovm3_label, vlan
    FROM traffic_types;
CREATE VIEW datacenter_image_stores AS
    SELECT id, zone_id, name, url, protocol, provider, scope, readonly, created
    FROM image_stores;
