"""Drives the simulator through a client generated from its OpenAPI document.

Usage: openapi_client_zones.py CONFIG PACKAGE

CONFIG is the Marvin config the simulator writes (the endpoint and the
admin's name and password); PACKAGE is the generated client's package,
installed in this interpreter's environment. Only the generated operations
and models make the calls: `login` with a form body, then `listZones` with
the session (its key as the `sessionkey` parameter, the JSESSIONID cookie
that login set), and `listZones` once more with the cookie but without the
key, which is refused. Prints one JSON document:
{"zones": [{"id": .., "name": ..}, ..], "count": n, "refused": status}.
Never prints the password or the session key.
"""

import importlib
import json
import sys


def main():
    config_path, package = sys.argv[1], sys.argv[2]
    with open(config_path) as config_file:
        server = json.load(config_file)["mgtSvr"][0]
    client_module = importlib.import_module(f"{package}.client")
    login = importlib.import_module(f"{package}.api.session.login")
    list_zones = importlib.import_module(f"{package}.api.zone.list_zones")
    models = importlib.import_module(f"{package}.models")

    base_url = f"http://{server['mgtSvrIp']}:{server['port']}/client/api"
    anonymous = client_module.Client(base_url=base_url)
    answer = login.sync_detailed(
        client=anonymous,
        body=models.LoginBody(
            username=server["user"], password=server["passwd"], domain="/"
        ),
    )
    if answer.status_code != 200:
        sys.exit(f"login answered {answer.status_code}: {answer.content[:300]!r}")
    # The document's answer schema puts the session's fields straight under
    # loginresponse, so the generated model has them as attributes.
    session = answer.parsed.loginresponse
    if not session.sessionkey or session.username != server["user"]:
        sys.exit("login answered without a session key or for another user")
    jar = dict(anonymous.get_httpx_client().cookies)
    if "JSESSIONID" not in jar:
        sys.exit(f"login set no JSESSIONID cookie (cookies: {sorted(jar)})")
    # Only the JSESSIONID cookie goes on: login's `sessionkey` cookie would
    # stand in for the parameter, and the parameter is what is under test.
    cookies = {"JSESSIONID": jar["JSESSIONID"]}

    # The generator leaves the document's security schemes to the caller:
    # the session key goes into every request through httpx's own options.
    with client_module.Client(
        base_url=base_url,
        cookies=cookies,
        httpx_args={"params": {"sessionkey": session.sessionkey}},
    ) as client:
        answer = list_zones.sync_detailed(client=client)
    if answer.status_code != 200:
        sys.exit(f"listZones answered {answer.status_code}: {answer.content[:300]!r}")
    listing = answer.parsed.listzonesresponse
    zones = [{"id": zone.id, "name": zone.name} for zone in listing.zone]

    with client_module.Client(base_url=base_url, cookies=cookies) as client:
        refused = list_zones.sync_detailed(client=client)
    errors = refused.parsed.additional_properties if refused.parsed else {}
    if refused.status_code == 200 or not any(
        error.errorcode == refused.status_code for error in errors.values()
    ):
        sys.exit(f"listZones without the session key answered {refused.status_code}")

    print(
        json.dumps(
            {"zones": zones, "count": listing.count, "refused": int(refused.status_code)}
        )
    )


if __name__ == "__main__":
    main()
