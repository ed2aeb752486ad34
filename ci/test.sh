#!/usr/bin/env bash
# weft's test command (README): everything CI checks, in the order that
# fails fastest. Run it from anywhere: `ci/test.sh`.
#
# Stages: format, clippy on each backend, the std test suite (unit,
# integration, doc tests, real threads), every test target again on loom
# and on shuttle (the model suite among them, release builds: exploration
# is CPU-bound), a crate's own loom
# suite run unchanged through weft-loom-compat, then the race
# detectors and fuzzers where the nightly toolchain allows (each says
# plainly when it skips).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export RUST_BACKTRACE="${RUST_BACKTRACE:-0}"

started=$SECONDS
stage() { printf '\n==> [%4ds] %s\n' $((SECONDS - started)) "$*"; }

stage "toolchain (rust-toolchain.toml installs rustfmt and clippy)"
rustup show active-toolchain
cargo --version

stage "cargo fmt --check"
cargo fmt --all --check
# Outside the workspace: weft-loom-compat and the loom suite it runs.
cargo fmt --manifest-path crates/weft-loom-compat/Cargo.toml --check
cargo fmt --manifest-path crates/weft-loom-compat/port-example/Cargo.toml --check

for backend in std loom shuttle; do
  features=()
  [ "$backend" = std ] || features=(--features "$backend")
  stage "cargo clippy --all-targets ${features[*]:-} (backend: $backend)"
  cargo clippy --workspace --all-targets "${features[@]}" -- -D warnings
done

stage "both checker features at once are refused with a clear message"
# The log goes to a temporary file: `target/` may not exist when
# CARGO_TARGET_DIR points elsewhere.
both_log="$(mktemp)"
trap 'rm -f "$both_log"' EXIT
if cargo check -p weft-sync --features loom,shuttle --message-format short > "$both_log" 2>&1; then
  echo "error: --features loom,shuttle compiled; it must be refused" >&2
  exit 1
fi
grep -q "the \`loom\` and \`shuttle\` features exclude each other" "$both_log" || {
  cat "$both_log" >&2
  echo "error: the refusal does not say which feature to pick" >&2
  exit 1
}
echo "refused as expected: $(grep -m1 'exclude each other' "$both_log")"

stage "tests on std: unit, integration (real threads and processes), doc tests"
cargo test --workspace

# std mode with the lock-order graph (weft_sync::lockdep): the process's
# cycle panics with both paths, and the model suite has no false positive.
stage "std mode with the lockdep feature"
cargo test --features lockdep --test lockdep_std --test models

# Every test target under each checker (README, "Tests on every backend"):
# the crates' unit tests, the integration tests and the model suite
# (`--test models --test readme` among them; release builds: exploration
# is CPU-bound), then the doc tests (default profile). weft-cli's tests
# drive cargo on a fixture crate and do not depend on the backend: they
# run once, on std, above.
for backend in loom shuttle; do
  case "$backend" in
    loom) what="exhaustive" ;;
    shuttle) what="DPOR search by default, then random schedules if it does not finish within 100,000 executions" ;;
  esac
  stage "unit, integration and model tests on $backend ($what)"
  cargo test --workspace --exclude weft-cli --release --features "$backend" --lib --tests
  stage "doc tests on $backend"
  cargo test --workspace --features "$backend" --doc
done

# A crate written against plain loom, its `loom` dependency patched to
# weft-loom-compat: its own `cfg(loom)` suite must run on weft, unchanged
# (through a patch, on weft's shuttle backend). The compat crate's own
# examples run on both of weft's checkers. Their own lock files and target
# (the compat package is named `loom`: outside the workspace,
# docs/porting-from-loom.md says why).
port=crates/weft-loom-compat/port-example/Cargo.toml
compat=crates/weft-loom-compat/Cargo.toml
port_target="${CARGO_TARGET_DIR:-$PWD/target}/loom-port"
case "$port_target" in /*) ;; *) port_target="$PWD/$port_target" ;; esac
stage "weft-loom-compat: clippy, and its doc examples on weft's shuttle and loom backends"
for manifest in "$compat" "$port"; do
  CARGO_TARGET_DIR="$port_target" RUSTFLAGS="--cfg loom" \
    cargo clippy --release --manifest-path "$manifest" --all-targets -- -D warnings
done
CARGO_TARGET_DIR="$port_target" RUSTFLAGS="--cfg loom" \
  cargo test --release --manifest-path "$compat" --doc
CARGO_TARGET_DIR="$port_target" RUSTFLAGS="--cfg loom" \
  cargo test --release --manifest-path "$compat" --doc --no-default-features --features loom

stage "a loom suite, unchanged, on weft (weft-loom-compat through [patch.crates-io])"
CARGO_TARGET_DIR="$port_target" RUSTFLAGS="--cfg loom" \
  cargo test --release --manifest-path "$port"

for extra in ci/miri.sh ci/tsan.sh ci/browser-test.sh ci/fuzz.sh; do
  if [ -x "$extra" ]; then
    stage "$extra"
    "$extra"
  fi
done

stage "all checks passed"
