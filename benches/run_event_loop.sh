#!/usr/bin/env bash
# Runs the event-loop benchmark (benches/event_loop.rs, criterion: weft's
# aio::EventLoop and tokio's current-thread runtime) and Python's asyncio on
# the same work (benches/python/event_loop.py) in one go, then prints the
# rates and the ratios: against Python, and weft against tokio. Only ratios
# from one run are comparable.
#
# Usage: benches/run_event_loop.sh [extra criterion args, e.g. --quick]
# Environment: PYTHON (default python3), PY_RUNS (default 3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

echo "== cargo bench --bench event_loop" >&2
cargo bench --bench event_loop -- --noplot "$@" >&2

echo "== $python benches/python/event_loop.py" >&2
py_out="$("$python" benches/python/event_loop.py --runs "${PY_RUNS:-3}")"
echo "$py_out" >&2

"$python" - "$target_dir/criterion" "$py_out" <<'PY'
import json, os, sys

criterion_dir, py_out = sys.argv[1], sys.argv[2]
N = 100_000  # tasks per iteration of `tasks`, yields per iteration of `yields`

def rust_rate(group, name):
    path = os.path.join(criterion_dir, group, name, str(N), "new", "estimates.json")
    with open(path) as f:
        median_ns = json.load(f)["median"]["point_estimate"]
    return N / (median_ns * 1e-9)

python = {}
for line in py_out.splitlines():
    _, name, rate = line.split()
    python[name] = float(rate)

units = {"tasks": "tasks/s", "yields": "yields/s"}
print(f"{'work':<7} {'implementation':<34} {'rate (per s)':>14} {'x Python':>9} {'weft / it':>9}")
verdicts = []
for group in ("tasks", "yields"):
    weft = rust_rate(group, "weft_event_loop")
    rows = [
        ("weft aio::EventLoop", weft),
        ("tokio current_thread spawn_local", rust_rate(group, "tokio_spawn_local")),
        ("tokio current_thread spawn", rust_rate(group, "tokio_spawn")),
        ("Python asyncio", python[group]),
    ]
    for name, rate in rows:
        print(f"{group:<7} {name:<34} {rate:>14,.0f} {rate / python[group]:>9.1f} {weft / rate:>9.2f}")
    best_tokio = max(rows[1][1], rows[2][1])
    verdict = "met" if weft >= best_tokio / 2 else "NOT met"
    verdicts.append(f"{group}: weft >= half of tokio's best ({best_tokio / 2:,.0f} {units[group]}): "
                    f"{verdict} (weft / tokio = {weft / best_tokio:.2f})")
print("target:")
for v in verdicts:
    print("  " + v)
PY
