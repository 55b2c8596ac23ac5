# Sourced: start_pgbouncer WORK DB PORT SERVER_CONNECTIONS starts Debian's pgbouncer in
# transaction pooling mode on 127.0.0.1:PORT for database DB of $PGHOST:$PGPORT (trust
# auth, user postgres), its files in WORK, with SERVER_CONNECTIONS connections to
# PostgreSQL; stop_pgbouncer WORK stops it. Used by .ci/pgbouncer/run and
# benches/pgbouncer.sh.

start_pgbouncer() {
  local work=$1 db=$2 port=$3 size=$4
  command -v pgbouncer >/dev/null || PATH=$PATH:/usr/sbin
  command -v pgbouncer >/dev/null || { echo "FAIL: pgbouncer is not installed"; return 1; }
  cat > "$work/pgbouncer.ini" <<INI
[databases]
$db = host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432} dbname=$db user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $work/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = $size
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
logfile = $work/pgbouncer.log
pidfile = $work/pgbouncer.pid
INI
  echo '"postgres" ""' > "$work/userlist.txt"
  chmod 755 "$work"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres "$work"
    pgbouncer -d -u postgres "$work/pgbouncer.ini"
  else
    pgbouncer -d "$work/pgbouncer.ini"
  fi
  for _ in $(seq 50); do
    psql -h 127.0.0.1 -p "$port" -U postgres -d pgbouncer -qAtc "SHOW VERSION" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL: pgbouncer did not start"; cat "$work/pgbouncer.log"; return 1
}

stop_pgbouncer() {
  [ -f "$1/pgbouncer.pid" ] && kill "$(cat "$1/pgbouncer.pid")" 2>/dev/null || true
}
