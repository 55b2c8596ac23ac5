# Sourced: start_replica DIR PORT makes a streaming replica (hot standby) of the PostgreSQL
# at $PGHOST:$PGPORT with pg_basebackup -R into DIR and starts it on 127.0.0.1:PORT;
# replica_down DIR stops it and replica_up DIR starts it again (DIR stays);
# stop_replica DIR stops it if it runs. Used by .ci/run (the suite's replica tests and the fallback check).
# The primary must accept replication connections from 127.0.0.1: a `host replication`
# line is added to its pg_hba.conf (trust, as its other local lines) when it has none.

replica_pgbin() {
  echo "/usr/lib/postgresql/$(ls /etc/postgresql | sort -V | tail -n 1)/bin"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

allow_replication() {
  local hba
  hba=$(psql -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U postgres -Atc "SHOW hba_file")
  if ! grep -qE '^host\s+replication\s+all\s+127\.0\.0\.1/32' "$hba"; then
    echo "host replication all 127.0.0.1/32 trust" >> "$hba"
    psql -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U postgres -qAtc "SELECT pg_reload_conf()" >/dev/null
    sleep 1
  fi
}

start_replica() {
  local dir=$1 port=$2 bin
  bin=$(replica_pgbin)
  stop_replica "$dir"
  allow_replication
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 700 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_postgres "$bin/pg_basebackup" -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U postgres \
    -D "$dir" -R -X stream -c fast || { echo "FAIL: pg_basebackup"; return 1; }
  # Debian keeps the primary's configuration outside its data directory: the copy has none.
  as_postgres tee "$dir/postgresql.conf" >/dev/null <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
hot_standby = on
max_connections = 100
CONF
  as_postgres tee "$dir/pg_hba.conf" >/dev/null <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
  as_postgres touch "$dir/pg_ident.conf"
  replica_up "$dir"
}

replica_up() {
  local dir=$1
  as_postgres "$(replica_pgbin)/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { echo "FAIL: the replica did not start"; tail -n 20 "$dir/server.log"; return 1; }
}

replica_down() {
  as_postgres "$(replica_pgbin)/pg_ctl" -D "$1" -m fast -w stop >/dev/null
}

stop_replica() {
  [ -f "$1/postmaster.pid" ] && replica_down "$1" 2>/dev/null || true
}
