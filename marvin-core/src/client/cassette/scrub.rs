//! What a cassette keeps of a request and an answer: secrets masked, in the
//! file only (the test saw the real values while recording).
//!
//! A secret is kept as a numbered placeholder, `***secret-N***`
//! ([`placeholder`]): one number per distinct value in a cassette, the same
//! wherever that value shows (a password sent, then echoed in an error; an
//! API key answered by `registerUserKeys`, then signing later requests). The
//! numbers carry no part of the value, yet they keep what replay and
//! conformance need: which later request used which earlier secret.
//!
//! Masked in requests: every parameter [`is_masked_param`] names (passwords,
//! keys, user data); the authentication parameters are not kept at all
//! ([`IGNORED`](super::matching::IGNORED)), only the [`Caller`]: the
//! placeholders of the credentials that signed the request. In answers: the
//! string values of the same keys at any depth (the `apikey` and `secretkey`
//! of `getUserKeys` and `registerUserKeys`, the `privatekey` of
//! `createSSHKeyPair`, whose PEM armour is kept around its placeholder,
//! passwords, user data), and anywhere else in the answer every value the
//! call sent as a secret or signed with (a password echoed in an error
//! text).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::matching::is_ignored;
use super::{Caller, RecordedRequest, RecordedResponse};
use crate::redact::{self, MASK};

/// How a placeholder starts: `***secret-`, then its number, then `***`.
const PLACEHOLDER_START: &str = "***secret-";
const PLACEHOLDER_END: &str = "***";

/// The placeholder of secret number `n` of a cassette: `***secret-N***`.
pub fn placeholder(n: u32) -> String {
    format!("{PLACEHOLDER_START}{n}{PLACEHOLDER_END}")
}

/// The number of `text` when it is exactly one placeholder.
pub fn placeholder_number(text: &str) -> Option<u32> {
    let digits = text
        .strip_prefix(PLACEHOLDER_START)?
        .strip_suffix(PLACEHOLDER_END)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `text` with every placeholder replaced by what `value` gives for its
/// number (placeholders it gives nothing for stay).
pub fn replace_placeholders(text: &str, mut value: impl FnMut(u32) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PLACEHOLDER_START) {
        out.push_str(&rest[..at]);
        let after = &rest[at + PLACEHOLDER_START.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let number = after[..digits].parse::<u32>().ok();
        match number.filter(|_| after[digits..].starts_with(PLACEHOLDER_END)) {
            Some(n) => {
                let whole =
                    &rest[at..at + PLACEHOLDER_START.len() + digits + PLACEHOLDER_END.len()];
                match value(n) {
                    Some(replacement) => out.push_str(&replacement),
                    None => out.push_str(whole),
                }
                rest = &rest[at + whole.len()..];
            }
            None => {
                out.push_str(PLACEHOLDER_START);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `text` may hold a placeholder (a quick test before
/// [`replace_placeholders`]).
pub fn has_placeholder(text: &str) -> bool {
    text.contains(PLACEHOLDER_START)
}

/// The numbers of the placeholders in `text`, in order.
pub fn placeholder_numbers(text: &str) -> Vec<u32> {
    let mut numbers = Vec::new();
    replace_placeholders(text, |n| {
        numbers.push(n);
        None
    });
    numbers
}

/// True when a parameter's or key's value is masked in cassettes: secrets
/// and user data. Case-insensitive.
pub fn is_masked_param(name: &str) -> bool {
    redact::is_secret_name(name) || name.to_ascii_lowercase().contains("userdata")
}

/// The numbers a cassette gives its secrets while recording: one per
/// distinct value, in order of first appearance. The values live in memory
/// only; a cassette extended later (`new_episodes`) continues after the
/// highest number its file holds.
#[derive(Debug, Default)]
pub(super) struct SecretTable {
    numbers: HashMap<String, u32>,
    last: u32,
}

impl SecretTable {
    /// A table whose next number follows `last`.
    pub(super) fn after(last: u32) -> Self {
        Self {
            numbers: HashMap::new(),
            last,
        }
    }

    /// The placeholder of `value` (numbered on first sight).
    pub(super) fn mask(&mut self, value: &str) -> String {
        let next = self.last + 1;
        let n = *self.numbers.entry(value.to_owned()).or_insert(next);
        self.last = self.last.max(n);
        placeholder(n)
    }

    /// `text` with every known secret of at least four characters (and
    /// each of `extra`) replaced by its placeholder, longest first.
    fn scrub_text(&mut self, text: &str, extra: &[&str]) -> String {
        for secret in extra {
            if secret.len() >= 4 {
                self.mask(secret);
            }
        }
        let mut known: Vec<(&String, &u32)> = self
            .numbers
            .iter()
            .filter(|(value, _)| value.len() >= 4)
            .collect();
        known.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        let mut out = text.to_owned();
        for (value, n) in known {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), &placeholder(*n));
            }
        }
        out
    }
}

/// The highest placeholder number anywhere in a JSON value.
pub(super) fn highest_placeholder(value: &Value) -> u32 {
    let mut highest = 0;
    super::matching::strings(value, &mut |s| {
        if has_placeholder(s) {
            highest = placeholder_numbers(s).into_iter().fold(highest, u32::max);
        }
    });
    highest
}

/// The credentials a request is sent with: API keys, or a session key.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Credentials<'a> {
    pub(crate) apikey: Option<&'a str>,
    pub(crate) secretkey: Option<&'a str>,
    pub(crate) sessionkey: Option<&'a str>,
}

/// The request as sent: `encoded` (`name=value&...`, the query of a GET or
/// the form of a POST) decoded, without the authentication, nothing masked.
/// What replay matches on.
pub(super) fn request_as_sent(method: &str, encoded: &str) -> RecordedRequest {
    let mut command = String::new();
    let mut params = BTreeMap::new();
    for (name, value) in decode_pairs(encoded) {
        if name.eq_ignore_ascii_case("command") {
            command = value;
        } else if !is_ignored(&name) {
            params.insert(name, value);
        }
    }
    RecordedRequest {
        method: method.to_owned(),
        command,
        caller: None,
        params,
    }
}

/// The request as kept: [`request_as_sent`] with secrets replaced by their
/// placeholders and the caller's credentials named by theirs.
pub(super) fn request(
    sent: &RecordedRequest,
    credentials: Credentials<'_>,
    table: &mut SecretTable,
) -> RecordedRequest {
    let params = sent
        .params
        .iter()
        .map(|(name, value)| {
            let value = if is_masked_param(name) && !value.is_empty() {
                table.mask(value)
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect();
    let mut mask = |value: Option<&str>| value.map(|v| table.mask(v));
    let caller = Caller {
        apikey: mask(credentials.apikey),
        secretkey: mask(credentials.secretkey),
        sessionkey: mask(credentials.sessionkey),
    };
    RecordedRequest {
        method: sent.method.clone(),
        command: sent.command.clone(),
        caller: (!caller.is_empty()).then_some(caller),
        params,
    }
}

/// The answer as kept: JSON when the body is JSON (the string values of
/// secret keys masked, known secrets and `secrets` scrubbed from every
/// string), else its text, scrubbed.
pub(super) fn response(
    status: u16,
    body: &[u8],
    secrets: &[&str],
    table: &mut SecretTable,
) -> RecordedResponse {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            mask_keys(&mut value, table);
            let mut scrub = |s: &mut String| *s = table.scrub_text(s, secrets);
            map_strings(&mut value, &mut scrub);
            RecordedResponse {
                status,
                body: Some(value),
                text: None,
            }
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text = table.scrub_text(&redact::redact_text(&text), secrets);
            RecordedResponse {
                status,
                body: None,
                text: Some(text),
            }
        }
    }
}

/// The PEM armour of a key (`-----BEGIN RSA PRIVATE KEY-----`), kept
/// around the placeholder so that the masked value keeps its form.
fn pem_armour(value: &str) -> Option<(&str, &str)> {
    let value = value.trim();
    let first = value.lines().next()?;
    let last = value.lines().last()?;
    (first.starts_with("-----BEGIN ") && last.starts_with("-----END ") && first != last)
        .then_some((first, last))
}

fn mask_keys(value: &mut Value, table: &mut SecretTable) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(s) if is_masked_param(key) && !s.is_empty() => {
                        *s = match pem_armour(s) {
                            Some((begin, end)) => {
                                let masked = table.mask(s);
                                format!("{begin}\n{masked}\n{end}")
                            }
                            None => table.mask(s),
                        };
                    }
                    other => mask_keys(other, table),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mask_keys(item, table)),
        _ => {}
    }
}

/// Calls `f` on every string of a JSON value, mutably.
pub(super) fn map_strings(value: &mut Value, f: &mut impl FnMut(&mut String)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|item| map_strings(item, f)),
        Value::Object(map) => map.values_mut().for_each(|item| map_strings(item, f)),
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

/// Where the cassettes of `dir` still hold a secret: per file, the places
/// [`find_secrets`] names, plus any request that kept an authentication
/// parameter. Files without a finding are left out; an unreadable or
/// malformed file is an error.
pub fn scan_dir(dir: &std::path::Path) -> crate::Result<Vec<(std::path::PathBuf, Vec<String>)>> {
    let mut found = Vec::new();
    for path in super::cassette_files(dir)? {
        let bytes = std::fs::read(&path).map_err(|e| {
            crate::Error::setup_with(format!("cannot read the cassette {}", path.display()), e)
        })?;
        let file: Value = serde_json::from_slice(&bytes).map_err(|e| {
            crate::Error::setup_with(format!("the cassette {} is malformed", path.display()), e)
        })?;
        let mut findings = find_secrets(&file);
        let interactions = file["interactions"].as_array().into_iter().flatten();
        for (index, interaction) in interactions.enumerate() {
            let params = interaction["request"]["params"]
                .as_object()
                .into_iter()
                .flatten();
            for (name, _) in params.filter(|(name, _)| is_ignored(name)) {
                findings.push(format!(
                    "interactions[{index}].request.params.{name} is kept"
                ));
            }
        }
        if !findings.is_empty() {
            found.push((path, findings));
        }
    }
    Ok(found)
}

/// A value as masking leaves it: empty, the bare mask, a placeholder, or a
/// placeholder in PEM armour.
fn is_masked_value(value: &str) -> bool {
    if value.is_empty() || value == MASK || placeholder_number(value).is_some() {
        return true;
    }
    let lines: Vec<&str> = value.trim().lines().collect();
    matches!(lines.as_slice(), [begin, inner, end]
        if begin.starts_with("-----BEGIN ") && end.starts_with("-----END ")
            && placeholder_number(inner.trim()).is_some())
}

fn walk(value: &Value, at: &str, findings: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{at}.{key}");
                // Objects under such a key (`virtualmachineuserdata`) are
                // walked: only their strings can hold the secret.
                if is_masked_param(key) && matches!(item, Value::String(s) if !is_masked_value(s)) {
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
            if s.contains("PRIVATE KEY-----") && !is_masked_value(s) {
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
        let sent = request_as_sent(
            "POST",
            "username=u%201&password=hunter2%21&userdata=aGk%3D&command=createAccount&response=json&apiKey=AK&signatureVersion=3&expires=2026-01-01T00%3A00%3A00%2B0000&signature=abc%3D",
        );
        let mut table = SecretTable::default();
        let credentials = Credentials {
            apikey: Some("AK"),
            secretkey: Some("SK"),
            sessionkey: None,
        };
        let kept = request(&sent, credentials, &mut table);
        assert_eq!(kept.command, "createAccount");
        assert_eq!(kept.method, "POST");
        let params: Vec<(&str, &str)> = kept
            .params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            params,
            [
                ("password", "***secret-1***"),
                ("userdata", "***secret-2***"),
                ("username", "u 1")
            ]
        );
        let caller = kept.caller.unwrap();
        assert_eq!(caller.identity(), Some("***secret-3***"));
        assert_eq!(caller.secretkey.as_deref(), Some("***secret-4***"));
        // The same value keeps its number.
        let again = request(&sent, credentials, &mut table);
        assert_eq!(again.params["password"], "***secret-1***");
    }

    #[test]
    fn answers_mask_secret_keys_and_echoed_secrets() {
        let body = json!({
            "createsshkeypairresponse": {"keypair": {
                "name": "k", "fingerprint": "f",
                "privatekey": "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----"
            }},
            "user": [{"apikey": "AKAK", "secretkey": "SK", "text": "bad password hunter2! for AKAK"}],
            "virtualmachineuserdata": {"userdata": "aGk="}
        });
        let mut table = SecretTable::default();
        let kept = response(200, body.to_string().as_bytes(), &["hunter2!"], &mut table);
        let kept_body = kept.body.unwrap();
        let text = kept_body.to_string();
        assert!(
            !text.contains("abc") && !text.contains("hunter2!"),
            "{text}"
        );
        assert!(!text.contains("AKAK") && !text.contains("\"SK\""), "{text}");
        assert_eq!(
            kept_body["createsshkeypairresponse"]["keypair"]["name"],
            "k"
        );
        let key = kept_body["createsshkeypairresponse"]["keypair"]["privatekey"]
            .as_str()
            .unwrap();
        assert!(
            key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n***secret-"),
            "{key}"
        );
        let apikey = kept_body["user"][0]["apikey"].as_str().unwrap();
        let echoed = kept_body["user"][0]["text"].as_str().unwrap();
        assert!(echoed.ends_with(&format!("for {apikey}")), "{echoed}");
        // User data is masked inside its object, not the object itself.
        assert!(kept_body["virtualmachineuserdata"].is_object());
        assert!(
            find_secrets(&kept_body).is_empty(),
            "{:?}",
            find_secrets(&kept_body)
        );
        assert_eq!(find_secrets(&body).len(), 5, "{:?}", find_secrets(&body));
        let kept = response(
            500,
            b"<html>apiKey=AK&signature=S hunter2!</html>",
            &["hunter2!"],
            &mut table,
        );
        let text = kept.text.unwrap();
        assert!(!text.contains("AK&") && !text.contains("hunter2"), "{text}");
    }

    #[test]
    fn placeholders_are_found_and_replaced() {
        assert_eq!(placeholder(12), "***secret-12***");
        assert_eq!(placeholder_number("***secret-12***"), Some(12));
        assert_eq!(placeholder_number("***secret-***"), None);
        assert_eq!(
            placeholder_numbers("a ***secret-1*** b ***secret-22*** ***"),
            [1, 22]
        );
        let replaced = replace_placeholders("x ***secret-1*** ***secret-2***", |n| {
            (n == 1).then(|| "one".to_owned())
        });
        assert_eq!(replaced, "x one ***secret-2***");
    }
}
