//! What the storage family offers other families: primary storage
//! placement and the volumes of a VM.

/// Primary storage pools: placement of a new volume.
pub(crate) mod pools {
    pub(crate) use super::super::pools::{no_pool, pick};
}

/// The volumes of VMs: created, moved, resized and removed with them.
pub(crate) mod volume {
    pub(crate) use super::super::volume::{
        NewVolume, check_max_size, find, insert, materialize_for, move_to, of_vm, release_counts,
        remove, set_state,
    };
    pub(crate) use super::super::volumes::custom_size;
}
