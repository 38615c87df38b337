//! Kubernetes service: the supported versions
//! (`KubernetesVersionManagerImpl`): add, list, enable/disable, delete; and
//! the clusters (`KubernetesClusterManagerImpl`): create, list, start,
//! stop, scale, upgrade, delete and their kubeconfig, whose nodes are the
//! owner's VMs (compute's `api.rs`) in a guest network (network's).
//! Every command refuses while `cloud.kubernetes.service.enabled` is off
//! (its default), as the server's managers do.

mod clusters;
mod versions;

#[cfg(test)]
mod tests;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family};

/// The kubernetes family.
pub(crate) const FAMILY: Family = Family::new("kubernetes", include_str!("schema.sql"), COMMANDS);

const COMMANDS: &[Command] = &[
    Command::new(
        "addKubernetesSupportedVersion",
        RoleSet::ADMIN,
        "Adds a Kubernetes version clusters may run (its semantic version, binaries ISO URL and the \
         minimum CPUs and memory of its nodes), in one zone or all.",
        versions::add,
    ),
    Command::all(
        "listKubernetesSupportedVersions",
        "Lists the supported Kubernetes versions, of a zone (and the all-zone ones) or from a minimum version.",
        versions::list,
    ),
    Command::new(
        "updateKubernetesSupportedVersion",
        RoleSet::ADMIN,
        "Enables or disables a supported Kubernetes version.",
        versions::update,
    ),
    Command::new(
        "deleteKubernetesSupportedVersion",
        RoleSet::ADMIN,
        "Deletes a supported Kubernetes version no cluster uses.",
        versions::delete,
    ),
    Command::all(
        "createKubernetesCluster",
        "Creates a Kubernetes cluster of the caller's (or the given account's or project's): its control and \
         worker nodes on an offering, in the given network or in an isolated network made for it; the job starts it.",
        clusters::create,
    ),
    Command::all(
        "listKubernetesClusters",
        "Lists the Kubernetes clusters the caller may see, by id, name, keyword or state.",
        clusters::list,
    ),
    Command::all(
        "startKubernetesCluster",
        "Starts a Kubernetes cluster: provisions a created one, starts a stopped one's nodes.",
        clusters::start,
    ),
    Command::all(
        "stopKubernetesCluster",
        "Stops a Kubernetes cluster's nodes.",
        clusters::stop,
    ),
    Command::all(
        "scaleKubernetesCluster",
        "Scales a Kubernetes cluster: its worker count, its offering, or nodes removed by id.",
        clusters::scale,
    ),
    Command::all(
        "upgradeKubernetesCluster",
        "Upgrades a running Kubernetes cluster to a newer supported version.",
        clusters::upgrade,
    ),
    Command::all(
        "deleteKubernetesCluster",
        "Deletes a Kubernetes cluster and expunges its nodes.",
        clusters::delete,
    ),
    Command::all(
        "getKubernetesClusterConfig",
        "Gets the kubeconfig of a Kubernetes cluster.",
        clusters::config,
    ),
];
