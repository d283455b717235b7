#!/usr/bin/env bash
# Builds the program's Anchor IDL on the host (no SBF toolchain needed) and writes
# target/idl/ringfence.json, then checks it equals the committed idl/ringfence.json (which the
# SDK's error names and the web client are generated from). `scripts/idl.sh --update` copies
# a changed IDL over the committed one. Anchor's IDL builder must not see RUSTUP_TOOLCHAIN (it
# would try to install a toolchain), so it is unset here.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/idl/ringfence.json
mkdir -p target/idl
raw=$(mktemp)
(cd programs/ringfence &&
  env -u RUSTUP_TOOLCHAIN cargo test -q __anchor_private_print_idl --features idl-build -- --show-output) >"$raw" 2>&1 ||
  { cat "$raw"; exit 1; }
python3 - "$raw" "$out" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
def sections(name):
    return [json.loads(m) for m in re.findall(rf"--- IDL begin {name} ---\n(.*?)--- IDL end {name} ---", text, re.S)]
idl = sections("program")[0]
idl["address"] = sections("address")[0]
idl["errors"] = sections("errors")[0]
events = sections("event")
idl["events"] = [e["event"] for e in events]
known = {t["name"] for t in idl["types"]}
for e in events:
    for t in e["types"]:
        if t["name"] not in known:
            idl["types"].append(t)
            known.add(t["name"])
# The builder prints events from parallel test threads: sort for a reproducible file.
idl["events"].sort(key=lambda e: e["name"])
idl["types"].sort(key=lambda t: t["name"])
json.dump(idl, open(sys.argv[2], "w"), indent=2)
print(f"{sys.argv[2]}: {len(idl['instructions'])} instructions, {len(idl['accounts'])} accounts, "
      f"{len(idl['events'])} events, {len(idl['errors'])} errors, {len(idl['types'])} types")
PY
rm -f "$raw"
committed=idl/ringfence.json
if [[ "${1:-}" == "--update" ]]; then
  mkdir -p idl && cp "$out" "$committed" && echo "updated $committed"
elif ! cmp -s "$out" "$committed"; then
  echo "error: $committed is stale; run scripts/idl.sh --update and commit it" >&2
  diff <(python3 -m json.tool "$committed" 2>/dev/null || true) <(python3 -m json.tool "$out") | head -20 >&2
  exit 1
fi
