#!/usr/bin/env bash
# Runs every check and test of Ringfence from a clean clone: formatting, clippy, the math unit
# and property tests, the program suites under solana-program-test, and the IDL build.
# Needs only the machine's Rust toolchain (with rustfmt and clippy) and python3; cargo fetches
# the crates.
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
cargo test --workspace --all-targets 2>&1 | tee "$log"
summary=$(awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed", p, f }' "$log")
rm -f "$log"
echo "tests: $summary"
