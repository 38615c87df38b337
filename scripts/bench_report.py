"""Writes the figures table of docs/benchmarks.md from the raw outputs of
scripts/bench.sh (target/bench/). Only the part between the markers
`<!-- bench:begin -->` and `<!-- bench:end -->` is replaced; the rest of the
document (method, analysis, plans) is prose kept by hand.

Usage: bench_report.py --out target/bench --doc docs/benchmarks.md
                       [--load "1.0 0.8 0.5"] [--entities target/bench/entities.txt]
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"

CLIENT_CMD = "`cargo run --release --example client_bench`"
SIM_CMD = "`cargo run --release -p marvin-simulator --example bench`"
SCALE_CMD = "`cargo run --release -p marvin-simulator --example scale`"
SMOKE_CMD = "`target/release/marvin smoke`"
CARGO_SMOKE_CMD = "`cargo test --release -p marvin-smoke --test smoke` (built beforehand)"
FACTORY_CMD = "`cargo run --release --example factory_bench`"
NOOP_CMD = "`cargo build -p marvin-entities` (second run)"
ENTITIES_CMD = "`scripts/measure-entities-build.sh`"


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def machine(load):
    cpu = "unknown CPU"
    text = read("/proc/cpuinfo") or ""
    match = re.search(r"model name\s*:\s*(.+)", text)
    if match:
        cpu = match.group(1).strip()
    mem = read("/proc/meminfo") or ""
    match = re.search(r"MemTotal:\s*(\d+) kB", mem)
    gib = f"{int(match.group(1)) / 1024 / 1024:.0f} GiB" if match else "? GiB"
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {gib}, {platform.system()} {platform.release()}, "
        f"{rustc}; load average before the run: {load or 'unknown'}"
    )


def verdict(ok):
    if ok is None:
        return "—"
    return "met" if ok else "**missed**"


def rate(value):
    return f"{value:,.0f}/s"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--doc", required=True)
    parser.add_argument("--load", default="")
    parser.add_argument("--entities")
    args = parser.parse_args()

    rows = []

    def row(area, figure, measured, target, ok, command):
        rows.append(f"| {area} | {figure} | {measured} | {target} | {verdict(ok)} | {command} |")

    client = json.loads(read(os.path.join(args.out, "client.json")) or "{}")
    throughput = client.get("throughput", {})
    calls = client.get("calls", "?")
    inflight = client.get("inflight", 16)
    for key, label in [
        ("listZones/1", "listZones, sequential"),
        (f"listZones/{inflight}", f"listZones, {inflight} in flight"),
        ("mix/1", "listZones + listVirtualMachines, sequential"),
        (f"mix/{inflight}", f"listZones + listVirtualMachines, {inflight} in flight"),
    ]:
        t = throughput.get(key)
        if not t:
            continue
        ratio = t["marvin"] / t["bare"]
        row(
            "client",
            f"{label}: marvin-core (`call(..)`, a `serde_json::Value`) vs bare pre-signed loop ({calls} calls)",
            f"{rate(t['marvin'])} vs {rate(t['bare'])} = **{ratio:.2f}×**",
            "≥ 0.8×",
            ratio >= 0.8,
            CLIENT_CMD,
        )
        if t.get("marvin_typed"):
            ratio = t["marvin_typed"] / t["bare"]
            row(
                "client",
                f"{label}: marvin-core (`call(..).send_as`, typed structs) vs bare pre-signed loop ({calls} calls)",
                f"{rate(t['marvin_typed'])} vs {rate(t['bare'])} = **{ratio:.2f}×**",
                "≥ 0.8×",
                ratio >= 0.8,
                CLIENT_CMD,
            )
    for key, label, target in [
        ("listZones/1", "listZones, sequential", 4),
        (f"listZones/{inflight}", f"listZones, {inflight} in flight (threads for cs)", 10),
        ("mix/1", "listZones + listVirtualMachines, sequential", 4),
        (f"mix/{inflight}", f"listZones + listVirtualMachines, {inflight} in flight", 10),
    ]:
        t = throughput.get(key)
        if not t:
            continue
        if t.get("cs"):
            ratio = t["marvin"] / t["cs"]
            typed = (f" (typed: {t['marvin_typed'] / t['cs']:.1f}×)" if t.get("marvin_typed") else "")
            row(
                "client",
                f"{label}: marvin-core (`call(..)`) vs Python `cs` (library)",
                f"{rate(t['marvin'])} vs {rate(t['cs'])} = **{ratio:.1f}×**{typed}",
                f"≥ {target}×",
                ratio >= target,
                CLIENT_CMD,
            )
        else:
            row("client", f"{label}: vs Python `cs`", f"not measured ({t.get('cs_error') or 'no cs'})",
                f"≥ {target}×", None, CLIENT_CMD)
    jobs = client.get("jobs")
    if jobs:
        ratio = jobs["marvin_async_ms"] / jobs["marvin_sync_ms"]
        row(
            "async",
            "async call on a zero-delay job (`rebootVirtualMachine`) vs a sync call on the same VM (`updateVirtualMachine`), medians",
            f"{jobs['marvin_async_ms']:.2f} ms vs {jobs['marvin_sync_ms']:.2f} ms = **{ratio:.1f}×**"
            f" ({jobs['marvin_async_ms'] / jobs['marvin_list_ms']:.1f}× a `listZones`)",
            "≤ 3×",
            ratio <= 3,
            CLIENT_CMD,
        )
        if "marvin_async_eager_ms" in jobs:
            eager = jobs["marvin_async_eager_ms"]
            row(
                "async",
                "what-if (the plan below): the same with the first poll after 0.1 ms instead of 3 ms",
                f"{eager:.2f} ms = {eager / jobs['marvin_sync_ms']:.1f}×",
                "≤ 3×",
                None,
                CLIENT_CMD,
            )
        overhead = jobs["marvin_slow_ms"] / 500 - 1
        row(
            "async",
            "async call on a 500 ms job, overhead over the job's 500 ms (median)",
            f"{jobs['marvin_slow_ms']:.1f} ms = **{overhead * 100:+.1f}%**",
            "≤ 20%",
            overhead <= 0.2,
            CLIENT_CMD,
        )
        if "cs_async_ms" in jobs:
            row(
                "async",
                "for comparison, `cs` (poll every 2 s): zero-delay job vs sync call",
                f"{jobs['cs_async_ms']:.1f} ms vs {jobs['cs_sync_ms']:.2f} ms = {jobs['cs_async_ms'] / jobs['cs_sync_ms']:.1f}×",
                "—",
                None,
                CLIENT_CMD,
            )
        if "cs_slow_ms" in jobs:
            row(
                "async",
                "for comparison, `cs`: 500 ms job",
                f"{jobs['cs_slow_ms']:.0f} ms = {(jobs['cs_slow_ms'] / 500 - 1) * 100:+.0f}%",
                "—",
                None,
                CLIENT_CMD,
            )

    sim = read(os.path.join(args.out, "simulator.txt")) or ""
    match = re.search(r"median ([\d.]+) ms, p90 ([\d.]+) ms", sim)
    if match:
        median = float(match.group(1))
        row("start-up", "embedded simulator with the default zone ready (median, p90)",
            f"**{median:.2f} ms** (p90 {float(match.group(2)):.2f} ms)", "≤ 50 ms", median <= 50, SIM_CMD)
    match = re.search(r"authenticated listZones: (\d+) requests/s; bare axum handler, same body: (\d+) requests/s", sim)
    if match:
        simulated, bare = int(match.group(1)), int(match.group(2))
        ratio = simulated / bare
        row("simulator", "authenticated `listZones` vs a bare axum handler, 32 connections (medians)",
            f"{rate(simulated)} vs {rate(bare)} = **{ratio * 100:.0f}%**", "≥ 50%", ratio >= 0.5, SIM_CMD)
    scale = read(os.path.join(args.out, "scale.txt")) or ""
    match = re.search(r"\| listall, page 1 \| (\d+) \| (\d+) \| ([\d.]+)(µs|ms|s) \|", scale)
    if match:
        value = float(match.group(3)) * {"µs": 1e-3, "ms": 1, "s": 1e3}[match.group(4)]
        row("simulator", f"a {match.group(1)}-item page of `listVirtualMachines` out of {int(match.group(2)):,} VMs (median)",
            f"**{value:.1f} ms**", "≤ 25 ms", value <= 25, SCALE_CMD)

    smoke_status = read(os.path.join(args.out, "smoke.status"))
    smoke_text = read(os.path.join(args.out, "smoke.txt")) or ""
    if smoke_status:
        match = re.search(r"exit status (\d+), ([\d.]+) s wall", smoke_status)
        if match:
            status, wall = int(match.group(1)), float(match.group(2))
            scenarios = re.findall(r"(\d+) (?:scenarios|tests)", smoke_text)
            detail = f" ({scenarios[-1]} scenarios)" if scenarios else ""
            note = "" if status == 0 else f", exit status {status} (see target/bench/smoke.txt)"
            row("suite", f"bundled smoke suite on the embedded simulator{detail}",
                f"**{wall:.1f} s** wall{note}", "≤ 30 s", wall <= 30 and status == 0, SMOKE_CMD)

    cargo_status = read(os.path.join(args.out, "smoke-cargo.status"))
    cargo_text = read(os.path.join(args.out, "smoke-cargo.txt")) or ""
    if cargo_status:
        match = re.search(r"exit status (\d+), ([\d.]+) s wall", cargo_status)
        if match:
            status, wall = int(match.group(1)), float(match.group(2))
            passed = re.findall(r"(\d+) passed", cargo_text)
            detail = f" ({passed[-1]} tests)" if passed else ""
            note = "" if status == 0 else f", exit status {status} (see target/bench/smoke-cargo.txt)"
            row("suite", f"the same scenarios as cargo tests on the embedded simulator{detail}",
                f"**{wall:.1f} s** wall{note}", "≤ 30 s", wall <= 30 and status == 0, CARGO_SMOKE_CMD)

    factory = json.loads(read(os.path.join(args.out, "factory.json")) or "{}")
    if factory:
        n = factory["count"]
        row("factories", f"{n} `VirtualMachineWithStaticNat` made concurrently, then cleaned up (wall)",
            f"create **{factory['create_seconds']:.2f} s**, cleanup **{factory['cleanup_seconds']:.2f} s** "
            f"({factory['deletions']} deletions)", "—", None, FACTORY_CMD)
        for phase in ["create", "cleanup"]:
            client_calls = factory[f"{phase}_client"]
            server_calls = factory[f"{phase}_server"]
            detail = ", ".join(f"{command} {per:.2f}" for command, per in client_calls["by_command"].items()
                               if per >= 0.5)
            polls = server_calls["by_command"].get("queryAsyncJobResult", 0)
            row("factories", f"API calls per object, {phase} (client calls; server requests incl. job polls)",
                f"**{client_calls['per_object']:.2f}** ({detail}); {server_calls['per_object']:.2f} requests "
                f"({polls:.2f} polls)", "no redundant call", None, FACTORY_CMD)

    noop = read(os.path.join(args.out, "noop.time"))
    if noop:
        value = float(noop.strip().splitlines()[-1])
        row("build", "no-op rebuild of marvin-entities", f"**{value:.2f} s**", "≤ 2 s", value <= 2, NOOP_CMD)

    entities = read(args.entities) if args.entities else None
    source = ENTITIES_CMD
    if not entities:
        entities = read(os.path.join(os.path.dirname(args.doc), "entities-build.md")) or ""
        source = f"{ENTITIES_CMD} (figures copied from docs/entities-build.md)"
    match = re.search(r"\| `?listApis-4\.22\.json`? \| (\d+) \| ([^|]+) \| ([^|]+) \| (\d+) MiB \|", entities)
    if not match:
        match = re.search(r"\| `?listApis\.json`? \(4\.22\) \| (\d+) \| ([^|]+) \| ([^|]+) \| (\d+) MiB \|", entities)
    if not match:
        match = re.search(r"\| listApis\.json \| (\d+) \| ([^|]+) \| ([^|]+) \| (\d+) MiB \|", entities)
    if match:
        wall = match.group(2).strip()
        seconds = wall_seconds(wall)
        rss = int(match.group(4))
        row("build", f"clean build of the entities from the {match.group(1)}-API 4.22 schema (wall, CPU, peak RSS)",
            f"**{wall}**, CPU {match.group(3).strip()}, **{rss} MiB**", "≤ 45 s and ≤ 1.5 GiB",
            seconds is not None and seconds <= 45 and rss <= 1536, source)

    table = "\n".join(
        [
            f"Run of {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine(args.load)}.",
            "",
            "| area | figure | measured | target | | command |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )
    doc = read(args.doc)
    if doc is None or BEGIN not in doc or END not in doc:
        sys.exit(f"{args.doc} needs the markers {BEGIN} and {END}")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(args.doc, "w", encoding="utf-8") as f:
        f.write(f"{head}{BEGIN}\n{table}\n{END}{tail}")
    print(table)


def wall_seconds(text):
    text = text.strip().rstrip("s").strip()
    try:
        if ":" in text:
            minutes, seconds = text.split(":", 1)
            return int(minutes) * 60 + float(seconds)
        return float(text)
    except ValueError:
        return None


if __name__ == "__main__":
    main()
