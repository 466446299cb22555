#!/usr/bin/env bash
# Runs a command beside a private, throwaway PostgreSQL cluster (loopback only, its own folder and port) and
# stops the cluster whatever happens. The command finds it in TEST_DATABASE_URL.
#   bash scripts/with-postgres.sh npm test
# PostgreSQL comes from Debian's packages (installed when missing); initdb refuses root, so it runs as postgres.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
  apt-get update -qq && apt-get install -y -qq --no-upgrade postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  as_postgres=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/lang-portal-pg.XXXXXX)
port=${TEST_POSTGRES_PORT:-$((20000 + RANDOM % 20000))}
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
stop() {
  "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_postgres[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
# fsync off: the cluster is thrown away after the run. max_connections: parallel Jest workers, each with its pools.
"${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (private, stopped at the end)"

TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres" "$@"
