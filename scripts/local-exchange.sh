#!/usr/bin/env bash
# The local Ringfence exchange in one command: the local network on 127.0.0.1:8899 (websocket
# :8900) with the demo markets, moving prices, funded demo wallets (keypairs in .localnet/)
# and a keeper. Extra arguments go to ringfence-local-exchange (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_LOG="${RUST_LOG:-info,tarpc=error,solana=warn,solana_metrics=error}"
exec cargo run --quiet -p ringfence-local-exchange -- "$@"
