#!/usr/bin/env bash
# Runs every check and test of Ringfence from a clean clone: formatting, clippy, the IDL build
# (Anchor's builder), the math unit and property tests, the program suites under
# solana-program-test, the local validator, CLI, keeper and indexer end-to-end tests (the
# indexer on SQLite and on PostgreSQL, which scripts/postgres.sh installs and starts), the JavaScript
# compatibility suite (scripts/compat-test.sh) and the web page's tests (scripts/web-test.sh,
# which installs its node packages and Debian's Chromium when missing).
# Needs the machine's Rust toolchain (with rustfmt and clippy), python3, Node.js with npm, and
# apt for libclang (agave's validator builds RocksDB), PostgreSQL and Chromium; cargo and npm fetch the
# packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# The runtime logs every instruction at debug level; keep test output readable.
export RUST_LOG="${RUST_LOG:-error}"

if ! dpkg -s libclang-dev >/dev/null 2>&1; then
  echo "==> installing Debian's libclang-dev (bindgen for agave's RocksDB)"
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get install -y -q libclang-dev >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q libclang-dev >/dev/null; }
fi
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> IDL (host build)"
./scripts/idl.sh
if [[ -z "${RINGFENCE_TEST_POSTGRES:-}" ]]; then
  if pg=$(./scripts/postgres.sh); then
    export RINGFENCE_TEST_POSTGRES="$pg"
  else
    echo "warning: no PostgreSQL server; the indexer's PostgreSQL test is skipped" >&2
  fi
fi
echo "==> cargo test"
log=$(mktemp)
status=0
cargo test --workspace --all-targets 2>&1 | tee "$log" || status=1
echo "==> JavaScript clients against the local validator"
./scripts/compat-test.sh 2>&1 | tee -a "$log" || status=1
echo "==> web"
./scripts/web-test.sh 2>&1 | tee -a "$log" || status=1
summary=$(awk '/^test result:/ { p += $4; f += $6 } /^(web|compat): / { p += $2; f += $4 } END { printf "%d passed, %d failed", p, f }' "$log")
rm -f "$log"
echo "tests: $summary"
exit $status
