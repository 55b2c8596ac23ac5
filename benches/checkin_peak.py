#!/usr/bin/env python3
"""The minute an event starts: VOLUNTEERS admitted volunteers check in within SPREAD seconds,
and later check out, against the release build on PostgreSQL.

Each volunteer is a phone of its own: its own account and token, a new connection per
request, a fresh Idempotency-Key, the code read off the organiser's screen (refreshed as it
rotates). Arrivals crowd the first seconds (beta(1, 3) over SPREAD: half of them in the
first 15 % of it). Ten volunteers first mistype their code: those 422s are the intended
errors. Side by side, in the same run and with the same arrival schedule, the floor: an
authenticated `GET /api/v1/auth/me` (the cheapest request with a bearer check). Between the
phases the check-ins are moved two hours into the past in the database, so that each
check-out makes a real hour entry through every rule of recording hours.

Prints p50/p99/max of each phase, the errors, the rows written, and PASS/FAIL against the
targets (check-in and check-out p99 < 50 ms; no error but the intended ones); exits 1 if a
target is missed.

    python3 benches/checkin_peak.py                  # about 3 minutes after the build
    VOLUNTEERS=100 SPREAD=10 python3 benches/checkin_peak.py

Needs psql and a PostgreSQL at PGURL (default postgres://postgres@127.0.0.1:5432); makes a
database of its own and drops it at the end. Python's standard library only.
"""

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PGURL = os.environ.get("PGURL", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("PORT", "18383"))
N = int(os.environ.get("VOLUNTEERS", "500"))
SPREAD = float(os.environ.get("SPREAD", "60"))
MISTYPED = min(10, N)
TARGET_P99_MS = 50.0
DB = f"vh_checkin_{os.getpid()}"
SECRET = "a benchmark signing secret of at least 32 bytes"
PASSWORD = "a long benchmark password"
TARGET_DIR = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def psql(sql, db=DB):
    out = subprocess.run(
        ["psql", f"{PGURL}/{db}", "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
        check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()


def request(method, path, token=None, body=None, key=None):
    """One request on a new connection (a phone): (status, body, milliseconds)."""
    headers = {"accept": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if key:
        headers["idempotency-key"] = key
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["content-type"] = "application/json"
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        status = resp.status
    finally:
        conn.close()
    ms = (time.perf_counter() - start) * 1000
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, parsed, ms


def ok(status, body, what):
    if status >= 300:
        sys.exit(f"{what}: {status} {body}")
    return body


def schedule(n, seed):
    rng = random.Random(seed)
    return sorted(SPREAD * rng.betavariate(1, 3) for _ in range(n))


def run_phase(name, tokens, send):
    """Every volunteer sends once, at its arrival time: the latencies and statuses."""
    offsets = schedule(len(tokens), name)
    results = [None] * len(tokens)
    t0 = time.perf_counter() + 0.5

    def one(i):
        delay = t0 + offsets[i] - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        results[i] = send(i, tokens[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def summary(name, results, intended=0):
    ms = sorted(r[1] for r in results)
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
    print(f"  {name:<10} n={len(ms):<4} p50 {statistics.median(ms):6.1f} ms  p99 {p(0.99):6.1f} ms  "
          f"max {ms[-1]:6.1f} ms  statuses {dict(sorted(statuses.items()))}"
          + (f" ({intended} intended 422)" if intended else ""))
    return p(0.99), statuses


def main():
    for tool in ("psql", "cargo"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            sys.exit(f"needs {tool}")
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "volunteer-hours"],
                   cwd=ROOT, check=True)
    binary = os.path.join(TARGET_DIR, "release", "volunteer-hours")
    psql(f"CREATE DATABASE {DB}", db="postgres")
    work = tempfile.mkdtemp()
    server = None
    try:
        env = dict(os.environ, DATABASE_URL=f"{PGURL}/{DB}", RUST_LOG="warn",
                   BIND_ADDRESS=f"127.0.0.1:{PORT}", JWT_SECRET=SECRET,
                   # accounts are made and logged in by the hundred before the measure:
                   # cheap hashing there, and no per-address login limit (one address)
                   PASSWORD_HASH_MEMORY_KIB="64", PASSWORD_HASH_ITERATIONS="1",
                   LOGIN_RATE_PER_MINUTE="10000", LOGIN_RATE_BURST="10000",
                   VOLUNTEER_HOURS_PASSWORD=PASSWORD)
        subprocess.run([binary, "seed"], env=env, check=True, capture_output=True)
        subprocess.run([binary, "create-user", "--username", "bench.admin", "--role", "admin"], env=env,
                       check=True, capture_output=True)
        # one branch of N volunteers; the event starts now, for three hours, sign-up open
        psql(f"""
            INSERT INTO branches (code, name, parent_id, search_text)
            SELECT 'BENCH', '压测支部', id, 'bench' FROM branches WHERE code = 'JGDW';
            INSERT INTO volunteers (name, branch_id, status, volunteer_number, search_text)
            SELECT '志愿者' || g, (SELECT id FROM branches WHERE code = 'BENCH'), 'active',
                   'B' || g, '志愿者' || g FROM generate_series(1, {N}) g;
            INSERT INTO events (title, category, organiser_branch_id, starts_at, ends_at,
                                status, capacity, signup_mode, signup_closes_at, search_text)
            SELECT '签到高峰', 'lei_feng_day', id, now() AT TIME ZONE 'utc',
                   (now() AT TIME ZONE 'utc') + INTERVAL '3 hours', 'open', {N}, 'open',
                   (now() AT TIME ZONE 'utc') + INTERVAL '3 hours', '签到高峰'
            FROM branches WHERE code = 'BENCH';
            INSERT INTO event_plan_items (event_id, plan_item_id)
            SELECT (SELECT max(id) FROM events), min(id) FROM plan_items;
            ANALYZE;""")
        event = int(psql("SELECT max(id) FROM events"))
        volunteers = [int(v) for v in psql(
            "SELECT id FROM volunteers WHERE volunteer_number LIKE 'B%' ORDER BY id").split()]
        log = open(os.path.join(work, "server.log"), "w")
        server = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)
        for _ in range(200):
            try:
                if request("GET", "/ready")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            sys.exit("the server did not start")

        _, body, _ = request("POST", "/api/v1/auth/login",
                             body={"username": "bench.admin", "password": PASSWORD})
        admin = ok(_, body, "admin login")["access_token"]
        tokens = []
        for i, v in enumerate(volunteers):
            s, b, _ = request("POST", "/api/v1/users", admin, key=str(uuid.uuid4()), body={
                "username": f"bench.v{i}", "password": PASSWORD, "role": "volunteer",
                "volunteer_id": v})
            ok(s, b, "account")
            s, b, _ = request("POST", "/api/v1/auth/login",
                              body={"username": f"bench.v{i}", "password": PASSWORD})
            tokens.append(ok(s, b, "login")["access_token"])
        print(f"{N} volunteers, arrivals within {SPREAD:.0f} s (half in the first "
              f"{SPREAD * 0.16:.0f} s), one connection per request; PostgreSQL {psql('SHOW server_version')}")

        # the organiser's screen: the current code, refreshed as it rotates
        shown = {"code": None}
        stop = threading.Event()

        def screen():
            while not stop.is_set():
                s, b, _ = request("GET", f"/api/v1/events/{event}/check-in-code", admin)
                if s == 200:
                    shown["code"] = b["code"]
                stop.wait(5)

        threading.Thread(target=screen, daemon=True).start()
        while shown["code"] is None:
            time.sleep(0.05)

        def sign_up(i, token):
            s, _, ms = request("POST", f"/api/v1/events/{event}/signups", token,
                               key=str(uuid.uuid4()))
            return s, ms

        def floor(i, token):
            s, _, ms = request("GET", "/api/v1/auth/me", token)
            return s, ms

        def mistype(i, token):
            wrong = f"{(int(shown['code']) + 1) % 1_000_000:06d}"
            s, _, ms = request("POST", f"/api/v1/events/{event}/check-in", token,
                               {"code": wrong}, key=str(uuid.uuid4()))
            return s, ms

        def with_code(what):
            def send(i, token):
                s, b, ms = request("POST", f"/api/v1/events/{event}/{what}", token,
                                   {"code": shown["code"]}, key=str(uuid.uuid4()))
                return s, ms
            return send

        print("== sign-up (admitted in arrival order)")
        signups = run_phase("signup", tokens, sign_up)
        summary("sign-up", signups)
        print("== the minute the event starts")
        floor_p99, _ = summary("floor", run_phase("floor", tokens, floor))
        wrong = [mistype(i, tokens[i]) for i in range(MISTYPED)]
        in_p99, in_statuses = summary("check-in", run_phase("check-in", tokens, with_code("check-in")))
        # two hours pass
        psql("UPDATE attendance SET checked_in_at = checked_in_at - INTERVAL '2 hours'")
        print("== two hours later, everyone leaves")
        out_p99, out_statuses = summary("check-out", run_phase("check-out", tokens, with_code("check-out")))
        stop.set()

        wrong_ok = all(s == 422 for s, _ in wrong)
        entries = int(psql("SELECT count(*) FROM hour_entries WHERE source = 'check_in'"))
        closed = int(psql("SELECT count(*) FROM attendance WHERE checked_out_at IS NOT NULL "
                          "AND hour_entry_id IS NOT NULL"))
        admitted = int(psql("SELECT count(*) FROM signups WHERE status = 'admitted'"))
        print(f"  mistyped codes: {len(wrong)} sent, statuses {sorted(set(s for s, _ in wrong))}")
        print(f"  rows: {admitted} admitted, {closed} attendances closed with an entry, "
              f"{entries} entries from check-in")
        print(f"  check-in p99 / floor p99: {in_p99 / floor_p99:.1f}x; "
              f"check-out: {out_p99 / floor_p99:.1f}x")
        checks = [
            (f"check-in p99 {in_p99:.1f} ms < {TARGET_P99_MS:.0f} ms", in_p99 < TARGET_P99_MS),
            (f"check-out p99 {out_p99:.1f} ms < {TARGET_P99_MS:.0f} ms", out_p99 < TARGET_P99_MS),
            ("no error but the intended ones",
             in_statuses == {201: N} and out_statuses == {200: N} and wrong_ok),
            (f"every check-out made its entry ({entries} of {N})", entries == N == closed),
        ]
        failed = False
        for text, passed in checks:
            print(f"  {'PASS' if passed else 'FAIL'} {text}")
            failed |= not passed
        sys.exit(1 if failed else 0)
    finally:
        if server:
            server.terminate()
            server.wait()
        subprocess.run(["psql", f"{PGURL}/postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"], capture_output=True)


if __name__ == "__main__":
    main()
