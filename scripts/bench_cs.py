"""The Python `cs` client's side of examples/client_bench.rs.

Usage:
    python bench_cs.py throughput CONFIG.json CALLS THREADS COMMAND[,COMMAND...]
    python bench_cs.py async CONFIG.json SAMPLES COMMAND ID
    python bench_cs.py sync CONFIG.json SAMPLES COMMAND ID

CONFIG.json is the Marvin config the simulator writes. `cs` is used in
library mode, as its users do: one `CloudStack` object per thread (it keeps a
`requests.Session`, so connections are reused), GET requests, signature
version 3. Timing starts after a warm-up and excludes interpreter start-up.
Prints one JSON object on stdout.

- throughput: CALLS calls cycling through the commands, spread over THREADS
  threads; prints {"calls", "seconds", "rate"}.
- async: SAMPLES calls of the async COMMAND on the object ID, each waited for
  with cs's own polling (`fetch_result=True`, its default 2 s poll
  interval); prints {"samples", "median_ms", "min_ms"}.
- sync: the same for a sync COMMAND (no job).
"""

import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from cs import CloudStack


def client(path, **overrides):
    lines = [line for line in open(path) if not line.lstrip().startswith("#")]
    server = json.loads("".join(lines))["mgtSvr"][0]
    scheme = "https" if server.get("useHttps") else "http"
    options = dict(
        endpoint=f"{scheme}://{server['mgtSvrIp']}:{server['port']}/client/api",
        key=server["apiKey"],
        secret=server["securityKey"],
        timeout=60,
    )
    options.update(overrides)
    return CloudStack(**options)


def throughput(config, calls, threads, commands):
    local = threading.local()

    def api():
        if not hasattr(local, "cs"):
            local.cs = client(config)
        return local.cs

    def run(index):
        getattr(api(), commands[index % len(commands)])()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        # Warm up: one connection per thread, the code paths loaded.
        list(pool.map(run, range(threads * 4)))
        started = time.perf_counter()
        list(pool.map(run, range(calls), chunksize=max(1, calls // (threads * 8))))
        seconds = time.perf_counter() - started
    return {"calls": calls, "seconds": seconds, "rate": calls / seconds}


def latency(config, samples, command, ident, fetch_result):
    cs = client(config, fetch_result=fetch_result)
    call = getattr(cs, command)
    call(id=ident)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call(id=ident)
        times.append((time.perf_counter() - started) * 1e3)
    return {
        "samples": samples,
        "median_ms": statistics.median(times),
        "min_ms": min(times),
    }


def main(argv):
    mode = argv[1]
    if mode == "throughput":
        result = throughput(argv[2], int(argv[3]), int(argv[4]), argv[5].split(","))
    elif mode == "async":
        result = latency(argv[2], int(argv[3]), argv[4], argv[5], True)
    elif mode == "sync":
        result = latency(argv[2], int(argv[3]), argv[4], argv[5], False)
    else:
        sys.exit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
