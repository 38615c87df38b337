#!/usr/bin/env bash
# Measures line coverage of the workspace's tests with cargo-llvm-cov and
# writes an HTML report plus per-crate figures.
#
#   scripts/coverage.sh          # every test of the workspace (what `cargo test --workspace` runs);
#                                # rewrites the figures of docs/coverage.md
#   scripts/coverage.sh --fast   # only the client's and the simulator's own tests
#                                # (marvin-core: unit tests and tests/client; marvin-simulator:
#                                # unit tests, which hold the kernel's); leaves docs/ alone
#
# Set-up on a bare clone: the `llvm-tools-preview` rustup component and
# `cargo-llvm-cov` (from crates.io, `cargo install --locked`) are installed
# when missing. Instrumented builds go to their own target directory
# (target/coverage-build, or $COVERAGE_BUILD_DIR), so the usual target/debug
# is never rebuilt with other flags.
#
# Output: target/coverage/html/index.html, target/coverage/summary.json (the
# llvm-cov export), target/coverage/summary.md (the per-crate table, also
# printed). Test failures fail the script, after the report is written.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode=full
case "${1:-}" in
    "") ;;
    --fast) mode=fast ;;
    *)
        echo "usage: scripts/coverage.sh [--fast]" >&2
        exit 2
        ;;
esac

out="$root/target/coverage"
export CARGO_LLVM_COV_TARGET_DIR="${COVERAGE_BUILD_DIR:-$root/target/coverage-build}"

if command -v rustup >/dev/null 2>&1 &&
    ! rustup component list --installed 2>/dev/null | grep -q '^llvm-tools'; then
    echo "== rustup component add llvm-tools-preview"
    rustup component add llvm-tools-preview
fi
if ! cargo llvm-cov --version >/dev/null 2>&1; then
    echo "== cargo install --locked cargo-llvm-cov"
    cargo install --locked cargo-llvm-cov
fi

load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
started=$SECONDS
echo "== instrumented test run ($mode) in $CARGO_LLVM_COV_TARGET_DIR"
cargo llvm-cov clean --workspace
status=0
if [ "$mode" = full ]; then
    command_line="scripts/coverage.sh"
    packages=(--workspace)
    cargo llvm-cov --no-report --workspace --no-fail-fast || status=$?
else
    command_line="scripts/coverage.sh --fast"
    packages=(-p marvin-core -p marvin-simulator)
    cargo llvm-cov --no-report -p marvin-core --lib --test client --no-fail-fast || status=$?
    cargo llvm-cov --no-report -p marvin-simulator --lib --no-fail-fast || status=$?
fi
tests_seconds=$((SECONDS - started))

echo "== reports in $out"
rm -rf "$out/html"
mkdir -p "$out"
cargo llvm-cov report "${packages[@]}" --html --output-dir "$out"
cargo llvm-cov report "${packages[@]}" --json --summary-only --output-path "$out/summary.json"

report_args=(--json "$out/summary.json" --markdown "$out/summary.md"
    --command "$command_line" --seconds "$tests_seconds" --load "$load_before"
    --tool "$(cargo llvm-cov --version)")
if [ "$mode" = full ]; then
    report_args+=(--doc docs/coverage.md)
fi
python3 scripts/coverage_report.py "${report_args[@]}"
cat "$out/summary.md"
echo "HTML report: $out/html/index.html (tests and reports took $((SECONDS - started)) s)"

if [ "$status" -ne 0 ]; then
    echo "error: some tests failed under coverage (exit $status)" >&2
fi
exit "$status"
