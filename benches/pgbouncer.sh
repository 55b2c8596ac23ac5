#!/usr/bin/env bash
# What prepared statements are worth, and what PgBouncer costs: the release server on one
# PostgreSQL database in three set-ups, each on a port of its own, measured in turns with
# the same wrk load, alternating, so that drift between minutes falls on all three alike:
#   A  direct to PostgreSQL, prepared statements kept per connection (the default)
#   B  direct, DATABASE_PREPARED_STATEMENTS=false (each statement parsed and planned again)
#   C  through PgBouncer in transaction pooling mode (8 server connections), prepared off
# Two reads: GET /api/v1/volunteers/{id} of random ids, and a name search with its count
# and page (GET /api/v1/volunteers?q=...). Prints req/s and p99 per set-up (the median of
# ROUNDS turns) and each one's ratio to A. No targets: it is the measure behind the README.
#
#   bash benches/pgbouncer.sh                     # about 3 minutes after the build
#   DURATION=5 ROUNDS=1 bash benches/pgbouncer.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
DB="vh_pgbouncer_bench_$$"
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
BOUNCER_PORT=${PGBOUNCER_PORT:-16433}
PASSWORD='a long benchmark password'
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
for tool in wrk psql curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool"; exit 2; }
done
# shellcheck source=../.ci/pgbouncer/start.sh
. .ci/pgbouncer/start.sh

cargo build --release --quiet --bin volunteer-hours
BIN="$CARGO_TARGET_DIR/release/volunteer-hours"
WORK=$(mktemp -d)
SERVERS=()
cleanup() {
  for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_pgbouncer "$WORK"
  psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

DIRECT="postgres://postgres@$PGHOST:$PGPORT/$DB"
psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -qc "CREATE DATABASE $DB"
DATABASE_URL="$DIRECT" RUST_LOG=warn "$BIN" seed >/dev/null
psql "$DIRECT" -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO branches (code, name, parent_id, search_text)
SELECT 'BENCH', '压测支部', id, 'bench' FROM branches WHERE code = 'JGDW';
INSERT INTO volunteers (name, branch_id, search_text)
SELECT '志愿者' || g, (SELECT id FROM branches WHERE code = 'BENCH'), '志愿者' || g
FROM generate_series(1, 5000) g;
ANALYZE;
SQL
FIRST=$(psql "$DIRECT" -Atc "SELECT min(id) FROM volunteers")
COUNT=$(psql "$DIRECT" -Atc "SELECT count(*) FROM volunteers")
VOLUNTEER_HOURS_PASSWORD="$PASSWORD" DATABASE_URL="$DIRECT" "$BIN" create-user --username bench.admin --role admin >/dev/null
start_pgbouncer "$WORK" "$DB" "$BOUNCER_PORT" 8 >/dev/null

SECRET="pgbouncer-bench-only-$$-0123456789abcdef0123456789"
serve() { # name port url prepared
  env DATABASE_URL="$3" DATABASE_PREPARED_STATEMENTS="$4" DATABASE_POOL_SIZE=8 \
    BIND_ADDRESS="127.0.0.1:$2" JWT_SECRET="$SECRET" RUST_LOG=warn \
    "$BIN" serve >"$WORK/$1.log" 2>&1 &
  SERVERS+=("$!")
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$2/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server $1 did not start"; cat "$WORK/$1.log"; exit 1
}
serve A 18301 "$DIRECT" true
serve B 18302 "$DIRECT" false
serve C 18303 "postgres://postgres@127.0.0.1:$BOUNCER_PORT/$DB" false
TOKEN=$(curl -fs -X POST http://127.0.0.1:18301/api/v1/auth/login -H 'content-type: application/json' \
  -d "{\"username\":\"bench.admin\",\"password\":\"$PASSWORD\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
declare -A RPS P99
for round in $(seq "$ROUNDS"); do
  for load in read search; do
    for s in A B C; do
      port=$((18300 + $(printf '%d' "'$s") - 64))
      out="$WORK/$s-$load-$round.out"
      if [ "$load" = read ]; then
        wrk -t 1 -c "$CONNECTIONS" -d "${DURATION}s" -s benches/wrk/read.lua "http://127.0.0.1:$port" \
          -- "$TOKEN" "$FIRST" "$COUNT" >"$out"
      else
        wrk -t 1 -c "$CONNECTIONS" -d "${DURATION}s" -s benches/wrk/search.lua "http://127.0.0.1:$port" \
          -- "$TOKEN" >"$out"
      fi
      bad=$(awk '$1 == "status" && $2 != 200 {n += $3} END {print n + 0}' "$out")
      [ "$bad" = 0 ] || { echo "$s $load: $bad answers other than 200"; cat "$out"; exit 1; }
      RPS[$s-$load]="${RPS[$s-$load]:-} $(awk '/Requests\/sec/ {print int($2)}' "$out")"
      P99[$s-$load]="${P99[$s-$load]:-} $(calc "$(field p99_us "$out") / 1000" 2)"
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "$ROUNDS rounds of ${DURATION} s per set-up and read, $CONNECTIONS connections, pool 8, $(nproc) cores"
printf '%-44s %-8s %10s %9s %8s %8s\n' "set-up" read "req/s" "p99 ms" "x A" "p99 x A"
for load in read search; do
  a_rps=$(echo "${RPS[A-$load]}" | median); a_p99=$(echo "${P99[A-$load]}" | median)
  for s in A B C; do
    case $s in
      A) name="A direct, prepared statements" ;;
      B) name="B direct, DATABASE_PREPARED_STATEMENTS=false" ;;
      C) name="C PgBouncer (transaction), prepared off" ;;
    esac
    rps=$(echo "${RPS[$s-$load]}" | median); p99=$(echo "${P99[$s-$load]}" | median)
    printf '%-44s %-8s %10s %9s %8s %8s\n' "$name" "$load" "$rps" "$p99" \
      "$(calc "$rps / $a_rps" 2)" "$(calc "$p99 / $a_p99" 2)"
  done
done
for s in A B C; do
  if grep -E ' ERROR |panicked' "$WORK/$s.log"; then echo "server $s logged errors"; exit 1; fi
done
