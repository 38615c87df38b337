//! VPNs: remote access VPNs on a public IP with their users, and
//! site-to-site VPNs (a VPC's VPN gateway, customer gateways and the
//! connections between them).

use rand::Rng;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::ip;
use crate::kernel::jobs;
use crate::kernel::render::Object;
use crate::kernel::scope::{ListScope, check_access};
use crate::kernel::sql::{self, Query};

use super::rules::{self, NewRule, VPN};
use super::store::{self, Cidr};
use super::vpc;

/// The client range when none is given (`remote.access.vpn.client.iprange`).
const DEFAULT_CLIENT_RANGE: &str = "10.1.2.1-10.1.2.8";
/// The UDP ports a remote access VPN takes (IKE, L2TP, NAT-T).
const VPN_PORTS: [i64; 3] = [500, 1701, 4500];

/// A random pre-shared key (24 characters, `remote.access.vpn.psk.length`).
fn preshared_key() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..24)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

/// `createRemoteAccessVpn` (async, created in the request).
pub(crate) fn create_remote(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let ip_row = store::allocated_ip(call.tx, "publicipid", call.required("publicipid")?)?;
    check_access(call, ip_row.owner(), &ip_row.id)?;
    if ip_row.network_id.is_none() && ip_row.vpc_id.is_none() {
        return Err(ApiError::param(format!(
            "Unable to create remote access vpn for the ipAddress: {} as ip is not associated with any network or VPC",
            ip_row.address
        )));
    }
    if vpn_of_ip(call, &ip_row.id)?.is_some() {
        return Err(ApiError::param(format!(
            "A remote Access VPN already exists for the public IP address [{}].",
            ip_row.address
        )));
    }
    let range = p.str("iprange").unwrap_or(DEFAULT_CLIENT_RANGE).to_string();
    let (start, end) = match range.split_once('-') {
        Some((s, e)) => (s.trim(), e.trim()),
        None => {
            return Err(ApiError::param(format!(
                "IP range [{range}] is an invalid IP range."
            )));
        }
    };
    let (Some(s), Some(e)) = (ip::parse(start), ip::parse(end)) else {
        return Err(ApiError::param(format!(
            "One or both IPs sets in the range [{range}] are invalid IPs."
        )));
    };
    if s > e {
        return Err(ApiError::param(format!(
            "Range of IPs [{range}] is invalid."
        )));
    }
    let guest = match (&ip_row.network_id, &ip_row.vpc_id) {
        (Some(n), _) => {
            let network = store::network(call.tx, "networkid", n)?;
            if !store::supports(call.tx, &network, "Vpn")? {
                return Err(ApiError::param(format!(
                    "Vpn service is not supported in network id={}",
                    network.id
                )));
            }
            let existing = call
                .tx
                .query_row(
                    "SELECT 1 FROM remote_access_vpns WHERE account_id = ?1 AND network_id = ?2",
                    [ip_row.owner(), &network.id],
                    |_| Ok(()),
                )
                .optional()?;
            if existing.is_some() {
                return Err(ApiError::param(format!(
                    "A remote access VPN already exists for the account [{}].",
                    ip_row.owner()
                )));
            }
            network.cidr.as_deref().and_then(Cidr::parse)
        }
        (None, Some(v)) => Cidr::parse(&vpc::vpc(call.tx, "vpcid", v)?.cidr),
        (None, None) => None,
    };
    if let Some(guest) = guest {
        let (gs, ge) = guest.bounds();
        if ip::overlaps((s, e), (gs, ge)) {
            return Err(ApiError::param(format!(
                "Invalid ip range: {range} overlaps with guest ip range {}-{}",
                ip::format(gs),
                ip::format(ge)
            )));
        }
    }
    let open_firewall = p.flag("openfirewall", true) && ip_row.vpc_id.is_none();
    let id = ids::new_id();
    if ip_row.vpc_id.is_none() {
        for port in VPN_PORTS {
            let rule = rules::insert(
                call,
                &NewRule::ingress(
                    VPN,
                    &ip_row,
                    ip_row.network_id.as_deref(),
                    "udp",
                    Some(port),
                    Some(port),
                ),
            )?;
            rules::activate(call, &rule)?;
            if open_firewall {
                super::portforward::open_firewall_for(
                    call,
                    &ip_row,
                    ip_row.network_id.as_deref().unwrap_or_default(),
                    "udp",
                    (port, port),
                    &rule,
                )?;
            }
        }
    }
    call.tx.execute(
        "INSERT INTO remote_access_vpns (id, ip_id, network_id, vpc_id, account_id, domain_id, ip_range, local_ip, psk,
                                         state, for_display, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'Added', ?10, ?11)",
        params![
            id,
            ip_row.id,
            ip_row.network_id,
            ip_row.vpc_id,
            ip_row.owner(),
            ip_row.domain_id,
            format!("{}-{end}", ip::format(s.saturating_add(1))),
            start,
            preshared_key(),
            p.flag("fordisplay", true),
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "VPN.REMOTE.ACCESS.CREATE",
        "creating remote access vpn",
        Subject::of("RemoteAccessVpn", &id, &ip_row.address),
    )?;
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "RemoteAccessVpn",
            id,
            Box::new(move |call: &mut Call<'_>| {
                call.tx.execute("UPDATE remote_access_vpns SET state = 'Running' WHERE id = ?1", [&job_id])?;
                call.tx.execute(
                    "UPDATE firewall_rules SET state = 'Active' WHERE state = 'Add'
                     AND related_id IN (SELECT r.id FROM firewall_rules r JOIN remote_access_vpns v ON v.ip_id = r.ip_id
                                        WHERE v.id = ?1 AND r.purpose = 'Vpn')",
                    [&job_id],
                )?;
                let owner: String =
                    call.tx.query_row("SELECT account_id FROM remote_access_vpns WHERE id = ?1", [&job_id], |r| r.get(0))?;
                call.tx.execute("UPDATE vpn_users SET state = 'Active' WHERE account_id = ?1 AND state = 'Add'", [&owner])?;
                Ok(Reply::Object { key: "remoteaccessvpn", value: remote_json(call, &job_id)? })
            }),
        )
        .with_event("VPN.REMOTE.ACCESS.CREATE", format!("Create Remote Access VPN for account {}", ip_row.owner())),
    ))
}

fn vpn_of_ip(call: &Call<'_>, ip_id: &str) -> Result<Option<(String, String)>, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT id, account_id FROM remote_access_vpns WHERE ip_id = ?1",
            [ip_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// `deleteRemoteAccessVpn` (async): its VPN ports go too.
pub(crate) fn delete_remote(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let ip_row = store::allocated_ip(call.tx, "publicipid", call.required("publicipid")?)?;
    if let Some((id, owner)) = vpn_of_ip(call, &ip_row.id)? {
        check_access(call, &owner, &id)?;
        call.tx.execute(
            "UPDATE remote_access_vpns SET state = 'Removed' WHERE id = ?1",
            [&id],
        )?;
    }
    let ip_id = ip_row.id.clone();
    Ok(Reply::Job(
        Job::on(
            "RemoteAccessVpn",
            ip_row.id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let ids: Vec<String> = {
                    let mut stmt = call.tx.prepare_cached(
                        "SELECT id FROM firewall_rules WHERE ip_id = ?1 AND purpose = 'Vpn'",
                    )?;
                    let rows = stmt.query_map([&ip_id], |r| r.get(0))?;
                    rows.collect::<Result<_, _>>()?
                };
                for id in ids {
                    rules::remove(call, &id)?;
                }
                call.tx
                    .execute("DELETE FROM remote_access_vpns WHERE ip_id = ?1", [&ip_id])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event(
            "VPN.REMOTE.ACCESS.DESTROY",
            format!("Delete Remote Access VPN for ip {}", ip_row.id),
        ),
    ))
}

fn remote_query() -> Query {
    Query::new(
        "SELECT v.id AS id, v.ip_id AS publicipid, p.address AS publicip, v.ip_range AS iprange,
                v.psk AS presharedkey, a.name AS account, d.id AS domainid, d.name AS domain, v.state AS state,
                v.for_display AS \"fordisplay?\"
         FROM remote_access_vpns v JOIN public_ips p ON p.id = v.ip_id JOIN identity_accounts a ON a.id = v.account_id
         JOIN identity_domains d ON d.id = v.domain_id",
    )
}

fn remote_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    Ok(Value::Object(remote_query().one(call.tx, "v.id", id)?))
}

/// `listRemoteAccessVpns`.
pub(crate) fn list_remote(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = remote_query();
    query.scope(&ListScope::of(call)?, "v.account_id");
    query.eq("v.id", p.str("id"));
    query.eq("v.ip_id", p.str("publicipid"));
    query.eq("v.network_id", p.str("networkid"));
    query.flag("v.for_display", p.bool("fordisplay"));
    query.and("v.state != 'Removed'", []);
    query.order("v.created");
    query.list(call, "remoteaccessvpn", |_, row| Ok(Value::Object(row)))
}

fn valid_username(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && (3..=64).contains(&name.len())
        && chars.all(|c| c.is_ascii_alphanumeric() || "@._-".contains(c))
}

fn valid_password(password: &str) -> bool {
    let mut chars = password.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && (3..=32).contains(&password.len())
        && chars.all(|c| c.is_ascii_alphanumeric() || "@+=._-".contains(c))
}

/// `addVpnUser` (async, created in the request): the user is applied to
/// the owner's remote access VPNs; with none the job fails and the user
/// goes.
pub(crate) fn add_user(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let username = call.required("username")?.to_string();
    let password = call.required("password")?.to_string();
    if !valid_username(&username) {
        return Err(ApiError::param(format!(
            "Username [{username}] is invalid. Username has to begin with an alphabet have 3-64 characters including alphabets, numbers and the set '@.-_'."
        )));
    }
    if !valid_password(&password) {
        return Err(ApiError::param(
            "Password has to be 3-32 characters including alphabets, numbers and the set '@+=.-_'",
        ));
    }
    let owner = store::owner_of(call)?;
    let taken = call
        .tx
        .query_row(
            "SELECT 1 FROM vpn_users WHERE account_id = ?1 AND username = ?2",
            [&owner.id, &username],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if taken {
        return Err(ApiError::param(format!(
            "VPN User with name {username} is already added for account {}",
            owner.name
        )));
    }
    // CloudStack stores the user, fails to apply it when the owner has no
    // remote access VPN, removes it again and fails the job: the user is
    // only stored when it can be applied.
    let vpns = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM remote_access_vpns WHERE account_id = ?1 AND state != 'Removed'",
        &owner.id,
    )?;
    let id = ids::new_id();
    if vpns > 0 {
        call.tx.execute(
            "INSERT INTO vpn_users (id, account_id, domain_id, username, password, state, created)
             VALUES (?1, ?2, ?3, ?4, ?5, 'Add', ?6)",
            params![
                id,
                owner.id,
                owner.domain_id,
                username,
                password,
                call.timestamp()
            ],
        )?;
        event_log::created_event(
            call,
            "VPN.USER.ADD",
            "adding vpn user",
            Subject::of("VpnUser", &id, &username),
        )?;
    }
    let job_id = id.clone();
    Ok(Reply::Job(
        Job::on(
            "VpnUser",
            id,
            Box::new(move |call: &mut Call<'_>| {
                if vpns == 0 {
                    return Err(ApiError::internal("Failed to add vpn user"));
                }
                call.tx.execute(
                    "UPDATE vpn_users SET state = 'Active' WHERE id = ?1",
                    [&job_id],
                )?;
                Ok(Reply::Object {
                    key: "vpnuser",
                    value: Value::Object(user_query().one(call.tx, "u.id", &job_id)?),
                })
            }),
        )
        .with_event(
            "VPN.USER.ADD",
            format!("Add Remote Access VPN user for account {}", owner.name),
        ),
    ))
}

/// `removeVpnUser` (async).
pub(crate) fn remove_user(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let username = call.required("username")?.to_string();
    let owner = store::owner_of(call)?;
    let id: String = call
        .tx
        .query_row(
            "SELECT id FROM vpn_users WHERE account_id = ?1 AND username = ?2",
            [&owner.id, &username],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            ApiError::param(format!(
                "Could not find VPN user=[{username}]. VPN owner id=[{}]",
                owner.seq
            ))
        })?;
    check_access(call, &owner.id, &id)?;
    call.tx
        .execute("UPDATE vpn_users SET state = 'Revoke' WHERE id = ?1", [&id])?;
    Ok(Reply::Job(
        jobs::delete_job("VpnUser", "vpn_users", &id).with_event(
            "VPN.USER.REMOVE",
            format!("Remove Remote Access VPN user for account {}", owner.name),
        ),
    ))
}

fn user_query() -> Query {
    Query::new(
        "SELECT u.id AS id, u.username AS username, u.state AS state, a.name AS account, d.id AS domainid,
                d.name AS domain
         FROM vpn_users u JOIN identity_accounts a ON a.id = u.account_id JOIN identity_domains d ON d.id = u.domain_id",
    )
}

/// `listVpnUsers`.
pub(crate) fn list_users(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = user_query();
    query.scope(&ListScope::of(call)?, "u.account_id");
    query.eq("u.id", p.str("id"));
    query.eq("u.username", p.str("username"));
    query.keyword(&["u.username"], p.str("keyword"));
    query.order("u.seq");
    query.list(call, "vpnuser", |_, row| Ok(Value::Object(row)))
}

/// `createVpnGateway` (async, created in the request): one per VPC, on
/// its source NAT IP.
pub(crate) fn create_gateway(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let owner_vpc = vpc::vpc(call.tx, "vpcid", call.required("vpcid")?)?;
    check_access(call, &owner_vpc.account_id, &owner_vpc.id)?;
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM vpn_gateways WHERE vpc_id = ?1",
        &owner_vpc.id,
    )? > 0
    {
        return Err(ApiError::param(format!(
            "The VPN gateway of VPC {} already existed!",
            owner_vpc.display()
        )));
    }
    let ip_id: String = call
        .tx
        .query_row(
            "SELECT p.id FROM public_ips p JOIN ip_details x ON x.ip_id = p.id WHERE x.vpc_id = ?1 AND p.is_source_nat = 1",
            [&owner_vpc.id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::internal(format!("Cannot found source nat ip of vpc {}", owner_vpc.id)))?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO vpn_gateways (id, vpc_id, ip_id, account_id, domain_id, for_display, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            owner_vpc.id,
            ip_id,
            owner_vpc.account_id,
            owner_vpc.domain_id,
            call.params.flag("fordisplay", true),
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "VPN.S2S.VPN.GATEWAY.CREATE",
        "creating s2s vpn gateway",
        Subject::of("VpnGateway", &id, ""),
    )?;
    Ok(Reply::Job(
        jobs::object_job("Site2SiteVpnGateway", &id, "vpngateway", |call, id| {
            Ok(Value::Object(gateway_query().one(call.tx, "g.id", id)?))
        })
        .with_event(
            "VPN.S2S.VPN.GATEWAY.CREATE",
            format!(
                "Create site-to-site VPN gateway for account {}",
                owner_vpc.account_id
            ),
        ),
    ))
}

/// `deleteVpnGateway` (async): refused while connections use it.
pub(crate) fn delete_gateway(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    sql::checked_owner(call, "vpn_gateways", id)?;
    Ok(Reply::Job(
        jobs::delete_unused_job(
            "Site2SiteVpnGateway",
            "vpn_gateways",
            id,
            "SELECT COUNT(*) FROM vpn_connections WHERE vpn_gateway_id = ?1",
            |id| {
                ApiError::param(format!(
                    "Unable to delete VPN gateway {id} because there is still related VPN connections!"
                ))
            },
        )
        .with_event(
            "VPN.S2S.VPN.GATEWAY.DELETE",
            format!("Delete site2site vpn gateway id={id}"),
        ),
    ))
}

fn gateway_query() -> Query {
    Query::new(
        "SELECT g.id AS id, p.address AS publicip, g.vpc_id AS vpcid, v.name AS vpcname, a.name AS account,
                d.id AS domainid, d.name AS domain, g.for_display AS \"fordisplay?\"
         FROM vpn_gateways g JOIN public_ips p ON p.id = g.ip_id JOIN vpcs v ON v.id = g.vpc_id
         JOIN identity_accounts a ON a.id = g.account_id JOIN identity_domains d ON d.id = g.domain_id",
    )
}

/// `listVpnGateways`.
pub(crate) fn list_gateways(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = gateway_query();
    query.scope(&ListScope::of(call)?, "g.account_id");
    query.eq("g.id", p.str("id"));
    query.eq("g.vpc_id", p.str("vpcid"));
    query.flag("g.for_display", p.bool("fordisplay"));
    query.order("g.seq");
    query.list(call, "vpngateway", |_, row| Ok(Value::Object(row)))
}

/// `createVpnCustomerGateway` (async, created in the request).
pub(crate) fn create_customer_gateway(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let gateway = call.required("gateway")?.to_string();
    if ip::parse(&gateway).is_none() {
        return Err(ApiError::param(format!(
            "The customer gateway ip {gateway} is invalid!"
        )));
    }
    let cidrs = p.list("cidrlist");
    if cidrs.is_empty() {
        return Err(ApiError::missing(call.command, "cidrlist"));
    }
    for cidr in &cidrs {
        if Cidr::parse(cidr).is_none() || !cidr.contains('/') {
            return Err(ApiError::param(format!(
                "The customer gateway peer cidr list {} contains an invalid cidr {cidr}!",
                cidrs.join(",")
            )));
        }
    }
    let psk = call.required("ipsecpsk")?.to_string();
    let ike = call.required("ikepolicy")?.to_string();
    let esp = call.required("esppolicy")?.to_string();
    let owner = store::owner_of(call)?;
    let name = p
        .str("name")
        .map_or_else(|| format!("VPN-{gateway}"), String::from);
    for (column, value, what) in [("name", &name, "name"), ("gateway", &gateway, "ip")] {
        let taken = call
            .tx
            .query_row(
                &format!(
                    "SELECT 1 FROM vpn_customer_gateways WHERE account_id = ?1 AND {column} = ?2"
                ),
                [&owner.id, value],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if taken {
            return Err(ApiError::param(format!(
                "The customer gateway with {what} {value} already existed!"
            )));
        }
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO vpn_customer_gateways (id, name, gateway, cidr_list, ipsec_psk, ike_policy, esp_policy,
                                            ike_lifetime, esp_lifetime, dpd, force_encap, ike_version,
                                            split_connections, account_id, domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            id,
            name,
            gateway,
            cidrs.join(","),
            psk,
            ike,
            esp,
            p.i64("ikelifetime")?.unwrap_or(86_400),
            p.i64("esplifetime")?.unwrap_or(3_600),
            p.flag("dpd", false),
            p.flag("forceencap", false),
            p.str("ikeversion").unwrap_or("ike"),
            p.flag("splitconnections", false),
            owner.id,
            owner.domain_id,
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "VPN.S2S.CUSTOMER.GATEWAY.CREATE",
        "creating s2s customer gateway",
        Subject::of("VpnCustomerGateway", &id, &name),
    )?;
    Ok(Reply::Job(
        jobs::object_job(
            "Site2SiteCustomerGateway",
            &id,
            "vpncustomergateway",
            |call, id| Ok(Value::Object(customer_query().one(call.tx, "c.id", id)?)),
        )
        .with_event(
            "VPN.S2S.CUSTOMER.GATEWAY.CREATE",
            format!(
                "Create site-to-site VPN customer gateway for account {}",
                owner.name
            ),
        ),
    ))
}

/// `deleteVpnCustomerGateway` (async): refused while connections use it.
pub(crate) fn delete_customer_gateway(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    sql::checked_owner(call, "vpn_customer_gateways", id)?;
    Ok(Reply::Job(
        jobs::delete_unused_job(
            "Site2SiteCustomerGateway",
            "vpn_customer_gateways",
            id,
            "SELECT COUNT(*) FROM vpn_connections WHERE customer_gateway_id = ?1",
            |id| {
                ApiError::param(format!(
                    "Unable to delete VPN customer gateway with id {id} because there is still related VPN connections!"
                ))
            },
        )
        .with_event(
            "VPN.S2S.CUSTOMER.GATEWAY.DELETE",
            format!("Delete site2site VPN customer gateway id={id}"),
        ),
    ))
}

fn customer_query() -> Query {
    Query::new(
        "SELECT c.id AS id, c.name AS name, c.gateway AS gateway, c.gateway AS ipaddress, c.cidr_list AS cidrlist,
                c.ipsec_psk AS ipsecpsk, c.ike_policy AS ikepolicy, c.esp_policy AS esppolicy,
                c.ike_lifetime AS ikelifetime, c.esp_lifetime AS esplifetime, c.dpd AS \"dpd?\",
                c.force_encap AS \"forceencap?\", c.ike_version AS ikeversion,
                c.split_connections AS \"splitconnections?\", a.name AS account, d.id AS domainid, d.name AS domain,
                0 AS \"hasannotations?\"
         FROM vpn_customer_gateways c JOIN identity_accounts a ON a.id = c.account_id JOIN identity_domains d ON d.id = c.domain_id",
    )
}

/// `listVpnCustomerGateways`.
pub(crate) fn list_customer_gateways(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = customer_query();
    query.scope(&ListScope::of(call)?, "c.account_id");
    query.eq("c.id", p.str("id"));
    query.keyword(&["c.name", "c.gateway"], p.str("keyword"));
    query.order("c.seq");
    query.list(call, "vpncustomergateway", |_, row| Ok(Value::Object(row)))
}

/// `createVpnConnection` (async, created in the request): `Pending`, then
/// `Connected`.
pub(crate) fn create_connection(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let gateway_id = call.required("s2svpngatewayid")?;
    let customer_id = call.required("s2scustomergatewayid")?;
    let (gateway_id, vpc_id, owner, domain_id): (String, String, String, String) = call
        .tx
        .query_row(
            "SELECT id, vpc_id, account_id, domain_id FROM vpn_gateways WHERE id = ?1",
            [gateway_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("s2svpngatewayid", gateway_id))?;
    let (customer_id, customer_owner, cidrs): (String, String, String) = call
        .tx
        .query_row(
            "SELECT id, account_id, cidr_list FROM vpn_customer_gateways WHERE id = ?1",
            [customer_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("s2scustomergatewayid", customer_id))?;
    check_access(call, &owner, &gateway_id)?;
    check_access(call, &customer_owner, &customer_id)?;
    if owner != customer_owner {
        return Err(ApiError::param(
            "VPN connection can only be established between same account's VPN gateway and customer gateway!",
        ));
    }
    let exists = call
        .tx
        .query_row(
            "SELECT 1 FROM vpn_connections WHERE vpn_gateway_id = ?1 AND customer_gateway_id = ?2",
            [&gateway_id, &customer_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if exists {
        return Err(ApiError::param(format!(
            "The vpn connection with customer gateway id {customer_id} and vpn gateway id {gateway_id} already existed!"
        )));
    }
    let owner_vpc = vpc::vpc(call.tx, "vpcid", &vpc_id)?;
    if let Some(vpc_cidr) = Cidr::parse(&owner_vpc.cidr) {
        if cidrs
            .split(',')
            .filter_map(Cidr::parse)
            .any(|c| c.overlaps(vpc_cidr))
        {
            return Err(ApiError::param(format!(
                "The subnets of customer gateway {customer_id}'s subnet {cidrs} is overlapped with VPC cidr {}!",
                owner_vpc.cidr
            )));
        }
    }
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO vpn_connections (id, vpn_gateway_id, customer_gateway_id, account_id, domain_id, state, passive,
                                      for_display, created)
         VALUES (?1, ?2, ?3, ?4, ?5, 'Pending', ?6, ?7, ?8)",
        params![
            id,
            gateway_id,
            customer_id,
            owner,
            domain_id,
            call.params.flag("passive", false),
            call.params.flag("fordisplay", true),
            call.timestamp()
        ],
    )?;
    event_log::created_event(
        call,
        "VPN.S2S.CONNECTION.CREATE",
        "creating s2s vpn connection",
        Subject::of("VpnConnection", &id, ""),
    )?;
    Ok(Reply::Job(
        jobs::settle_job(
            "Site2SiteVpnConnection",
            "vpn_connections",
            &id,
            "Connected",
            "vpnconnection",
            connection_json,
        )
        .with_event(
            "VPN.S2S.CONNECTION.CREATE",
            format!("Create site-to-site VPN connection for account {owner}"),
        ),
    ))
}

/// `deleteVpnConnection` (async).
pub(crate) fn delete_connection(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?;
    sql::checked_owner(call, "vpn_connections", id)?;
    Ok(Reply::Job(
        jobs::delete_job("Site2SiteVpnConnection", "vpn_connections", id).with_event(
            "VPN.S2S.CONNECTION.DELETE",
            format!("Deleting site-to-site VPN connection id={id}"),
        ),
    ))
}

fn connection_query() -> Query {
    Query::new(
        "SELECT k.id AS id, k.vpn_gateway_id AS s2svpngatewayid, p.address AS publicip,
                k.customer_gateway_id AS s2scustomergatewayid, c.gateway AS gateway, c.cidr_list AS cidrlist,
                c.ipsec_psk AS ipsecpsk, c.ike_policy AS ikepolicy, c.esp_policy AS esppolicy,
                c.ike_lifetime AS ikelifetime, c.esp_lifetime AS esplifetime, c.dpd AS \"dpd?\",
                c.force_encap AS \"forceencap?\", c.ike_version AS ikeversion,
                c.split_connections AS \"splitconnections?\", k.passive AS \"passive?\", k.state AS state,
                k.created AS created, a.name AS account, d.id AS domainid, d.name AS domain,
                k.for_display AS \"fordisplay?\"
         FROM vpn_connections k JOIN vpn_gateways g ON g.id = k.vpn_gateway_id JOIN public_ips p ON p.id = g.ip_id
         JOIN vpn_customer_gateways c ON c.id = k.customer_gateway_id JOIN identity_accounts a ON a.id = k.account_id
         JOIN identity_domains d ON d.id = k.domain_id",
    )
}

fn connection_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    Ok(Value::Object(connection_query().one(call.tx, "k.id", id)?))
}

/// `listVpnConnections`.
pub(crate) fn list_connections(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let mut query = connection_query();
    query.scope(&ListScope::of(call)?, "k.account_id");
    query.eq("k.id", p.str("id"));
    query.eq("g.vpc_id", p.str("vpcid"));
    query.flag("k.for_display", p.bool("fordisplay"));
    query.order("k.seq");
    query.list(call, "vpnconnection", |_, row: Object| {
        Ok(Value::Object(row))
    })
}

/// CloudStack's `NetUtils.isValidS2SVpnPolicy`: `cipher-hash[;dhgroup]`.
fn valid_s2s_policy(policy: &str) -> bool {
    const CIPHERS: &[&str] = &["aes128", "aes192", "aes256", "3des"];
    const HASHES: &[&str] = &["md5", "sha1", "sha256", "sha384", "sha512"];
    let mut parts = policy.splitn(2, ';');
    let Some((cipher, hash)) = parts.next().and_then(|c| c.split_once('-')) else {
        return false;
    };
    let group_ok = parts.next().is_none_or(|group| {
        group
            .strip_prefix("modp")
            .is_some_and(|bits| !bits.is_empty() && bits.bytes().all(|b| b.is_ascii_digit()))
    });
    CIPHERS.contains(&cipher) && HASHES.contains(&hash) && group_ok
}

/// `updateVpnCustomerGateway` (async): CloudStack's
/// `Site2SiteVpnManagerImpl.updateCustomerGateway`. Every setting is
/// replaced (the optional ones by their defaults), only while no
/// connection uses the gateway outside the `Error` state.
pub(crate) fn update_customer_gateway(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let id = call.required("id")?.to_string();
    let owner: Option<String> = call
        .tx
        .query_row(
            "SELECT account_id FROM vpn_customer_gateways WHERE id = ?1",
            [&id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(owner) = owner else {
        return Err(ApiError::param(format!(
            "Find to find customer gateway with id {id}"
        )));
    };
    check_access(call, &owner, &id)?;
    let busy = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM vpn_connections WHERE customer_gateway_id = ?1 AND state != 'Error'",
        &id,
    )?;
    if busy > 0 {
        return Err(ApiError::param(
            "Unable to update customer gateway with connections in non-Error state!",
        ));
    }
    let gateway = call.required("gateway")?.to_string();
    if ip::parse(&gateway).is_none() {
        return Err(ApiError::param(format!(
            "The customer gateway ip {gateway} is invalid!"
        )));
    }
    let name = p
        .str("name")
        .map_or_else(|| format!("VPN-{gateway}"), String::from);
    let cidrs = call.required("cidrlist")?.to_string();
    let valid_cidrs = cidrs
        .split(',')
        .all(|c| c.contains('/') && Cidr::parse(c.trim()).is_some());
    if !valid_cidrs {
        return Err(ApiError::param(format!(
            "The customer gateway guest cidr list {cidrs} contains invalid guest cidr!"
        )));
    }
    let psk = call.required("ipsecpsk")?.to_string();
    let ike = call.required("ikepolicy")?.to_string();
    let esp = call.required("esppolicy")?.to_string();
    if !valid_s2s_policy(&ike) {
        return Err(ApiError::param(format!(
            "The customer gateway IKE policy{ike} is invalid!"
        )));
    }
    if !valid_s2s_policy(&esp) {
        return Err(ApiError::param(format!(
            "The customer gateway ESP policy{esp} is invalid!"
        )));
    }
    let ike_lifetime = p.i64("ikelifetime")?.unwrap_or(86_400);
    if ike_lifetime > 86_400 {
        return Err(ApiError::param(format!(
            "The IKE lifetime {ike_lifetime} of vpn connection is invalid!"
        )));
    }
    let esp_lifetime = p.i64("esplifetime")?.unwrap_or(3_600);
    if esp_lifetime > 86_400 {
        return Err(ApiError::param(format!(
            "The ESP lifetime {esp_lifetime} of vpn connection is invalid!"
        )));
    }
    for (column, value, text) in [
        (
            "gateway",
            &gateway,
            format!("The customer gateway with ip {gateway} already existed in the system!"),
        ),
        (
            "name",
            &name,
            format!("The customer gateway with name {name} already existed!"),
        ),
    ] {
        let other = call
            .tx
            .query_row(
                &format!(
                    "SELECT 1 FROM vpn_customer_gateways WHERE account_id = ?1 AND {column} = ?2 AND id != ?3"
                ),
                [&owner, value, &id],
                |_| Ok(()),
            )
            .optional()?;
        if other.is_some() {
            return Err(ApiError::param(text));
        }
    }
    call.tx.execute(
        "UPDATE vpn_customer_gateways SET name = ?2, gateway = ?3, cidr_list = ?4, ipsec_psk = ?5, ike_policy = ?6,
                esp_policy = ?7, ike_lifetime = ?8, esp_lifetime = ?9, dpd = ?10, force_encap = ?11
         WHERE id = ?1",
        params![
            id,
            name,
            gateway,
            cidrs,
            psk,
            ike,
            esp,
            ike_lifetime,
            esp_lifetime,
            p.flag("dpd", false),
            p.flag("forceencap", false)
        ],
    )?;
    if let Some(version) = p.str("ikeversion") {
        call.tx.execute(
            "UPDATE vpn_customer_gateways SET ike_version = ?2 WHERE id = ?1",
            params![id, version],
        )?;
    }
    if let Some(split) = p.bool("splitconnections") {
        call.tx.execute(
            "UPDATE vpn_customer_gateways SET split_connections = ?2 WHERE id = ?1",
            params![id, split],
        )?;
    }
    event_log::created_event(
        call,
        "VPN.S2S.CUSTOMER.GATEWAY.UPDATE",
        "update s2s vpn customer gateway",
        Subject::of("VpnCustomerGateway", &id, &name),
    )?;
    Ok(Reply::Job(
        jobs::object_job(
            "Site2SiteCustomerGateway",
            &id,
            "vpncustomergateway",
            |call, id| Ok(Value::Object(customer_query().one(call.tx, "c.id", id)?)),
        )
        .with_event(
            "VPN.S2S.CUSTOMER.GATEWAY.UPDATE",
            format!("Update site-to-site VPN customer gateway id={id}"),
        ),
    ))
}
