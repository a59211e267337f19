#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the corpus tests and print its URL.
#   export GONGKAI_TEST_PG=$(bash scripts/pg-test.sh)
# Installs Debian's postgresql when missing (as root).  Data in ${GONGKAI_PG_DIR:-/tmp/gongkai-pg}.
set -euo pipefail
PORT=${GONGKAI_PG_PORT:-54329}
DIR=${GONGKAI_PG_DIR:-/tmp/gongkai-pg}
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pgbin)" ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  else
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1
  fi
fi
BIN=$(pgbin)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$DIR"
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  as_pg "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 >/dev/null
fi
if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
fi
psql -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='gongkai_test'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE gongkai_test" >/dev/null
echo "postgresql://postgres@127.0.0.1:$PORT/gongkai_test"
