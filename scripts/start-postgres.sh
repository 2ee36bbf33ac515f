#!/usr/bin/env bash
# Make sure a local PostgreSQL with PostGIS answers on 127.0.0.1:5432 for the test suite, as the
# `postgres` role without a password (MUURTJE_TEST_PG in tests/support.py points elsewhere if needed).
set -euo pipefail
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if [ -z "$version" ]; then echo "PostgreSQL is not installed" >&2; exit 1; fi
  pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >/dev/null
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
  # A fresh Debian cluster asks for a password on TCP; a throwaway test machine trusts loopback.
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  echo "Allowing passwordless loopback connections for tests in $hba"
  sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload
fi
psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null
