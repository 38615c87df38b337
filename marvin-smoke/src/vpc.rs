//! VPCs, their tiers and ACLs.
