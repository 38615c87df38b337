//! Firewall and egress rules.
