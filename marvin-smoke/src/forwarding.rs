//! Port forwarding rules.
