//! What a cassette keeps of a request and an answer: secrets masked, in the
//! file only (the test saw the real values while recording).
//!
//! Masked with [`MASK`](crate::redact::MASK): in requests, every parameter
//! [`redact::is_secret_name`] names (passwords, keys) and user data; the
//! authentication parameters are not kept at all
//! ([`IGNORED`](super::matching::IGNORED)). In answers, the values of the
//! same keys at any depth (the `secretkey` of `getUserKeys` and
//! `registerUserKeys`, the `privatekey` of `createSSHKeyPair`, passwords,
//! user data), and anywhere else in the answer every value the call sent as
//! a secret or signed with (a password echoed in an error text).

use std::collections::BTreeMap;

use serde_json::Value;

use super::matching::is_ignored;
use super::{RecordedRequest, RecordedResponse};
use crate::redact::{self, MASK};

/// True when a parameter's or key's value is masked in cassettes: secrets
/// and user data. Case-insensitive.
pub fn is_masked_param(name: &str) -> bool {
    redact::is_secret_name(name) || name.to_ascii_lowercase().contains("userdata")
}

/// The request as kept: `encoded` (`name=value&...`, the query of a GET or
/// the form of a POST) decoded, without the authentication, secrets masked.
pub(super) fn request(method: &str, encoded: &str) -> RecordedRequest {
    let mut command = String::new();
    let mut params = BTreeMap::new();
    for (name, value) in decode_pairs(encoded) {
        if name.eq_ignore_ascii_case("command") {
            command = value;
        } else if !is_ignored(&name) {
            let value = if is_masked_param(&name) {
                MASK.to_owned()
            } else {
                value
            };
            params.insert(name, value);
        }
    }
    RecordedRequest {
        method: method.to_owned(),
        command,
        params,
    }
}

/// The answer as kept: JSON when the body is JSON (secret keys masked,
/// `secrets` scrubbed from every string), else its text, scrubbed.
pub(super) fn response<S: AsRef<str>>(status: u16, body: &[u8], secrets: &[S]) -> RecordedResponse {
    let secrets: Vec<&str> = secrets
        .iter()
        .map(AsRef::as_ref)
        .filter(|s| s.len() >= 4)
        .collect();
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => {
            let mut value = mask_keys(value);
            scrub_strings(&mut value, &secrets);
            RecordedResponse {
                status,
                body: Some(value),
                text: None,
            }
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text = redact::scrub_values(&redact::redact_text(&text), &secrets);
            RecordedResponse {
                status,
                body: None,
                text: Some(text),
            }
        }
    }
}

fn mask_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if is_masked_param(&key) && !value.is_null() {
                        Value::String(MASK.to_owned())
                    } else {
                        mask_keys(value)
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_keys).collect()),
        other => other,
    }
}

fn scrub_strings(value: &mut Value, secrets: &[&str]) {
    match value {
        Value::String(s) if secrets.iter().any(|secret| s.contains(secret)) => {
            *s = redact::scrub_values(s, secrets);
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| scrub_strings(item, secrets)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|item| scrub_strings(item, secrets)),
        _ => {}
    }
}

/// The pairs of `name=value&...`, percent-decoded (`+` is a space, as in
/// forms; the client itself encodes spaces as `%20`).
pub(super) fn decode_pairs(encoded: &str) -> Vec<(String, String)> {
    encoded
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Where a committed cassette still holds a secret: each finding names the
/// place (`interactions[3].response.body.…`), never the value. Used by the
/// test that scans every committed cassette.
pub fn find_secrets(cassette: &Value) -> Vec<String> {
    let mut findings = Vec::new();
    walk(cassette, "", &mut findings);
    findings
}

fn walk(value: &Value, at: &str, findings: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{at}.{key}");
                let masked_or_empty = match item {
                    Value::String(s) => s == MASK || s.is_empty(),
                    Value::Null => true,
                    _ => false,
                };
                if is_masked_param(key) && !masked_or_empty {
                    findings.push(format!("{here} holds an unmasked secret"));
                }
                walk(item, &here, findings);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk(item, &format!("{at}[{index}]"), findings);
            }
        }
        Value::String(s) => {
            if s.contains("PRIVATE KEY-----") {
                findings.push(format!("{at} holds a private key"));
            }
            let lower = s.to_ascii_lowercase();
            if lower.contains("jsessionid=") || lower.contains("signature=") {
                findings.push(format!("{at} holds a session cookie or a signature"));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn requests_lose_the_authentication_and_mask_secrets() {
        let kept = request(
            "POST",
            "username=u%201&password=hunter2%21&userdata=aGk%3D&command=createAccount&response=json&apiKey=AK&signatureVersion=3&expires=2026-01-01T00%3A00%3A00%2B0000&signature=abc%3D",
        );
        assert_eq!(kept.command, "createAccount");
        assert_eq!(kept.method, "POST");
        let params: Vec<(&str, &str)> = kept
            .params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            params,
            [("password", MASK), ("userdata", MASK), ("username", "u 1")]
        );
    }

    #[test]
    fn answers_mask_secret_keys_and_echoed_secrets() {
        let body = json!({
            "createsshkeypairresponse": {"keypair": {
                "name": "k", "fingerprint": "f",
                "privatekey": "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----"
            }},
            "user": [{"apikey": "AK", "secretkey": "SK", "text": "bad password hunter2!"}]
        });
        let kept = response(200, body.to_string().as_bytes(), &["hunter2!"]);
        let kept_body = kept.body.unwrap();
        let text = kept_body.to_string();
        assert!(
            !text.contains("PRIVATE KEY") && !text.contains("hunter2!"),
            "{text}"
        );
        assert!(
            !text.contains("\"SK\"") && !text.contains("\"AK\""),
            "{text}"
        );
        assert_eq!(
            kept_body["createsshkeypairresponse"]["keypair"]["name"],
            "k"
        );
        assert!(find_secrets(&kept_body).is_empty());
        assert_eq!(find_secrets(&body).len(), 4, "{:?}", find_secrets(&body));
        let kept = response(
            500,
            b"<html>apiKey=AK&signature=S hunter2!</html>",
            &["hunter2!"],
        );
        let text = kept.text.unwrap();
        assert!(!text.contains("AK&") && !text.contains("hunter2"), "{text}");
    }
}
