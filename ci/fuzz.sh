#!/usr/bin/env bash
# Fuzzes weft's untrusted-input parsers for a bounded time each:
#   trace_reader      arbitrary bytes -> weft_check::trace::Trace::from_json_slice
#   schedule_decoder  arbitrary bytes -> weft_check::trace::decode_schedule
#
# Usage: ci/fuzz.sh [seconds per target]   (default: $FUZZ_SECONDS, else 30)
#
# Needs the nightly toolchain and cargo-fuzz. When either is missing and
# cannot be installed, says so plainly and exits 0 (skipped, not failed).
# Exits 1 when a target crashes: the input that crashed it is saved under
# fuzz/artifacts/<target>/ and `cargo +nightly fuzz run <target> <file>`
# reproduces it. The corpus grows in fuzz/corpus/<target>/ (git-ignored),
# seeded from fuzz/seeds/<target>/.
set -euo pipefail

cd "$(dirname "$0")/.."
root="$(pwd)"
seconds="${1:-${FUZZ_SECONDS:-30}}"
targets=(trace_reader schedule_decoder)

skip() {
    echo "ci/fuzz.sh: SKIPPED fuzzing: $*" >&2
    exit 0
}

case "$seconds" in
    '' | *[!0-9]*) echo "ci/fuzz.sh: the time per target must be a number of seconds, not '$seconds'" >&2; exit 2 ;;
esac

command -v cargo >/dev/null 2>&1 || skip "cargo is not installed"
command -v rustup >/dev/null 2>&1 || skip "rustup is not installed, so the nightly toolchain cargo-fuzz needs cannot be selected"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "ci/fuzz.sh: installing the nightly toolchain (cargo-fuzz needs it for its sanitizer flags)" >&2
    rustup toolchain install nightly --profile minimal >&2 \
        || skip "the nightly toolchain is not installed and 'rustup toolchain install nightly' failed"
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "ci/fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked >&2 \
        || skip "cargo-fuzz is not installed and 'cargo install cargo-fuzz --locked' failed"
fi

echo "ci/fuzz.sh: $(cargo fuzz --version), $(rustup run nightly rustc --version), ${seconds}s per target" >&2

failed=()
for target in "${targets[@]}"; do
    corpus="$root/fuzz/corpus/$target"
    mkdir -p "$corpus"
    echo "ci/fuzz.sh: fuzzing $target for ${seconds}s" >&2
    if cargo +nightly fuzz run --fuzz-dir "$root/fuzz" "$target" "$corpus" "$root/fuzz/seeds/$target" -- \
        -max_total_time="$seconds" \
        -timeout=10 \
        -dict="$root/fuzz/dicts/$target.dict" \
        -print_final_stats=1; then
        echo "ci/fuzz.sh: $target: no crash in ${seconds}s" >&2
    else
        echo "ci/fuzz.sh: $target CRASHED: the input is in fuzz/artifacts/$target/" >&2
        failed+=("$target")
    fi
done

if ((${#failed[@]})); then
    echo "ci/fuzz.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "ci/fuzz.sh: passed: ${targets[*]}" >&2
