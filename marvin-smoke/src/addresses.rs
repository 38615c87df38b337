//! Public IP addresses.
