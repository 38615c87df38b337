-- Offerings: compute (service), disk, network and VPC offerings. Deleting
-- an offering sets `removed`; resources created from it keep pointing at it.
-- domain_ids / zone_ids restrict an offering (comma lists of uuids; NULL =
-- every domain / zone).
CREATE TABLE service_offerings (
    seq                      INTEGER PRIMARY KEY AUTOINCREMENT,
    id                       TEXT NOT NULL UNIQUE,
    name                     TEXT NOT NULL,
    display_text             TEXT NOT NULL,
    cpu_number               INTEGER,              -- NULL when customized
    cpu_speed                INTEGER,              -- MHz
    memory                   INTEGER,              -- MiB
    min_cpu                  INTEGER,
    max_cpu                  INTEGER,
    min_memory               INTEGER,
    max_memory               INTEGER,
    customized               INTEGER NOT NULL DEFAULT 0,
    storage_type             TEXT NOT NULL DEFAULT 'shared',
    provisioning_type        TEXT NOT NULL DEFAULT 'thin',
    offer_ha                 INTEGER NOT NULL DEFAULT 0,
    limit_cpu_use            INTEGER NOT NULL DEFAULT 0,
    is_volatile              INTEGER NOT NULL DEFAULT 0,
    is_system                INTEGER NOT NULL DEFAULT 0,
    system_vm_type           TEXT,
    default_use              INTEGER NOT NULL DEFAULT 0,
    host_tags                TEXT,
    storage_tags             TEXT,
    network_rate             INTEGER,
    root_disk_size           INTEGER,              -- GiB
    dynamic_scaling_enabled  INTEGER NOT NULL DEFAULT 1,
    encrypt_root             INTEGER NOT NULL DEFAULT 0,
    cache_mode               TEXT NOT NULL DEFAULT 'none',
    disk_offering_strictness INTEGER NOT NULL DEFAULT 0,
    state                    TEXT NOT NULL DEFAULT 'Active',
    domain_ids               TEXT,
    zone_ids                 TEXT,
    sort_key                 INTEGER NOT NULL DEFAULT 0,
    details                  TEXT,                 -- JSON object (serviceofferingdetails)
    -- disk I/O throttling (offerings/io.rs), NULL when not set
    bytes_read_rate INTEGER, bytes_read_rate_max INTEGER, bytes_read_rate_max_length INTEGER,
    bytes_write_rate INTEGER, bytes_write_rate_max INTEGER, bytes_write_rate_max_length INTEGER,
    iops_read_rate INTEGER, iops_read_rate_max INTEGER, iops_read_rate_max_length INTEGER,
    iops_write_rate INTEGER, iops_write_rate_max INTEGER, iops_write_rate_max_length INTEGER,
    created                  TEXT NOT NULL,
    removed                  TEXT
);

CREATE TABLE disk_offerings (
    seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
    id                   TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    display_text         TEXT NOT NULL,
    disk_size            INTEGER NOT NULL DEFAULT 0,  -- GiB; 0 when customized
    customized           INTEGER NOT NULL DEFAULT 0,
    customized_iops      INTEGER NOT NULL DEFAULT 0,
    min_iops             INTEGER,
    max_iops             INTEGER,
    storage_type         TEXT NOT NULL DEFAULT 'shared',
    provisioning_type    TEXT NOT NULL DEFAULT 'thin',
    tags                 TEXT,
    display_offering     INTEGER NOT NULL DEFAULT 1,
    cache_mode           TEXT NOT NULL DEFAULT 'none',
    encrypt              INTEGER NOT NULL DEFAULT 0,
    disk_size_strictness INTEGER NOT NULL DEFAULT 0,
    state                TEXT NOT NULL DEFAULT 'Active',
    domain_ids           TEXT,
    zone_ids             TEXT,
    sort_key             INTEGER NOT NULL DEFAULT 0,
    -- disk I/O throttling (offerings/io.rs), NULL when not set
    bytes_read_rate INTEGER, bytes_read_rate_max INTEGER, bytes_read_rate_max_length INTEGER,
    bytes_write_rate INTEGER, bytes_write_rate_max INTEGER, bytes_write_rate_max_length INTEGER,
    iops_read_rate INTEGER, iops_read_rate_max INTEGER, iops_read_rate_max_length INTEGER,
    iops_write_rate INTEGER, iops_write_rate_max INTEGER, iops_write_rate_max_length INTEGER,
    created              TEXT NOT NULL,
    removed              TEXT
);

CREATE TABLE network_offerings (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    id                    TEXT NOT NULL UNIQUE,
    name                  TEXT NOT NULL,
    display_text          TEXT NOT NULL,
    guest_ip_type         TEXT NOT NULL,            -- Isolated, Shared, L2
    traffic_type          TEXT NOT NULL DEFAULT 'Guest',
    availability          TEXT NOT NULL DEFAULT 'Optional',
    state                 TEXT NOT NULL DEFAULT 'Disabled',
    specify_vlan          INTEGER NOT NULL DEFAULT 0,
    specify_ip_ranges     INTEGER NOT NULL DEFAULT 0,
    conserve_mode         INTEGER NOT NULL DEFAULT 1,
    egress_default_policy INTEGER NOT NULL DEFAULT 1,
    is_persistent         INTEGER NOT NULL DEFAULT 0,
    for_vpc               INTEGER NOT NULL DEFAULT 0,
    is_default            INTEGER NOT NULL DEFAULT 0,
    is_system             INTEGER NOT NULL DEFAULT 0,
    network_rate          INTEGER,
    max_connections       INTEGER,
    keep_alive            INTEGER NOT NULL DEFAULT 0,
    service_offering_id   TEXT,
    tags                  TEXT,
    internet_protocol     TEXT,
    network_mode          TEXT,
    routing_mode          TEXT,
    dedicated_lb          INTEGER NOT NULL DEFAULT 1,
    shared_source_nat     INTEGER NOT NULL DEFAULT 0,
    redundant_router      INTEGER NOT NULL DEFAULT 0,
    elastic_ip            INTEGER NOT NULL DEFAULT 0,
    associate_public_ip   INTEGER NOT NULL DEFAULT 0,
    elastic_lb            INTEGER NOT NULL DEFAULT 0,
    inline_mode           INTEGER NOT NULL DEFAULT 0,
    public_lb             INTEGER NOT NULL DEFAULT 0,
    internal_lb           INTEGER NOT NULL DEFAULT 0,
    stretched_l2_subnet   INTEGER NOT NULL DEFAULT 0,
    public_access         INTEGER NOT NULL DEFAULT 0,
    domain_ids            TEXT,
    zone_ids              TEXT,
    sort_key              INTEGER NOT NULL DEFAULT 0,
    details               TEXT,                     -- JSON object
    created               TEXT NOT NULL,
    removed               TEXT
);

-- The services of a network offering and who provides them (a NULL provider
-- when the offering names a service without one).
CREATE TABLE network_offering_services (
    offering_id TEXT NOT NULL REFERENCES network_offerings(id) ON DELETE CASCADE,
    service     TEXT NOT NULL,
    provider    TEXT,
    UNIQUE (offering_id, service, provider)
);

CREATE TABLE vpc_offerings (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    display_text        TEXT NOT NULL,
    state               TEXT NOT NULL DEFAULT 'Disabled',
    is_default          INTEGER NOT NULL DEFAULT 0,
    distributed_router  INTEGER NOT NULL DEFAULT 0,
    region_level_vpc    INTEGER NOT NULL DEFAULT 0,
    redundant_router    INTEGER NOT NULL DEFAULT 0,
    service_offering_id TEXT,
    internet_protocol   TEXT,
    network_mode        TEXT,
    routing_mode        TEXT,
    domain_ids          TEXT,
    zone_ids            TEXT,
    sort_key            INTEGER NOT NULL DEFAULT 0,
    created             TEXT NOT NULL,
    removed             TEXT
);

CREATE TABLE vpc_offering_services (
    offering_id TEXT NOT NULL REFERENCES vpc_offerings(id) ON DELETE CASCADE,
    service     TEXT NOT NULL,
    provider    TEXT,
    UNIQUE (offering_id, service, provider)
);

-- What other families may read of this one (`api::VIEWS`): one table each,
-- under the owner's name, with stable columns.
CREATE VIEW offerings_service_offerings AS
    SELECT seq, id, name, display_text, cpu_number, cpu_speed, memory, min_cpu, max_cpu,
           min_memory, max_memory, customized, storage_type, provisioning_type, offer_ha,
           limit_cpu_use, is_volatile, is_system, system_vm_type, default_use, host_tags,
           storage_tags, network_rate, root_disk_size, dynamic_scaling_enabled,
           encrypt_root, cache_mode, disk_offering_strictness, state, domain_ids, zone_ids,
           sort_key, details, created, removed
    FROM service_offerings;
CREATE VIEW offerings_disk_offerings AS
    SELECT seq, id, name, display_text, disk_size, customized, customized_iops, min_iops,
           max_iops, storage_type, provisioning_type, tags, display_offering, cache_mode,
           encrypt, disk_size_strictness, state, domain_ids, zone_ids, sort_key, created,
           removed
    FROM disk_offerings;
CREATE VIEW offerings_network_offerings AS
    SELECT seq, id, name, display_text, guest_ip_type, traffic_type, availability, state,
           specify_vlan, specify_ip_ranges, conserve_mode, egress_default_policy,
           is_persistent, for_vpc, is_default, is_system, network_rate, max_connections,
           keep_alive, service_offering_id, tags, internet_protocol, network_mode,
           routing_mode, dedicated_lb, shared_source_nat, redundant_router, elastic_ip,
           associate_public_ip, elastic_lb, inline_mode, public_lb, internal_lb,
           stretched_l2_subnet, public_access, domain_ids, zone_ids, sort_key, details,
           created, removed
    FROM network_offerings;
CREATE VIEW offerings_network_offering_services AS
    SELECT rowid, offering_id, service, provider
    FROM network_offering_services;
CREATE VIEW offerings_vpc_offerings AS
    SELECT seq, id, name, display_text, state, is_default, distributed_router,
           region_level_vpc, redundant_router, service_offering_id, internet_protocol,
           network_mode, routing_mode, domain_ids, zone_ids, sort_key, created, removed
    FROM vpc_offerings;
CREATE VIEW offerings_vpc_offering_services AS
    SELECT rowid, offering_id, service, provider
    FROM vpc_offering_services;
