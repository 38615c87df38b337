//! What goes on the wire: the final parameter list of a call, encoded once
//! for both the signature and the URL (or form body), and the `expires`
//! stamp of signature version 3.

use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::MAX_GET_BYTES;
use crate::params::Params;
use crate::redact;
use crate::signing::{self, Signer};

/// How a call authenticates, borrowed from the client for one request.
pub(super) enum Credentials<'a> {
    /// Signed with the API key's secret.
    Keys {
        api_key: &'a str,
        signer: &'a Signer,
        /// `Some(after)`: signature version 3, `expires` = now + `after`.
        expires_after: Option<Duration>,
    },
    /// A session: the `sessionkey` parameter (absent for `login` itself).
    Session { key: Option<&'a str> },
    /// Nothing (the integration port).
    None,
}

/// An encoded request.
pub(super) struct Prepared {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// `name=value&...`: the query of a GET, the form body of a POST.
    pub encoded: String,
    /// The signature, for scrubbing it from errors.
    pub signature: Option<String>,
}

/// Builds the final parameter list (the caller's, then `command`,
/// `response` and the authentication), encodes every name and value once
/// (as Java's `URLEncoder`, with `%20`), signs the canonical string built
/// from those encodings, and picks the method.
///
/// Parameters the client sets itself replace the caller's of the same name
/// (ignoring case).
pub(super) fn prepare(
    command: &str,
    params: &Params,
    credentials: &Credentials<'_>,
    force_post: bool,
) -> Prepared {
    let post = force_post
        || command.eq_ignore_ascii_case("login")
        || params.iter().any(|(name, _)| needs_post(name));
    let mut stamp = [0u8; EXPIRES_LEN];
    let mut own: [(&str, &str); 5] = [("", ""); 5];
    let mut count = 0;
    macro_rules! add {
        ($pair:expr) => {{
            own[count] = $pair;
            count += 1;
        }};
    }
    add!(("command", command));
    add!(("response", "json"));
    let signer = match credentials {
        Credentials::Keys {
            api_key,
            signer,
            expires_after,
        } => {
            add!(("apiKey", *api_key));
            if let Some(after) = expires_after {
                add!(("signatureVersion", "3"));
                add!(("expires", expires_into(*after, &mut stamp)));
            }
            Some(*signer)
        }
        Credentials::Session { key: Some(key) } => {
            add!(("sessionkey", key));
            None
        }
        Credentials::Session { key: None } | Credentials::None => None,
    };
    let own = &own[..count];
    let replaced = |name: &str| {
        own.iter().any(|(mine, _)| mine.eq_ignore_ascii_case(name))
            || (signer.is_some() && name.eq_ignore_ascii_case(signing::SIGNATURE_PARAM))
    };
    let pairs = params
        .iter()
        .filter(|(name, _)| !replaced(name))
        .chain(own.iter().copied());

    let mut encoded = String::with_capacity(256);
    // (name as sent, where its encoded value sits in `encoded`)
    let mut signed: Vec<(&str, usize, usize)> = Vec::new();
    if signer.is_some() {
        signed.reserve(params.len() + own.len());
    }
    for (name, value) in pairs {
        if !encoded.is_empty() {
            encoded.push('&');
        }
        signing::java_url_encode_into(&mut encoded, name);
        encoded.push('=');
        let start = encoded.len();
        signing::java_url_encode_into(&mut encoded, value);
        if signer.is_some() {
            signed.push((name, start, encoded.len()));
        }
    }
    let signature = signer.map(|signer| {
        // The server's canonical string: names as sent, sorted
        // case-sensitively, with the encoded values; all lower-cased.
        signed.sort_by(|a, b| a.0.cmp(b.0));
        let mut canonical = String::with_capacity(encoded.len());
        for (index, (name, start, end)) in signed.iter().enumerate() {
            if index > 0 {
                canonical.push('&');
            }
            canonical.push_str(name);
            canonical.push('=');
            canonical.push_str(&encoded[*start..*end]);
        }
        let signature = signer.sign_canonical(&signing::lower_case(canonical));
        encoded.push('&');
        encoded.push_str(signing::SIGNATURE_PARAM);
        encoded.push('=');
        signing::java_url_encode_into(&mut encoded, &signature);
        signature
    });
    let method = if post || encoded.len() > MAX_GET_BYTES {
        "POST"
    } else {
        "GET"
    };
    Prepared {
        method,
        encoded,
        signature,
    }
}

/// Parameters that must not travel in a URL (secrets, user data).
pub(super) fn needs_post(name: &str) -> bool {
    redact::is_secret_name(name)
        || name
            .as_bytes()
            .windows(USERDATA.len())
            .any(|window| window.eq_ignore_ascii_case(USERDATA))
}

const USERDATA: &[u8] = b"userdata";

/// `yyyy-MM-dd'T'HH:mm:ss+0000`.
const EXPIRES_LEN: usize = 24;

thread_local! {
    /// The last `expires` stamp made on this thread: (unix second, text).
    static LAST_STAMP: Cell<(u64, [u8; EXPIRES_LEN])> = const { Cell::new((u64::MAX, [0; EXPIRES_LEN])) };
}

/// `expires` for signature version 3: now plus `after`, to the second, as
/// `yyyy-MM-dd'T'HH:mm:ss+0000`, written into `buf`. The text of a second
/// is made once per thread and reused for every call in that second.
pub(super) fn expires_into(after: Duration, buf: &mut [u8; EXPIRES_LEN]) -> &str {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let second = now.saturating_add(after).as_secs();
    let (cached, text) = LAST_STAMP.get();
    *buf = if cached == second {
        text
    } else {
        let text = format_stamp(second);
        LAST_STAMP.set((second, text));
        text
    };
    std::str::from_utf8(buf).expect("the stamp is ASCII")
}

/// Formats a unix time (UTC) as `yyyy-MM-dd'T'HH:mm:ss+0000`.
fn format_stamp(unix_seconds: u64) -> [u8; EXPIRES_LEN] {
    let at = i64::try_from(unix_seconds)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let mut out = *b"0000-00-00T00:00:00+0000";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for index in (at..at + width).rev() {
            out[index] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, u32::try_from(at.year().clamp(0, 9999)).unwrap_or(0));
    put(5, 2, u32::from(u8::from(at.month())));
    put(8, 2, u32::from(at.day()));
    put(11, 2, u32::from(at.hour()));
    put(14, 2, u32::from(at.minute()));
    put(17, 2, u32::from(at.second()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_match_the_time_crate_formatting() {
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+0000");
        for seconds in [
            0u64,
            951_782_400,
            1_704_103_200,
            1_709_251_199,
            4_102_444_799,
        ] {
            let expected = time::OffsetDateTime::from_unix_timestamp(seconds as i64)
                .unwrap()
                .format(&format)
                .unwrap();
            assert_eq!(
                std::str::from_utf8(&format_stamp(seconds)).unwrap(),
                expected
            );
        }
    }

    #[test]
    fn expires_is_now_plus_the_delay_and_cached_per_second() {
        let mut buf = [0u8; EXPIRES_LEN];
        let before = time::OffsetDateTime::now_utc() + Duration::from_secs(600);
        let text = expires_into(Duration::from_secs(600), &mut buf).to_owned();
        let after = time::OffsetDateTime::now_utc() + Duration::from_secs(600);
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        let parsed = time::PrimitiveDateTime::parse(&text[..19], &format)
            .unwrap()
            .assume_utc();
        assert!(text.ends_with("+0000"), "{text}");
        assert!(
            parsed.unix_timestamp() >= before.unix_timestamp()
                && parsed.unix_timestamp() <= after.unix_timestamp(),
            "{text}"
        );
        // Another delay is another second: the cache never mixes them up.
        let mut other = [0u8; EXPIRES_LEN];
        let later = expires_into(Duration::from_secs(7200), &mut other);
        assert!(later > text.as_str(), "{later} vs {text}");
    }

    fn prepare_keys(params: &Params, command: &str, v3: bool) -> Prepared {
        let signer = Signer::new("bar");
        let credentials = Credentials::Keys {
            api_key: "foo",
            signer: &signer,
            expires_after: v3.then_some(Duration::from_secs(600)),
        };
        prepare(command, params, &credentials, false)
    }

    #[test]
    fn every_protocol_vector_is_reproduced() {
        for &(pairs, _, signature) in signing::TEST_VECTORS {
            let params: Params = pairs
                .iter()
                .filter(|(name, _)| !matches!(*name, "apiKey" | "command" | "response"))
                .copied()
                .collect();
            let command = pairs.iter().find(|(name, _)| *name == "command").unwrap().1;
            let prepared = prepare_keys(&params, command, false);
            let expected = format!("&signature={}", signing::java_url_encode(signature));
            assert!(
                prepared.encoded.ends_with(&expected),
                "{} vs {signature}",
                prepared.encoded
            );
            assert_eq!(prepared.signature.as_deref(), Some(signature));
        }
    }

    #[test]
    fn v3_requests_sign_expires_and_the_caller_cannot_override_the_client() {
        let params = Params::from([("name", "a b"), ("Command", "evil"), ("SIGNATURE", "x")]);
        let prepared = prepare_keys(&params, "listZones", true);
        let pairs: Vec<(String, String)> = prepared
            .encoded
            .split('&')
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap();
                (name.to_owned(), value.to_owned())
            })
            .collect();
        let names: Vec<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "name",
                "command",
                "response",
                "apiKey",
                "signatureVersion",
                "expires",
                "signature"
            ]
        );
        assert_eq!(pairs[0].1, "a%20b");
        assert_eq!(pairs[1].1, "listZones");
        // The server's view: decoded values, canonical string, signature.
        let decoded: Vec<(String, String)> = pairs
            .iter()
            .map(|(name, value)| {
                let value = reqwest::Url::parse(&format!("http://x/?v={value}"))
                    .unwrap()
                    .query_pairs()
                    .next()
                    .unwrap()
                    .1
                    .into_owned();
                (name.clone(), value)
            })
            .collect();
        let canonical = signing::canonical_string(
            decoded
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
        );
        let signature = &decoded.last().unwrap().1;
        assert!(signing::verify_canonical(&canonical, "bar", signature));
    }

    #[test]
    fn sessions_send_their_key_and_secrets_or_bulk_force_post() {
        let params = Params::from([("name", "x")]);
        let prepared = prepare(
            "listZones",
            &params,
            &Credentials::Session { key: Some("k/1") },
            false,
        );
        assert_eq!(prepared.method, "GET");
        assert_eq!(
            prepared.encoded,
            "name=x&command=listZones&response=json&sessionkey=k%2F1"
        );
        assert!(prepared.signature.is_none());
        let params = Params::from([("userData", "abc")]);
        let prepared = prepare("deployVirtualMachine", &params, &Credentials::None, false);
        assert_eq!(prepared.method, "POST");
        let big = "x".repeat(MAX_GET_BYTES);
        let params = Params::from([("name", big.as_str())]);
        assert_eq!(
            prepare("listZones", &params, &Credentials::None, false).method,
            "POST"
        );
        assert_eq!(
            prepare("login", &Params::new(), &Credentials::None, false).method,
            "POST"
        );
    }

    #[test]
    fn secrets_and_user_data_force_post() {
        assert!(needs_post("password"));
        assert!(needs_post("userdata"));
        assert!(needs_post("UserData"));
        assert!(needs_post("details[0].password"));
        assert!(!needs_post("name"));
    }
}
