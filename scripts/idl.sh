#!/usr/bin/env bash
# Builds the program's IDL with Anchor's own builder (tools/idl, the anchor-lang-idl code
# behind `anchor idl build`: short names, PDA seeds, fixed program addresses) into
# target/idl/ringfence.json, then checks it equals the committed idl/ringfence.json (which the
# SDK's error names, the web client and the JS compatibility suite are generated from).
# `scripts/idl.sh --update` copies a changed IDL over the committed one. Anchor's builder must
# not see RUSTUP_TOOLCHAIN (it would try to install a toolchain): it is unset here and by the
# tool itself.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/idl/ringfence.json
mkdir -p target/idl
env -u RUSTUP_TOOLCHAIN cargo run -q -p ringfence-idl -- "$out"
committed=idl/ringfence.json
if [[ "${1:-}" == "--update" ]]; then
  mkdir -p idl && cp "$out" "$committed" && echo "updated $committed"
elif ! cmp -s "$out" "$committed"; then
  echo "error: $committed is stale; run scripts/idl.sh --update and commit it" >&2
  diff <(python3 -m json.tool "$committed" 2>/dev/null || true) <(python3 -m json.tool "$out") | head -20 >&2
  exit 1
fi
