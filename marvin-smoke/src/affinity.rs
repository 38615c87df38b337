//! Affinity groups.
