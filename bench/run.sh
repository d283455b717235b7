#!/usr/bin/env bash
# Runs the Ringfence benchmarks and writes docs/PERFORMANCE.md (also printed).
#   bench/run.sh          footprint, margin-engine cost (callgrind), scan, the local validator
#                         (start-up, idle CPU, deposits/s; debug build), warm test-suite time
#   bench/run.sh --cold   also times the full test command from a fresh clone and empty target
#   bench/run.sh --keeper also runs the keeper at scale (1,000 to 100,000 sub-accounts written at
#                         genesis; about an hour on 2 cores; debug build): section "Keeper at scale"
# Needs valgrind (Debian's package; installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
  apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
fi
cargo build --release -q -p ringfence-bench
bin=target/release/ringfence-bench

counts=()
for positions in 0 1 2 4 8; do
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" margin "$positions" 1000 2>"$out"
  total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out")
  rm -f "$out"
  counts+=("$positions=$total")
done
margin=$(IFS=,; echo "${counts[*]}")

# The local validator as developers run it: a debug build, alone on the machine.
cargo build -q -p ringfence-bench-validator
validator=$(target/debug/ringfence-bench-validator | sed -n '/^## /,$p')

cargo test --workspace --no-run -q 2>/dev/null
start=$(date +%s)
RUST_LOG=error cargo test --workspace -q >/dev/null 2>&1
suite="$(( $(date +%s) - start )) s"

cold="not measured in this run (bench/run.sh --cold)"
if [[ " $* " == *" --cold "* ]]; then
  clone=$(mktemp -d)
  git clone -q . "$clone"
  start=$(date +%s)
  (cd "$clone" && CARGO_TARGET_DIR="$clone/target" ./scripts/test.sh >/dev/null 2>&1)
  cold="$(( $(date +%s) - start )) s (fmt, clippy, build, every test)"
  rm -rf "$clone"
fi

keeper="Not measured in this run (\`bench/run.sh --keeper\`)."
if [[ " $* " == *" --keeper "* ]]; then
  cargo build -q -p ringfence-bench-validator --bin ringfence-bench-keeper
  keeper=$(RUST_LOG=error target/debug/ringfence-bench-keeper 2>/dev/null)
fi

machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
{ "$bin" report "$(date -u +%F)" "$machine" "$margin" "$suite" "$cold"; echo; echo "$validator"
  echo; echo "## Keeper at scale (\`bench/validator/src/keeper\`, debug build)"; echo; echo "$keeper"; } \
  | tee docs/PERFORMANCE.md
