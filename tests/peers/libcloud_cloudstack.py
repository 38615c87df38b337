"""Peer check: Apache Libcloud's CloudStack driver against the simulator.

Usage: python libcloud_cloudstack.py CONFIG.json

Drives the driver the way its users do: sizes, images and locations; a
node created, listed (list_nodes reads its public IPs back through
listPublicIpAddresses and listIpForwardingRules), rebooted, stopped and
started; public IPs with firewall, port forwarding and static NAT rules;
volumes with snapshots; key pairs; tags; affinity groups; a VPC with an ACL
list and items. Every step runs; the steps that fail are listed and the
script exits non-zero when there is any.
"""

import json
import sys
import traceback
import uuid

from libcloud.compute.providers import get_driver
from libcloud.compute.types import NodeState, Provider

FAILURES = []


def step(name):
    """Runs one named step; a failure is recorded, not raised."""

    def wrap(fn):
        try:
            fn()
            print(f"ok   {name}")
        except Exception as error:  # noqa: BLE001 - every failure is reported
            FAILURES.append((name, f"{type(error).__name__}: {error}"))
            print(f"FAIL {name}: {type(error).__name__}: {error}")
            traceback.print_exc(limit=2, file=sys.stderr)
        return fn

    return wrap


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def driver_from_config(path):
    lines = [line for line in open(path) if not line.lstrip().startswith("#")]
    server = json.loads("".join(lines))["mgtSvr"][0]
    cls = get_driver(Provider.CLOUDSTACK)
    return cls(
        key=server["apiKey"],
        secret=server["securityKey"],
        host=server["mgtSvrIp"],
        port=server["port"],
        path="/client/api",
        secure=bool(server.get("useHttps")),
    )


def main(config):
    driver = driver_from_config(config)
    suffix = uuid.uuid4().hex[:6]
    state = {}

    @step("list_locations, list_sizes, list_images")
    def _():
        locations = driver.list_locations()
        check(any(l.name == "Sandbox-simulator" for l in locations), f"the zone is listed: {locations}")
        state["location"] = [l for l in locations if l.name == "Sandbox-simulator"][0]
        sizes = driver.list_sizes()
        state["size"] = [s for s in sizes if s.name == "Small Instance"][0]
        images = driver.list_images(location=state["location"])
        check(images, "templates are listed")
        state["image"] = images[0]

    @step("create_node, list_nodes")
    def _():
        # Libcloud sends startvm=false unless asked: the VM would stay Stopped.
        node = driver.create_node(
            name=f"lc-{suffix}", size=state["size"], image=state["image"], location=state["location"],
            ex_start_vm=True,
        )
        state["node"] = node
        check(node.state == NodeState.RUNNING, f"the node runs: {node.state}")
        listed = [n for n in driver.list_nodes() if n.id == node.id]
        check(len(listed) == 1, "list_nodes finds the node")
        check(listed[0].private_ips, f"the node has a private IP: {listed[0].private_ips}")
        state["network_id"] = driver.ex_list_nics(node)[0].network_id

    @step("ex_list_networks")
    def _():
        networks = driver.ex_list_networks()
        check(any(n.id == state["network_id"] for n in networks), "the node's network is listed")

    @step("reboot_node, ex_stop, ex_start")
    def _():
        check(driver.reboot_node(state["node"]), "reboot")
        driver.ex_stop(state["node"])
        driver.ex_start(state["node"])

    @step("public IPs, firewall and port forwarding rules")
    def _():
        address = driver.ex_allocate_public_ip(network_id=state["network_id"])
        state["pf_ip"] = address
        check(any(ip.id == address.id for ip in driver.ex_list_public_ips()), "the address is listed")
        rule = driver.ex_create_firewall_rule(
            address=address, cidr_list="0.0.0.0/0", protocol="tcp", start_port=2222, end_port=2222
        )
        check(any(r.id == rule.id for r in driver.ex_list_firewall_rules()), "the firewall rule is listed")
        pf = driver.ex_create_port_forwarding_rule(
            node=state["node"], address=address, private_port=22, public_port=2222, protocol="tcp",
            openfirewall=False,
        )
        check(any(r.id == pf.id for r in driver.ex_list_port_forwarding_rules()), "the port forward is listed")
        check(driver.ex_delete_port_forwarding_rule(state["node"], pf), "the port forward goes")
        check(driver.ex_delete_firewall_rule(rule), "the firewall rule goes")

    @step("static NAT and IP forwarding rules, seen by list_nodes")
    def _():
        address = driver.ex_allocate_public_ip(network_id=state["network_id"])
        state["nat_ip"] = address
        driver._sync_request(
            command="enableStaticNat",
            params={"ipaddressid": address.id, "virtualmachineid": state["node"].id},
            method="GET",
        )
        rule = driver.ex_create_ip_forwarding_rule(
            node=state["node"], address=address, protocol="tcp", start_port=80, end_port=80
        )
        check(any(r.id == rule.id for r in driver.ex_list_ip_forwarding_rules()), "the rule is listed")
        node = [n for n in driver.list_nodes() if n.id == state["node"].id][0]
        check(address.address in node.public_ips, f"list_nodes shows the static NAT address: {node.public_ips}")
        check(driver.ex_delete_ip_forwarding_rule(state["node"], rule), "the rule goes")

    @step("volumes and snapshots")
    def _():
        volume = driver.create_volume(size=5, name=f"lc-vol-{suffix}", location=state["location"])
        check(driver.attach_volume(state["node"], volume), "attach")
        snapshot = driver.create_volume_snapshot(volume)
        check(any(s.id == snapshot.id for s in driver.list_snapshots()), "the snapshot is listed")
        check(driver.destroy_volume_snapshot(snapshot), "the snapshot goes")
        check(driver.detach_volume(volume), "detach")
        check(driver.destroy_volume(volume), "the volume goes")

    @step("key pairs")
    def _():
        pair = driver.create_key_pair(name=f"lc-key-{suffix}")
        check(pair.private_key, "a new key pair carries its private key")
        check(any(k.name == pair.name for k in driver.list_key_pairs()), "the key pair is listed")
        # delete_key_pair compares "success" with the string "true" while
        # CloudStack answers a JSON boolean, so its return value is False
        # against a real server too; the listing says whether it went.
        driver.delete_key_pair(pair)
        check(all(k.name != pair.name for k in driver.list_key_pairs()), "the key pair goes")

    @step("tags")
    def _():
        node = state["node"]
        check(driver.ex_create_tags([node.id], "UserVm", {"team": "peer"}), "tags are set")
        listed = [n for n in driver.list_nodes() if n.id == node.id][0]
        check(listed.extra.get("tags", {}).get("team") == "peer", f"the node shows its tag: {listed.extra.get('tags')}")
        check(driver.ex_delete_tags([node.id], "UserVm", ["team"]), "tags go")

    @step("affinity groups")
    def _():
        types = driver.ex_list_affinity_group_types()
        check(types, "affinity group types are listed")
        group = driver.ex_create_affinity_group(f"lc-ag-{suffix}", types[0])
        check(any(g.id == group.id for g in driver.ex_list_affinity_groups()), "the group is listed")
        check(driver.ex_delete_affinity_group(group), "the group goes")

    @step("VPC with an ACL list and items")
    def _():
        offering = driver.ex_list_vpc_offerings()[0]
        vpc = driver.ex_create_vpc(
            cidr="10.50.0.0/16", display_text="lc vpc", name=f"lc-vpc-{suffix}", vpc_offering=offering,
            zone_id=state["location"].id,
        )
        check(any(v.id == vpc.id for v in driver.ex_list_vpcs()), "the VPC is listed")
        acl = driver.ex_create_network_acllist(name=f"lc-acl-{suffix}", vpc_id=vpc.id, description="lc")
        check(any(a.id == acl.id for a in driver.ex_list_network_acllists()), "the ACL list is listed")
        item = driver.ex_create_network_acl(
            protocol="tcp", acl_id=acl.id, cidr_list="0.0.0.0/0", start_port=22, end_port=22,
            action="Allow", traffic_type="Ingress",
        )
        check(item is not None, "an ACL item is made")
        check(any(i.id == item.id for i in driver.ex_list_network_acl()), "the ACL item is listed")
        state["vpc"] = vpc

    @step("clean-up: node, addresses, VPC")
    def _():
        check(driver.destroy_node(state["node"]), "the node goes")
        for key in ("pf_ip", "nat_ip"):
            if key in state:
                check(driver.ex_release_public_ip(state[key]), f"the {key} address is released")
        if "vpc" in state:
            check(driver.ex_delete_vpc(state["vpc"]), "the VPC goes")

    if FAILURES:
        print(f"libcloud peer check: {len(FAILURES)} step(s) failed")
        for name, error in FAILURES:
            print(f"  {name}: {error}")
        sys.exit(1)
    print("libcloud peer check: every step as a CloudStack user of Libcloud expects")


if __name__ == "__main__":
    main(sys.argv[1])
