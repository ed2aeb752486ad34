#!/usr/bin/env bash
# Runs the foundation's benchmarks in one go, each with the features it
# needs, then prints one summary of the ratios:
#
#   primitives        weft's Mutex and AtomicUsize in std mode vs std's
#                     (target: 1.00 within noise)
#   checker_overhead  the same counter model, weft vs raw loom and raw
#                     shuttle (target: at most 1.20x, events recorded)
#   failure_report    a failing model from start to printed report, weft vs
#                     raw loom and raw shuttle on the same bug, and the trace
#                     file's size (target: the report costs at most 10% on
#                     top of finding the bug)
#
# The ratios come from each benchmark's interleaved comparison (the two
# sides timed alternately in one process, so that a change of machine load
# cannot pass for a difference); the absolute criterion medians are shown
# next to them. Only ratios taken in one run are comparable.
#
# Usage: benches/run_foundation.sh [--quick] [extra criterion args]
#   --quick  only the interleaved comparisons (no criterion runs): ~1 minute
#            of measuring instead of ~5 once built
# Environment:
#   CRITERION_ARGS  default "--warm-up-time 1 --measurement-time 3"
#   TMPFS_DIR       where failure_report's second pass writes its traces, to
#                   take the disk out of the figures (default
#                   /dev/shm/weft-bench-traces; empty to skip that pass)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
logs="$target_dir/weft/bench-foundation"
mkdir -p "$logs"

quick=0
if [[ "${1:-}" == "--quick" ]]; then
    quick=1
    shift
fi
read -r -a criterion_args <<<"${CRITERION_ARGS:---warm-up-time 1 --measurement-time 3}"
if [[ -d /dev/shm ]]; then
    tmpfs_dir="${TMPFS_DIR-/dev/shm/weft-bench-traces}"
else
    tmpfs_dir="${TMPFS_DIR-}"
fi

commands=()
# run <log name> <env assignments...> -- <cargo bench arguments...>
run() {
    local name="$1"
    shift
    local envs=()
    while [[ "$1" != "--" ]]; do
        envs+=("$1")
        shift
    done
    shift
    local args=("$@" --)
    if [[ $quick == 1 ]]; then
        args+=(interleaved)
    else
        args+=(--noplot "${criterion_args[@]}")
    fi
    args+=("${extra[@]}")
    local shown="${envs[*]:+${envs[*]} }cargo bench ${args[*]}"
    commands+=("$shown")
    echo "== $shown" >&2
    env "${envs[@]}" cargo bench "${args[@]}" | tee "$logs/$name.log" >&2
}
extra=("$@")

run primitives -- --bench primitives
run overhead_loom -- --features loom --bench checker_overhead
run overhead_shuttle -- --features shuttle --bench checker_overhead
run report_loom -- --features loom --bench failure_report
run report_shuttle -- --features shuttle --bench failure_report
if [[ -n "$tmpfs_dir" ]]; then
    # The same interleaved comparison with the traces on a tmpfs: what the
    # report costs without the disk.
    quick_saved=$quick
    quick=1
    run report_loom_tmpfs "WEFT_TRACE_DIR=$tmpfs_dir" -- --features loom --bench failure_report
    run report_shuttle_tmpfs "WEFT_TRACE_DIR=$tmpfs_dir" -- --features shuttle --bench failure_report
    quick=$quick_saved
fi

printf '%s\n' "${commands[@]}" >"$logs/commands.txt"
python3 - "$logs" "$target_dir/criterion" "$quick" <<'PY'
import json, os, sys

logs, criterion, quick = sys.argv[1], sys.argv[2], sys.argv[3] == "1"

def lines(name):
    path = os.path.join(logs, name + ".log")
    if not os.path.exists(path):
        return []
    return [l.split()[1:] for l in open(path) if l.startswith("weft-bench ")]

def criterion_ns(group, bench):
    if quick:
        # No criterion run this time: older results would mislead.
        return None
    path = os.path.join(criterion, group, bench, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except OSError:
        return None

def spread(fields):
    # [..., "median", m, "p10", a, "p90", b]
    i = fields.index("median")
    return float(fields[i + 1]), float(fields[i + 3]), float(fields[i + 5])

def fmt_ratio(x):
    # A round whose trace write stalled longer than the whole explore has
    # no meaningful "find" time; say so instead of printing its ratio.
    return f"{x:.3f}" if x < 100 else ">100"

def fmt_ns(ns):
    if ns is None:
        return "-"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} us"
    return f"{ns:.2f} ns"

print()
print("== weft primitives in std mode vs std (target: weft/std 1.00 within noise)")
print(f"{'case':<22} {'clock':<5} {'std/op':>9} {'weft/op':>9} {'weft/std [p10-p90]':>22} {'same/same [p10-p90]':>22}  {'criterion std':>13} {'weft':>9}  verdict")
rows = {}
for f in lines("primitives"):
    _, case, clock = f[0], f[1], f[2]
    key = (case, clock)
    rows.setdefault(key, {})
    if f[3] == "ns-per-op":
        rows[key]["std"], rows[key]["weft"] = float(f[5]), float(f[7])
    else:
        rows[key][f[3]] = spread(f)
for (case, clock), r in rows.items():
    if "weft/std" not in r:
        continue
    m, lo, hi = r["weft/std"]
    nm, nlo, nhi = r["same/same"]
    within = "within noise" if nlo <= m <= nhi else ("outside noise" if abs(m - 1) > 0.02 else "1.00 +-2%")
    print(f"{case:<22} {clock:<5} {r['std']:>7.2f}ns {r['weft']:>7.2f}ns {m:>8.3f} [{lo:.3f}-{hi:.3f}] {nm:>8.3f} [{nlo:.3f}-{nhi:.3f}]  "
          f"{fmt_ns(criterion_ns(case, 'std')):>13} {fmt_ns(criterion_ns(case, 'weft')):>9}  {within}")

print()
print("== a model on a checker: weft (events recorded) vs the raw checker (target: weft/raw <= 1.20)")
print(f"{'backend':<8} {'execs':>6} {'raw exec/s':>11} {'weft exec/s':>12} {'weft/raw cpu [p10-p90]':>25} {'wall':>7} {'raw/raw [p10-p90]':>21}  {'criterion raw':>13} {'weft':>9}  verdict")
for backend in ("loom", "shuttle"):
    r = {}
    for f in lines("overhead_" + backend):
        if f[2] == "executions":
            r["executions"] = int(f[3])
        elif f[3] == "ns-per-execution":
            r[(f[2], "raw_ns")], r[(f[2], "weft_ns")] = float(f[5]), float(f[7])
        elif f[3] in ("weft/raw", "raw/raw"):
            r[(f[2], f[3])] = spread(f)
    if ("cpu", "weft/raw") not in r:
        continue
    m, lo, hi = r[("cpu", "weft/raw")]
    wm = r[("wall", "weft/raw")][0]
    nm, nlo, nhi = r[("cpu", "raw/raw")]
    group = "checker_overhead_" + backend
    verdict = "met" if m <= 1.2 else "NOT met"
    print(f"{backend:<8} {r['executions']:>6} {1e9 / r[('cpu', 'raw_ns')]:>11,.0f} {1e9 / r[('cpu', 'weft_ns')]:>12,.0f} "
          f"{m:>9.3f} [{lo:.3f}-{hi:.3f}] {wm:>7.3f} {nm:>7.3f} [{nlo:.3f}-{nhi:.3f}]  "
          f"{fmt_ns(criterion_ns(group, 'raw')):>13} {fmt_ns(criterion_ns(group, 'weft')):>9}  {verdict}")

print()
print("== a failing model from start to printed report: weft vs the raw checker (target: report/find <= 0.10)")
print("   find = weft's explore without its trace write; report = rendering + printing + trace write; times are medians (wall)")
print(f"{'backend':<8} {'bug':<12} {'traces':<6} {'execs':>5} {'trace B':>7} {'raw':>8} {'weft':>8} {'weft/raw':>8} {'find':>8} {'render':>7} {'trace':>8} {'report/find [p10-p90]':>23}  verdict")
for backend in ("loom", "shuttle"):
    for suffix, where in (("", "disk"), ("_tmpfs", "tmpfs")):
        facts, r = {}, {}
        for f in lines("report_" + backend + suffix):
            bug = f[2]
            if len(f) > 3 and f[3] == "executions":
                facts[bug] = (int(f[4]), int(f[8]))
            elif len(f) > 4 and f[3] == "wall" and f[4] == "us":
                r.setdefault(bug, {})["us"] = [float(x) for x in f[6::2]]
            elif len(f) > 4 and f[3] == "wall":
                r.setdefault(bug, {})[f[4]] = spread(f)
        for bug, v in r.items():
            if "us" not in v:
                continue
            raw, weft, find, render, trace = v["us"]
            execs, size = facts.get(bug, (0, 0))
            m, lo, hi = v["report/find"]
            verdict = "met" if m <= 0.10 else "NOT met"
            print(f"{backend:<8} {bug:<12} {where:<6} {execs:>5} {size:>7} {raw:>6.0f}us {weft:>6.0f}us {v['weft/raw'][0]:>8.2f} "
                  f"{find:>6.0f}us {render:>5.0f}us {trace:>6.0f}us {fmt_ratio(m):>9} [{fmt_ratio(lo)}-{fmt_ratio(hi)}]  {verdict}")

print()
print("commands (in " + os.path.join(logs, "commands.txt") + "; logs beside it):")
for c in open(os.path.join(logs, "commands.txt")):
    print("  " + c.rstrip())
PY
