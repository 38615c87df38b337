//! CloudStack's smoke tests, written with Marvin's typed layer only:
//! entities and their verbs, typed commands, factories with owners, and
//! `should` assertions. Each module is one area; each scenario is a
//! `#[marvin::test]` tagged `smoke` and its area (`admin` when only the
//! root admin may run it, `simulator` when it needs the simulator's own
//! APIs). The test target `smoke` runs them all:
//! `cargo test -p marvin-smoke`.

pub mod accounts;
pub mod addresses;
pub mod affinity;
pub mod domains;
pub mod events;
pub mod firewall;
pub mod forwarding;
pub mod infrastructure;
pub mod jobs;
pub mod keypairs;
pub mod limits;
pub mod load_balancing;
pub mod nat;
pub mod networks;
pub mod offerings;
pub mod projects;
pub mod roles;
pub mod security_groups;
pub mod settings;
pub mod snapshots;
mod support;
pub mod tags;
pub mod templates;
pub mod users;
pub mod vms;
pub mod volumes;
pub mod vpc;
pub mod vpn;
