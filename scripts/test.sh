#!/usr/bin/env bash
# Runs every check and test of Ringfence from a clean clone: formatting, clippy, the IDL build,
# the math unit and property tests, the program suites under solana-program-test, the local
# network, CLI and keeper end-to-end tests, and the web page's tests (scripts/web-test.sh, which
# installs its node packages and Debian's Chromium when missing).
# Needs the machine's Rust toolchain (with rustfmt and clippy), python3, Node.js with npm, and
# apt for Chromium; cargo and npm fetch the packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# The runtime logs every instruction at debug level; keep test output readable.
export RUST_LOG="${RUST_LOG:-error}"

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> IDL (host build)"
./scripts/idl.sh
echo "==> cargo test"
log=$(mktemp)
status=0
cargo test --workspace --all-targets 2>&1 | tee "$log" || status=1
echo "==> web"
./scripts/web-test.sh 2>&1 | tee -a "$log" || status=1
summary=$(awk '/^test result:/ { p += $4; f += $6 } /^web: / { p += $2; f += $4 } END { printf "%d passed, %d failed", p, f }' "$log")
rm -f "$log"
echo "tests: $summary"
exit $status
