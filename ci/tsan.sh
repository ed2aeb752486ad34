#!/usr/bin/env bash
# Runs a bounded subset of weft's std-mode tests under ThreadSanitizer
# (nightly, -Zsanitizer=thread with -Zbuild-std, so that std itself is
# instrumented and its synchronisation is seen):
#   - weft-sync's primitives in std mode, through the model suite's
#     verified models run as stress tests on real threads;
#   - the executors (ThreadPool, Future, callbacks, shutdown, wait,
#     as_completed), through a selection of tests/executor.rs.
#
# Usage: ci/tsan.sh
#
# Needs the nightly toolchain with the rust-src component and a host
# ThreadSanitizer supports (x86_64/aarch64 Linux or macOS); installs the
# component when missing (`rustup component add rust-src --toolchain
# nightly`), and when that is impossible says so plainly and exits 0
# (skipped, not failed). Exits 1 when ThreadSanitizer reports a problem.
set -euo pipefail

cd "$(dirname "$0")/.."
toolchain="${WEFT_NIGHTLY_TOOLCHAIN:-nightly}"

skip() {
    echo "ci/tsan.sh: SKIPPED ThreadSanitizer: $*" >&2
    exit 0
}

command -v rustup >/dev/null 2>&1 || skip "rustup is not installed, so the nightly toolchain -Zsanitizer needs cannot be selected"
if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    echo "ci/tsan.sh: installing the $toolchain toolchain" >&2
    rustup toolchain install "$toolchain" --profile minimal >&2 \
        || skip "the $toolchain toolchain is not installed and 'rustup toolchain install $toolchain' failed"
fi
if ! rustup component list --toolchain "$toolchain" --installed 2>/dev/null | grep -q '^rust-src'; then
    echo "ci/tsan.sh: installing the rust-src component (for -Zbuild-std)" >&2
    rustup component add rust-src --toolchain "$toolchain" >&2 \
        || skip "'rustup component add rust-src --toolchain $toolchain' failed"
fi
host="$(rustup run "$toolchain" rustc -vV | sed -n 's/^host: //p')"
case "$host" in
    x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu | x86_64-apple-darwin | aarch64-apple-darwin) ;;
    *) skip "ThreadSanitizer does not support the host $host" ;;
esac

unset RUSTUP_TOOLCHAIN
export RUSTFLAGS="${RUSTFLAGS:-} -Zsanitizer=thread"
export RUSTDOCFLAGS="${RUSTDOCFLAGS:-} -Zsanitizer=thread"
# Any report fails the test binary (exit status 66 at its end).
export TSAN_OPTIONS="${TSAN_OPTIONS:-second_deadlock_stack=1}"
export WEFT_ITERATIONS="${WEFT_ITERATIONS:-20}"
# Its own target directory: instrumented builds never mix with plain ones.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/tsan"

echo "ci/tsan.sh: $(rustup run "$toolchain" rustc --version), target $host, TSAN_OPTIONS=$TSAN_OPTIONS" >&2

failed=()
run() {
    local what="$1"
    shift
    echo "ci/tsan.sh: $what: cargo test $*" >&2
    local start=$SECONDS
    local log
    log="$(mktemp)"
    if rustup run "$toolchain" cargo test -Zbuild-std --target "$host" "$@" 2>&1 | tee "$log"; then
        if grep -q "WARNING: ThreadSanitizer" "$log"; then
            echo "ci/tsan.sh: $what: ThreadSanitizer reported:" >&2
            grep "SUMMARY: ThreadSanitizer" "$log" | sort | uniq -c >&2 || true
            failed+=("$what")
        else
            echo "ci/tsan.sh: $what: clean ($((SECONDS - start))s)" >&2
        fi
    else
        echo "ci/tsan.sh: $what: FAILED ($((SECONDS - start))s)" >&2
        grep "SUMMARY: ThreadSanitizer" "$log" | sort | uniq -c >&2 || true
        failed+=("$what")
    fi
    rm -f "$log"
}

run "weft-sync primitives (models, std mode)" -p weft --test models -- \
    counter::mutex_counter_is_verified \
    data_race::writes_ordered_by_a_mutex_are_verified \
    data_race::a_join_orders_the_child_before_the_parent \
    deadlock::one_lock_order_is_verified \
    timeouts:: \
    executor::a_future_published_with_release_and_acquire_is_verified \
    executor::a_future_whose_result_checks_under_the_lock_is_verified \
    executor::a_pool_that_drains_its_queue_before_exiting_is_verified \
    threading:: \
    lock_order::

run "executors (tests/executor.rs)" -p weft --test executor -- \
    --skip hundred_thousand --skip map_over_a_hundred_thousand

if ((${#failed[@]})); then
    echo "ci/tsan.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "ci/tsan.sh: clean" >&2
