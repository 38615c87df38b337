//! Events: what actions record and who sees them.
