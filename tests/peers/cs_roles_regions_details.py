"""Peer check: roles and their rules, regions, resource details and primary
storage maintenance through the Python `cs` client.

Usage: python cs_roles_regions_details.py CONFIG.json

CONFIG.json is the Marvin config that `marvin simulator --write-config`
writes. The script exits non-zero on the first answer that differs from
CloudStack's.
"""

import sys
import uuid

from cs import CloudStackApiException

from cs_identity import check, client_from_config, expect_error


def expect_job_error(call, errorcode, what):
    """An async call whose job fails with `errorcode` (the poll itself is HTTP 200)."""
    try:
        call()
    except CloudStackApiException as error:
        got = error.error.get("errorcode") if isinstance(error.error, dict) else None
        if got != errorcode:
            sys.exit(f"{what}: expected a job failing with {errorcode}, got {got}: {error.error}")
        return error.error
    sys.exit(f"{what}: expected a job failing with {errorcode}, the call succeeded")


def roles_and_rules(cs, config, suffix):
    role = cs.createRole(name=f"peer-readonly-{suffix}", type="User")["role"]
    check(role["type"] == "User" and role["isdefault"] is False, f"a custom User role, got {role}")

    allow = cs.createRolePermission(roleid=role["id"], rule="list*", permission="allow")["rolepermission"]
    deny = cs.createRolePermission(roleid=role["id"], rule="listZones", permission="deny")["rolepermission"]
    check(allow["rule"] == "list*" and allow["permission"] == "allow", f"the rule as created, got {allow}")
    listed = cs.listRolePermissions(roleid=role["id"])["rolepermission"]
    check([r["id"] for r in listed] == [allow["id"], deny["id"]], "rules are listed in checking order")

    expect_error(
        lambda: cs.createRolePermission(roleid=role["id"], rule="list*", permission="deny"),
        531,
        "a rule twice on one role",
    )
    default_user = [r for r in cs.listRoles(type="User")["role"] if r["isdefault"]][0]
    expect_error(
        lambda: cs.createRolePermission(roleid=default_user["id"], rule="listZones", permission="allow"),
        531,
        "a rule on a default role",
    )
    expect_error(
        lambda: cs.createRolePermission(roleid=role["id"], rule="list-zones", permission="allow"),
        431,
        "a rule that is not an API name or wildcard",
    )

    account = cs.createAccount(
        roleid=role["id"],
        username=f"peer-ro-{suffix}",
        password="Secret-1",
        firstname="Read",
        lastname="Only",
        email=f"ro-{suffix}@example.com",
    )["account"]
    keys = cs.registerUserKeys(id=account["user"][0]["id"])["userkeys"]
    reader = client_from_config(config, key=keys["apikey"], secret=keys["secretkey"])

    # list* comes first: listZones is allowed.
    check(reader.listZones().get("count", 0) >= 1, "list* allows listZones while it comes first")
    cs.updateRolePermission(roleid=role["id"], ruleorder=f"{deny['id']},{allow['id']}")
    expect_error(reader.listZones, 432, "listZones once its deny rule comes first")
    reader.listTemplates(templatefilter="featured")
    names = [api["name"] for api in reader.listApis()["api"]]
    check("listZones" not in names and "listTemplates" in names, "listApis follows the rules")
    expect_error(
        lambda: cs.updateRolePermission(roleid=role["id"], ruleorder=deny["id"]),
        530,
        "a new order that leaves a rule out",
    )

    cs.updateRolePermission(roleid=role["id"], ruleid=deny["id"], permission="allow")
    check(reader.listZones().get("count", 0) >= 1, "turning the rule to allow gives listZones back")

    expect_error(lambda: cs.deleteRole(id=role["id"]), 531, "deleting a role an account has")
    expect_error(lambda: cs.updateRole(id=role["id"], type="DomainAdmin"), 531, "retyping a role in use")
    renamed = cs.updateRole(id=role["id"], name=f"peer-renamed-{suffix}")["role"]
    check(renamed["name"] == f"peer-renamed-{suffix}", "updateRole renames a custom role")
    expect_error(lambda: cs.updateRole(id=default_user["id"], name="Customer"), 531, "renaming a default role")
    expect_error(lambda: cs.deleteRole(id=default_user["id"]), 531, "deleting a default role")

    cs.deleteRolePermission(id=deny["id"])
    left = cs.listRolePermissions(roleid=role["id"])["rolepermission"]
    check([r["id"] for r in left] == [allow["id"]], "deleteRolePermission removes one rule")

    spare = cs.createRole(name=f"peer-spare-{suffix}", roleid=role["id"])["role"]
    cloned = cs.listRolePermissions(roleid=spare["id"])["rolepermission"]
    check([r["rule"] for r in cloned] == ["list*"], "a cloned role copies the rules")
    check(cs.deleteRole(id=spare["id"])["success"] is True, "an unused role is deleted")
    cs.deleteAccount(id=account["id"])


def regions(cs, suffix):
    local = cs.listRegions(id=1)["region"][0]
    check(local["name"] == "Local", f"region 1 is Local, got {local}")
    region_id = 1000 + int(suffix[:4], 16)
    added = cs.addRegion(id=region_id, name=f"peer-{suffix}", endpoint="http://peer.example/client/")["region"]
    check(added["id"] == region_id and added["gslbserviceenabled"] is True, f"addRegion, got {added}")
    expect_error(
        lambda: cs.addRegion(id=region_id, name=f"other-{suffix}", endpoint="http://x/"),
        431,
        "a region id twice",
    )
    expect_error(
        lambda: cs.addRegion(id=region_id + 1, name="Local", endpoint="http://x/"),
        431,
        "a region name twice",
    )
    updated = cs.updateRegion(id=region_id, endpoint="http://moved.example/client/")["region"]
    check(updated["endpoint"] == "http://moved.example/client/", "updateRegion re-points the region")
    check(cs.listRegions(name=f"peer-{suffix}")["region"][0]["id"] == region_id, "listRegions by name")
    cs.removeRegion(id=region_id)
    expect_error(lambda: cs.removeRegion(id=region_id), 431, "removing a region twice")


def resource_details(cs):
    zone = cs.listZones()["zone"][0]["id"]
    cs.addResourceDetail(
        resourcetype="Zone",
        resourceid=zone,
        details=[{"key": "peer.owner", "value": "ops"}, {"key": "peer.tier", "value": "gold"}],
    )
    mine = [d for d in cs.listResourceDetails(resourcetype="Zone", resourceid=zone).get("resourcedetail", [])
            if d["key"].startswith("peer.")]
    check(sorted(d["key"] for d in mine) == ["peer.owner", "peer.tier"], f"details listed, got {mine}")
    found = cs.listResourceDetails(resourcetype="Zone", key="peer.tier", value="gold")["resourcedetail"]
    check(found[0]["resourceid"] == zone, "listing by key and value finds the zone")
    expect_error(lambda: cs.listResourceDetails(resourcetype="Zone"), 431, "listing with neither id nor value")
    failed = expect_job_error(
        lambda: cs.addResourceDetail(resourcetype="Spaceship", resourceid=zone, details=[{"key": "a", "value": "b"}]),
        431,
        "an unknown resource type",
    )
    check("Invalid resource type" in failed.get("errortext", ""), f"the type refusal's text, got {failed}")
    cs.removeResourceDetail(resourcetype="Zone", resourceid=zone, key="peer.owner")
    left = [d["key"] for d in cs.listResourceDetails(resourcetype="Zone", resourceid=zone).get("resourcedetail", [])]
    check("peer.owner" not in left and "peer.tier" in left, "removeResourceDetail removes one key")
    cs.removeResourceDetail(resourcetype="Zone", resourceid=zone, key="peer.tier")


def storage_maintenance(cs):
    zone = cs.listZones()["zone"][0]
    offering = [o for o in cs.listServiceOfferings()["serviceoffering"] if o["name"] == "Small Instance"][0]
    template = cs.listTemplates(templatefilter="featured", zoneid=zone["id"])["template"][0]
    vm = cs.deployVirtualMachine(zoneid=zone["id"], serviceofferingid=offering["id"], templateid=template["id"])[
        "virtualmachine"
    ]
    root = cs.listVolumes(virtualmachineid=vm["id"], type="ROOT")["volume"][0]
    pool = [p for p in cs.listStoragePools()["storagepool"] if p["name"] == root["storage"]][0]
    check(pool["state"] == "Up", f"the VM's pool is Up, got {pool['state']}")

    failed = expect_job_error(lambda: cs.cancelStorageMaintenance(id=pool["id"]), 530, "cancelling on an Up pool")
    check("is not ready to complete migration" in failed.get("errortext", ""), f"the cancel refusal, got {failed}")

    entered = cs.enableStorageMaintenance(id=pool["id"])["storagepool"]
    check(entered["state"] == "Maintenance", f"the pool is in maintenance, got {entered['state']}")
    stopped = cs.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
    check(stopped["state"] == "Stopped", f"the pool's running VM is stopped, got {stopped['state']}")
    expect_job_error(lambda: cs.enableStorageMaintenance(id=pool["id"]), 431, "maintenance twice")
    events = [e["type"] for e in cs.listEvents(type="MAINT.PREPARE.PS").get("event", [])]
    check("MAINT.PREPARE.PS" in events, "the maintenance is an event")

    left = cs.cancelStorageMaintenance(id=pool["id"])["storagepool"]
    check(left["state"] == "Up", f"the pool is Up again, got {left['state']}")
    restarted = cs.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
    check(restarted["state"] == "Running", f"the VM maintenance stopped runs again, got {restarted['state']}")
    cs.destroyVirtualMachine(id=vm["id"], expunge=True)


def main(config):
    cs = client_from_config(config)
    suffix = uuid.uuid4().hex[:8]
    roles_and_rules(cs, config, suffix)
    regions(cs, suffix)
    resource_details(cs)
    storage_maintenance(cs)
    print("cs roles, regions, resource details and storage maintenance: ok")


if __name__ == "__main__":
    main(sys.argv[1])
