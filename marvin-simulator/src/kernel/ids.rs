//! Ids and keys of new objects.

use rand::RngCore;

use crate::kernel::error::ApiError;

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

/// Whether any table of the store holds a row whose `id` is `id`. It names
/// no table: it asks each one with an `id` column. The generic family
/// checks with it the id parameters of the APIs it answers, which may name
/// objects any family keeps (CloudStack looks every uuid parameter up in
/// its entity's table and refuses with 431 when it names nothing).
pub(crate) fn known(tx: &rusqlite::Transaction<'_>, id: &str) -> Result<bool, ApiError> {
    use rusqlite::OptionalExtension as _;
    let tables: Vec<String> = tx
        .prepare_cached(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND p.name = 'id' ORDER BY m.name",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for table in tables {
        let found = tx
            .prepare_cached(&format!("SELECT 1 FROM \"{table}\" WHERE id = ?1"))?
            .query_row([id], |_| Ok(()))
            .optional()?;
        if found.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
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
