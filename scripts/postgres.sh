#!/usr/bin/env bash
# Debian's PostgreSQL on loopback for the tests: installed when absent, its cluster started, the `postgres`
# user given the password the tests use. Writes the command that stops and starts the server (for the
# cluster tests' outage) to .build/postgres-ctl.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main
pg_ctlcluster "$version" main start 2>/dev/null || pg_ctlcluster "$version" main status >/dev/null
su postgres -c "psql -qc \"ALTER USER postgres PASSWORD '${SIBYL_TEST_POSTGRES_PASSWORD:-sibyl-ci}'\""
# The node suites run dozens of nodes at once, each with its own pool: Debian's 100 connections run out.
if [ "$(su postgres -c "psql -tAc 'SHOW max_connections'")" -lt 500 ]; then
  su postgres -c "psql -qc 'ALTER SYSTEM SET max_connections = 500'"
  pg_ctlcluster "$version" main restart
fi
mkdir -p .build
echo "pg_ctlcluster $version main" > .build/postgres-ctl
