//! SSL certificates for load balancers: `uploadSslCert`, `listSslCerts`,
//! `deleteSslCert` (CloudStack's `CertServiceImpl`) and
//! `assignCertToLoadBalancer`, `removeCertFromLoadBalancer`
//! (`LoadBalancingRulesManagerImpl`). An upload must be an X.509
//! certificate with an unencrypted private key of the same RSA key (an
//! encrypted key is kept without that check); its fingerprint is the
//! certificate's SHA-1. The private key and password are stored for the
//! simulated router and never answered.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::kernel::contract::{Call, Job, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::render::Object;
use crate::kernel::scope::check_access;
use crate::kernel::sql::{self, Query, text};

use super::pem;
use super::rules::LOAD_BALANCING;
use super::store;

/// `CertServiceImpl.validate`: the certificate, the key and their match;
/// answers the fingerprint.
fn validate(
    cert: &str,
    key: &str,
    password: Option<&str>,
    chain: Option<&str>,
) -> Result<String, ApiError> {
    let parsed = pem::blocks(cert, "CERTIFICATE")
        .into_iter()
        .next()
        .and_then(|(_, der)| pem::certificate(&der).map(|c| (c, der)));
    let Some((certificate, der)) = parsed else {
        return Err(ApiError::param(
            "Invalid Certificate format. Expected X509 certificate. Failed due to Could not parse certificate",
        ));
    };
    let Some((label, key_der)) = pem::blocks(key, "PRIVATE KEY").into_iter().next() else {
        return Err(ApiError::param("Cannot parse private key"));
    };
    if label.starts_with("ENCRYPTED") {
        if password.is_none() {
            return Err(ApiError::param(
                "Key is encrypted by PKCS#8 but password is null",
            ));
        }
    } else {
        let Some(key) = pem::private_key(&label, &key_der) else {
            return Err(ApiError::param("Cannot parse private key"));
        };
        match (&certificate.rsa, key) {
            (Some(public), Some(private)) if *public != private => {
                return Err(ApiError::param("Bad public-private key"));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(ApiError::param(
                    "Public and private key have different algorithms",
                ));
            }
            _ => {}
        }
    }
    if let Some(chain) = chain {
        let links = pem::blocks(chain, "CERTIFICATE");
        if links.is_empty() || links.iter().any(|(_, der)| pem::certificate(der).is_none()) {
            return Err(ApiError::param("Invalid certificate chain"));
        }
    }
    Ok(pem::fingerprint(&der))
}

/// The account a certificate is uploaded for (`account` + `domainid`, or
/// the caller).
fn owner_of(call: &Call<'_>) -> Result<store::Owner, ApiError> {
    store::owner_of(call)
}

/// `uploadSslCert` (sync).
pub(crate) fn upload(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let cert = call.required("certificate")?.to_string();
    let key = call.required("privatekey")?.to_string();
    let name = call.required("name")?.to_string();
    let chain = p.str("certchain").map(String::from);
    let fingerprint = validate(&cert, &key, p.str("password"), chain.as_deref())?;
    let owner = owner_of(call)?;
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO ssl_certs (id, name, certificate, private_key, password, chain, fingerprint, account_id,
                               domain_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            name,
            cert,
            key,
            p.str("password"),
            chain,
            fingerprint,
            owner.id,
            owner.domain_id,
            call.timestamp()
        ],
    )?;
    event_log::completed(
        call,
        "LB.CERT.UPLOAD",
        "Uploading a certificate to cloudstack",
        Subject::of("SslCert", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "sslcert",
        value: cert_json(call, &id)?,
    })
}

fn cert_owner(call: &Call<'_>, id: &str) -> Result<String, ApiError> {
    let owner: Option<String> = call
        .tx
        .query_row(
            "SELECT account_id FROM ssl_certs WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    owner.ok_or_else(|| ApiError::param(format!("Invalid certificate id: {id}")))
}

/// `deleteSslCert` (sync): refused (530) while a load balancer uses it.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let owner = cert_owner(call, &id)?;
    check_access(call, &owner, &id)?;
    let names: Vec<String> = {
        let mut stmt = call.tx.prepare_cached(
            "SELECT l.name FROM lb_cert_map m JOIN load_balancer_rules l ON l.id = m.lb_id WHERE m.cert_id = ?1",
        )?;
        let rows = stmt.query_map([&id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    if !names.is_empty() {
        let mut listed = String::new();
        for name in names {
            listed.push_str(&name);
            listed.push(' ');
        }
        return Err(ApiError::internal(format!(
            "Certificate in use by a loadbalancer(s) {listed}"
        )));
    }
    call.tx
        .execute("DELETE FROM ssl_certs WHERE id = ?1", [&id])?;
    event_log::completed(
        call,
        "LB.CERT.DELETE",
        "Deleting a certificate to cloudstack",
        Subject::of("SslCert", &id, ""),
    )?;
    Ok(Reply::Success(None))
}

fn cert_query() -> Query {
    Query::new(
        "SELECT c.id AS id, c.name AS name, c.certificate AS certificate, c.chain AS certchain,
                c.fingerprint AS fingerprint, a.name AS account, c.domain_id AS domainid, d.name AS domain
         FROM ssl_certs c LEFT JOIN identity_accounts a ON a.id = c.account_id
              LEFT JOIN identity_domains d ON d.id = c.domain_id",
    )
}

fn finish(call: &Call<'_>, mut row: Object) -> Result<Value, ApiError> {
    let id = sql::id_of(&row);
    let rules: Vec<Value> = {
        let mut stmt = call
            .tx
            .prepare_cached("SELECT lb_id FROM lb_cert_map WHERE cert_id = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([&id], |r| r.get::<_, String>(0))?;
        rows.map(|r| r.map(Value::String))
            .collect::<Result<_, _>>()?
    };
    if !rules.is_empty() {
        row.insert("loadbalancerrulelist".into(), Value::Array(rules));
    }
    Ok(Value::Object(row))
}

fn cert_json(call: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    finish(call, cert_query().one(call.tx, "c.id", id)?)
}

/// `listSslCerts`: by certificate, by load balancer, or the caller's (or
/// `accountid`'s) certificates; one filter at a time.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let p = call.params;
    let given = ["certid", "accountid", "lbruleid", "projectid"]
        .iter()
        .filter(|n| p.str(n).is_some())
        .count();
    if given > 1 {
        return Err(ApiError::param(
            "Only one of certid, lbid, projectid, or accountid/account can be specified",
        ));
    }
    let mut query = cert_query();
    if let Some(id) = p.str("certid") {
        let owner = cert_owner(call, id)?;
        check_access(call, &owner, id)?;
        query.eq("c.id", Some(id));
    } else if let Some(lb) = p.str("lbruleid") {
        let rule = super::rules::find(call.tx, lb, LOAD_BALANCING)?
            .ok_or_else(|| ApiError::param(format!("Found no loadbalancer with id: {lb}")))?;
        check_access(call, &rule.account_id, lb)?;
        query.and(
            "c.id IN (SELECT cert_id FROM lb_cert_map WHERE lb_id = ?)",
            [text(lb)],
        );
    } else {
        let account = p
            .str("accountid")
            .map_or_else(|| call.caller.account_id.clone(), String::from);
        check_access(call, &account, &account)?;
        query.eq("c.account_id", Some(&account));
    }
    query.order("c.seq");
    query.list(call, "sslcert", finish)
}

/// `assignCertToLoadBalancer` (async): one certificate per rule, of the
/// rule's owner, on an `ssl` rule.
pub(crate) fn assign(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let lb = call.required("lbruleid")?.to_string();
    let cert = call.required("certid")?.to_string();
    let rule = super::rules::find(call.tx, &lb, LOAD_BALANCING)?
        .ok_or_else(|| ApiError::param(format!("Invalid load balancer id: {lb}")))?;
    let cert_owner = cert_owner(call, &cert)?;
    check_access(call, &rule.account_id, &lb)?;
    if rule.account_id != cert_owner {
        return Err(ApiError::param(format!(
            "Access denied for account {cert_owner}"
        )));
    }
    let bound = sql::count(
        call.tx,
        "SELECT COUNT(*) FROM lb_cert_map WHERE lb_id = ?1",
        &lb,
    )?;
    if bound > 0 {
        return Err(ApiError::param(
            "Another certificate is already bound to the LB",
        ));
    }
    let protocol: Option<String> = call.tx.query_row(
        "SELECT lb_protocol FROM load_balancer_rules WHERE id = ?1",
        [&lb],
        |r| r.get(0),
    )?;
    if protocol.as_deref() != Some("ssl") {
        return Err(ApiError::param(format!(
            "Bad LB protocol: Expected ssl got {}",
            protocol.as_deref().unwrap_or("null")
        )));
    }
    call.tx.execute(
        "INSERT INTO lb_cert_map (lb_id, cert_id, account_id) VALUES (?1, ?2, ?3)",
        params![lb, cert, rule.account_id],
    )?;
    Ok(Reply::Job(
        Job::on(
            "LoadBalancerRule",
            lb.clone(),
            Box::new(|_: &mut Call<'_>| Ok(Reply::Success(None))),
        )
        .with_event(
            "LB.CERT.ASSIGN",
            "Assigning a certificate to a load balancer",
        ),
    ))
}

/// `removeCertFromLoadBalancer` (async).
pub(crate) fn remove(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let lb = call.required("lbruleid")?.to_string();
    let rule = super::rules::find(call.tx, &lb, LOAD_BALANCING)?
        .ok_or_else(|| ApiError::param(format!("Invalid load balancer value: {lb}")))?;
    if sql::count(
        call.tx,
        "SELECT COUNT(*) FROM lb_cert_map WHERE lb_id = ?1",
        &lb,
    )? == 0
    {
        return Err(ApiError::param(format!(
            "No certificate is bound to lb with id: {lb}"
        )));
    }
    check_access(call, &rule.account_id, &lb)?;
    let job_lb = lb.clone();
    Ok(Reply::Job(
        Job::on(
            "LoadBalancerRule",
            lb,
            Box::new(move |call: &mut Call<'_>| {
                call.tx
                    .execute("DELETE FROM lb_cert_map WHERE lb_id = ?1", [&job_lb])?;
                Ok(Reply::Success(None))
            }),
        )
        .with_event("LB.CERT.REMOVE", "removing certificate from load balancer"),
    ))
}
