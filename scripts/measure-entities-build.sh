#!/usr/bin/env bash
# Measures a clean build of marvin-entities (its dependencies, marvin-macros
# included, stay built) for each schema: wall time, CPU time and peak RSS of
# the compiler, with /usr/bin/time -v. The load average is printed too: other
# builds on the machine lengthen the wall time, not the CPU time.
#
#   scripts/measure-entities-build.sh [schema.json ...]
#
# Without arguments: the 828-API 4.22 schema, the real 4.18 answer and the
# project's api-precache.json. Builds go to their own target directory
# (MEASURE_TARGET_DIR, default target/measure-entities) so that other builds
# in the shared target/ neither wait for this one nor skew it, and run with
# CARGO_INCREMENTAL=0 so that nothing of an earlier compile is reused. A
# warm-up build per schema builds the dependencies and runs the build
# script; then marvin-entities/src/lib.rs is touched and the measured build
# recompiles that crate alone.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cloudstack="$root/testdata/cloudstack"
export CARGO_TARGET_DIR="${MEASURE_TARGET_DIR:-$root/target/measure-entities}"
export CARGO_INCREMENTAL=0

if [ "$#" -gt 0 ]; then
    schemas=("$@")
else
    schemas=("$cloudstack/listApis-4.22.json" "$cloudstack/listApis-4.18.json" "$root/api-precache.json")
fi

if [ ! -x /usr/bin/time ]; then
    echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

printf 'load average before: %s\n\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| schema | APIs | wall time | CPU time (user+sys) | peak RSS |\n|---|---|---|---|---|\n'
for schema in "${schemas[@]}"; do
    schema="$(cd "$(dirname "$schema")" && pwd)/$(basename "$schema")"
    apis="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d.get("listapisresponse", d)["api"]))' "$schema")"
    (cd "$root" && MARVIN_PRECACHE="$schema" cargo build --quiet -p marvin-entities)
    touch "$root/marvin-entities/src/lib.rs"
    (cd "$root" && MARVIN_PRECACHE="$schema" /usr/bin/time -v cargo build --quiet -p marvin-entities) 2>"$log"
    wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")"
    rss_kb="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")"
    user="$(sed -n 's/.*User time (seconds): //p' "$log")"
    sys="$(sed -n 's/.*System time (seconds): //p' "$log")"
    cpu="$(python3 -c 'import sys; print(f"{float(sys.argv[1]) + float(sys.argv[2]):.1f} s")' "$user" "$sys")"
    printf '| %s | %s | %s | %s | %s MiB |\n' "$(basename "$schema")" "$apis" "$wall" "$cpu" "$((rss_kb / 1024))"
done
