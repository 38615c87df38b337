-- Network: guest networks and their NICs, public IP addresses (the ranges
-- they come from are the datacenter family's `vlans`), firewall / port
-- forwarding / load balancer rules, security groups, VPCs with their ACLs,
-- private gateways and static routes, virtual routers and VPNs.
--
-- One foreign key points at another family's table: an address belongs to
-- its range (`vlans`, created before this schema) and goes with it. Keys
-- between this family's own tables cascade. Account-owned tables have an `account_id` column so that
-- deleteAccount's generic cascade removes them.

-- Public addresses (CloudStack's user_ip_address): one row per address of
-- each range of the datacenter family's `vlans`, made with the range
-- (`api::add_public_addresses`) and gone with it (the key cascades);
-- allocation sets account_id (and state).
CREATE TABLE public_ips (
    id                  TEXT PRIMARY KEY,
    vlan_id             TEXT NOT NULL REFERENCES vlans(id) ON DELETE CASCADE,
    zone_id             TEXT NOT NULL,
    physical_network_id TEXT,
    address             TEXT NOT NULL,
    address_num         INTEGER NOT NULL,
    state               TEXT NOT NULL DEFAULT 'Free',  -- Free, Allocating, Allocated, Releasing, Reserved
    account_id          TEXT,
    domain_id           TEXT,
    network_id          TEXT,
    is_source_nat       INTEGER NOT NULL DEFAULT 0,
    allocated           TEXT,
    UNIQUE (zone_id, address)
);
CREATE INDEX public_ips_free ON public_ips(zone_id, state);

-- Counters for names and MAC addresses that must never repeat.
CREATE TABLE network_sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- Guest networks. state: Allocated, Setup (given a VLAN at creation),
-- Implemented (first NIC), Shutdown (last NIC gone). account_id is NULL for
-- networks shared with a whole domain (acl_type Domain).
CREATE TABLE networks (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    display_text        TEXT NOT NULL,
    zone_id             TEXT NOT NULL,
    physical_network_id TEXT,
    network_offering_id TEXT NOT NULL,
    guest_type          TEXT NOT NULL,                  -- Isolated, Shared, L2
    state               TEXT NOT NULL,
    account_id          TEXT,
    domain_id           TEXT NOT NULL,
    acl_type            TEXT NOT NULL,                  -- Account, Domain
    subdomain_access    INTEGER,
    cidr                TEXT,
    gateway             TEXT,
    netmask             TEXT,
    vlan                TEXT,                           -- the VLAN tag while one is held
    specified_vlan      INTEGER NOT NULL DEFAULT 0,     -- given at creation: kept on shutdown
    vpc_id              TEXT,
    acl_id              TEXT,
    network_domain      TEXT,
    dns1                TEXT,
    dns2                TEXT,
    display_network     INTEGER NOT NULL DEFAULT 1,
    restart_required    INTEGER NOT NULL DEFAULT 0,
    external_id         TEXT,
    created             TEXT NOT NULL
);
CREATE INDEX networks_account ON networks(account_id, zone_id);
CREATE INDEX networks_vpc ON networks(vpc_id);

-- NICs of user VMs (the seam with compute: network/api.rs; account_id is
-- the VM's owner, so that deleteAccount removes them). Virtual routers keep
-- their addresses in `routers`.
CREATE TABLE nics (
    id          TEXT PRIMARY KEY,
    vm_id       TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    network_id  TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    ip_address  TEXT,
    netmask     TEXT,
    gateway     TEXT,
    mac_address TEXT,
    is_default  INTEGER NOT NULL,
    device_id   INTEGER NOT NULL,
    created     TEXT NOT NULL
);
CREATE INDEX nics_vm ON nics(vm_id, device_id);
CREATE UNIQUE INDEX nics_ip_in_network ON nics(network_id, ip_address);

-- Secondary addresses of NICs (addIpToNic), from the NIC's network like
-- its own address; they go with the NIC.
CREATE TABLE nic_secondary_ips (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    nic_id      TEXT NOT NULL REFERENCES nics(id) ON DELETE CASCADE,
    vm_id       TEXT NOT NULL,
    network_id  TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    domain_id   TEXT NOT NULL,
    ip_address  TEXT NOT NULL,
    created     TEXT NOT NULL,
    UNIQUE (network_id, ip_address)
);
CREATE INDEX nic_secondary_ips_vm ON nic_secondary_ips(vm_id);

-- Internal load balancers of VPC tiers (createLoadBalancer, scheme
-- Internal): a source address and port of a tier balanced over an
-- instance port. state: Add, Active.
CREATE TABLE internal_lb_rules (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    description       TEXT,
    algorithm         TEXT NOT NULL,
    network_id        TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    source_network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    source_ip         TEXT NOT NULL,
    source_port       INTEGER NOT NULL,
    instance_port     INTEGER NOT NULL,
    account_id        TEXT NOT NULL,
    domain_id         TEXT NOT NULL,
    state             TEXT NOT NULL,
    for_display       INTEGER NOT NULL DEFAULT 1,
    created           TEXT NOT NULL
);

-- SSL certificates for load balancers (uploadSslCert); the key and
-- password are never answered. lb_cert_map binds one to a rule and goes
-- with the rule.
CREATE TABLE ssl_certs (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    certificate TEXT NOT NULL,
    private_key TEXT NOT NULL,
    password    TEXT,
    chain       TEXT,
    fingerprint TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    domain_id   TEXT NOT NULL,
    created     TEXT NOT NULL
);

-- What this family adds to an allocated public IP (public_ips.id): the VPC
-- it belongs to and its static NAT target. The row goes when the IP is
-- released.
CREATE TABLE ip_details (
    ip_id            TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL,
    vpc_id           TEXT,
    static_nat_vm_id TEXT,
    static_nat_vm_ip TEXT,
    for_display      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ip_details_vm ON ip_details(static_nat_vm_id);

-- Every network rule, as CloudStack keeps them: firewall (ingress on a
-- public IP, egress on a network), port forwarding, load balancing and VPN
-- rules share one table so conflicts are detected in one place. state: Add,
-- Active, Revoke (shown as Deleting).
CREATE TABLE firewall_rules (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    purpose      TEXT NOT NULL,                         -- Firewall, PortForwarding, LoadBalancing, Vpn
    traffic_type TEXT NOT NULL DEFAULT 'Ingress',       -- Ingress, Egress
    ip_id        TEXT,
    network_id   TEXT,
    account_id   TEXT NOT NULL,
    domain_id    TEXT NOT NULL,
    protocol     TEXT NOT NULL,
    start_port   INTEGER,
    end_port     INTEGER,
    icmp_type    INTEGER,
    icmp_code    INTEGER,
    source_cidrs TEXT NOT NULL DEFAULT '',              -- comma list
    dest_cidrs   TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    related_id   TEXT REFERENCES firewall_rules(id) ON DELETE CASCADE,
    for_display  INTEGER NOT NULL DEFAULT 1,
    created      TEXT NOT NULL
);
CREATE INDEX firewall_rules_ip ON firewall_rules(ip_id);
CREATE INDEX firewall_rules_network ON firewall_rules(network_id, purpose);

-- The rows below share the id of their firewall_rules row; account_id is
-- repeated so that other families (tags) find the owner of a rule.
CREATE TABLE port_forwarding_rules (
    id            TEXT PRIMARY KEY REFERENCES firewall_rules(id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    vm_id         TEXT NOT NULL,
    vm_ip         TEXT NOT NULL,
    private_start INTEGER NOT NULL,
    private_end   INTEGER NOT NULL
);
CREATE INDEX port_forwarding_vm ON port_forwarding_rules(vm_id);

CREATE TABLE load_balancer_rules (
    id           TEXT PRIMARY KEY REFERENCES firewall_rules(id) ON DELETE CASCADE,
    account_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    algorithm    TEXT NOT NULL,
    private_port INTEGER NOT NULL,
    lb_protocol  TEXT
);

CREATE TABLE lb_cert_map (
    lb_id      TEXT NOT NULL UNIQUE REFERENCES load_balancer_rules(id) ON DELETE CASCADE,
    cert_id    TEXT NOT NULL,
    account_id TEXT NOT NULL
);

-- The VMs of a load balancer; revoke marks a removal in progress.
CREATE TABLE lb_vm_map (
    lb_id  TEXT NOT NULL REFERENCES load_balancer_rules(id) ON DELETE CASCADE,
    vm_id  TEXT NOT NULL,
    vm_ip  TEXT NOT NULL,
    state  TEXT NOT NULL DEFAULT 'Active',
    PRIMARY KEY (lb_id, vm_id, vm_ip)
);
CREATE INDEX lb_vm_map_vm ON lb_vm_map(vm_id);

CREATE TABLE lb_stickiness_policies (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    lb_id       TEXT NOT NULL REFERENCES load_balancer_rules(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    method      TEXT NOT NULL,
    description TEXT,
    params      TEXT NOT NULL DEFAULT '{}',             -- JSON object
    state       TEXT NOT NULL DEFAULT 'Active',
    for_display INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE lb_healthcheck_policies (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    lb_id               TEXT NOT NULL REFERENCES load_balancer_rules(id) ON DELETE CASCADE,
    ping_path           TEXT NOT NULL,
    description         TEXT,
    interval_time       INTEGER NOT NULL,
    response_time       INTEGER NOT NULL,
    healthy_threshold   INTEGER NOT NULL,
    unhealthy_threshold INTEGER NOT NULL,
    state               TEXT NOT NULL DEFAULT 'Active',
    for_display         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE security_groups (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT,
    account_id  TEXT NOT NULL,
    domain_id   TEXT NOT NULL,
    created     TEXT NOT NULL,
    UNIQUE (account_id, name)
);

-- rule_type: ingress, egress. A rule allows a CIDR or another group.
CREATE TABLE security_group_rules (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    group_id         TEXT NOT NULL REFERENCES security_groups(id) ON DELETE CASCADE,
    rule_type        TEXT NOT NULL,
    protocol         TEXT NOT NULL,
    start_port       INTEGER,
    end_port         INTEGER,
    cidr             TEXT,
    allowed_group_id TEXT REFERENCES security_groups(id) ON DELETE CASCADE
);

CREATE TABLE security_group_vm_map (
    group_id TEXT NOT NULL REFERENCES security_groups(id) ON DELETE CASCADE,
    vm_id    TEXT NOT NULL,
    PRIMARY KEY (group_id, vm_id)
);
CREATE INDEX security_group_vm ON security_group_vm_map(vm_id);

CREATE TABLE vpcs (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    display_text     TEXT NOT NULL,
    zone_id          TEXT NOT NULL,
    vpc_offering_id  TEXT NOT NULL,
    cidr             TEXT NOT NULL,
    account_id       TEXT NOT NULL,
    domain_id        TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'Enabled',
    network_domain   TEXT,
    dns1             TEXT,
    dns2             TEXT,
    public_mtu       INTEGER,
    restart_required INTEGER NOT NULL DEFAULT 0,
    for_display      INTEGER NOT NULL DEFAULT 1,
    created          TEXT NOT NULL
);

-- Network ACL lists: the two global defaults (vpc_id and account_id NULL)
-- and lists of one VPC.
CREATE TABLE network_acl_lists (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT,
    vpc_id      TEXT,
    account_id  TEXT,
    for_display INTEGER NOT NULL DEFAULT 1,
    created     TEXT NOT NULL
);

CREATE TABLE network_acl_items (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    acl_id       TEXT NOT NULL REFERENCES network_acl_lists(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    protocol     TEXT NOT NULL,
    start_port   INTEGER,
    end_port     INTEGER,
    icmp_type    INTEGER,
    icmp_code    INTEGER,
    cidrs        TEXT NOT NULL,
    action       TEXT NOT NULL,                         -- Allow, Deny
    traffic_type TEXT NOT NULL,                         -- Ingress, Egress
    reason       TEXT,
    state        TEXT NOT NULL DEFAULT 'Active',
    for_display  INTEGER NOT NULL DEFAULT 1,
    created      TEXT NOT NULL,
    UNIQUE (acl_id, number)
);

CREATE TABLE private_gateways (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    vpc_id              TEXT NOT NULL REFERENCES vpcs(id) ON DELETE CASCADE,
    account_id          TEXT NOT NULL,
    domain_id           TEXT NOT NULL,
    zone_id             TEXT NOT NULL,
    physical_network_id TEXT,
    vlan                TEXT NOT NULL,
    gateway             TEXT NOT NULL,
    ip_address          TEXT NOT NULL,
    netmask             TEXT NOT NULL,
    acl_id              TEXT,
    source_nat          INTEGER NOT NULL DEFAULT 0,
    state               TEXT NOT NULL DEFAULT 'Ready',
    created             TEXT NOT NULL
);

CREATE TABLE static_routes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    gateway_id TEXT NOT NULL REFERENCES private_gateways(id) ON DELETE CASCADE,
    vpc_id     TEXT NOT NULL,
    cidr       TEXT NOT NULL,
    account_id TEXT NOT NULL,
    domain_id  TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'Active',
    created    TEXT NOT NULL
);

-- Virtual routers: one per implemented isolated network (network_id) or
-- per VPC (vpc_id), owned by the network's account.
CREATE TABLE routers (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    domain_id    TEXT NOT NULL,
    zone_id      TEXT NOT NULL,
    pod_id       TEXT,
    host_id      TEXT,
    network_id   TEXT,
    vpc_id       TEXT,
    state        TEXT NOT NULL,                         -- Running, Stopped, Starting, Stopping
    public_ip    TEXT,
    public_mac   TEXT,
    guest_ip     TEXT,
    guest_mac    TEXT,
    link_local_ip  TEXT NOT NULL,
    link_local_mac TEXT NOT NULL,
    created      TEXT NOT NULL,
    -- changeServiceForRouter; NULL: the default router offering.
    service_offering_id TEXT
);

CREATE TABLE remote_access_vpns (
    id          TEXT PRIMARY KEY,
    ip_id       TEXT NOT NULL UNIQUE,
    network_id  TEXT,
    vpc_id      TEXT,
    account_id  TEXT NOT NULL,
    domain_id   TEXT NOT NULL,
    ip_range    TEXT NOT NULL,
    local_ip    TEXT NOT NULL,
    psk         TEXT NOT NULL,
    state       TEXT NOT NULL,                          -- Added, Running, Removed
    for_display INTEGER NOT NULL DEFAULT 1,
    created     TEXT NOT NULL
);

-- The password is kept for the simulated router and never answered.
CREATE TABLE vpn_users (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    domain_id  TEXT NOT NULL,
    username   TEXT NOT NULL,
    password   TEXT NOT NULL,
    state      TEXT NOT NULL,                           -- Add, Active, Revoke
    created    TEXT NOT NULL,
    UNIQUE (account_id, username)
);

CREATE TABLE vpn_gateways (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    vpc_id      TEXT NOT NULL UNIQUE,
    ip_id       TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    domain_id   TEXT NOT NULL,
    for_display INTEGER NOT NULL DEFAULT 1,
    created     TEXT NOT NULL
);

CREATE TABLE vpn_customer_gateways (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    gateway           TEXT NOT NULL,
    cidr_list         TEXT NOT NULL,
    ipsec_psk         TEXT NOT NULL,
    ike_policy        TEXT NOT NULL,
    esp_policy        TEXT NOT NULL,
    ike_lifetime      INTEGER NOT NULL,
    esp_lifetime      INTEGER NOT NULL,
    dpd               INTEGER NOT NULL,
    force_encap       INTEGER NOT NULL,
    ike_version       TEXT NOT NULL,
    split_connections INTEGER NOT NULL,
    account_id        TEXT NOT NULL,
    domain_id         TEXT NOT NULL,
    created           TEXT NOT NULL
);

CREATE TABLE vpn_connections (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    vpn_gateway_id      TEXT NOT NULL REFERENCES vpn_gateways(id) ON DELETE CASCADE,
    customer_gateway_id TEXT NOT NULL REFERENCES vpn_customer_gateways(id) ON DELETE CASCADE,
    account_id          TEXT NOT NULL,
    domain_id           TEXT NOT NULL,
    state               TEXT NOT NULL,                  -- Pending, Connected, Disconnected, Error
    passive             INTEGER NOT NULL DEFAULT 0,
    for_display         INTEGER NOT NULL DEFAULT 1,
    created             TEXT NOT NULL
);

-- deleteAccount: everything above goes with the generic cascade, but public
-- IPs go back to the pool. disableAccount: the account's routers stop.
INSERT INTO account_cleanup (event, table_name, statement) VALUES
    ('delete', 'public_ips', 'UPDATE public_ips SET account_id = NULL, domain_id = NULL, network_id = NULL, state = ''Free'',
                    is_source_nat = 0, allocated = NULL WHERE account_id = ?1'),
    ('disable', 'routers', 'UPDATE routers SET state = ''Stopped'', host_id = NULL WHERE account_id = ?1');

-- What other families may read of this one (`api::VIEWS`): one table each,
-- under the owner's name, with stable columns.
CREATE VIEW network_public_ips AS
    SELECT id, vlan_id, zone_id, physical_network_id, address, address_num, state,
           account_id, domain_id, network_id, is_source_nat, allocated
    FROM public_ips;
CREATE VIEW network_networks AS
    SELECT seq, id, name, display_text, zone_id, physical_network_id, network_offering_id,
           guest_type, state, account_id, domain_id, acl_type, subdomain_access, cidr,
           gateway, netmask, vlan, specified_vlan, vpc_id, acl_id, network_domain, dns1,
           dns2, display_network, restart_required, external_id, created
    FROM networks;
CREATE VIEW network_nics AS
    SELECT id, vm_id, account_id, network_id, ip_address, netmask, gateway, mac_address,
           is_default, device_id, created
    FROM nics;
CREATE VIEW network_security_groups AS
    SELECT seq, id, name, description, account_id, domain_id, created
    FROM security_groups;
CREATE VIEW network_security_group_vm_map AS
    SELECT group_id, vm_id
    FROM security_group_vm_map;
CREATE VIEW network_vpcs AS
    SELECT seq, id, name, display_text, zone_id, vpc_offering_id, cidr, account_id,
           domain_id, state, network_domain, dns1, dns2, public_mtu, restart_required,
           for_display, created
    FROM vpcs;

-- Read by the tags family, which checks who owns a tagged resource.
CREATE VIEW network_port_forwarding_rules AS SELECT id, account_id FROM port_forwarding_rules;
CREATE VIEW network_firewall_rules AS SELECT id, account_id, domain_id FROM firewall_rules;
CREATE VIEW network_load_balancer_rules AS SELECT id, account_id FROM load_balancer_rules;
CREATE VIEW network_network_acl_items AS SELECT id, acl_id FROM network_acl_items;
