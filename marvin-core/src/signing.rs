//! Request signing, byte-exact with CloudStack's `ApiServer.verifyRequest`.
//!
//! The canonical string is built from every parameter except `signature`:
//! names sorted case-sensitively as sent, values encoded like Java's
//! `URLEncoder` (only `A-Z a-z 0-9 . - * _` stay bare, space becomes `%20`),
//! pairs joined with `&`, and the whole string lower-cased. The signature is
//! the base64 of its HMAC-SHA1 under the secret key.
//!
//! ```
//! use marvin_core::signing::{canonical_string, sign};
//! let params = [("apiKey", "foo"), ("command", "listVirtualMachines"),
//!               ("listAll", "true"), ("response", "json")];
//! assert_eq!(canonical_string(params),
//!            "apikey=foo&command=listvirtualmachines&listall=true&response=json");
//! assert_eq!(sign(params, "bar"), "B0d6hBsZTcFVCiioSxzwKA9Pke8=");
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The parameter that carries the signature and is itself never signed.
pub const SIGNATURE_PARAM: &str = "signature";

/// Encodes a value as Java's `URLEncoder.encode(value, "UTF-8")` does, then
/// replaces `+` by `%20`, as the server does before signing.
///
/// ```
/// use marvin_core::signing::java_url_encode;
/// assert_eq!(java_url_encode("a b,c~*"), "a%20b%2Cc%7E*");
/// ```
pub fn java_url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    java_url_encode_into(&mut out, value);
    out
}

/// [`java_url_encode`] appending to `out` (no allocation of its own).
///
/// ```
/// use marvin_core::signing::java_url_encode_into;
/// let mut query = String::from("name=");
/// java_url_encode_into(&mut query, "web 1");
/// assert_eq!(query, "name=web%201");
/// ```
pub fn java_url_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = value.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if !is_bare(byte) {
            // A non-empty run of bare bytes is ASCII, so it starts and ends
            // on char boundaries (every byte of a multi-byte char is escaped).
            if index > start {
                out.push_str(&value[start..index]);
            }
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            start = index + 1;
        }
    }
    out.push_str(&value[start..]);
}

/// The bytes Java's `URLEncoder` leaves as they are.
fn is_bare(byte: u8) -> bool {
    matches!(byte, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_')
}

/// Builds the lower-cased canonical string of a request, skipping `signature`.
pub fn canonical_string<'a, I, K, V>(params: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let mut pairs: Vec<(K, V)> = params
        .into_iter()
        .filter(|(name, _)| name.as_ref() != SIGNATURE_PARAM)
        .collect();
    // Java compares strings by UTF-16 code units; for the ASCII names
    // CloudStack uses this is the same as byte order, and it is stable.
    pairs.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    let mut out = String::new();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(name.as_ref());
        out.push('=');
        java_url_encode_into(&mut out, value.as_ref());
    }
    lower_case(out)
}

/// Lower-cases a canonical string as Java's `String.toLowerCase` does; the
/// common all-ASCII case in place.
pub(crate) fn lower_case(mut text: String) -> String {
    if text.is_ascii() {
        text.make_ascii_lowercase();
        text
    } else {
        text.to_lowercase()
    }
}

/// Signs an already canonical string with the secret key.
pub fn sign_canonical(canonical: &str, secret_key: &str) -> String {
    STANDARD.encode(mac(canonical, secret_key).finalize().into_bytes())
}

/// Signs a request's parameters (`signature`, if present, is ignored).
pub fn sign<'a, I, K, V>(params: I, secret_key: &str) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    sign_canonical(&canonical_string(params), secret_key)
}

/// A secret key made ready for signing: the HMAC key schedule is computed
/// once, and every signature starts from a copy of it.
///
/// ```
/// use marvin_core::signing::{sign_canonical, Signer};
/// let canonical = "apikey=foo&command=listvirtualmachines&listall=true&response=json";
/// let signer = Signer::new("bar");
/// assert_eq!(signer.sign_canonical(canonical), sign_canonical(canonical, "bar"));
/// assert_eq!(format!("{signer:?}"), "Signer(..)"); // the key never shows
/// ```
#[derive(Clone)]
pub struct Signer {
    keyed: Hmac<Sha1>,
}

impl Signer {
    /// Prepares `secret_key`.
    pub fn new(secret_key: &str) -> Self {
        Self {
            keyed: Hmac::<Sha1>::new_from_slice(secret_key.as_bytes())
                .expect("HMAC accepts keys of any size"),
        }
    }

    /// Signs an already canonical string, as [`sign_canonical`] does.
    pub fn sign_canonical(&self, canonical: &str) -> String {
        let mut mac = self.keyed.clone();
        mac.update(canonical.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

/// Checks a received signature in constant time, as the server does.
pub fn verify_canonical(canonical: &str, secret_key: &str, signature: &str) -> bool {
    let Ok(expected) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    mac(canonical, secret_key).verify_slice(&expected).is_ok()
}

fn mac(canonical: &str, secret_key: &str) -> Hmac<Sha1> {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret_key.as_bytes()).expect("HMAC accepts keys of any size");
    mac.update(canonical.as_bytes());
    mac
}

/// One signing test vector: the parameters a client sends (API key `foo`),
/// their canonical string, and their signature under the secret key `bar`.
#[doc(hidden)]
pub type TestVector = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

/// The seven signing vectors of the protocol document
/// (cloudstack-protocol.md §2), for the tests of this crate and of the
/// simulator; not part of the API.
#[doc(hidden)]
pub const TEST_VECTORS: &[TestVector] = &[
    (
        &[
            ("apiKey", "foo"),
            ("command", "listVirtualMachines"),
            ("listAll", "true"),
            ("response", "json"),
        ],
        "apikey=foo&command=listvirtualmachines&listall=true&response=json",
        "B0d6hBsZTcFVCiioSxzwKA9Pke8=",
    ),
    (
        &[
            ("apiKey", "foo"),
            ("command", "listVirtualMachines"),
            ("page", "1"),
            ("pagesize", "10"),
            ("response", "json"),
            ("temPlateidd", "4"),
            ("templateId", "3"),
            ("zoneid", "2"),
        ],
        "apikey=foo&command=listvirtualmachines&page=1&pagesize=10&response=json&templateidd=4&templateid=3&zoneid=2",
        "mMS7XALuGkCXk7kj5SywySku0Z0=",
    ),
    (
        &[
            ("apiKey", "foo"),
            ("command", "listVirtualMachines"),
            ("listall", "1"),
            ("response", "json"),
            ("unicode_param", "éèààû"),
        ],
        "apikey=foo&command=listvirtualmachines&listall=1&response=json&unicode_param=%c3%a9%c3%a8%c3%a0%c3%a0%c3%bb",
        "gABU/KFJKD3FLAgKDuxQoryu4sA=",
    ),
    (
        &[
            ("apiKey", "foo"),
            ("bar[0].baz", "blah"),
            ("bar[0].foo", "1000"),
            ("bytes_param", "blah"),
            ("command", "listVirtualMachines"),
            ("foo", "foo,bar"),
            ("response", "json"),
        ],
        "apikey=foo&bar[0].baz=blah&bar[0].foo=1000&bytes_param=blah&command=listvirtualmachines&foo=foo%2cbar&response=json",
        "ImJ/5F0P2RDL7yn4LdLnGcEx5WE=",
    ),
    (
        &[
            ("apiKey", "foo"),
            ("command", "scaleVirtualMachine"),
            ("details[0].cpuNumber", "1000"),
            ("details[0].memory", "640k"),
            ("id", "a"),
            ("response", "json"),
        ],
        "apikey=foo&command=scalevirtualmachine&details[0].cpunumber=1000&details[0].memory=640k&id=a&response=json",
        "ZNl66z3gFhnsx2Eo3vvCIM0kAgI=",
    ),
    (
        &[
            ("apiKey", "foo"),
            ("command", "createNetwork"),
            ("display_text", ""),
            ("name", ""),
            ("response", "json"),
        ],
        "apikey=foo&command=createnetwork&display_text=&name=&response=json",
        "CistTEiPt/4Rv1v4qSyILvPbhmg=",
    ),
    (
        &[
            ("apiKey", "foo"),
            ("blah", "brah"),
            ("command", "listVirtualMachines"),
            ("response", "json"),
        ],
        "apikey=foo&blah=brah&command=listvirtualmachines&response=json",
        "58VvLSaVUqHnG9DhXNOAiDFwBoA=",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seven_protocol_vectors_sign_and_verify() {
        for &(params, canonical, signature) in TEST_VECTORS {
            assert_eq!(canonical_string(params.iter().copied()), canonical);
            assert_eq!(
                sign(params.iter().copied(), "bar"),
                signature,
                "{canonical}"
            );
            assert!(verify_canonical(canonical, "bar", signature));
        }
    }

    #[test]
    fn a_prepared_signer_signs_like_the_plain_functions() {
        let signer = Signer::new("bar");
        for &(_, canonical, signature) in TEST_VECTORS {
            assert_eq!(signer.sign_canonical(canonical), signature);
            // Twice: the prepared key is not consumed.
            assert_eq!(signer.sign_canonical(canonical), signature);
        }
        let mut out = String::from("x=");
        java_url_encode_into(&mut out, "é ~a*");
        assert_eq!(out, "x=%C3%A9%20%7Ea*");
    }

    #[test]
    fn sort_is_case_sensitive_not_lower_cased() {
        // 'P' (0x50) sorts before 'p' (0x70): temPlateidd comes first.
        let canonical = canonical_string([("templateId", "3"), ("temPlateidd", "4")]);
        assert_eq!(canonical, "templateidd=4&templateid=3");
    }

    #[test]
    fn the_signature_parameter_is_never_signed() {
        let with = sign([("a", "1"), ("signature", "x")], "k");
        let without = sign([("a", "1")], "k");
        assert_eq!(with, without);
    }

    #[test]
    fn java_encoder_escapes_what_other_encoders_leave_bare() {
        assert_eq!(java_url_encode("~"), "%7E");
        assert_eq!(java_url_encode("*"), "*");
        assert_eq!(java_url_encode("/"), "%2F");
        assert_eq!(java_url_encode(" "), "%20");
        assert_eq!(java_url_encode("+"), "%2B");
    }

    #[test]
    fn verification_fails_for_a_tampered_canonical_string_or_garbage() {
        let canonical = "apikey=foo&command=listzones&response=json";
        let good = sign_canonical(canonical, "bar");
        assert!(verify_canonical(canonical, "bar", &good));
        assert!(!verify_canonical(
            "apikey=foo&command=listzones",
            "bar",
            &good
        ));
        assert!(!verify_canonical(canonical, "baz", &good));
        assert!(!verify_canonical(canonical, "bar", "not base64!"));
    }
}
