//! SSH key pairs: `createSSHKeyPair` (a real Ed25519 key; the private key is
//! answered once and never stored), `registerSSHKeyPair`,
//! `deleteSSHKeyPair`, `listSSHKeyPairs`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest as _, Md5};
use rand::RngCore as _;
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::kernel::contract::{Call, Reply, Subject};
use crate::kernel::error::ApiError;
use crate::kernel::event_log;
use crate::kernel::ids;
use crate::kernel::sql;

use super::owner::{self, Owner};

/// The key pairs of an owner with these names (those that exist).
pub(crate) fn by_names(
    call: &Call<'_>,
    account_id: &str,
    names: &[String],
) -> Result<Vec<(String, String)>, ApiError> {
    let mut found = Vec::new();
    for name in names {
        let key: Option<String> = call
            .tx
            .prepare_cached(
                "SELECT public_key FROM ssh_keypairs WHERE account_id = ?1 AND name = ?2",
            )?
            .query_row([account_id, name.as_str()], |r| r.get(0))
            .optional()?;
        if let Some(key) = key {
            found.push((name.clone(), key));
        }
    }
    Ok(found)
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The OpenSSH wire blob of an Ed25519 public key.
fn ed25519_blob(public: &[u8; 32]) -> Vec<u8> {
    let mut blob = Vec::with_capacity(51);
    put_string(&mut blob, b"ssh-ed25519");
    put_string(&mut blob, public);
    blob
}

/// CloudStack's fingerprint: MD5 of the key blob, colon-separated hex.
pub(crate) fn fingerprint(blob: &[u8]) -> String {
    let digest = Md5::digest(blob);
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A new Ed25519 key pair: (OpenSSH public key line, OpenSSH private key
/// PEM, fingerprint).
pub(crate) fn generate(comment: &str) -> (String, String, String) {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let public = signing.verifying_key().to_bytes();
    let blob = ed25519_blob(&public);
    let public_line = format!("ssh-ed25519 {} {comment}", STANDARD.encode(&blob));

    let mut private = Vec::new();
    let check = rand::rng().next_u32().to_be_bytes();
    private.extend_from_slice(&check);
    private.extend_from_slice(&check);
    put_string(&mut private, b"ssh-ed25519");
    put_string(&mut private, &public);
    let mut secret = Vec::with_capacity(64);
    secret.extend_from_slice(&seed);
    secret.extend_from_slice(&public);
    put_string(&mut private, &secret);
    put_string(&mut private, comment.as_bytes());
    let mut pad = 1u8;
    while private.len() % 8 != 0 {
        private.push(pad);
        pad += 1;
    }
    let mut body = b"openssh-key-v1\0".to_vec();
    put_string(&mut body, b"none");
    put_string(&mut body, b"none");
    put_string(&mut body, b"");
    body.extend_from_slice(&1u32.to_be_bytes());
    put_string(&mut body, &blob);
    put_string(&mut body, &private);
    let encoded = STANDARD.encode(&body);
    let mut pem = String::from("-----BEGIN OPENSSH PRIVATE KEY-----\n");
    for chunk in encoded.as_bytes().chunks(70) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END OPENSSH PRIVATE KEY-----\n");
    (public_line, pem, fingerprint(&blob))
}

/// Reads an OpenSSH public key line (`<type> <base64> [comment]`) and
/// returns the normalised line and its fingerprint; 431 when it is not one.
pub(crate) fn parse_public(key: &str) -> Result<(String, String), ApiError> {
    let invalid = || ApiError::param("Public key is invalid");
    let mut parts = key.split_whitespace();
    let kind = parts.next().ok_or_else(invalid)?;
    let data = parts.next().ok_or_else(invalid)?;
    let blob = STANDARD.decode(data).map_err(|_| invalid())?;
    if blob.len() < 4 {
        return Err(invalid());
    }
    let len = u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
    let inner = blob.get(4..4 + len).ok_or_else(invalid)?;
    let known = [
        "ssh-rsa",
        "ssh-dss",
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
    ];
    if inner != kind.as_bytes() || !known.contains(&kind) {
        return Err(invalid());
    }
    let rest: Vec<&str> = parts.collect();
    let line = if rest.is_empty() {
        format!("{kind} {data}")
    } else {
        format!("{kind} {data} {}", rest.join(" "))
    };
    Ok((line, fingerprint(&blob)))
}

fn check_name_free(call: &Call<'_>, owner: &Owner, name: &str) -> Result<(), ApiError> {
    if !by_names(call, &owner.id, &[name.to_string()])?.is_empty() {
        return Err(ApiError::param(format!(
            "A key pair with name '{name}' already exists for this account."
        )));
    }
    Ok(())
}

fn insert(
    call: &Call<'_>,
    owner: &Owner,
    name: &str,
    public: &str,
    fingerprint: &str,
) -> Result<String, ApiError> {
    let id = ids::new_id();
    call.tx.execute(
        "INSERT INTO ssh_keypairs (id, name, account_id, domain_id, public_key, fingerprint, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, name, owner.id, owner.domain_id, public, fingerprint, call.timestamp()],
    )?;
    Ok(id)
}

fn query() -> sql::Query {
    sql::Query::new(format!(
        "SELECT k.id AS id, k.name AS name, k.fingerprint AS fingerprint, {}, 0 AS \"hasannotations?\"
         FROM ssh_keypairs k {}",
        owner::COLUMNS,
        owner::join("k")
    ))
}

fn keypair_json(call: &Call<'_>, id: &str) -> Result<serde_json::Map<String, Value>, ApiError> {
    let mut row = query().one(call.tx, "k.id", id)?;
    row.remove("accountid");
    Ok(row)
}

/// `createSSHKeyPair`.
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let owner = owner::resolve(call)?;
    check_name_free(call, &owner, &name)?;
    let (public, private, fingerprint) = generate(&format!("{}@cloudstack", owner.name));
    let id = insert(call, &owner, &name, &public, &fingerprint)?;
    let mut value = keypair_json(call, &id)?;
    value.insert("privatekey".into(), json!(private));
    Ok(Reply::Object {
        key: "keypair",
        value: Value::Object(value),
    })
}

/// `registerSSHKeyPair`.
pub(crate) fn register(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let key = call.required("publickey")?.to_string();
    let owner = owner::resolve(call)?;
    check_name_free(call, &owner, &name)?;
    let (public, fingerprint) = parse_public(&key)?;
    let taken: Option<String> = call
        .tx
        .query_row(
            "SELECT name FROM ssh_keypairs WHERE account_id = ?1 AND fingerprint = ?2",
            [&owner.id, &fingerprint],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(ApiError::param(format!(
            "A key pair with key '{public}' already exists for this account."
        )));
    }
    let id = insert(call, &owner, &name, &public, &fingerprint)?;
    event_log::completed(
        call,
        "REGISTER.SSH.KEYPAIR",
        "registering ssh keypair",
        Subject::of("SSHKeyPair", &id, &name),
    )?;
    Ok(Reply::Object {
        key: "keypair",
        value: Value::Object(keypair_json(call, &id)?),
    })
}

/// `deleteSSHKeyPair`.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let owner = owner::resolve(call)?;
    let deleted = call.tx.execute(
        "DELETE FROM ssh_keypairs WHERE account_id = ?1 AND name = ?2",
        [&owner.id, &name],
    )?;
    if deleted == 0 {
        return Err(ApiError::param(format!(
            "A key pair with name '{name}' does not exist for account {} in specified domain id",
            owner.name
        )));
    }
    Ok(Reply::Success(None))
}

/// `listSSHKeyPairs`.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut q = query();
    owner::scope(call, &mut q, "k.account_id")?;
    q.eq("k.id", call.params.str("id"));
    q.eq("k.name", call.params.str("name"));
    q.eq("k.fingerprint", call.params.str("fingerprint"));
    q.keyword(&["k.name"], call.params.str("keyword"));
    q.order("k.name, k.rowid");
    q.list(call, "sshkeypair", |_, mut row| {
        row.remove("accountid");
        Ok(Value::Object(row))
    })
}
