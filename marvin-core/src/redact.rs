//! Masking secrets before anything is logged, traced, displayed or recorded.
//!
//! A parameter is secret when its name, ignoring ASCII case and any
//! `name[i].` map prefix, is one of `apiKey`, `signature`, `sessionkey`,
//! `securityKey`, `privatekey`, `jsessionid`, or ends in `password`,
//! `passwd`, `secretkey` or `secret`. Such values are replaced by [`MASK`]
//! wherever they appear: parameter lists, query strings and form bodies, URLs,
//! JSON values and loose text snippets.
//!
//! ```
//! use marvin_core::redact::{is_secret_name, redact_query};
//! assert!(is_secret_name("secretKey"));
//! assert!(is_secret_name("details[0].Password"));
//! assert!(!is_secret_name("passwordenabled"));
//! assert_eq!(
//!     redact_query("command=listZones&apiKey=abc&signature=x%2By"),
//!     "command=listZones&apiKey=***&signature=***"
//! );
//! ```

use serde_json::Value;

/// What every secret value is replaced with.
pub const MASK: &str = "***";

const SECRET_NAMES: [&str; 6] = [
    "apikey",
    "signature",
    "sessionkey",
    "securitykey",
    "privatekey",
    "jsessionid",
];
const SECRET_SUFFIXES: [&str; 4] = ["password", "passwd", "secretkey", "secret"];

/// True when a value of this parameter (or JSON key) must never be shown.
///
/// Case-insensitive; for map entries (`details[0].password`) the part after
/// the last `.` decides.
pub fn is_secret_name(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name).trim();
    let last = last.to_ascii_lowercase();
    SECRET_NAMES.contains(&last.as_str()) || SECRET_SUFFIXES.iter().any(|s| last.ends_with(s))
}

/// Returns the pairs with every secret value masked.
pub fn redact_pairs<I, K, V>(pairs: I) -> Vec<(String, String)>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    pairs
        .into_iter()
        .map(|(name, value)| {
            let name = name.as_ref();
            let value = if is_secret_name(name) {
                MASK
            } else {
                value.as_ref()
            };
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// Masks the secret values of an `a=b&c=d` string (a query string or a form
/// body). Names may be percent-encoded (`details%5B0%5D.password`).
pub fn redact_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    for (index, pair) in query.split('&').enumerate() {
        if index > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, _)) if is_secret_name(&percent_decode_lossy(name)) => {
                out.push_str(name);
                out.push('=');
                out.push_str(MASK);
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// Masks the secret query values and any user-info password of a URL.
pub fn redact_url(url: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let (base, query) = match base.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (base, None),
    };
    let mut out = redact_userinfo(base);
    if let Some(query) = query {
        out.push('?');
        out.push_str(&redact_query(query));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn redact_userinfo(base: &str) -> String {
    let Some(scheme_end) = base.find("://") else {
        return base.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let authority = &base[authority_start..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            let masked = if userinfo.contains(':') {
                format!("{user}:{MASK}")
            } else {
                user.to_owned()
            };
            format!(
                "{}{}{}",
                &base[..authority_start],
                masked,
                &base[authority_start + at..]
            )
        }
        None => base.to_owned(),
    }
}

/// Returns a copy of a JSON value with the values of secret keys masked, at
/// any depth.
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let value = if is_secret_name(key) && !value.is_null() {
                        Value::String(MASK.to_owned())
                    } else {
                        redact_json(value)
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

/// Masks secrets in loose text that may be cut-off JSON, a query string or a
/// log line: after any secret name followed by `=` or `:` (with optional
/// quotes and blanks), the value up to the next delimiter is masked.
pub fn redact_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !is_name_byte(bytes[i]) || (i > 0 && is_name_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_name_byte(bytes[i]) {
            i += 1;
        }
        let name = &text[start..i];
        if !is_secret_name(name) {
            continue;
        }
        // Optional closing quote of a JSON key, blanks, then `=` or `:`.
        let mut j = i;
        if j < bytes.len() && bytes[j] == b'"' {
            j += 1;
        }
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if j >= bytes.len() || (bytes[j] != b'=' && bytes[j] != b':') {
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        let quoted = j < bytes.len() && bytes[j] == b'"';
        if quoted {
            j += 1;
        }
        let value_start = j;
        while j < bytes.len() {
            let b = bytes[j];
            let end = if quoted {
                b == b'"' && bytes[j - 1] != b'\\'
            } else {
                matches!(
                    b,
                    b'&' | b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | b';'
                )
            };
            if end {
                break;
            }
            j += 1;
        }
        if j > value_start || quoted {
            out.push_str(&text[copied..value_start]);
            out.push_str(MASK);
            copied = j;
        }
        i = j;
    }
    out.push_str(&text[copied..]);
    out
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']' | b'%')
}

/// Replaces every occurrence of the given secret values (those of 4 bytes or
/// more; shorter ones would mask innocent text) by [`MASK`].
///
/// Used on server texts that may echo a value the client sent.
pub fn scrub_values<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        let secret = secret.as_ref();
        if secret.len() >= 4 && out.contains(secret) {
            out = out.replace(secret, MASK);
        }
    }
    out
}

/// Cuts a text to at most `max` characters, marking the cut with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn percent_decode_lossy(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_names_are_matched_case_insensitively_and_inside_maps() {
        for name in [
            "apiKey",
            "APIKEY",
            "signature",
            "sessionkey",
            "sessionKey",
            "secretkey",
            "secretKey",
            "password",
            "currentPassword",
            "passwd",
            "securityKey",
            "details[0].password",
            "details[1].PASSWORD",
            "privatekey",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "passwordenabled",
            "command",
            "name",
            "keypair",
            "apikeyaccess",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn pairs_keep_order_and_mask_secret_values() {
        let out = redact_pairs([
            ("command", "createUser"),
            ("password", "hunter22"),
            ("a", "b"),
        ]);
        assert_eq!(
            out,
            vec![
                ("command".to_owned(), "createUser".to_owned()),
                ("password".to_owned(), MASK.to_owned()),
                ("a".to_owned(), "b".to_owned()),
            ]
        );
    }

    #[test]
    fn queries_mask_encoded_names_too() {
        let q = "details%5B0%5D.password=s3cr3t&name=x&sessionkey=abcd&flag";
        assert_eq!(
            redact_query(q),
            "details%5B0%5D.password=***&name=x&sessionkey=***&flag"
        );
    }

    #[test]
    fn urls_mask_query_and_userinfo() {
        let url =
            "https://admin:pw1234@cloud:8080/client/api?command=listZones&apiKey=K&signature=S#f";
        let out = redact_url(url);
        assert_eq!(
            out,
            "https://admin:***@cloud:8080/client/api?command=listZones&apiKey=***&signature=***#f"
        );
        assert_eq!(redact_url("http://h/client/api"), "http://h/client/api");
    }

    #[test]
    fn json_values_are_masked_at_any_depth() {
        let body = json!({"getuserkeysresponse": {"userkeys": {"apikey": "ak", "secretkey": "sk"}},
                          "list": [{"password": "p"}, {"name": "n"}]});
        let out = redact_json(&body);
        let text = out.to_string();
        assert!(!text.contains("\"sk\"") && !text.contains("\"ak\"") && !text.contains("\"p\""));
        assert_eq!(out["list"][1]["name"], "n");
    }

    #[test]
    fn loose_text_is_masked_even_when_cut() {
        let text = r#"{"loginresponse":{"username":"admin","sessionkey":"umn5ciBuEdorc784g4pJr","timeout":3600"#;
        let out = redact_text(text);
        assert!(!out.contains("umn5ciBuEdorc784g4pJr"), "{out}");
        assert!(out.contains("\"username\":\"admin\""));
        let cut = r#"{"userkeys":{"secretkey":"zV8kAYlyY4H-rEDO"#;
        assert!(!redact_text(cut).contains("zV8kAYlyY4H"));
        let query = "command=login&password=hunter22&domain=/";
        assert_eq!(redact_text(query), "command=login&password=***&domain=/");
        assert_eq!(redact_text("password: hunter22 ok"), "password: *** ok");
    }

    #[test]
    fn known_values_are_scrubbed_and_short_ones_left() {
        let out = scrub_values("bad value hunter22 for x", &["hunter22", "x"]);
        assert_eq!(out, "bad value *** for x");
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate("éèàà", 2), "éè…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
