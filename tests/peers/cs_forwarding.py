"""Peer check: static NAT rules, secondary NIC addresses and rule updates,
through the Python `cs` client.

Usage: python cs_forwarding.py CONFIG.json

Deploys a VM, maps a public IP to it with static NAT and opens a port with
an IP forwarding rule (what Libcloud's list_nodes reads back), gives the
VM's NIC a secondary address and points a port forward at it, moves the
rule with updatePortForwardingRule, changes the NIC's own address on the
stopped VM and updates a VPN customer gateway, checking answers and
refusals the way a `cs` user relies on them.
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
    vm = cs.deployVirtualMachine(
        zoneid=zone["id"], serviceofferingid=offering["id"], templateid=template["id"], displayname="peer-fwd"
    )["virtualmachine"]
    nic = vm["nic"][0]
    network_id = nic["networkid"]

    # Static NAT rules.
    plain = cs.associateIpAddress(networkid=network_id)["ipaddress"]
    expect_error(
        lambda: cs.createIpForwardingRule(ipaddressid=plain["id"], protocol="tcp", startport=22),
        537,
        "an IP forwarding rule without static NAT",
    )
    cs.enableStaticNat(ipaddressid=plain["id"], virtualmachineid=vm["id"])
    rule = cs.createIpForwardingRule(ipaddressid=plain["id"], protocol="tcp", startport=22, endport=23)[
        "ipforwardingrule"
    ]
    check(rule["state"] == "Active", f"the IP forwarding rule is active, got {rule['state']}")
    check(rule["virtualmachineid"] == vm["id"], "the rule points at the static NAT VM")
    check(rule["ipaddress"] == plain["ipaddress"], "the rule names its public address")
    listed = one(cs.listIpForwardingRules(virtualmachineid=vm["id"]), "ipforwardingrule")
    check(listed["id"] == rule["id"], "listIpForwardingRules by VM finds the rule")
    fw = cs.listFirewallRules(ipaddressid=plain["id"]).get("firewallrule", [])
    check(len(fw) == 1 and fw[0]["startport"] == 22, "openfirewall defaulted to true")
    cs.deleteIpForwardingRule(id=rule["id"])
    check(cs.listIpForwardingRules(ipaddressid=plain["id"]).get("count", 0) == 0, "the rule is gone")
    cs.disableStaticNat(ipaddressid=plain["id"])

    # Secondary addresses.
    secondary = cs.addIpToNic(nicid=nic["id"])["nicsecondaryip"]
    check(secondary["nicid"] == nic["id"] and secondary["ipaddress"] != nic["ipaddress"], "a new address of the NIC")
    listed = one(cs.listNics(virtualmachineid=vm["id"]), "nic")
    check(
        [ip["ipaddress"] for ip in listed.get("secondaryip", [])] == [secondary["ipaddress"]],
        "listNics shows the secondary address",
    )
    expect_error(lambda: cs.addIpToNic(nicid=nic["id"], ipaddress=nic["ipaddress"]), 431, "the NIC's own address")

    pf_ip = cs.associateIpAddress(networkid=network_id)["ipaddress"]
    pf = cs.createPortForwardingRule(
        ipaddressid=pf_ip["id"], protocol="tcp", publicport=8080, privateport=8080,
        virtualmachineid=vm["id"], vmguestip=secondary["ipaddress"],
    )["portforwardingrule"]
    check(pf["vmguestip"] == secondary["ipaddress"], "the port forward targets the secondary address")
    expect_error(lambda: cs.removeIpFromNic(id=secondary["id"]), 431, "removing an address a rule uses")
    moved = cs.updatePortForwardingRule(id=pf["id"], privateport=9090)["portforwardingrule"]
    check(moved["privateport"] == "9090" and moved["publicport"] == "8080", "the private port moved")
    moved = cs.updatePortForwardingRule(id=pf["id"], virtualmachineid=vm["id"])["portforwardingrule"]
    check(moved["vmguestip"] == nic["ipaddress"], "the rule is back on the primary address")
    cs.removeIpFromNic(id=secondary["id"])
    check(one(cs.listNics(virtualmachineid=vm["id"]), "nic").get("secondaryip") == [], "the address is gone")

    # The NIC's own address.
    # CloudStack checks the VM's state in the job: the job fails with 431.
    try:
        cs.updateVmNicIp(nicid=nic["id"])
        sys.exit("changing a running VM's NIC address must fail")
    except CloudStackApiException as error:
        check(error.error.get("errorcode") == 431, f"a running VM's NIC address is a 431 job failure: {error.error}")
    cs.stopVirtualMachine(id=vm["id"])
    changed = cs.updateVmNicIp(nicid=nic["id"])["virtualmachine"]
    new_address = changed["nic"][0]["ipaddress"]
    check(new_address != nic["ipaddress"], "the NIC got another address")
    rule = one(cs.listPortForwardingRules(id=pf["id"]), "portforwardingrule")
    check(rule["vmguestip"] == new_address, "the port forward followed the NIC's address")

    # Customer gateways.
    gateway = cs.createVpnCustomerGateway(
        name="peer-remote", gateway="203.0.113.50", cidrlist="192.168.50.0/24", ipsecpsk="peer-secret",
        ikepolicy="aes128-sha1;modp1536", esppolicy="aes128-sha1",
    )["vpncustomergateway"]
    updated = cs.updateVpnCustomerGateway(
        id=gateway["id"], name="peer-remote", gateway="203.0.113.51", cidrlist="192.168.51.0/24",
        ipsecpsk="peer-secret-2", ikepolicy="aes256-sha256;modp2048", esppolicy="aes256-sha256",
    )["vpncustomergateway"]
    check(updated["gateway"] == "203.0.113.51" and updated["cidrlist"] == "192.168.51.0/24", "the gateway changed")
    expect_error(
        lambda: cs.updateVpnCustomerGateway(
            id=gateway["id"], gateway="203.0.113.51", cidrlist="192.168.51.0/24", ipsecpsk="x",
            ikepolicy="rot13-md5", esppolicy="aes128-sha1",
        ),
        431,
        "an invalid IKE policy",
    )
    cs.deleteVpnCustomerGateway(id=gateway["id"])

    cs.destroyVirtualMachine(id=vm["id"], expunge=True)
    cs.disassociateIpAddress(id=pf_ip["id"])
    cs.disassociateIpAddress(id=plain["id"])
    print("cs forwarding peer check: all answers as CloudStack gives them")


if __name__ == "__main__":
    main(sys.argv[1])
