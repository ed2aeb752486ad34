#!/usr/bin/env bash
# Runs the thread-pool benchmark (benches/thread_pool.rs, criterion) and
# Python's ThreadPoolExecutor on the same work (benches/python/thread_pool.py)
# in one go, then prints tasks/s for each and the ratios: against Python, and
# weft against each Rust peer. Only ratios from one run are comparable.
#
# Usage: benches/run_thread_pool.sh [extra criterion args, e.g. --quick]
# Environment: PYTHON (default python3), PY_RUNS (default 3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

echo "== cargo bench --bench thread_pool" >&2
cargo bench --bench thread_pool -- --noplot "$@" >&2

echo "== $python benches/python/thread_pool.py" >&2
py_out="$("$python" benches/python/thread_pool.py --runs "${PY_RUNS:-3}")"
echo "$py_out" >&2

"$python" - "$target_dir/criterion" "$py_out" <<'PY'
import json, os, sys

criterion_dir, py_out = sys.argv[1], sys.argv[2]
TASKS = 100_000

def rust_rate(group, name):
    path = os.path.join(criterion_dir, group, name, str(TASKS), "new", "estimates.json")
    with open(path) as f:
        median_ns = json.load(f)["median"]["point_estimate"]
    return TASKS / (median_ns * 1e-9)

python = {}
for line in py_out.splitlines():
    _, name, rate = line.split()
    python[name] = float(rate)

rows = [
    ("submit+wait", "weft ThreadPool (Future per task)", rust_rate("submit_wait", "weft_thread_pool")),
    ("submit+wait", "crossbeam naive pool (channel per task)", rust_rate("submit_wait", "crossbeam_naive_pool")),
    ("submit+wait", "threadpool crate (no results)", rust_rate("submit_wait", "threadpool_crate")),
    ("submit+wait", "rayon scope+spawn (no results)", rust_rate("submit_wait", "rayon_scope_spawn")),
    ("submit+wait", "Python ThreadPoolExecutor", python["submit_wait"]),
    ("map", "weft ThreadPool::map", rust_rate("map", "weft_thread_pool")),
    ("map", "Python ThreadPoolExecutor.map", python["map"]),
]
weft = rows[0][2]
print(f"{'work':<12} {'implementation':<42} {'tasks/s':>12} {'x Python':>9} {'weft / it':>9}")
for work, name, rate in rows:
    py = python["submit_wait" if work == "submit+wait" else "map"]
    mine = weft if work == "submit+wait" else rows[5][2]
    print(f"{work:<12} {name:<42} {rate:>12,.0f} {rate / py:>9.1f} {mine / rate:>9.2f}")
target = 50 * python["submit_wait"]
verdict = "met" if weft >= target else "NOT met"
print(f"target: weft >= 50x Python = {target:,.0f} tasks/s: {verdict} ({weft / python['submit_wait']:.0f}x)")
PY
