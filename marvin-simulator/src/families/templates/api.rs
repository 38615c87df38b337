//! What other families call: the response of a template (or ISO) in one
//! zone, as `listTemplates` shows it (the storage family answers
//! `createTemplate` and `copyTemplate` with it).

use rusqlite::OptionalExtension;
use serde_json::Value;

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

use super::images::{self, Kind};

/// Image `id` as listed in `zone_id` (431 naming `id` when it is not there).
pub(crate) fn template_json(call: &Call<'_>, id: &str, zone_id: &str) -> Result<Value, ApiError> {
    let stored: Option<String> = call
        .tx
        .query_row("SELECT kind FROM templates WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    let kind = Kind::of_stored(stored.as_deref().unwrap_or_default());
    let mut query = images::query(kind);
    query.eq("z.id", Some(zone_id));
    let row = query.one(call.tx, "t.id", id)?;
    Ok(images::finish(call, kind, vec![row])?
        .into_iter()
        .next()
        .unwrap_or(Value::Null))
}
