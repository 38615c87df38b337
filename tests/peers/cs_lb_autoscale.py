"""Peer check: load balancer certificates, autoscale groups, internal LB
elements, router offerings and address ranges through the Python `cs`
client.

Usage: python cs_lb_autoscale.py CONFIG.json

As the admin the config names: an ssl load balancer rule gets a
certificate (uploaded, listed with its rule, refused for deletion while
bound); an autoscale VM group is built on a rule from counters,
conditions, policies and a profile, then disabled, updated, enabled and
deleted; the internal LB element of the zone is configured; a stopped
router takes another system offering; a pod gets a storage network range
and the public range grows. Answers and refusals are checked as a `cs`
user relies on them.
"""

import os
import subprocess
import sys
import tempfile
import uuid

from cs import CloudStackApiException

from cs_identity import check, client_from_config, expect_error


def one(listing, key):
    items = listing.get(key, [])
    check(len(items) == 1, f"exactly one {key}, got {len(items)}")
    return items[0]


def self_signed():
    """A fresh certificate and key, made with openssl (None without it)."""
    with tempfile.TemporaryDirectory() as tmp:
        key, cert = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
        made = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
             "-days", "30", "-subj", "/CN=peer.test"],
            capture_output=True,
        )
        if made.returncode != 0:
            return None
        return open(cert).read(), open(key).read()


def main(config):
    cs = client_from_config(config)
    suffix = uuid.uuid4().hex[:6]
    zone = cs.listZones(name="Sandbox-simulator")["zone"][0]
    offerings = cs.listNetworkOfferings(name="DefaultIsolatedNetworkOfferingWithSourceNatService")
    network = cs.createNetwork(
        name=f"lb-{suffix}", displaytext="lb", zoneid=zone["id"],
        networkofferingid=offerings["networkoffering"][0]["id"],
    )["network"]
    ip = cs.associateIpAddress(networkid=network["id"])["ipaddress"]

    # Certificates on an ssl rule.
    material = self_signed()
    if material is None:
        print("openssl is missing: the certificate section is left out")
    else:
        cert_text, key_text = material
        ssl_rule = cs.createLoadBalancerRule(
            publicipid=ip["id"], name="https", algorithm="roundrobin", publicport=443, privateport=443,
            protocol="ssl",
        )["loadbalancer"]
        cert = cs.uploadSslCert(name=f"c-{suffix}", certificate=cert_text, privatekey=key_text, method="POST")[
            "sslcert"
        ]
        check(len(cert["fingerprint"].split(":")) == 20, f"a SHA-1 fingerprint: {cert['fingerprint']}")
        cs.assignCertToLoadBalancer(lbruleid=ssl_rule["id"], certid=cert["id"])
        bound = one(cs.listSslCerts(lbruleid=ssl_rule["id"]), "sslcert")
        check(bound["loadbalancerrulelist"] == [ssl_rule["id"]], "the certificate names its rule")
        expect_error(lambda: cs.deleteSslCert(id=cert["id"]), 530, "deleting a bound certificate")
        cs.removeCertFromLoadBalancer(lbruleid=ssl_rule["id"])
        cs.deleteSslCert(id=cert["id"])
        cs.deleteLoadBalancerRule(id=ssl_rule["id"])

    # An autoscale VM group on a rule.
    rule = cs.createLoadBalancerRule(
        publicipid=ip["id"], name="web", algorithm="roundrobin", publicport=80, privateport=8080
    )["loadbalancer"]
    cpu = one(cs.listCounters(source="cpu", provider="VirtualRouter"), "counter")
    memory = one(cs.listCounters(source="memory", provider="VirtualRouter"), "counter")
    up_condition = cs.createCondition(counterid=cpu["id"], relationaloperator="GT", threshold=80)["condition"]
    down_condition = cs.createCondition(counterid=memory["id"], relationaloperator="LT", threshold=20)["condition"]
    expect_error(
        lambda: cs.createAutoScalePolicy(action="grow", duration=60, conditionids=up_condition["id"]),
        431,
        "an unknown scale action",
    )
    up = cs.createAutoScalePolicy(action="ScaleUp", duration=60, conditionids=up_condition["id"])["autoscalepolicy"]
    down = cs.createAutoScalePolicy(action="ScaleDown", duration=60, conditionids=down_condition["id"])[
        "autoscalepolicy"
    ]
    offering = [o for o in cs.listServiceOfferings()["serviceoffering"] if o["name"] == "Small Instance"][0]
    template = cs.listTemplates(templatefilter="featured", zoneid=zone["id"])["template"][0]
    profile = cs.createAutoScaleVmProfile(
        zoneid=zone["id"], serviceofferingid=offering["id"], templateid=template["id"]
    )["autoscalevmprofile"]
    expect_error(
        lambda: cs.createAutoScaleVmGroup(
            name=f"g-{suffix}", lbruleid=rule["id"], vmprofileid=profile["id"], minmembers=3, maxmembers=2,
            scaleuppolicyids=up["id"], scaledownpolicyids=down["id"],
        ),
        431,
        "minmembers above maxmembers",
    )
    group = cs.createAutoScaleVmGroup(
        name=f"g-{suffix}", lbruleid=rule["id"], vmprofileid=profile["id"], minmembers=1, maxmembers=2,
        scaleuppolicyids=up["id"], scaledownpolicyids=down["id"],
    )["autoscalevmgroup"]
    check(group["state"] == "enabled", f"a new group is enabled, got {group['state']}")
    try:
        cs.updateAutoScaleVmGroup(id=group["id"], maxmembers=3)
        sys.exit("updating an enabled group's bounds must fail")
    except CloudStackApiException as error:
        check(error.error.get("errorcode") == 431, f"an enabled group's bounds are a 431: {error.error}")
    cs.disableAutoScaleVmGroup(id=group["id"])
    updated = cs.updateAutoScaleVmGroup(id=group["id"], maxmembers=3)["autoscalevmgroup"]
    check(updated["maxmembers"] == 3, "the disabled group took its new bound")
    check(cs.enableAutoScaleVmGroup(id=group["id"])["autoscalevmgroup"]["state"] == "enabled", "enabled again")
    cs.deleteAutoScaleVmGroup(id=group["id"], cleanup=True)
    for policy in (up, down):
        cs.deleteAutoScalePolicy(id=policy["id"])
    cs.deleteAutoScaleVmProfile(id=profile["id"])
    cs.deleteCondition(id=up_condition["id"])
    cs.deleteCondition(id=down_condition["id"])
    cs.deleteLoadBalancerRule(id=rule["id"])

    # The zone's internal LB element.
    physical = cs.listPhysicalNetworks(zoneid=zone["id"])["physicalnetwork"][0]
    nsp = one(cs.listNetworkServiceProviders(physicalnetworkid=physical["id"], name="InternalLbVm"),
              "networkserviceprovider")
    element = one(cs.listInternalLoadBalancerElements(nspid=nsp["id"]), "internalloadbalancerelement")
    configured = cs.configureInternalLoadBalancerElement(id=element["id"], enabled=True)
    check(configured["internalloadbalancerelement"]["enabled"] is True, "the element is enabled")

    # A stopped router takes another system offering (a VM implements the
    # network, which starts its router).
    vm = cs.deployVirtualMachine(
        zoneid=zone["id"], serviceofferingid=offering["id"], templateid=template["id"], networkids=network["id"]
    )["virtualmachine"]
    router = one(cs.listRouters(networkid=network["id"], listall=True), "router")
    bigger = cs.createServiceOffering(
        name=f"r-{suffix}", displaytext="router", cpunumber=2, cpuspeed=1000, memory=1024, issystem=True,
        systemvmtype="domainrouter",
    )["serviceoffering"]
    expect_error(
        lambda: cs.changeServiceForRouter(id=router["id"], serviceofferingid=bigger["id"]),
        431,
        "a running router's offering",
    )
    cs.stopRouter(id=router["id"])
    changed = cs.changeServiceForRouter(id=router["id"], serviceofferingid=bigger["id"])["router"]
    check(changed["serviceofferingid"] == bigger["id"], "the router has its new offering")

    # Address ranges.
    pod = cs.listPods(zoneid=zone["id"])["pod"][0]
    storage = cs.createStorageNetworkIpRange(
        podid=pod["id"], gateway="172.30.0.1", netmask="255.255.255.0", startip="172.30.0.10", endip="172.30.0.20"
    )["storagenetworkiprange"]
    check(storage["podid"] == pod["id"], "the storage range is the pod's")
    check(one(cs.listStorageNetworkIpRange(id=storage["id"]), "storagenetworkiprange")["endip"] == "172.30.0.20",
          "the storage range is listed")
    cs.deleteStorageNetworkIpRange(id=storage["id"])
    public = [r for r in cs.listVlanIpRanges(zoneid=zone["id"])["vlaniprange"] if r["forvirtualnetwork"]][0]
    grown = cs.updateVlanIpRange(id=public["id"], endip=public["endip"])["vlan"]
    check(grown["endip"] == public["endip"], "the range keeps its end")

    # The network's first address became its source NAT address: it goes
    # with the network.
    check(one(cs.listPublicIpAddresses(id=ip["id"]), "publicipaddress")["issourcenat"], "the source NAT address")
    cs.destroyVirtualMachine(id=vm["id"], expunge=True)
    cs.deleteNetwork(id=network["id"])
    print("cs load balancer / autoscale peer check: all answers as CloudStack gives them")


if __name__ == "__main__":
    main(sys.argv[1])
