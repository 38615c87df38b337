//! Network family tests: the seam, refusals with CloudStack's codes and
//! texts, state changes visible in lists, isolation and uniqueness. The
//! helpers are here; the tests are grouped by resource.

mod basic;
mod forwarding;
mod internallb;
mod ips;
mod networks;
mod openfirewall;
mod routers;
mod rules;
mod scope;
mod security;
mod sslcerts;
mod vpc;
mod vpn;

use std::collections::HashSet;

use serde_json::Value;
use time::OffsetDateTime;

use crate::families::testkit::{Kit, code};
use crate::kernel::caller::Caller;
use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;
use crate::kernel::params::Params;

use super::api;

/// Runs seam functions as `caller` in one committed transaction.
pub(super) fn with_call<T>(
    kit: &mut Kit,
    caller: &Caller,
    work: impl FnOnce(&Call<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let tx = kit.conn.transaction().expect("transaction");
    let params = Params::new();
    let result = {
        let call = Call {
            tx: &tx,
            caller,
            params: &params,
            command: "deployVirtualMachine",
            now: OffsetDateTime::now_utc(),
            job_id: None,
            served: crate::families::testkit::served(),
        };
        work(&call)
    };
    if result.is_ok() {
        tx.commit().expect("commit");
    }
    result
}

/// Stores a VM row the way the compute family does (without its NICs).
pub(super) fn vm_row(kit: &Kit, owner: &Caller, state: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let seq: i64 = kit
        .conn
        .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM vms", [], |r| {
            r.get(0)
        })
        .unwrap();
    kit.conn
        .execute(
            "INSERT INTO vms (id, seq, name, instance_name, account_id, domain_id, zone_id, cpu_number, cpu_speed, memory,
                              state, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, 500, 512, ?8, '2024-01-01T00:00:00+0000')",
            rusqlite::params![
                id,
                seq,
                format!("vm-{seq}"),
                format!("i-2-{seq}-VM"),
                owner.account_id,
                owner.domain_id,
                kit.id("zone"),
                state
            ],
        )
        .unwrap();
    id
}

/// A VM with a default NIC on the network; answers (vm id, NIC).
pub(super) fn vm_on(kit: &mut Kit, owner: &Caller, network: &str, state: &str) -> (String, Value) {
    let vm = vm_row(kit, owner, state);
    let nic = with_call(kit, owner, |call| {
        api::add_nic(call, &vm, network, None, true)
    })
    .unwrap();
    (vm, nic)
}

pub(super) fn isolated(
    kit: &mut Kit,
    who: &Caller,
    name: &str,
    extra: &[(&str, &str)],
) -> Result<Value, ApiError> {
    let offering = kit.id("network_offering_isolated_sourcenat");
    let zone = kit.id("zone");
    let mut params = vec![
        ("name", name),
        ("displaytext", name),
        ("networkofferingid", offering.as_str()),
        ("zoneid", zone.as_str()),
    ];
    params.extend_from_slice(extra);
    kit.call(who, "createNetwork", &params)
        .map(|v| v["network"].clone())
}

pub(super) fn network_id(kit: &mut Kit, who: &Caller, name: &str) -> String {
    isolated(kit, who, name, &[]).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(super) fn associate(kit: &mut Kit, who: &Caller, network: &str) -> Result<Value, ApiError> {
    kit.call(who, "associateIpAddress", &[("networkid", network)])
        .map(|v| v["ipaddress"].clone())
}

pub(super) fn ip_id(kit: &mut Kit, who: &Caller, network: &str) -> String {
    associate(kit, who, network).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(super) fn s(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

pub(super) fn list(
    kit: &mut Kit,
    who: &Caller,
    command: &str,
    key: &str,
    params: &[(&str, &str)],
) -> Vec<Value> {
    let answer = kit.call(who, command, params).unwrap();
    answer[key].as_array().cloned().unwrap_or_default()
}

pub(super) fn pf(
    kit: &mut Kit,
    who: &Caller,
    ip: &str,
    vm: &str,
    protocol: &str,
    public: &str,
) -> Result<Value, ApiError> {
    kit.call(
        who,
        "createPortForwardingRule",
        &[
            ("ipaddressid", ip),
            ("virtualmachineid", vm),
            ("protocol", protocol),
            ("publicport", public),
            ("privateport", public),
        ],
    )
    .map(|v| v["portforwardingrule"].clone())
}

pub(super) fn vpc(kit: &mut Kit, who: &Caller, cidr: &str) -> Value {
    let offering = kit.id("vpc_offering");
    let zone = kit.id("zone");
    kit.call(
        who,
        "createVPC",
        &[
            ("name", "vpc"),
            ("displaytext", "vpc"),
            ("cidr", cidr),
            ("vpcofferingid", &offering),
            ("zoneid", &zone),
        ],
    )
    .unwrap()["vpc"]
        .clone()
}

pub(super) fn tier(
    kit: &mut Kit,
    who: &Caller,
    vpc_id: &str,
    gateway: &str,
    netmask: &str,
) -> Result<Value, ApiError> {
    let offering = kit.id("network_offering_vpc");
    let zone = kit.id("zone");
    kit.call(
        who,
        "createNetwork",
        &[
            ("name", "tier"),
            ("displaytext", "tier"),
            ("networkofferingid", &offering),
            ("zoneid", &zone),
            ("vpcid", vpc_id),
            ("gateway", gateway),
            ("netmask", netmask),
        ],
    )
    .map(|v| v["network"].clone())
}
