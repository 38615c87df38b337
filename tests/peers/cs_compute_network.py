"""Peer check: a VM's life with its network, through the Python `cs` client.

Usage: python cs_compute_network.py CONFIG.json

Deploys a VM on the default zone, acquires public IPs, opens a firewall port,
adds a port forward and static NAT on another IP, attaches a data volume,
snapshots it, stops and destroys the VM, and checks every answer the way a
`cs` user relies on it (entity keys under jobresult, states, refusals).
"""

import sys

from cs import CloudStackApiException

from cs_identity import check, client_from_config, expect_error


def one(listing, key):
    items = listing.get(key, [])
    check(len(items) == 1, f"exactly one {key}, got {len(items)}")
    return items[0]


def main(config):
    cs = client_from_config(config)

    zone = cs.listZones(name="Sandbox-simulator")["zone"][0]
    offering = [o for o in cs.listServiceOfferings()["serviceoffering"] if o["name"] == "Small Instance"][0]
    template = cs.listTemplates(templatefilter="featured", zoneid=zone["id"])["template"][0]
    check(template["isready"], "the built-in template is ready")

    vm = cs.deployVirtualMachine(
        zoneid=zone["id"], serviceofferingid=offering["id"], templateid=template["id"], displayname="peer-vm"
    )["virtualmachine"]
    check(vm["state"] == "Running", f"the VM runs after deploy, got {vm['state']}")
    check(len(vm.get("nic", [])) == 1, "the VM has one NIC")
    network_id = vm["nic"][0]["networkid"]

    network = one(cs.listNetworks(id=network_id), "network")
    check(network["state"] == "Implemented", f"the guest network is implemented, got {network['state']}")

    ip_fw = cs.associateIpAddress(networkid=network_id)["ipaddress"]
    rule = cs.createFirewallRule(ipaddressid=ip_fw["id"], protocol="tcp", startport=22, endport=22, cidrlist="0.0.0.0/0")[
        "firewallrule"
    ]
    check(rule["state"] == "Active", f"the firewall rule is active, got {rule['state']}")
    # The firewall rule above already opens port 22: with the default
    # openfirewall=true CloudStack would open it again and refuse (537).
    pf = cs.createPortForwardingRule(
        ipaddressid=ip_fw["id"], protocol="tcp", publicport=22, privateport=22, virtualmachineid=vm["id"],
        openfirewall=False,
    )["portforwardingrule"]
    check(pf["virtualmachineid"] == vm["id"], "the port forward points at the VM")
    expect_error(
        lambda: cs.createPortForwardingRule(
            ipaddressid=ip_fw["id"], protocol="tcp", publicport=20, privateport=20, publicendport=30,
            privateendport=30, virtualmachineid=vm["id"], openfirewall=False,
        ),
        537,
        "an overlapping port range on the same IP",
    )

    ip_nat = cs.associateIpAddress(networkid=network_id)["ipaddress"]
    check(ip_nat["ipaddress"] != ip_fw["ipaddress"], "two acquisitions give two addresses")
    cs.enableStaticNat(ipaddressid=ip_nat["id"], virtualmachineid=vm["id"])
    nat = one(cs.listPublicIpAddresses(id=ip_nat["id"]), "publicipaddress")
    check(nat["isstaticnat"] and nat["virtualmachineid"] == vm["id"], "static NAT maps the IP to the VM")

    disk = [o for o in cs.listDiskOfferings()["diskoffering"] if o["name"] == "Small"][0]
    volume = cs.createVolume(name="peer-data", diskofferingid=disk["id"], zoneid=zone["id"])["volume"]
    attached = cs.attachVolume(id=volume["id"], virtualmachineid=vm["id"])["volume"]
    check(attached["virtualmachineid"] == vm["id"] and attached["deviceid"] == 1, "the volume is attached as device 1")
    expect_error(lambda: cs.deleteVolume(id=volume["id"]), 431, "deleting an attached volume")

    snapshot = cs.createSnapshot(volumeid=volume["id"])["snapshot"]
    check(snapshot["state"] == "BackedUp", f"the snapshot is backed up, got {snapshot['state']}")

    stopped = cs.stopVirtualMachine(id=vm["id"])["virtualmachine"]
    check(stopped["state"] == "Stopped", f"the VM stops, got {stopped['state']}")
    try:
        cs.rebootVirtualMachine(id=vm["id"])
        sys.exit("rebooting a stopped VM must fail")
    except CloudStackApiException as error:
        check(error.error.get("errorcode") == 431, f"reboot of a stopped VM is a 431 job failure: {error.error}")

    cs.destroyVirtualMachine(id=vm["id"], expunge=True)
    check(cs.listVirtualMachines(id=vm["id"]).get("count", 0) == 0, "the expunged VM is gone")
    left = one(cs.listVolumes(id=volume["id"]), "volume")
    check("virtualmachineid" not in left, "the data volume was detached by the destroy")

    cs.deleteSnapshot(id=snapshot["id"])
    cs.deleteVolume(id=volume["id"])
    cs.disassociateIpAddress(id=ip_nat["id"])
    cs.disassociateIpAddress(id=ip_fw["id"])
    print("cs compute/network peer check: all answers as CloudStack gives them")


if __name__ == "__main__":
    main(sys.argv[1])
