#!/usr/bin/env bash
# Runs every check and test of Ringfence from a clean clone: formatting, clippy, the math unit
# and property tests, and the program suites under solana-program-test.
# Needs only the machine's Rust toolchain (with rustfmt and clippy); cargo fetches the crates.
set -euo pipefail
cd "$(dirname "$0")/.."

# The runtime logs every instruction at debug level; keep test output readable.
export RUST_LOG="${RUST_LOG:-error}"

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> cargo test"
cargo test --workspace
