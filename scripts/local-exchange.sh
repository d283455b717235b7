#!/usr/bin/env bash
# The local Ringfence exchange in one command: the local network on 127.0.0.1:8899 (websocket
# :8900) with the demo markets, moving prices, funded demo wallets (keypairs in .localnet/), a
# keeper, and the web page on http://127.0.0.1:8080 (built here first; needs Node.js and npm).
# Extra arguments go to ringfence-local-exchange (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v npm >/dev/null; then
  (cd app/web && { [[ -f node_modules/.package-lock.json ]] || npm ci --no-audit --no-fund --loglevel=error; } \
    && npm run --silent build >/dev/null) || echo "warning: the web page did not build; running without it" >&2
fi
exec cargo run --quiet -p ringfence-local-exchange -- "$@"
