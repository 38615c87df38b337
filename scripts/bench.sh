#!/usr/bin/env bash
# Runs every benchmark of the project in one go and rewrites the figures
# table of docs/benchmarks.md (between its bench:begin/bench:end markers).
#
#   scripts/bench.sh                 # client, simulator, scale, smoke (both ways), factories, no-op rebuild
#   BENCH_ENTITIES=1 scripts/bench.sh   # also re-measure the entities clean builds
#                                       # (scripts/measure-entities-build.sh, minutes)
#
# Benchmarks are release builds. The Python `cs` client comes from
# target/peer-venv (made by `cargo test --test peers`, or here, pinned to the
# same version); without Python or PyPI the cs figures are left out.
# Raw outputs go to target/bench/. Run it on a machine that is otherwise
# idle: the figures are ratios measured in one run, but a busy machine still
# blurs them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$root/target/bench"
mkdir -p "$out"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

venv="$root/target/peer-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import cs' 2>/dev/null; then
    echo "== making $venv with cs (for the peer figures)"
    if python3 -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check cs==5.2.0; then
        :
    else
        echo "warning: no Python cs client: the cs figures are skipped" >&2
    fi
fi
python_args=()
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import cs' 2>/dev/null; then
    python_args=(--python "$venv/bin/python")
fi

echo "== building (release)"
cargo build --release --quiet -p marvin-cli --example client_bench --example factory_bench --bin marvin
cargo test --release --quiet -p marvin-smoke --test smoke --no-run
cargo build --release --quiet -p marvin-simulator --example bench --example scale

echo "== simulator: start-up and listZones vs bare axum (marvin-simulator/examples/bench.rs)"
"$root/target/release/examples/bench" | tee "$out/simulator.txt"

echo "== simulator: listVirtualMachines over 100,000 VMs (marvin-simulator/examples/scale.rs)"
"$root/target/release/examples/scale" | tee "$out/scale.txt"

echo "== client: marvin vs bare loop vs cs, async jobs (examples/client_bench.rs)"
"$root/target/release/examples/client_bench" "${python_args[@]}" --json "$out/client.json" | tee "$out/client.txt"

echo "== smoke suite on the embedded simulator (marvin smoke, release)"
smoke_status=0
/usr/bin/time -f '%e' -o "$out/smoke.time" "$root/target/release/marvin" smoke >"$out/smoke.txt" 2>&1 || smoke_status=$?
echo "exit status $smoke_status, $(cat "$out/smoke.time" 2>/dev/null | tail -1) s wall" | tee "$out/smoke.status"

echo "== smoke suite on the embedded simulator (cargo test, release, already built)"
cargo_smoke_status=0
/usr/bin/time -f '%e' -o "$out/smoke-cargo.time" cargo test --release --quiet -p marvin-smoke --test smoke >"$out/smoke-cargo.txt" 2>&1 || cargo_smoke_status=$?
echo "exit status $cargo_smoke_status, $(tail -1 "$out/smoke-cargo.time" 2>/dev/null) s wall" | tee "$out/smoke-cargo.status"

echo "== factories: VirtualMachineWithStaticNat x 200 and their cleanup (examples/factory_bench.rs)"
"$root/target/release/examples/factory_bench" --json "$out/factory.json" | tee "$out/factory.txt"

echo "== no-op rebuild of marvin-entities (dev profile)"
cargo build --quiet -p marvin-entities
/usr/bin/time -f '%e' -o "$out/noop.time" cargo build --quiet -p marvin-entities
cat "$out/noop.time"

entities_args=()
if [ "${BENCH_ENTITIES:-0}" = 1 ]; then
    echo "== entities clean builds (scripts/measure-entities-build.sh)"
    scripts/measure-entities-build.sh | tee "$out/entities.txt"
    entities_args=(--entities "$out/entities.txt")
fi

python3 "$root/scripts/bench_report.py" \
    --out "$out" --load "$load_before" "${entities_args[@]}" \
    --doc "$root/docs/benchmarks.md"
echo "== docs/benchmarks.md updated"
