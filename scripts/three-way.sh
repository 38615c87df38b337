#!/usr/bin/env bash
# One suite, three backends (docs/record-replay.md, "One suite, every backend"):
#   1. the bundled smoke suite against the embedded simulator;
#   2. the same suite against a separate `marvin simulator` process, recorded;
#   3. the recording replayed with that simulator stopped (no network at all).
# The three runs must give each test the same outcome (and a skipped test the
# same reason); the recording must hold no secret, neither by the structural
# scan (`marvin cassettes`) nor as the simulator's own keys in clear; and
# `marvin conform` over the recording, against a fresh simulator, must find
# no difference.
#
# Usage: scripts/three-way.sh [OUT_DIR]   (default: <target>/three-way)
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
out="${1:-$target_dir/three-way}"
cargo build -q --bin marvin
marvin="$target_dir/debug/marvin"
rm -rf "$out"
mkdir -p "$out"

echo "== 1/3 embedded simulator"
"$marvin" smoke -q --json "$out/embedded.json" >"$out/embedded.log" 2>&1 ||
  { tail -40 "$out/embedded.log"; exit 1; }
tail -1 "$out/embedded.log"

echo "== 2/3 a separate marvin simulator, recorded"
"$marvin" simulator --port 0 --write-config "$out/simulator.json" >"$out/simulator.log" 2>&1 &
simulator=$!
trap 'kill "$simulator" 2>/dev/null || true' EXIT
# The runner waits for the endpoint itself (--ready-timeout); the config
# file only has to exist.
for _ in $(seq 1 100); do [ -s "$out/simulator.json" ] && break; sleep 0.1; done
"$marvin" smoke -q --config "$out/simulator.json" --record "$out/cassettes" \
  --record-mode all --json "$out/external.json" >"$out/external.log" 2>&1 ||
  { tail -40 "$out/external.log"; exit 1; }
tail -1 "$out/external.log"
kill "$simulator"
wait "$simulator" 2>/dev/null || true
trap - EXIT

echo "== 3/3 replay, the simulator stopped"
"$marvin" smoke -q --replay "$out/cassettes" --json "$out/replay.json" >"$out/replay.log" 2>&1 ||
  { tail -40 "$out/replay.log"; exit 1; }
tail -1 "$out/replay.log"

echo "== the same outcomes"
python3 - "$out" <<'EOF'
import json, sys
out = sys.argv[1]
runs = {name: json.load(open(f"{out}/{name}.json")) for name in ("embedded", "external", "replay")}
outcome = {
    name: {t["name"]: (t["status"], t.get("skip_reason")) for t in run["tests"]}
    for name, run in runs.items()
}
differ = [
    (test, [outcome[name].get(test) for name in runs])
    for test in sorted(set().union(*outcome.values()))
    if len({str(outcome[name].get(test)) for name in runs}) != 1
]
for test, seen in differ:
    print(f"  {test}: " + ", ".join(f"{name} {s}" for name, s in zip(runs, seen)))
counts = {name: run["counts"] for name, run in runs.items()}
print(f"  {len(outcome['embedded'])} tests; " + "; ".join(f"{n}: {c}" for n, c in counts.items()))
sys.exit(1 if differ else 0)
EOF

echo "== no secret in the recording"
"$marvin" cassettes "$out/cassettes"
python3 - "$out" <<'EOF'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
server = json.load(open(out / "simulator.json"))["mgtSvr"][0]
keys = [server["apiKey"], server["securityKey"]]
leaks = [p.name for p in (out / "cassettes").glob("*.json") if any(k in p.read_text() for k in keys)]
print(f"  the simulator's keys in clear: {len(leaks)} file(s)")
sys.exit(1 if leaks else 0)
EOF

echo "== conformance of a fresh simulator to the recording"
"$marvin" conform --cassettes "$out/cassettes" --json "$out/conform.json" >"$out/conform.txt" 2>&1 ||
  { tail -60 "$out/conform.txt"; exit 1; }
tail -1 "$out/conform.txt"
