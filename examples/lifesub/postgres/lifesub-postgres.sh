#!/bin/sh
# Starts PostgreSQL on the StatefulSet's volume. On the first start (no PG_VERSION in
# $PGDATA) it runs initdb, sets the password of $POSTGRES_USER (md5, as pg_hba asks),
# creates $POSTGRES_DB and runs /docker-entrypoint-initdb.d/*.sql in it, the way the
# official image does; later starts find the data on the volume and only run postgres.
set -eu
: "${PGDATA:=/var/lib/postgresql/data/pgdata}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
[ -n "${POSTGRES_PASSWORD:-}" ] || { echo "lifesub-postgres: POSTGRES_PASSWORD must be set" >&2; exit 1; }
export PGUSER="$POSTGRES_USER" # psql's default would be the OS user's name

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # Initialise beside $PGDATA and rename at the end: a pod killed halfway leaves no
  # half-made cluster that the next start would mistake for a finished one.
  tmp="$PGDATA.init"
  rm -rf "$tmp"
  echo "lifesub-postgres: first start: initdb into $PGDATA"
  initdb -D "$tmp" -U "$POSTGRES_USER" -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=md5 >/dev/null
  cat >>"$tmp/postgresql.conf" <<CONF
listen_addresses = '0.0.0.0'
unix_socket_directories = '/tmp'
password_encryption = md5
CONF
  # Other pods connect over the pod network; md5 asks them for the password.
  echo "host all all 0.0.0.0/0 md5" >>"$tmp/pg_hba.conf"
  # A private server for the setup: no TCP, so no client sees a half-made database.
  pg_ctl -D "$tmp" -o "-c listen_addresses=''" -w -s start
  psql -q -v ON_ERROR_STOP=1 -d postgres -v pw="$POSTGRES_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
ALTER USER CURRENT_USER PASSWORD :'pw';
SELECT format('CREATE DATABASE %I', :'db') WHERE :'db' <> 'postgres' \gexec
SQL
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] || continue
    echo "lifesub-postgres: running $f"
    psql -q -v ON_ERROR_STOP=1 -d "$POSTGRES_DB" -f "$f"
  done
  pg_ctl -D "$tmp" -m fast -w -s stop
  rm -rf "$PGDATA"
  mv "$tmp" "$PGDATA"
fi
echo "lifesub-postgres: starting PostgreSQL on $PGDATA"
exec postgres -D "$PGDATA"
