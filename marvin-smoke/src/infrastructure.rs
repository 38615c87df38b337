//! Zones, pods, clusters and hosts, as the root admin.
