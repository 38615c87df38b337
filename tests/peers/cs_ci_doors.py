"""Drives `marvin simulator` the way other projects' CI set-up scripts drive
CloudStack's Java simulator, with nothing but the standard library and the
`cs` client.

    cs_ci_doors.py cloudstack HOST ZONE [ZONE...]
        --cloudstack-ports: readiness poll on 8080 and 5050; the Terraform
        provider's and cloudstack-go's login + listUsers + getUserKeys over
        a cookie jar; CloudMonkey-style registerUserKeys; the Ansible
        container's key fetch over 8096 (cs with dummy keys); Python
        Marvin's unsigned integration calls; signed calls with the keys.
    cs_ci_doors.py ansible HOST ZONE [ZONE...]
        --ansible-test-container: /admin.json on 8888 (503 until ready),
        then signed calls through 8888 with those keys.

The zones named must be listed once the simulator is ready.
"""

import http.cookiejar
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from cs import CloudStack, CloudStackApiException


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def get(url, opener=None):
    """(status, parsed JSON body or None)"""
    opener = opener or urllib.request.build_opener()
    try:
        with opener.open(url, timeout=10) as answer:
            body = answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        body = error.read()
        status = error.code
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def post_form(url, fields, opener):
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_until_ok(url, seen, limit=60.0):
    """Polls url until it answers 200 (as `curl -sf` loops do); every other
    answer must be a 503 or a refused connection."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            status, body = get(url)
        except (urllib.error.URLError, ConnectionError):
            seen.append("refused")
            time.sleep(0.05)
            continue
        if status == 200:
            return body
        if status != 503:
            fail(f"{url} answered {status} while starting (expected 503): {body}")
        seen.append(503)
        time.sleep(0.05)
    fail(f"{url} was not ready within {limit} s")


def zone_names(client):
    return sorted(z["name"] for z in client.listZones().get("zone", []))


def check_zones(client, zones, where):
    names = zone_names(client)
    for zone in zones:
        if zone not in names:
            fail(f"{where}: zone {zone} missing from {names}")


def cloudstack_mode(host, zones):
    api = f"http://{host}:8080/client/api"
    seen = []
    ready = wait_until_ok(f"http://{host}:8080", seen)
    if ready.get("status") != "ready" or ready.get("zones") != len(zones):
        fail(f"readiness document: {ready}")
    status, _ = get(f"http://{host}:5050")
    if status != 200:
        fail(f"5050 answered {status}")

    # The Terraform provider's set-up: login into a cookie jar, then listUsers
    # and getUserKeys sending only the cookies.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, login = post_form(
        api,
        {"command": "login", "username": "admin", "password": "password",
         "response": "json", "domain": "/"},
        opener,
    )
    if status != 200:
        fail(f"login answered {status}: {login}")
    session_key = login["loginresponse"]["sessionkey"]
    status, users = get(f"{api}?command=listUsers&response=json", opener)
    if status != 200:
        fail(f"listUsers with the cookie jar answered {status}: {users}")
    user_id = users["listusersresponse"]["user"][0]["id"]
    status, keys = get(f"{api}?command=getUserKeys&id={user_id}&response=json", opener)
    if status != 200:
        fail(f"getUserKeys with the cookie jar answered {status}: {keys}")
    first = keys["getuserkeysresponse"]["userkeys"]
    # cloudstack-go's: the same with the session key as a parameter too.
    status, again = get(
        f"{api}?command=getUserKeys&id={user_id}&response=json&sessionkey={session_key}",
        opener,
    )
    if status != 200 or again["getuserkeysresponse"]["userkeys"] != first:
        fail(f"getUserKeys with sessionkey answered {status}: {again}")
    # A wrong session key is refused, cookie or not.
    status, _ = get(f"{api}?command=listUsers&response=json&sessionkey=wrong", opener)
    if status != 401:
        fail(f"a wrong sessionkey answered {status}, not 401")
    signed = CloudStack(endpoint=api, key=first["apikey"], secret=first["secretkey"])
    check_zones(signed, zones, "signed with getUserKeys' keys")

    # CloudMonkey's (the Terraform provider's newer set-up): registerUserKeys
    # over the session replaces the keys.
    status, registered = get(
        f"{api}?command=registerUserKeys&id={user_id}&response=json", opener
    )
    if status != 200:
        fail(f"registerUserKeys answered {status}: {registered}")
    new = registered["registeruserkeysresponse"]["userkeys"]
    if new["apikey"] == first["apikey"]:
        fail("registerUserKeys kept the old API key")
    old_client = CloudStack(endpoint=api, key=first["apikey"], secret=first["secretkey"])
    try:
        old_client.listZones()
        fail("the replaced keys still sign calls")
    except CloudStackApiException as error:
        if error.error.get("errorcode") != 401:
            fail(f"the replaced keys: {error.error}")

    # The Ansible container's key fetch: cs against 8096 with dummy keys.
    integration = CloudStack(
        endpoint=f"http://{host}:8096/client/api", key="dummy", secret="dummy"
    )
    admin_id = integration.listUsers(account="admin")["user"][0]["id"]
    fetched = integration.getUserKeys(id=admin_id)["userkeys"]
    if fetched["apikey"] != new["apikey"] or fetched["secretkey"] != new["secretkey"]:
        fail("getUserKeys over 8096 does not give the registered keys")

    # Python Marvin's unsigned calls (port 8096, "user": "root", no keys).
    status, unsigned = get(f"http://{host}:8096/client/api?command=listZones&response=json")
    if status != 200:
        fail(f"an unsigned call on 8096 answered {status}: {unsigned}")
    names = sorted(z["name"] for z in unsigned["listzonesresponse"]["zone"])
    if names != sorted(zones):
        fail(f"unsigned listZones: {names}")
    status, _ = get(f"{api}?command=listZones&response=json")
    if status != 401:
        fail(f"an unsigned call on 8080 answered {status}, not 401")
    # Python Marvin's test client without keys: unsigned listUsers
    # account=admin and getUserKeys on 8096, then signed calls on 8080.
    unsigned_api = f"http://{host}:8096/client/api?response=json"
    status, listed = get(f"{unsigned_api}&command=listUsers&account=admin")
    if status != 200:
        fail(f"unsigned listUsers answered {status}: {listed}")
    admin = listed["listusersresponse"]["user"][0]["id"]
    status, got = get(f"{unsigned_api}&command=getUserKeys&id={admin}")
    if status != 200 or got["getuserkeysresponse"]["userkeys"] != new:
        fail(f"unsigned getUserKeys answered {status}: {got}")

    # The signed calls the suites then make, on both API ports.
    for port in (8080, 5050):
        client = CloudStack(
            endpoint=f"http://{host}:{port}/client/api",
            key=fetched["apikey"],
            secret=fetched["secretkey"],
        )
        check_zones(client, zones, f"signed on {port}")
    project = client.createProject(name="terraform", displaytext="terraform", fetch_result=True)
    if project["project"]["name"] != "terraform":
        fail(f"createProject: {project}")
    print(f"cloudstack doors: ok ({len(seen)} answers before ready)")


def ansible_mode(host, zones):
    seen = []
    keys = wait_until_ok(f"http://{host}:8888/admin.json", seen)
    if sorted(keys) != ["apikey", "secretkey"]:
        fail(f"admin.json holds {sorted(keys)}")
    client = CloudStack(
        endpoint=f"http://{host}:8888/client/api", key=keys["apikey"], secret=keys["secretkey"]
    )
    check_zones(client, zones, "signed through 8888")
    integration = CloudStack(
        endpoint=f"http://{host}:8096/client/api", key="dummy", secret="dummy"
    )
    admin_id = integration.listUsers(account="admin")["user"][0]["id"]
    if integration.getUserKeys(id=admin_id)["userkeys"] != keys:
        fail("admin.json differs from getUserKeys over 8096")
    print(f"ansible doors: ok ({len(seen)} answers before ready)")


def main():
    mode, host, zones = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == "cloudstack":
        cloudstack_mode(host, zones)
    elif mode == "ansible":
        ansible_mode(host, zones)
    else:
        fail(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
