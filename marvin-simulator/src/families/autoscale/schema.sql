-- Autoscale: counters (global, seeded like a fresh CloudStack; admins add
-- more), conditions on them, VM profiles, scale policies and VM groups on
-- load balancer rules. No foreign key points at another family's table;
-- keys between this family's tables cascade where CloudStack's removal
-- does. Account-owned tables have `account_id` for deleteAccount's
-- generic cascade.

CREATE TABLE autoscale_counters (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    id       TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    source   TEXT NOT NULL,                 -- cpu, memory, snmp, netscaler, virtualrouter
    value    TEXT NOT NULL,
    provider TEXT NOT NULL,
    created  TEXT NOT NULL
);

CREATE TABLE autoscale_conditions (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    counter_id TEXT NOT NULL REFERENCES autoscale_counters(id),
    threshold  INTEGER NOT NULL,
    operator   TEXT NOT NULL,               -- EQ, GT, LT, GE, LE
    account_id TEXT NOT NULL,
    domain_id  TEXT NOT NULL,
    created    TEXT NOT NULL
);

CREATE TABLE autoscale_vm_profiles (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    id                    TEXT NOT NULL UNIQUE,
    zone_id               TEXT NOT NULL,
    service_offering_id   TEXT NOT NULL,
    template_id           TEXT NOT NULL,
    other_deploy_params   TEXT NOT NULL DEFAULT '',   -- key=value&key=value
    counter_params        TEXT NOT NULL DEFAULT '',   -- key=value&key=value
    user_data             TEXT,
    expunge_grace_period  INTEGER NOT NULL,
    autoscale_user_id     TEXT,
    for_display           INTEGER NOT NULL DEFAULT 1,
    account_id            TEXT NOT NULL,
    domain_id             TEXT NOT NULL,
    created               TEXT NOT NULL
);

CREATE TABLE autoscale_policies (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    name       TEXT,
    action     TEXT NOT NULL,               -- ScaleUp, ScaleDown
    duration   INTEGER NOT NULL,
    quiet_time INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    domain_id  TEXT NOT NULL,
    created    TEXT NOT NULL
);

CREATE TABLE autoscale_policy_conditions (
    policy_id    TEXT NOT NULL REFERENCES autoscale_policies(id) ON DELETE CASCADE,
    condition_id TEXT NOT NULL REFERENCES autoscale_conditions(id),
    PRIMARY KEY (policy_id, condition_id)
);

-- state: new (until its creation job), enabled, disabled.
CREATE TABLE autoscale_vm_groups (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    lb_rule_id   TEXT NOT NULL UNIQUE,
    profile_id   TEXT NOT NULL REFERENCES autoscale_vm_profiles(id),
    zone_id      TEXT NOT NULL,
    min_members  INTEGER NOT NULL,
    max_members  INTEGER NOT NULL,
    interval     INTEGER NOT NULL,
    state        TEXT NOT NULL,
    for_display  INTEGER NOT NULL DEFAULT 1,
    account_id   TEXT NOT NULL,
    domain_id    TEXT NOT NULL,
    created      TEXT NOT NULL
);

CREATE TABLE autoscale_vm_group_policies (
    group_id  TEXT NOT NULL REFERENCES autoscale_vm_groups(id) ON DELETE CASCADE,
    policy_id TEXT NOT NULL REFERENCES autoscale_policies(id),
    PRIMARY KEY (group_id, policy_id)
);
