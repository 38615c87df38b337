"""Peer check: the Python `cs` client against `marvin simulator`.

Usage: python cs_identity.py CONFIG.json

CONFIG.json is the Marvin config that `marvin simulator --write-config`
writes. The script talks to the simulator exactly as any `cs` user would and
exits non-zero on the first answer that differs from CloudStack's.
"""

import json
import sys
import uuid

from cs import CloudStack, CloudStackApiException


def client_from_config(path, **overrides):
    lines = [line for line in open(path) if not line.lstrip().startswith("#")]
    server = json.loads("".join(lines))["mgtSvr"][0]
    scheme = "https" if server.get("useHttps") else "http"
    endpoint = f"{scheme}://{server['mgtSvrIp']}:{server['port']}/client/api"
    options = dict(
        endpoint=endpoint,
        key=server["apiKey"],
        secret=server["securityKey"],
        poll_interval=0.05,
        job_timeout=30,
        fetch_result=True,
    )
    options.update(overrides)
    return CloudStack(**options)


def expect_error(call, errorcode, what):
    try:
        call()
    except CloudStackApiException as error:
        got = error.error.get("errorcode") if isinstance(error.error, dict) else None
        status = error.response.status_code if error.response is not None else None
        if got != errorcode or status != errorcode:
            sys.exit(f"{what}: expected errorcode {errorcode}, got {got} (HTTP {status}): {error.error}")
        return error.error
    sys.exit(f"{what}: expected errorcode {errorcode}, the call succeeded")


def check(condition, what):
    if not condition:
        sys.exit(f"check failed: {what}")


def main(config):
    cs = client_from_config(config)
    suffix = uuid.uuid4().hex[:8]

    zones = cs.listZones()
    check(zones.get("count", 0) >= 1 and zones["zone"][0]["name"], "listZones returns the default zone")

    domain = cs.createDomain(name=f"peer-{suffix}")["domain"]
    check(domain["path"] == f"ROOT/peer-{suffix}", f"domain path, got {domain.get('path')}")

    account = cs.createAccount(
        accounttype=0,
        username=f"peer-{suffix}",
        password="Secret-1",
        firstname="Peer",
        lastname="Check",
        email=f"peer-{suffix}@example.com",
        domainid=domain["id"],
    )["account"]
    check(account["name"] == f"peer-{suffix}", "account name defaults to the username")
    check(account["domainid"] == domain["id"], "account lives in the new domain")

    user = cs.createUser(
        account=account["name"],
        domainid=domain["id"],
        username=f"peer2-{suffix}",
        password="Secret-2",
        firstname="Second",
        lastname="User",
        email=f"peer2-{suffix}@example.com",
    )["user"]
    check(user["account"] == account["name"], "user belongs to the account")

    keys = cs.registerUserKeys(id=user["id"])["userkeys"]
    check(keys.get("apikey") and keys.get("secretkey"), "registerUserKeys returns both keys")

    as_user = CloudStack(endpoint=cs.endpoint, key=keys["apikey"], secret=keys["secretkey"], fetch_result=True)
    own = as_user.listAccounts()
    check([a["name"] for a in own.get("account", [])] == [account["name"]], "a user sees only its own account")

    listed = cs.listAccounts(domainid=domain["id"])
    check(listed["count"] == 1, "admin lists the account by domain")

    error = expect_error(lambda: cs.createDomain(), 431, "missing parameter")
    check("name" in error["errortext"], f"missing-parameter text names the parameter: {error['errortext']}")
    check(error.get("cserrorcode") == 4350, f"missing parameter is cserrorcode 4350: {error}")

    bad = client_from_config(config, secret="not-the-secret")
    expect_error(lambda: bad.listZones(), 401, "bad signature")

    expect_error(lambda: cs.notARealCommand(), 401, "unknown command with an apiKey")

    print("cs peer check: all answers as CloudStack gives them")


if __name__ == "__main__":
    main(sys.argv[1])
