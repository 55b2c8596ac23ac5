#!/usr/bin/env bash
# Export benchmark: 1,000,000 approved hour entries over 10,000 volunteers, 50 branches and
# 2,000 events on PostgreSQL; times the totals-by-volunteer CSV export through HTTP and, in
# the same run, psql's \copy of the very same aggregate query; prints both times, their
# ratio, the server's memory, and the query plan. Targets: export <= 1.5x psql, peak RSS
# growth <= 50 MB.
#
#   bash benches/totals_export.sh            # PostgreSQL at 127.0.0.1:5432, user postgres
#   PGURL=postgres://user@host:5432 ENTRIES=200000 bash benches/totals_export.sh
#
# It creates (and drops at the end) a database of its own, and talks only to localhost.
set -euo pipefail
cd "$(dirname "$0")/.."

PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432}"
DB="vh_bench_$$"
ENTRIES="${ENTRIES:-1000000}"
PORT="${PORT:-18181}"
RUNS="${RUNS:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
calc() { awk "BEGIN { print $* }"; }

cargo build --release --quiet --bin volunteer-hours
BIN="$CARGO_TARGET_DIR/release/volunteer-hours"

psql "$PGURL/postgres" -qc "CREATE DATABASE $DB" >/dev/null
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
export DATABASE_URL="$PGURL/$DB"
export RUST_LOG=warn
"$BIN" seed >/dev/null

echo "== generating $ENTRIES approved entries"
gen_start=$(date +%s.%N)
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v entries="$ENTRIES" <<'SQL'
INSERT INTO branches (code, name, parent_id, search_text)
SELECT 'BENCH' || g, '测试支部' || g, (SELECT id FROM branches WHERE code = 'JGDW'), 'bench' || g
FROM generate_series(1, 50) g;
INSERT INTO volunteers (name, branch_id, search_text)
SELECT '志愿者' || g, (SELECT id FROM branches WHERE code = 'BENCH' || (1 + g % 50)), '志愿者' || g
FROM generate_series(1, 10000) g;
INSERT INTO events (title, category, organiser_branch_id, starts_at, ends_at, search_text)
SELECT '活动' || g, CASE WHEN g % 10 = 0 THEN 'training' ELSE 'lei_feng_day' END,
       (SELECT id FROM branches WHERE code = 'JGDW'),
       TIMESTAMP '2022-01-01 01:00' + (g % 360) * INTERVAL '1 day',
       TIMESTAMP '2022-01-01 09:00' + (g % 360) * INTERVAL '1 day', '活动' || g
FROM generate_series(1, 2000) g;
INSERT INTO event_plan_items (event_id, plan_item_id)
SELECT e.id, (SELECT id FROM plan_items WHERE number = 1 + e.id % 11) FROM events e;
-- entry i: volunteer 1 + i % 10000 at event 1 + 20 * (i / 10000) + i % 20, so no volunteer
-- has two entries for one event (the database's rule)
INSERT INTO hour_entries (volunteer_id, event_id, branch_id, minutes, service_date, status, reviewed_at)
SELECT v.id, e.id, v.branch_id, 30 + (CAST(i AS BIGINT) * 7919) % 211, CAST(e.starts_at AS DATE), 'approved', e.ends_at
FROM generate_series(0, :entries - 1) i
JOIN volunteers v ON v.id = (SELECT min(id) FROM volunteers) + i % 10000
JOIN events e ON e.id = (SELECT min(id) FROM events) + (20 * (i / 10000) + i % 20) % 2000;
ANALYZE;
SQL
printf 'generated in %.1f s: ' "$(calc "$(date +%s.%N) - $gen_start")"
psql "$DATABASE_URL" -Atc "SELECT count(*) || ' entries, ' || count(DISTINCT volunteer_id) || ' volunteers, ' || count(DISTINCT event_id) || ' events' FROM hour_entries"

printf '%s\n' 'a long benchmark password' | "$BIN" create-user --username bench.hr --role hr >/dev/null

BIND_ADDRESS="127.0.0.1:$PORT" APP_ENV=development "$BIN" serve >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break; sleep 0.1; done
rss() { awk "/^$1:/ {print \$2}" "/proc/$SERVER/status"; }
TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"bench.hr","password":"a long benchmark password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
rss_idle=$(rss VmRSS)

SQLTEXT=$("$BIN" totals-sql --group-by volunteer)
best() { sort -n | head -n 1; }

echo "== timing ($RUNS runs each, best kept)"
http_times=(); psql_times=()
for _ in $(seq 1 "$RUNS"); do
  t=$(curl -fs -o /tmp/vh_bench_export.csv -w '%{time_total}' -H "authorization: Bearer $TOKEN" \
      "http://127.0.0.1:$PORT/api/v1/exports/totals.csv?group_by=volunteer")
  http_times+=("$t")
  s=$(date +%s.%N)
  psql "$DATABASE_URL" -qc "\\copy ($SQLTEXT) TO '/tmp/vh_bench_psql.csv' WITH (FORMAT csv, HEADER)"
  psql_times+=("$(calc "$(date +%s.%N) - $s")")
done
http=$(printf '%s\n' "${http_times[@]}" | best)
raw=$(printf '%s\n' "${psql_times[@]}" | best)
rss_peak=$(rss VmHWM)
rows_http=$(grep -c '^[0-9]' /tmp/vh_bench_export.csv || true)
rows_psql=$(($(wc -l < /tmp/vh_bench_psql.csv) - 1))

echo "== query plan"
psql "$DATABASE_URL" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $SQLTEXT" | sed 's/^/  /'

ratio=$(awk "BEGIN { printf \"%.2f\", $http / $raw }")
growth=$(( (rss_peak - rss_idle) / 1024 ))
echo "== results"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; PostgreSQL $(psql "$DATABASE_URL" -Atc 'SHOW server_version')"
echo "rows: HTTP CSV $rows_http, psql $rows_psql"
echo "HTTP CSV export:   ${http} s (runs: ${http_times[*]})"
echo "psql \\copy:        ${raw} s (runs: ${psql_times[*]})"
echo "ratio:             ${ratio}x (target <= 1.5x)"
echo "server RSS:        idle $((rss_idle / 1024)) MB, peak $((rss_peak / 1024)) MB, growth ${growth} MB (target <= 50 MB)"
pass=PASS
if [ "$(calc "($ratio > 1.5)")" = 1 ] || [ "$growth" -gt 50 ] || [ "$rows_http" != "$rows_psql" ]; then pass=FAIL; fi
echo "$pass"
rm -f /tmp/vh_bench_export.csv /tmp/vh_bench_psql.csv
