#!/usr/bin/env bash
# Tests `cargo weft html` pages in a real headless browser: installs
# Debian's chromium when it is missing (apt-get, as root), then runs
# crates/weft-cli/tests/browser.rs, which renders trace fixtures, checks the
# DOM after the page's script ran (a lane per thread, a box per step, the
# failure marker, the cycle or race drawn) and saves screenshots as
# target/weft/<fixture>.png.
#
# Usage: ci/browser-test.sh
#
# Skips with a plain message (exit 0) when chromium is missing and cannot
# be installed here (no apt-get, or not root); fails when the test fails.
set -euo pipefail

cd "$(dirname "$0")/.."

skip() {
    echo "ci/browser-test.sh: SKIPPED the browser test: $*" >&2
    exit 0
}

browser=""
for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then
        browser="$(command -v "$name")"
        break
    fi
done

if [[ -z "$browser" ]]; then
    command -v apt-get >/dev/null 2>&1 || skip "chromium is not installed and apt-get is not available"
    [[ "$(id -u)" == 0 ]] || skip "chromium is not installed and installing it needs root (apt-get install chromium)"
    echo "ci/browser-test.sh: installing chromium (apt-get)" >&2
    apt-get update -qq >&2 || skip "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
        || skip "apt-get install chromium failed"
    browser="$(command -v chromium)" || skip "chromium is still not on PATH after installing it"
fi

echo "ci/browser-test.sh: $("$browser" --version 2>/dev/null || echo "$browser")" >&2
WEFT_CHROMIUM="$browser" WEFT_REQUIRE_BROWSER=1 \
    cargo test -p weft-cli --test browser --test browser_flip -- --nocapture
echo "ci/browser-test.sh: screenshots in target/weft/*.png" >&2
