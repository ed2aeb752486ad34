#!/usr/bin/env bash
# Executions explored by weft's DPOR, loom and shuttle's naive DFS on the
# models of `models/`, joined into one table by model (README, "weft's own
# exhaustive search"). Each cell stops after WEFT_BENCH_BUDGET seconds
# (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo bench --features shuttle --bench dpor_executions 2>/dev/null >"$out/shuttle"
cargo bench --features loom --bench dpor_executions 2>/dev/null >"$out/loom"
# Rows: "| model | expected | cells... |"; the loom run's third column
# goes between DPOR and DFS.
awk -F' \\| ' '
    FNR == NR { if ($1 ~ /^\| / && $1 !~ /^\| (model|---)/) loom[$1] = $3; next }
    /^weft: / { next }
    $1 ~ /^\| model/ { print "| model | expected | weft DPOR | loom (via weft) | shuttle DFS (via weft) | DFS / DPOR |"; next }
    $1 ~ /^\| ---/ { print "| --- | --- | ---: | ---: | ---: | ---: |"; next }
    $1 ~ /^\| / { l = loom[$1]; sub(/ \|$/, "", l); print $1 " | " $2 " | " $3 " | " l " | " $4 " | " $5; next }
    { print }
' "$out/loom" "$out/shuttle"
