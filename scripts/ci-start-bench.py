#!/usr/bin/env python3
"""Time from process start to the first successful signed call, for
`marvin simulator` standing in for CloudStack's Java simulator in CI.

    scripts/ci-start-bench.py BINARY [--cfg CFG] [--runs N]

Each run starts `BINARY simulator --cloudstack-ports --deploy CFG` (default:
CloudStack's setup/dev/advanced.cfg from testdata) on a loopback address of
its own with fixed admin keys, polls `GET /` on 8080 as CI set-ups do, then
sends signed `listZones` calls until one lists the deployed zones. It prints
the median, minimum and maximum of both moments over the runs, one JSON
document on the last line. Standard library only.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

API_KEY = "bench-api-key-0123456789"
SECRET_KEY = "bench-secret-key-0123456789"


def signed(base, params):
    """A URL signed as CloudStack checks it (HMAC-SHA1 over the sorted,
    lower-cased query)."""
    params = dict(params, apiKey=API_KEY, response="json")
    query = "&".join(
        f"{k}={urllib.parse.quote(str(v), safe='')}"
        for k, v in sorted(params.items(), key=lambda kv: kv[0].lower())
    )
    digest = hmac.new(SECRET_KEY.encode(), query.lower().encode(), hashlib.sha1).digest()
    signature = urllib.parse.quote(base64.b64encode(digest).decode(), safe="")
    return f"{base}?{query}&signature={signature}"


def status_and_body(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError):
        return None, b""


def zone_names(cfg):
    text = "\n".join(l for l in open(cfg) if not l.lstrip().startswith("#"))
    return sorted(z["name"] for z in json.loads(text)["zones"])


def one_run(binary, cfg, host, zones):
    env = dict(os.environ, MARVIN_ADMIN_API_KEY=API_KEY, MARVIN_ADMIN_SECRET_KEY=SECRET_KEY)
    env.pop("RUST_LOG", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [binary, "simulator", "--cloudstack-ports", "--host", host, "--deploy", cfg],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = started + 120
        ready = None
        while ready is None:
            if time.perf_counter() > deadline or process.poll() is not None:
                raise SystemExit(f"{binary} did not become ready")
            status, _ = status_and_body(f"http://{host}:8080/")
            if status == 200:
                ready = time.perf_counter() - started
            else:
                time.sleep(0.005)
        url = signed(f"http://{host}:8080/client/api", {"command": "listZones"})
        while True:
            if time.perf_counter() > deadline:
                raise SystemExit("no signed call succeeded")
            status, body = status_and_body(url)
            if status == 200:
                listed = json.loads(body)["listzonesresponse"].get("zone", [])
                if sorted(z["name"] for z in listed) == zones:
                    return ready, time.perf_counter() - started
            time.sleep(0.005)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument(
        "--cfg",
        default=os.path.join(here, "..", "testdata", "cloudstack", "datacenter", "advanced.cfg"),
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    zones = zone_names(args.cfg)
    ready, signed_at = [], []
    for run in range(args.runs):
        host = f"127.{150 + run % 50}.{(os.getpid() >> 8) & 0xFF}.{os.getpid() % 254 + 1}"
        r, s = one_run(os.path.abspath(args.binary), os.path.abspath(args.cfg), host, zones)
        ready.append(r * 1000)
        signed_at.append(s * 1000)
        print(f"run {run + 1}: ready {r * 1000:.0f} ms, first signed call {s * 1000:.0f} ms")

    def summary(values):
        return {
            "median_ms": round(statistics.median(values), 1),
            "min_ms": round(min(values), 1),
            "max_ms": round(max(values), 1),
        }

    print(json.dumps({"runs": args.runs, "zones": zones,
                      "ready": summary(ready), "first_signed_call": summary(signed_at)}))


if __name__ == "__main__":
    sys.exit(main())
