//! The compute side of the network seam (see `network::api`): every
//! call into the network family goes through here, so the VM code has one
//! place that names what it uses of the seam. The functions are the network
//! family's `network::api`, documented there.

pub(crate) use crate::families::network::api::set_default_nic;
pub(crate) use crate::families::network::api::{
    add_nic, assign_security_groups, check_network_usable, default_network, nics_json, remove_nic,
    rendered_nics_of_vms, security_groups_of_vms, static_nats_of, update_nic_ip, vm_expunged,
};
