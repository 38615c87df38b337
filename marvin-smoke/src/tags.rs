//! Resource tags.
