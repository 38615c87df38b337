//! Typed CloudStack commands, responses and entities, generated at compile
//! time from `api-precache.json`.
