//! Kubernetes clusters through the whole stack: the create job, its
//! failure and the cluster's `Error` state.

mod common;

use common::{Client, start};

/// `KubernetesClusterStartWorker.startKubernetesClusterOnCreate`: when a
/// node finds no host the job fails (530, its `CloudRuntimeException`) and
/// the cluster is left in `Error` (`KubernetesCluster.Event.CreateFailed`),
/// still listed and deletable; a cluster that fits runs.
#[tokio::test]
async fn a_cluster_that_does_not_fit_is_left_in_error() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    admin
        .ok(
            "updateConfiguration",
            &[
                ("name", "cloud.kubernetes.service.enabled"),
                ("value", "true"),
            ],
        )
        .await;
    let offering = admin
        .ok(
            "createServiceOffering",
            &[
                ("name", "cks-4g"),
                ("displaytext", "cks-4g"),
                ("cpunumber", "2"),
                ("cpuspeed", "1000"),
                ("memory", "4096"),
            ],
        )
        .await;
    let offering = offering["serviceoffering"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let version = admin
        .ok(
            "addKubernetesSupportedVersion",
            &[
                ("semanticversion", "1.28.4"),
                ("mincpunumber", "2"),
                ("minmemory", "2048"),
                ("url", "http://images.example.com/setup-v1.28.4.iso"),
            ],
        )
        .await;
    let version = version["kubernetessupportedversion"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let zones = admin.ok("listZones", &[]).await;
    let zone = zones["zone"][0]["id"].as_str().unwrap().to_string();

    // Two hosts of 8 GiB take four 4 GiB nodes, not six.
    let job = admin
        .job(
            "createKubernetesCluster",
            &[
                ("name", "toobig"),
                ("description", "too big for the hosts"),
                ("zoneid", &zone),
                ("serviceofferingid", &offering),
                ("kubernetesversionid", &version),
                ("size", "5"),
            ],
        )
        .await;
    assert_eq!(job["jobstatus"], 2, "{job}");
    assert_eq!(job["jobresult"]["errorcode"], 530, "{job}");
    let listed = admin
        .ok("listKubernetesClusters", &[("name", "toobig")])
        .await;
    let cluster = &listed["kubernetescluster"][0];
    assert_eq!(cluster["state"], "Error");
    let id = cluster["id"].as_str().unwrap().to_string();
    let deleted = admin.job("deleteKubernetesCluster", &[("id", &id)]).await;
    assert_eq!(deleted["jobstatus"], 1, "{deleted}");

    let job = admin
        .job(
            "createKubernetesCluster",
            &[
                ("name", "fits"),
                ("description", "fits the hosts"),
                ("zoneid", &zone),
                ("serviceofferingid", &offering),
                ("kubernetesversionid", &version),
                ("size", "2"),
            ],
        )
        .await;
    assert_eq!(job["jobstatus"], 1, "{job}");
    assert_eq!(job["jobresult"]["kubernetescluster"]["state"], "Running");
    assert_eq!(
        job["jobresult"]["kubernetescluster"]["virtualmachines"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}
