//! Guest networks.
