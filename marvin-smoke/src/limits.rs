//! Resource limits and resource counts.
