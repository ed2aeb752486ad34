#!/usr/bin/env bash
# Runs a bounded subset of weft's std-mode tests under Miri (nightly), which
# checks them for undefined behaviour and data races on real threads:
#   - weft-sync's primitives in std mode, through the model suite's
#     verified models (a std-mode model runs its body on real threads;
#     WEFT_ITERATIONS=2 keeps that to two runs each);
#   - the executors (weft-patterns' ThreadPool, Future, wait,
#     as_completed), through a selection of tests/executor.rs.
# Tests that start OS processes, or that time whole workloads, are left out:
# Miri cannot run the first and is far too slow for the second.
#
# Usage: ci/miri.sh
#
# Needs the nightly toolchain with the miri and rust-src components; when
# they are missing it installs them (`rustup component add miri rust-src
# --toolchain nightly`), and when that is impossible it says so plainly and
# exits 0 (skipped, not failed). Exits 1 when Miri reports a problem.
set -euo pipefail

cd "$(dirname "$0")/.."
toolchain="${WEFT_NIGHTLY_TOOLCHAIN:-nightly}"

skip() {
    echo "ci/miri.sh: SKIPPED Miri: $*" >&2
    exit 0
}

command -v rustup >/dev/null 2>&1 || skip "rustup is not installed, so the nightly toolchain Miri needs cannot be selected"
if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    echo "ci/miri.sh: installing the $toolchain toolchain" >&2
    rustup toolchain install "$toolchain" --profile minimal >&2 \
        || skip "the $toolchain toolchain is not installed and 'rustup toolchain install $toolchain' failed"
fi
installed="$(rustup component list --toolchain "$toolchain" --installed 2>/dev/null || true)"
if ! grep -q '^miri' <<<"$installed" || ! grep -q '^rust-src' <<<"$installed"; then
    echo "ci/miri.sh: installing the miri and rust-src components" >&2
    rustup component add miri rust-src --toolchain "$toolchain" >&2 \
        || skip "'rustup component add miri rust-src --toolchain $toolchain' failed"
fi

# The real clock (SystemTime for fresh seeds, timeouts) needs isolation off.
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation}"
export WEFT_ITERATIONS="${WEFT_ITERATIONS:-2}"
# The miri toolchain is chosen here, not by rust-toolchain.toml.
unset RUSTUP_TOOLCHAIN

echo "ci/miri.sh: $(rustup run "$toolchain" cargo miri --version 2>/dev/null | head -1), MIRIFLAGS=$MIRIFLAGS" >&2
rustup run "$toolchain" cargo miri setup >&2

failed=()
run() {
    local what="$1"
    shift
    echo "ci/miri.sh: $what: cargo miri test $*" >&2
    local start=$SECONDS
    if rustup run "$toolchain" cargo miri test "$@"; then
        echo "ci/miri.sh: $what: clean ($((SECONDS - start))s)" >&2
    else
        echo "ci/miri.sh: $what: FAILED ($((SECONDS - start))s)" >&2
        failed+=("$what")
    fi
}

# weft-sync's std-mode primitives, through verified models.
run "weft-sync primitives (models, std mode)" -p weft --test models -- \
    counter::mutex_counter_is_verified \
    data_race::writes_ordered_by_a_mutex_are_verified \
    data_race::a_join_orders_the_child_before_the_parent \
    deadlock::one_lock_order_is_verified \
    timeouts::wait_timeout_explores_both_outcomes \
    timeouts::unpark_wakes_a_parked_thread \
    executor::a_future_published_with_release_and_acquire_is_verified \
    executor::a_future_whose_result_checks_under_the_lock_is_verified

# The executors on real threads.
# (Tests of thousands of tasks take minutes under Miri: the small ones
# cover the same code paths.)
run "executors (tests/executor.rs)" -p weft --test executor -- \
    result_moves_the_value_out_once_and_repeats_errors \
    a_future_is_shared_by_reference_between_threads_and_its_value_taken_once \
    cancel_works_only_before_the_task_runs \
    cancelling_wakes_a_waiter \
    a_callback_added_before_completion_runs_once_in_the_worker \
    callbacks_run_once_each_in_order_even_when_one_panics \
    callbacks_run_once_on_cancel_in_the_cancelling_thread \
    shutdown_while_tasks_are_queued_without_cancelling_runs_them_all \
    shutdown_while_tasks_are_queued_with_cancel_futures_cancels_every_one_not_started \
    wait_first_completed_returns_when_one_is_done \
    as_completed_yields_done_ones_first_then_in_completion_order

if ((${#failed[@]})); then
    echo "ci/miri.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "ci/miri.sh: clean" >&2
