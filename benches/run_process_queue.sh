#!/usr/bin/env bash
# Runs the process-queue benchmark (benches/process_queue.rs: a child puts
# 200,000 u64s on a weft `process::Queue`, the parent gets them) and
# Python's multiprocessing.Queue on the same work
# (benches/python/process_queue.py) in one go, then prints messages/s and
# the ratio. Only ratios from one run are comparable: absolute rates drift
# with load.
#
# Usage: benches/run_process_queue.sh [--runs N]   (default 5)
# Environment: PYTHON (default python3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"

echo "== cargo bench --bench process_queue" >&2
rust_out="$(cargo bench --bench process_queue -- "$@")"
echo "$rust_out" >&2

echo "== $python benches/python/process_queue.py" >&2
py_out="$("$python" benches/python/process_queue.py "$@")"
echo "$py_out" >&2

weft="$(echo "$rust_out" | awk '$1 == "weft" && $2 == "queue_msgs_per_s" { print $3 }')"
py="$(echo "$py_out" | awk '$1 == "python" && $2 == "queue_msgs_per_s" { print $3 }')"
awk -v w="$weft" -v p="$py" 'BEGIN {
    printf "process::Queue, 200k u64 messages child -> parent: weft %.0f msgs/s, Python multiprocessing.Queue %.0f msgs/s, ratio %.1fx\n", w, p, w / p
}'
