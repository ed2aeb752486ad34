#!/usr/bin/env bash
# Runs the process-pool benchmark (benches/process_pool.rs: weft's
# ProcessPool and procspawn's pool) and Python's ProcessPoolExecutor on the
# same work (benches/python/process_pool.py) in one go, then prints tasks/s
# for `map` over 10,000 small tasks with 2 workers at chunk sizes 1 and 100,
# the start-up time (create, 2 trivial tasks, shut down), and the ratios.
# Only ratios from one run are comparable: absolute rates drift with load.
#
# Usage: benches/run_process_pool.sh [--runs N]   (default 5)
# Environment: PYTHON (default python3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"

echo "== cargo bench --bench process_pool" >&2
rust_out="$(cargo bench --bench process_pool -- "$@")"
echo "$rust_out" >&2

echo "== $python benches/python/process_pool.py" >&2
py_out="$("$python" benches/python/process_pool.py "$@")"
echo "$py_out" >&2

"$python" - "$rust_out
$py_out" <<'PY'
import sys

figures = {}
for line in sys.argv[1].splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[0] in ("weft", "procspawn", "python"):
        figures[(parts[0], parts[1])] = float(parts[2])

def get(peer, name):
    return figures[(peer, name)]

print(f"{'measure':<26} {'weft':>12} {'procspawn':>12} {'Python':>12} {'weft/procspawn':>15} {'weft/Python':>12}")
verdicts = []
for name, label in (("map_chunk1", "map, chunksize 1 (tasks/s)"), ("map_chunk100", "map, chunksize 100 (tasks/s)")):
    w, p, py = get("weft", name), get("procspawn", name), get("python", name)
    print(f"{label:<26} {w:>12,.0f} {p:>12,.0f} {py:>12,.0f} {w / p:>15.2f} {w / py:>12.1f}")
    verdicts.append((label, w >= p))
w, p, py = get("weft", "startup_ms"), get("procspawn", "startup_ms"), get("python", "startup_ms")
print(f"{'start-up (ms, lower wins)':<26} {w:>12.2f} {p:>12.2f} {py:>12.2f} {p / w:>15.2f} {py / w:>12.1f}")
verdicts.append(("start-up", w <= p))
for label, ok in verdicts:
    print(f"target (at least procspawn) {label}: {'met' if ok else 'NOT met'}")
PY
