#!/usr/bin/env bash
# Runs the TaskGroup benchmark (benches/task_group.rs, criterion: weft's
# aio::TaskGroup and tokio's JoinSet) and Python's asyncio.TaskGroup on the
# same work (benches/python/task_group.py) in one go, then prints the rates
# and the ratios. Only ratios from one run are comparable.
#
# Usage: benches/run_task_group.sh [extra criterion args, e.g. --quick]
# Environment: PYTHON (default python3, 3.11+ for TaskGroup), PY_RUNS (default 3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

echo "== cargo bench --bench task_group" >&2
cargo bench --bench task_group -- --noplot "$@" >&2

echo "== $python benches/python/task_group.py" >&2
py_out="$("$python" benches/python/task_group.py --runs "${PY_RUNS:-3}")"
echo "$py_out" >&2

"$python" - "$target_dir/criterion" "$py_out" <<'PY'
import json, os, sys

criterion_dir, py_out = sys.argv[1], sys.argv[2]
N = 100_000

def rust_rate(name):
    path = os.path.join(criterion_dir, "task_group", name, str(N), "new", "estimates.json")
    with open(path) as f:
        median_ns = json.load(f)["median"]["point_estimate"]
    return N / (median_ns * 1e-9)

python = float(py_out.split()[2])
weft = rust_rate("weft_task_group")
rows = [
    ("weft aio::TaskGroup", weft),
    ("tokio JoinSet spawn_local", rust_rate("tokio_join_set_local")),
    ("tokio JoinSet spawn", rust_rate("tokio_join_set")),
    ("Python asyncio.TaskGroup", python),
]
print(f"{'implementation':<28} {'tasks/s':>14} {'x Python':>9} {'weft / it':>9}")
for name, rate in rows:
    print(f"{name:<28} {rate:>14,.0f} {rate / python:>9.1f} {weft / rate:>9.2f}")
PY
