#!/usr/bin/env bash
# The JavaScript compatibility suite (app/localnet/compat): web3.js, Anchor's TS client,
# spl-token and kit, unchanged, against the local validator (target/debug/ringfence-localnet
# --demo on test ports). Installs its node packages when missing. Ends with
# "compat: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# The whole workspace's bins, so features unify as in `cargo test --workspace` and nothing
# (RocksDB, agave's ledger) is compiled a second time with another feature set.
(cd "$root" && cargo build -q --workspace --bins)
cd app/localnet/compat
if [[ ! -f node_modules/.package-lock.json ]] || ! cmp -s package-lock.json node_modules/.package-lock.json; then
  echo "==> npm ci (compat)"
  npm ci --no-audit --no-fund --loglevel=error
fi
log=$(mktemp)
status=0
npx vitest run 2>&1 | tee "$log" || status=1
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /Tests +[0-9]+/ { for (i = 1; i < NF; i++) { if ($(i + 1) == "passed") p += $i; if ($(i + 1) ~ /^failed/) f += $i } }
  END { printf "compat: %d passed, %d failed\n", p, f }'
rm -f "$log"
exit $status
