#!/usr/bin/env bash
# How the cost of reads grows with the data, on PostgreSQL, release build: at each size of
# SIZES (default 10^5, 10^6, 10^7 approved hour entries; 100 per volunteer, 500 per event,
# 2,000 per branch (at least 50 branches), events spread over 2019-2022: the organisation
# grows by more branches, not fuller ones) a database of its own is generated with SQL and the
# server started on it, then timed (median of RUNS after a warm-up):
#   me      GET /api/v1/me/hours for one volunteer
#   page    GET /api/v1/hours?branch_id=..&from=2022-03-01&to=2022-03-31&limit=50
#   totals  GET /api/v1/reports/totals?group_by=branch for 2022
#   export  GET /api/v1/exports/totals.csv?group_by=volunteer (all years), against psql's
#           \copy of the same query (`totals-sql --group-by volunteer`) in the same run, with
#           the settings the service's report transaction makes (work_mem 64MB, jit off)
# and the server's peak RSS. Prints a table and the growth factor per 10x. Targets: me and
# page grow < 1.5x per 10x; totals and export at most linearly (<= 10x per 10x); export
# within 1.2x of \copy at every size; peak RSS flat (within 1.5x across sizes).
#
#   bash benches/growth.sh                          # 10^7 takes several minutes to generate
#   SIZES="100000 1000000" RUNS=3 bash benches/growth.sh   # sizes from 10^5 (500 events at least)
#   KEEP=1 bash benches/growth.sh   # keeps each size's database (vh_growth_N_kept) and reuses it
#                                   # next time, migrated to the present schema
set -euo pipefail
cd "$(dirname "$0")/.."

PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432}"
SIZES="${SIZES:-100000 1000000 10000000}"
RUNS="${RUNS:-5}"
KEEP="${KEEP:-}"
COPY_SETTINGS="-c work_mem=64MB -c jit=off"
PORT="${PORT:-18191}"
PASSWORD='a long benchmark password'
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export RUST_LOG=warn
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

cargo build --release --quiet --bin volunteer-hours
BIN="$CARGO_TARGET_DIR/release/volunteer-hours"
DB=""
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "$DB" ] && [ -z "$KEEP" ] && psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -f /tmp/vh_growth_http.csv /tmp/vh_growth_psql.csv
}
trap cleanup EXIT

generate() { # entries
  local n=$1 v=$(( $1 / 100 )) e=$(( $1 / 500 )) b=$(( $1 / 2000 > 50 ? $1 / 2000 : 50 ))
  psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v n="$n" -v v="$v" -v e="$e" -v b="$b" <<'SQL'
INSERT INTO branches (code, name, parent_id, search_text)
SELECT 'BENCH' || g, '测试支部' || g, (SELECT id FROM branches WHERE code = 'JGDW'), 'bench' || g
FROM generate_series(1, :b) g;
INSERT INTO volunteers (name, branch_id, search_text)
SELECT '志愿者' || g, (SELECT min(id) FROM branches WHERE code LIKE 'BENCH%') + g % :b, '志愿者' || g
FROM generate_series(1, :v) g;
INSERT INTO events (title, category, organiser_branch_id, starts_at, ends_at, search_text)
SELECT '活动' || g, CASE WHEN g % 10 = 0 THEN 'training' ELSE 'lei_feng_day' END,
       (SELECT min(id) FROM branches WHERE code LIKE 'BENCH%') + g % :b,
       -- 37 is prime to 1460: any number of events covers the four years evenly
       TIMESTAMP '2019-01-01 01:00' + ((g * 37) % 1460) * INTERVAL '1 day',
       TIMESTAMP '2019-01-01 09:00' + ((g * 37) % 1460) * INTERVAL '1 day', '活动' || g
FROM generate_series(1, :e) g;
INSERT INTO event_plan_items (event_id, plan_item_id)
SELECT e.id, (SELECT id FROM plan_items WHERE number = 1 + e.id % 11) FROM events e;
-- entry i: volunteer i % v, its k-th entry (k = i / v, 0..99) at event (7919 k + volunteer) % e:
-- 7919 is prime to e, so no volunteer has two entries at one event (the database's rule).
-- A bulk load: the monthly totals are rebuilt once after it, not followed row by row.
ALTER TABLE hour_entries DISABLE TRIGGER USER;
INSERT INTO hour_entries (volunteer_id, event_id, branch_id, minutes, service_date, status, reviewed_at)
SELECT v.id, e.id, v.branch_id, 30 + (i * 7919) % 211, CAST(e.starts_at AS DATE), 'approved', e.ends_at
FROM generate_series(0, CAST(:n AS BIGINT) - 1) i
JOIN volunteers v ON v.id = (SELECT min(id) FROM volunteers) + i % :v
JOIN events e ON e.id = (SELECT min(id) FROM events) + ((i / :v) * 7919 + i % :v) % :e;
ALTER TABLE hour_entries ENABLE TRIGGER USER;
SELECT hour_totals_rebuild();
UPDATE volunteers SET volunteer_number = '350100201900000001' WHERE id = (SELECT min(id) + 7 FROM volunteers);
VACUUM ANALYZE;
SQL
}

# time URL TOKEN: the median of RUNS, after one warm-up, in ms
time_get() {
  local status
  status=$(curl -s -o /tmp/vh_growth_http.csv -w '%{http_code}' -H "authorization: Bearer $2" "$1")
  if [ "$status" != 200 ]; then
    echo "GET $1 answered $status: $(head -c 300 /tmp/vh_growth_http.csv)" >&2
    kill "$$"
  fi
  for _ in $(seq "$RUNS"); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "authorization: Bearer $2" "$1"
  done | median | awk '{printf "%.1f", $1 * 1000}'
}

declare -A R
sizes=()
for n in $SIZES; do
  sizes+=("$n")
  if [ -n "$KEEP" ]; then DB="vh_growth_${n}_kept"; else DB="vh_growth_${n}_$$"; fi
  export DATABASE_URL="$PGURL/$DB"
  if [ -n "$KEEP" ] && [ "$(psql "$PGURL/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = 1 ]; then
    "$BIN" migrate >/dev/null
    psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
    echo "== $n entries: the kept database $DB ($(psql "$DATABASE_URL" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))"))"
  else
    psql "$PGURL/postgres" -qc "CREATE DATABASE $DB" >/dev/null
    "$BIN" seed >/dev/null
    s=$(date +%s.%N)
    generate "$n"
    echo "== $n entries generated in $(calc "$(date +%s.%N) - $s" 0) s ($(psql "$DATABASE_URL" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))"))"
    export VOLUNTEER_HOURS_PASSWORD="$PASSWORD"
    "$BIN" create-user --username bench.hr --role hr >/dev/null
    "$BIN" create-user --username bench.admin --role admin >/dev/null
    "$BIN" create-user --username bench.volunteer --role volunteer --volunteer-number 350100201900000001 >/dev/null
    unset VOLUNTEER_HOURS_PASSWORD
  fi
  BIND_ADDRESS="127.0.0.1:$PORT" JWT_SECRET="growth-bench-only-$$-0123456789abcdef0123456789" \
    "$BIN" serve >"/tmp/vh_growth_server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  token() {
    curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
      -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
  }
  HR=$(token bench.hr); ADMIN=$(token bench.admin); ME=$(token bench.volunteer)
  BRANCH=$(psql "$DATABASE_URL" -Atc "SELECT id FROM branches WHERE code = 'BENCH7'")
  base="http://127.0.0.1:$PORT/api/v1"
  R[me-$n]=$(time_get "$base/me/hours" "$ME")
  R[page-$n]=$(time_get "$base/hours?branch_id=$BRANCH&from=2022-03-01&to=2022-03-31&limit=50" "$ADMIN")
  R[totals-$n]=$(time_get "$base/reports/totals?group_by=branch&from=2022-01-01&to=2022-12-31" "$HR")
  R[export-$n]=$(time_get "$base/exports/totals.csv?group_by=volunteer" "$HR")
  SQLTEXT=$("$BIN" totals-sql --group-by volunteer)
  PGOPTIONS="$COPY_SETTINGS" psql "$DATABASE_URL" -qc "\\copy ($SQLTEXT) TO '/tmp/vh_growth_psql.csv' WITH (FORMAT csv, HEADER)"
  R[copy-$n]=$(for _ in $(seq "$RUNS"); do
    st=$(date +%s.%N)
    PGOPTIONS="$COPY_SETTINGS" psql "$DATABASE_URL" -qc "\\copy ($SQLTEXT) TO '/tmp/vh_growth_psql.csv' WITH (FORMAT csv, HEADER)"
    calc "$(date +%s.%N) - $st" 4; echo
  done | median | awk '{printf "%.1f", $1 * 1000}')
  R[rss-$n]=$(awk '/^VmHWM:/ {print int($2 / 1024)}' "/proc/$SERVER/status")
  if grep -E ' ERROR |panicked' /tmp/vh_growth_server.log; then echo "the server logged errors"; exit 1; fi
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  [ -z "$KEEP" ] && psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  DB=""
done

echo "== $(nproc) cores, PostgreSQL $(psql "$PGURL/postgres" -Atc 'SHOW server_version'), median of $RUNS (ms)"
printf '%-10s %9s %9s %10s %10s %10s %8s %8s\n' entries me page totals export copy exp/copy "RSS MB"
for n in "${sizes[@]}"; do
  printf '%-10s %9s %9s %10s %10s %10s %8s %8s\n' "$n" "${R[me-$n]}" "${R[page-$n]}" "${R[totals-$n]}" \
    "${R[export-$n]}" "${R[copy-$n]}" "$(calc "${R[export-$n]} / ${R[copy-$n]}")" "${R[rss-$n]}"
done
failed=0
verdict() { if [ "$2" = 1 ]; then echo "PASS  $1"; else echo "FAIL  $1"; failed=1; fi; }
for ((i = 1; i < ${#sizes[@]}; i++)); do
  a=${sizes[i-1]}; b=${sizes[i]}
  g() { calc "${R[$1-$b]} / ${R[$1-$a]}"; }
  echo "growth $a -> $b: me $(g me)x, page $(g page)x, totals $(g totals)x, export $(g export)x, copy $(g copy)x"
  verdict "me and page grow < 1.5x ($(g me)x, $(g page)x)" "$(calc "$(g me) < 1.5 && $(g page) < 1.5 ? 1 : 0" 0)"
  verdict "totals and export grow <= 10x ($(g totals)x, $(g export)x)" "$(calc "$(g totals) <= 10 && $(g export) <= 10 ? 1 : 0" 0)"
done
for n in "${sizes[@]}"; do
  r=$(calc "${R[export-$n]} / ${R[copy-$n]}")
  verdict "export within 1.2x of \\copy at $n (${r}x)" "$(calc "$r <= 1.2 ? 1 : 0" 0)"
done
lo=$(for n in "${sizes[@]}"; do echo "${R[rss-$n]}"; done | sort -n | head -1)
hi=$(for n in "${sizes[@]}"; do echo "${R[rss-$n]}"; done | sort -n | tail -1)
verdict "peak RSS flat: ${lo}-${hi} MB" "$(calc "$hi <= 1.5 * $lo ? 1 : 0" 0)"
exit "$failed"
