//! Volume and VM snapshots.
