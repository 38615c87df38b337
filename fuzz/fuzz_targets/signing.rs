//! Fuzzes the signing rules both sides share (`marvin_core::signing`): the
//! canonical string, Java's URL encoding, signing and verification.
//!
//! Properties: nothing panics; the canonical string has no upper-case
//! ASCII and skips `signature`; Java's encoding leaves only `A-Z a-z 0-9 .
//! - * _` and `%XX`, and decodes back to the input; a signature verifies
//! against its own canonical string and secret, and no other signature
//! (nor the right one under another secret) does.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use marvin_core::signing::{
    canonical_string, java_url_encode, sign, sign_canonical, verify_canonical,
};

#[derive(Debug, Arbitrary)]
struct Input {
    pairs: Vec<(String, String)>,
    secret: String,
    other_secret: String,
    forged: String,
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII escapes");
            out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fuzz_target!(|input: Input| {
    for (name, value) in &input.pairs {
        let encoded = java_url_encode(value);
        assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-*_%".contains(&b)),
            "{encoded}"
        );
        assert_eq!(percent_decode(&encoded), value.as_bytes());
        let _ = java_url_encode(name);
    }
    let pairs = || input.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let canonical = canonical_string(pairs());
    assert!(
        !canonical.bytes().any(|b| b.is_ascii_uppercase()),
        "{canonical}"
    );
    let with_signature = canonical_string(pairs().chain([("signature", "whatever")]));
    assert_eq!(canonical, with_signature, "`signature` is never signed");

    let signature = sign(pairs(), &input.secret);
    assert_eq!(signature, sign_canonical(&canonical, &input.secret));
    assert!(verify_canonical(&canonical, &input.secret, &signature));
    if input.forged.trim() != signature {
        assert!(!verify_canonical(&canonical, &input.secret, &input.forged));
    }
    if input.other_secret != input.secret {
        // HMAC-SHA1 keys are zero-padded to the block size: keys that differ
        // only by trailing NULs (up to 64 bytes) are the same key.
        let a = input.secret.trim_end_matches('\0');
        let b = input.other_secret.trim_end_matches('\0');
        if a != b || input.secret.len() > 64 || input.other_secret.len() > 64 {
            assert!(!verify_canonical(
                &canonical,
                &input.other_secret,
                &signature
            ));
        }
    }
});
