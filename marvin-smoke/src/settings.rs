//! Global settings (configurations) and their scopes.
