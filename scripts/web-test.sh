#!/usr/bin/env bash
# The web page's checks: client generation from the IDL, type check and build, the
# TypeScript preview against the Rust SDK's vectors (vitest), and the browser test (Playwright
# driving Debian's Chromium) against a local exchange. Installs the node packages and Chromium
# when they are missing. Ends with "web: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cd app/web

if [[ ! -f node_modules/.package-lock.json ]] || ! cmp -s package-lock.json node_modules/.package-lock.json; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [[ -z "${CHROMIUM:-}" ]] && ! command -v chromium >/dev/null; then
  echo "==> installing Debian's chromium"
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get install -y -q chromium >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; }
fi

echo "==> web build (codama client, tsc, vite)"
npm run --silent build >/dev/null
echo "==> web unit tests (preview vs Rust vectors)"
log=$(mktemp)
status=0
npx vitest run 2>&1 | tee "$log" || status=1
echo "==> web browser tests (Playwright, Chromium)"
# Workspace bins: the same feature set as `cargo test --workspace`, so nothing is rebuilt.
(cd "$root" && cargo build -q --workspace --bins)
npx playwright test 2>&1 | tee -a "$log" || status=1
# vitest: "Tests  65 passed (65)"; playwright: "  1 passed (5.6s)"; either: "N failed".
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /Tests +[0-9]+ passed/ { for (i = 1; i < NF; i++) if ($(i + 1) == "passed") p += $i }
  /^ +[0-9]+ passed \(/ { p += $1 }
  /[0-9]+ failed/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^failed/) f += $i }
  END { printf "web: %d passed, %d failed\n", p, f }'
rm -f "$log"
exit $status
