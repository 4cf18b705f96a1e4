#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth for `postgres`,
# starting (or, on a bare Debian machine, installing) it. Exits non-zero when it cannot:
# the integration tests never skip a missing database.
set -euo pipefail

url="${ACTIVITY_SYNC_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"

answers() { psql "$url" -qtAc 'SELECT 1' >/dev/null 2>&1; }

if command -v psql >/dev/null && answers; then
    exit 0
fi

if [ ! -d /etc/postgresql ] || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "ensure-postgres: installing PostgreSQL from Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql postgresql-client >/dev/null
fi

version="$(ls /etc/postgresql | sort -n | tail -n 1)"
hba="/etc/postgresql/$version/main/pg_hba.conf"
if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    # Tests connect over TCP as `postgres` without a password.
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true

for _ in $(seq 1 30); do
    if answers; then exit 0; fi
    sleep 1
done
echo "ensure-postgres: PostgreSQL does not answer at $url" >&2
exit 1
