#!/usr/bin/env bash
# Load benchmark of the release server on PostgreSQL, with wrk as the load generator in a
# second process, on localhost only. In one run, side by side:
#   1. ingest: rosters of 100 entries POSTed at concurrency 16 (fresh Idempotency-Key each,
#      with authentication, validation and audit), against the same rows inserted by pgbench
#      as multi-row INSERTs into the same table (same indexes and constraints); rows/s of
#      each and the ratio. Target: API >= 0.5x raw.
#   2. reads: authenticated GET /api/v1/volunteers/{id} of random ids at 64 connections:
#      req/s, p50/p99. Target: p99 < 10 ms, no error.
#   3. login storm: 50 concurrent logins (real argon2 verifications) while reads go on.
#      Target: the reads' p99 within 2x of step 2.
#   2b. the same read against ../shared/anchors/anchor-read (the leanest actix-web +
#      tokio-postgres server doing it), alternating rounds, same token and load: the ratio.
#      Targets: >= 0.85x its throughput, p99 within 1.5x of its p99.
#   4. memory: server RSS idle and its peak under load. Targets: <= 30 MB, <= 100 MB.
# Prints every figure and PASS/FAIL per target; exits 1 if any target is missed.
#
#   bash benches/load.sh                       # about 2 minutes after the build
#   DURATION=5 STORM=5 bash benches/load.sh    # shorter
#
# Needs wrk (Debian: apt-get install wrk) and pgbench/psql. Makes a database of its own on
# PGURL and drops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432}"
DB="vh_load_$$"
PORT="${PORT:-18282}"
DURATION="${DURATION:-15}"
ROUNDS="${ROUNDS:-3}"
ANCHOR_PORT="${ANCHOR_PORT:-18383}"
ANCHOR_TARGET="${ANCHOR_TARGET:-/tmp/anchor-target}"
# One secret for the service and the anchor, so that one token works on both.
JWT_SECRET="load-benchmark-only-$$-0123456789abcdef0123456789"
STORM="${STORM:-20}"
VOLUNTEERS=5000
EVENTS=20000 # per side: more than either side can fill in DURATION
CLIENTS=16
PASSWORD='a long benchmark password'
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
for tool in wrk pgbench psql; do
  command -v "$tool" >/dev/null || { echo "needs $tool"; exit 2; }
done

cargo build --release --quiet --bin volunteer-hours
BIN="$CARGO_TARGET_DIR/release/volunteer-hours"
WORK=$(mktemp -d)
psql "$PGURL/postgres" -qc "CREATE DATABASE $DB" >/dev/null
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "${ANCHOR:-}" ] && kill "$ANCHOR" 2>/dev/null || true
  psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# The server and pgbench reach the database the same way: through its Unix socket where it
# has one in PGSOCKET_DIR (as a service on the database's machine would), else over
# loopback TCP without TLS (which buys nothing there).
PGSOCKET_DIR="${PGSOCKET_DIR:-/var/run/postgresql}"
if [ -S "$PGSOCKET_DIR/.s.PGSQL.5432" ]; then
  TRANSPORT="Unix socket"
  export DATABASE_URL="postgres://postgres@$(printf %s "$PGSOCKET_DIR" | sed 's|/|%2F|g')/$DB"
  ANCHOR_DATABASE="host=$PGSOCKET_DIR user=postgres dbname=$DB"
else
  TRANSPORT="TCP"
  export DATABASE_URL="$PGURL/$DB?sslmode=disable"
  ANCHOR_DATABASE="$PGURL/$DB?sslmode=disable"
fi
export RUST_LOG=warn
"$BIN" seed >/dev/null

# One branch of 5000 volunteers; events on distinct days (event k on day k % 365 of 2022),
# the first EVENTS for the API and the next EVENTS for pgbench. Roster r goes to event r
# with volunteers 100r .. 100r+99 (mod 5000): at most 11 hours a day for anyone.
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v volunteers=$VOLUNTEERS -v events=$EVENTS <<'SQL'
INSERT INTO branches (code, name, parent_id, search_text)
SELECT 'BENCH', '压测支部', id, 'bench' FROM branches WHERE code = 'JGDW';
INSERT INTO volunteers (name, branch_id, search_text)
SELECT '志愿者' || g, (SELECT id FROM branches WHERE code = 'BENCH'), '志愿者' || g
FROM generate_series(1, :volunteers) g;
INSERT INTO events (title, category, organiser_branch_id, starts_at, ends_at, status, search_text)
SELECT '活动' || g, 'lei_feng_day', (SELECT id FROM branches WHERE code = 'BENCH'),
       TIMESTAMP '2022-01-01 01:00' + ((g % :events) % 365) * INTERVAL '1 day',
       TIMESTAMP '2022-01-01 09:00' + ((g % :events) % 365) * INTERVAL '1 day', 'open', '活动' || g
FROM generate_series(0, 2 * :events - 1) g ORDER BY g;
ANALYZE;
SQL
q() { psql "$DATABASE_URL" -Atc "$1"; }
FIRST_VOLUNTEER=$(q "SELECT min(id) FROM volunteers WHERE branch_id = (SELECT id FROM branches WHERE code = 'BENCH')")
FIRST_EVENT=$(q "SELECT min(id) FROM events WHERE organiser_branch_id = (SELECT id FROM branches WHERE code = 'BENCH')")
RAW_FIRST_EVENT=$((FIRST_EVENT + EVENTS))
BRANCH=$(q "SELECT id FROM branches WHERE code = 'BENCH'")
export VOLUNTEER_HOURS_PASSWORD="$PASSWORD"
SECRETARY=$("$BIN" create-user --username bench.secretary --role secretary --branch BENCH | awk '{print $3}')
"$BIN" create-user --username bench.admin --role admin >/dev/null
"$BIN" create-user --username bench.hr --role hr >/dev/null
unset VOLUNTEER_HOURS_PASSWORD

# The raw side: pgbench client c inserts roster c, c+16, c+32, ... as one 100-row INSERT.
{
  echo '\set n :n + 1'
  echo "\\set r :client_id + (:n - 1) * $CLIENTS"
  echo 'INSERT INTO hour_entries (volunteer_id, event_id, branch_id, minutes, service_date, status, submitted_by) VALUES'
  for i in $(seq 0 99); do
    sep=','; [ "$i" = 99 ] && sep=';'
    echo "  ($FIRST_VOLUNTEER + (:r * 100 + $i) % $VOLUNTEERS, $RAW_FIRST_EVENT + :r, $BRANCH, 60, DATE '2022-01-01' + :r % 365, 'submitted', $SECRETARY)$sep"
  done
} >"$WORK/raw.sql"

# Every request here comes from 127.0.0.1: the per-address login limit would answer most of
# the storm with 429 without hashing anything, so it is raised to measure real logins. The
# pool has its default size (2 x cores) unless POOL says otherwise.
env BIND_ADDRESS="127.0.0.1:$PORT" JWT_SECRET="$JWT_SECRET" LOGIN_RATE_PER_MINUTE=10000 LOGIN_RATE_BURST=10000 \
  ${POOL:+DATABASE_POOL_SIZE=$POOL} \
  "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { echo "the server did not start:"; cat "$WORK/server.log"; exit 1; }
  sleep 0.1
done
rss() { awk "/^$1:/ {print int(\$2 / 1024)}" "/proc/$SERVER/status"; }
token() {
  curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}
SEC_TOKEN=$(token bench.secretary)
ADMIN_TOKEN=$(token bench.admin)
sleep 1
RSS_IDLE=$(rss VmRSS)

failed=0
verdict() { # name ok text
  if [ "$2" = 1 ]; then echo "PASS  $1: $3"; else echo "FAIL  $1: $3"; failed=1; fi
}
field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
non() { awk -v ok="$1" '$1 == "status" && $2 != ok {n += $3} END {print n + 0}' "$2"; }

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1048576)}' /proc/meminfo) GiB; $(psql "$PGURL/postgres" -Atc 'SHOW server_version' | cut -d' ' -f1) PostgreSQL; $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2); database over $TRANSPORT"

echo "== 1. ingest, ${DURATION} s each: rosters of 100 at concurrency $CLIENTS"
lsn() { q "SELECT pg_current_wal_lsn()"; }
wal_per_row() { q "SELECT round(pg_wal_lsn_diff('$2', '$1') / greatest($3, 1))"; }
lsn0=$(lsn)
pgbench -n -c $CLIENTS -j 2 -T "$DURATION" -D n=0 -f "$WORK/raw.sql" "$DATABASE_URL" >"$WORK/raw.out" 2>&1 ||
  { cat "$WORK/raw.out"; exit 1; }
raw_tx=$(awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]}' "$WORK/raw.out")
raw_rows=$(q "SELECT count(*) FROM hour_entries WHERE event_id >= $RAW_FIRST_EVENT")
raw_rate=$(calc "$raw_rows / $DURATION" 0)
lsn1=$(lsn)
wrk -t 1 -c $CLIENTS -d "${DURATION}s" --timeout 30s -s benches/wrk/ingest.lua "http://127.0.0.1:$PORT" \
  -- "$SEC_TOKEN" "$FIRST_EVENT" "$FIRST_VOLUNTEER" "$VOLUNTEERS" 1 >"$WORK/ingest.out"
api_seconds=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$WORK/ingest.out")
api_rows=$(q "SELECT count(*) FROM hour_entries WHERE event_id BETWEEN $FIRST_EVENT AND $((RAW_FIRST_EVENT - 1))")
api_rate=$(calc "$api_rows / $api_seconds" 0)
lsn2=$(lsn)
api_errors=$(non 201 "$WORK/ingest.out")
audit_rows=$(q "SELECT count(*) FROM audit_log WHERE entity = 'hour_entry'")
echo "raw (pgbench):  $raw_tx INSERTs, $raw_rows rows: $raw_rate rows/s, $(wal_per_row "$lsn0" "$lsn1" "$raw_rows") WAL bytes a row"
echo "API (HTTP):     $(awk '$1 == "status" && $2 == 201 {print $3}' "$WORK/ingest.out") rosters answered 201 of $(awk '$1 == "status" {n += $3} END {print n}' "$WORK/ingest.out"), $api_rows rows ($audit_rows audit rows) in $api_seconds s: $api_rate rows/s, $(wal_per_row "$lsn1" "$lsn2" "$api_rows") WAL bytes a row"
ratio=$(calc "$api_rate / $raw_rate" 2)
verdict "ingest ratio" "$(calc "$ratio >= 0.5 && $api_errors == 0 ? 1 : 0" 0)" "${ratio}x of raw (target >= 0.5x), $api_errors non-201"

# the reads are measured in a steady state, not during the ingest's aftermath
q "VACUUM ANALYZE" >/dev/null
q "CHECKPOINT" >/dev/null

echo "== 2. reads, ${DURATION} s: GET /api/v1/volunteers/{id} at 64 connections"
wrk -t 1 -c 64 -d "${DURATION}s" -s benches/wrk/read.lua "http://127.0.0.1:$PORT" \
  -- "$ADMIN_TOKEN" "$FIRST_VOLUNTEER" "$VOLUNTEERS" >"$WORK/read.out"
read_rps=$(awk '/Requests\/sec/ {print int($2)}' "$WORK/read.out")
read_p50=$(calc "$(field p50_us "$WORK/read.out") / 1000" 2)
read_p99=$(calc "$(field p99_us "$WORK/read.out") / 1000" 2)
read_errors=$(( $(non 200 "$WORK/read.out") + $(awk '/Socket errors/ {n = 0; for (i = 3; i <= NF; i += 2) n += $i; print n}' "$WORK/read.out" | tail -n 1) + 0 ))
echo "reads:          $read_rps req/s, p50 $read_p50 ms, p99 $read_p99 ms, max $(calc "$(field max_us "$WORK/read.out") / 1000" 1) ms"
verdict "read p99" "$(calc "$read_p99 < 10 && $read_errors == 0 ? 1 : 0" 0)" "$read_p99 ms (target < 10 ms), $read_errors errors"

echo "== 2b. the same read side by side with the anchor ($ROUNDS rounds of ${DURATION} s each, alternating)"
# ../shared/anchors/anchor-read: actix-web and tokio-postgres, one pipelined connection per
# worker, a prepared statement, the HS256 check, the volunteer and its tags in one query; no
# scope, masking or logging: the ceiling. Same database, same token (same JWT_SECRET), same
# wrk script and connections, the two taking turns so that drift falls on both.
ANCHOR_DIR="${ANCHOR_DIR:-../shared/anchors/anchor-read}"
if [ -f "$ANCHOR_DIR/Cargo.toml" ]; then
  cargo build --release --quiet --manifest-path "$ANCHOR_DIR/Cargo.toml" --target-dir "$ANCHOR_TARGET"
  DATABASE_URL="$ANCHOR_DATABASE" JWT_SECRET="$JWT_SECRET" \
    BIND="127.0.0.1:$ANCHOR_PORT" WORKERS=2 "$ANCHOR_TARGET/release/anchor-read" >"$WORK/anchor.log" 2>&1 &
  ANCHOR=$!
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null -H "Authorization: Bearer $ADMIN_TOKEN" \
      "http://127.0.0.1:$ANCHOR_PORT/api/v1/volunteers/$FIRST_VOLUNTEER" && break
    kill -0 "$ANCHOR" 2>/dev/null || { echo "the anchor did not start:"; cat "$WORK/anchor.log"; exit 1; }
    sleep 0.1
  done
  for r in $(seq 1 "$ROUNDS"); do
    for side in service anchor; do
      port=$PORT; [ "$side" = anchor ] && port=$ANCHOR_PORT
      wrk -t 1 -c 64 -d "${DURATION}s" -s benches/wrk/read.lua "http://127.0.0.1:$port" \
        -- "$ADMIN_TOKEN" "$FIRST_VOLUNTEER" "$VOLUNTEERS" >"$WORK/$side-$r.out"
      printf '%s %s %s\n' "$(awk '/Requests\/sec/ {print int($2)}' "$WORK/$side-$r.out")" \
        "$(field p99_us "$WORK/$side-$r.out")" "$(non 200 "$WORK/$side-$r.out")" >>"$WORK/$side.rounds"
      echo "round $r $side: $(awk '{printf "%d req/s, p99 %.2f ms, %d non-200", $1, $2 / 1000, $3}' <(tail -n 1 "$WORK/$side.rounds"))"
    done
  done
  kill "$ANCHOR" 2>/dev/null || true
  median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
  s_rps=$(awk '{print $1}' "$WORK/service.rounds" | median); a_rps=$(awk '{print $1}' "$WORK/anchor.rounds" | median)
  s_p99=$(awk '{print $2}' "$WORK/service.rounds" | median); a_p99=$(awk '{print $2}' "$WORK/anchor.rounds" | median)
  bad=$(cat "$WORK/service.rounds" "$WORK/anchor.rounds" | awk '{n += $3} END {print n + 0}')
  rps_ratio=$(calc "$s_rps / $a_rps" 2); p99_ratio=$(calc "$s_p99 / $a_p99" 2)
  echo "medians:        service $s_rps req/s, p99 $(calc "$s_p99 / 1000" 2) ms; anchor $a_rps req/s, p99 $(calc "$a_p99 / 1000" 2) ms"
  echo "               (each round's ratio: $(paste -d' ' "$WORK/service.rounds" "$WORK/anchor.rounds" | awk '{printf "%.2fx/%.2fx ", $1 / $4, $2 / $5}')throughput/p99)"
  verdict "throughput vs anchor" "$(calc "$rps_ratio >= 0.85 && $bad == 0 ? 1 : 0" 0)" "${rps_ratio}x of the anchor (target >= 0.85x), $bad non-200"
  verdict "p99 vs anchor" "$(calc "$p99_ratio <= 1.5 ? 1 : 0" 0)" "${p99_ratio}x the anchor's p99 (target <= 1.5x)"
else
  echo "SKIP  no anchor at $ANCHOR_DIR (set ANCHOR_DIR)"
fi

echo "== 3. login storm, ${STORM} s: 50 concurrent logins while the reads go on"
wrk -t 1 -c 64 -d "${STORM}s" -s benches/wrk/read.lua "http://127.0.0.1:$PORT" \
  -- "$ADMIN_TOKEN" "$FIRST_VOLUNTEER" "$VOLUNTEERS" >"$WORK/storm-read.out" &
reads=$!
wrk -t 1 -c 50 -d "${STORM}s" --timeout 30s -s benches/wrk/login.lua "http://127.0.0.1:$PORT" \
  -- bench.hr "$PASSWORD" >"$WORK/storm-login.out"
wait $reads
storm_p99=$(calc "$(field p99_us "$WORK/storm-read.out") / 1000" 2)
storm_rps=$(awk '/Requests\/sec/ {print int($2)}' "$WORK/storm-read.out")
logins_ok=$(awk '$1 == "status" && $2 == 200 {print $3}' "$WORK/storm-login.out")
storm_errors=$(non 200 "$WORK/storm-read.out")
echo "logins:         ${logins_ok:-0} succeeded ($(calc "${logins_ok:-0} / $STORM") /s), $(non 200 "$WORK/storm-login.out") refused, p50 $(calc "$(field p50_us "$WORK/storm-login.out") / 1000" 0) ms"
echo "reads meanwhile: $storm_rps req/s, p99 $storm_p99 ms"
verdict "storm read p99" "$(calc "$storm_p99 <= 2 * $read_p99 && $storm_errors == 0 ? 1 : 0" 0)" "$storm_p99 ms vs $read_p99 ms alone (target <= 2x), $storm_errors errors"

echo "== 4. memory"
RSS_END=$(rss VmRSS)
RSS_PEAK=$(rss VmHWM)
echo "server RSS:     idle $RSS_IDLE MB, peak $RSS_PEAK MB, at the end $RSS_END MB"
verdict "idle RSS" "$(calc "$RSS_IDLE <= 30 ? 1 : 0" 0)" "$RSS_IDLE MB (target <= 30 MB)"
verdict "peak RSS" "$(calc "$RSS_PEAK <= 100 ? 1 : 0" 0)" "$RSS_PEAK MB (target <= 100 MB)"
if grep -qE ' ERROR |panicked' "$WORK/server.log"; then
  echo "FAIL  server log has errors:"; grep -E ' ERROR |panicked' "$WORK/server.log" | head -5; failed=1
fi
exit $failed
