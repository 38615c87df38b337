"""Peer check: the Kubernetes service (supported versions and clusters),
quota tariffs, system VMs and hypervisors through the Python `cs` client.

Usage: python cs_kubernetes_quota_system.py CONFIG.json

CONFIG.json is the Marvin config that `marvin simulator --write-config`
writes. The script exits non-zero on the first answer that differs from
CloudStack's.
"""

import sys
import uuid

from cs_identity import check, client_from_config, expect_error


def system_vms_and_hypervisors(cs):
    zone = cs.listZones()["zone"][0]
    kinds = sorted(vm["systemvmtype"] for vm in cs.listSystemVms(zoneid=zone["id"])["systemvm"])
    check(kinds == ["consoleproxy", "secondarystoragevm"], f"a console proxy and a storage VM, got {kinds}")
    for vm in cs.listSystemVms(zoneid=zone["id"])["systemvm"]:
        check(vm["state"] == "Running", f"system VMs run, got {vm['name']} {vm['state']}")
    roots = cs.listVolumes(listsystemvms=True, listall=True, type="ROOT").get("volume", [])
    plain = cs.listVolumes(listall=True, type="ROOT").get("volume", [])
    check(len(roots) == len(plain) + 2, "listsystemvms=true adds the system VMs' ROOT volumes")
    names = [h["name"] for h in cs.listHypervisors(zoneid=zone["id"])["hypervisor"]]
    check("Simulator" in names, f"the zone's clusters run the Simulator hypervisor, got {names}")
    return zone


def quota(cs, suffix):
    check(cs.quotaIsEnabled()["isenabled"] is False, "quota is off by default")
    name = f"peer-cpu-{suffix}"
    made = cs.quotaTariffCreate(name=name, usagetype=1, value="0.05")["quotatariff"]
    check(made["usageName"] == "RUNNING_VM", f"usage type 1 is RUNNING_VM, got {made}")
    expect_error(lambda: cs.quotaTariffCreate(name=name, usagetype=1, value="1"), 431, "a tariff name twice")
    listed = [t["name"] for t in cs.quotaTariffList(name=name)["quotatariff"]]
    check(listed == [name], f"the tariff is listed by name, got {listed}")
    updated = cs.quotaTariffUpdate(name=name, value="0.07")["quotatariff"]
    check(updated["tariffValue"] == 0.07, f"the new value, got {updated}")
    cs.quotaTariffDelete(id=updated["id"])
    check(not cs.quotaTariffList(name=name).get("quotatariff"), "a deleted tariff is not listed")


def kubernetes(cs, zone, suffix):
    expect_error(lambda: cs.listKubernetesSupportedVersions(), 530, "the service is off by default")
    cs.updateConfiguration(name="cloud.kubernetes.service.enabled", value="true")
    offering = cs.createServiceOffering(
        name=f"cks-{suffix}", displaytext="cks", cpunumber=2, cpuspeed=1000, memory=4096
    )["serviceoffering"]
    version = cs.addKubernetesSupportedVersion(
        semanticversion="1.28.4",
        mincpunumber=2,
        minmemory=2048,
        url="http://images.example.com/setup-v1.28.4.iso",
        zoneid=zone["id"],
    )["kubernetessupportedversion"]
    cluster = cs.createKubernetesCluster(
        name=f"peer-{suffix}",
        description="peer check",
        zoneid=zone["id"],
        serviceofferingid=offering["id"],
        kubernetesversionid=version["id"],
        size=1,
    )["kubernetescluster"]
    check(cluster["state"] == "Running", f"a new cluster runs, got {cluster['state']}")
    check(len(cluster["virtualmachines"]) == 2, "one control node and one worker")
    expect_error(lambda: cs.deleteKubernetesSupportedVersion(id=version["id"]), 530, "a version in use")

    def listed():
        return cs.listKubernetesClusters(id=cluster["id"])["kubernetescluster"][0]

    cs.stopKubernetesCluster(id=cluster["id"])
    check(listed()["state"] == "Stopped", f"stopped, got {listed()['state']}")
    cs.startKubernetesCluster(id=cluster["id"])
    check(listed()["state"] == "Running", f"started again, got {listed()['state']}")
    cs.scaleKubernetesCluster(id=cluster["id"], size=2)
    check(listed()["size"] == 2, f"two workers after scaling, got {listed()['size']}")
    config = cs.getKubernetesClusterConfig(id=cluster["id"])["clusterconfig"]
    check("apiVersion" in config["configdata"], "the cluster config is a kubeconfig")
    cs.deleteKubernetesCluster(id=cluster["id"])
    check(not cs.listKubernetesClusters(id=cluster["id"]).get("kubernetescluster"), "a deleted cluster is gone")
    cs.deleteKubernetesSupportedVersion(id=version["id"])
    cs.deleteServiceOffering(id=offering["id"])


def main(config):
    cs = client_from_config(config)
    suffix = uuid.uuid4().hex[:8]
    zone = system_vms_and_hypervisors(cs)
    quota(cs, suffix)
    kubernetes(cs, zone, suffix)
    print("cs_kubernetes_quota_system: ok")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
