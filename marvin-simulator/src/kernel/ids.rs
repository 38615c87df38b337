//! Ids and keys of new objects.

use rand::RngCore;

/// A new uuid (v4) as text.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A random key like CloudStack's API and secret keys: 64 random bytes,
/// URL-safe base64 without padding (86 characters).
pub(crate) fn random_key() -> String {
    random_token(64)
}

/// `bytes` random bytes as URL-safe base64 without padding (session keys).
pub(crate) fn random_token(bytes: usize) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(bytes))
}

/// `bytes` random bytes as upper-case hex (session ids).
pub(crate) fn random_hex(bytes: usize) -> String {
    random_bytes(bytes)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn random_bytes(count: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; count];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_keys_are_long_and_distinct() {
        let (a, b) = (random_key(), random_key());
        assert_eq!(a.len(), 86);
        assert_ne!(a, b);
    }
}
