#!/usr/bin/env bash
# Starts a PostgreSQL server for the indexer's PostgreSQL test and prints its URL (without a
# database name; the test creates and drops its own database). Uses Debian's postgresql
# package, installed here when missing, and its default cluster on 127.0.0.1:5432, with a
# role `ringfence` (password `ringfence`). Needs apt and root (or sudo). Prints nothing and
# exits 1 when no server can be had; the SQLite tests never need one.
set -euo pipefail
sudo=""; as_postgres="runuser -u postgres --"
[[ $(id -u) -eq 0 ]] || { sudo="sudo"; as_postgres="sudo -u postgres"; }
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  $sudo apt-get install -y -q postgresql >/dev/null 2>&1 \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q postgresql >/dev/null; } \
    || exit 1
fi
cluster=$(pg_lsclusters --no-header | awk 'NR == 1 { print $1 " " $2 }')
if [[ -z "$cluster" ]]; then
  $sudo pg_createcluster 15 main >/dev/null 2>&1 || exit 1
  cluster=$(pg_lsclusters --no-header | awk 'NR == 1 { print $1 " " $2 }')
fi
# shellcheck disable=SC2086
$sudo pg_ctlcluster $cluster start >/dev/null 2>&1 || true
port=$(pg_lsclusters --no-header | awk 'NR == 1 { print $3 }')
for _ in $(seq 1 50); do
  $as_postgres psql -p "$port" -qAtc "SELECT 1" >/dev/null 2>&1 && break
  sleep 0.2
done
$as_postgres psql -p "$port" -qAtc \
  "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ringfence') THEN CREATE ROLE ringfence LOGIN CREATEDB PASSWORD 'ringfence'; END IF; END \$\$;" \
  >/dev/null || exit 1
echo "postgres://ringfence:ringfence@127.0.0.1:$port"
