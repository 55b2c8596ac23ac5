#!/usr/bin/env python3
"""A year's paper records brought in: ROWS hour entries (100 volunteers x ROWS/100 days, an hour
each) imported from one CSV file, against the same entries sent as rosters of 100 in
ROWS/100 requests (each with its Idempotency-Key, one after the other, as a secretary's app
would), against the release build on PostgreSQL.

Both go through the same rules of recording hours (one per volunteer, event and day, no
overlap, 24 hours a day). The rosters go first, to an event of their own; the import then
finds their entries stored (so the import checks against more data than the rosters did:
the comparison leans against it). Prints the rosters' total time, the import's dry run and
real run, and the ratio; PASS when the real import takes at most the rosters' time.

    python3 benches/import_vs_rosters.py            # 10,000 rows
    ROWS=2000 python3 benches/import_vs_rosters.py

Needs psql and a PostgreSQL at PGURL (default postgres://postgres@127.0.0.1:5432); makes a
database of its own and drops it at the end. Python's standard library only.
"""

import datetime
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PGURL = os.environ.get("PGURL", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("PORT", "18384"))
ROWS = int(os.environ.get("ROWS", "10000"))
VOLUNTEERS = 100
DAYS = max(1, ROWS // VOLUNTEERS)
DB = f"vh_import_{os.getpid()}"
PASSWORD = "a long benchmark password"
TARGET_DIR = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def psql(sql, db=DB):
    out = subprocess.run(["psql", f"{PGURL}/{db}", "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def request(method, path, token=None, body=None, key=None, media="application/json"):
    headers = {"accept": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if key:
        headers["idempotency-key"] = key
    if body is not None:
        headers["content-type"] = media
        if media == "application/json":
            body = json.dumps(body)
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


def ok(status, body, what):
    if status >= 300:
        sys.exit(f"{what}: {status} {str(body)[:500]}")
    return body


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "volunteer-hours"],
                   cwd=ROOT, check=True)
    binary = os.path.join(TARGET_DIR, "release", "volunteer-hours")
    psql(f"CREATE DATABASE {DB}", db="postgres")
    work = tempfile.mkdtemp()
    server = None
    try:
        env = dict(os.environ, DATABASE_URL=f"{PGURL}/{DB}", RUST_LOG="warn",
                   BIND_ADDRESS=f"127.0.0.1:{PORT}",
                   JWT_SECRET="a benchmark signing secret of at least 32 bytes",
                   PASSWORD_HASH_MEMORY_KIB="64", PASSWORD_HASH_ITERATIONS="1",
                   VOLUNTEER_HOURS_PASSWORD=PASSWORD, MAX_BODY_BYTES="16777216")
        subprocess.run([binary, "seed"], env=env, check=True, capture_output=True)
        subprocess.run([binary, "create-user", "--username", "bench.admin", "--role", "admin"],
                       env=env, check=True, capture_output=True)
        first = datetime.date(2022, 3, 1)
        last = first + datetime.timedelta(days=DAYS)
        # 100 volunteers; two events of 2022 over the days, one for the rosters, one for the import
        psql(f"""
            INSERT INTO volunteers (name, branch_id, status, volunteer_number, search_text)
            SELECT '志愿者' || g, (SELECT id FROM branches WHERE code = 'JGDW'), 'active',
                   'IMP-' || g, '志愿者' || g FROM generate_series(1, {VOLUNTEERS}) g;
            INSERT INTO events (title, category, organiser_branch_id, starts_at, ends_at,
                                status, search_text)
            SELECT t, 'other', (SELECT id FROM branches WHERE code = 'JGDW'),
                   TIMESTAMP '{first}' - INTERVAL '8 hours', TIMESTAMP '{last}' - INTERVAL '8 hours',
                   'open', t FROM (VALUES ('名册录入'), ('历史导入')) v(t);
            INSERT INTO event_plan_items (event_id, plan_item_id)
            SELECT e.id, (SELECT min(i.id) FROM plan_items i JOIN plans p ON p.id = i.plan_id
                          WHERE p.year = 2022) FROM events e;
            ANALYZE;""")
        rosters_event, import_event = (int(x) for x in psql("SELECT id FROM events ORDER BY id").split())
        ids = {int(n.split("|")[1]): int(n.split("|")[0]) for n in psql(
            "SELECT id || '|' || substr(volunteer_number, 5) FROM volunteers "
            "WHERE volunteer_number LIKE 'IMP-%'").split()}
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
        s, b = request("POST", "/api/v1/auth/login",
                       body={"username": "bench.admin", "password": PASSWORD})
        token = ok(s, b, "login")["access_token"]
        days = [first + datetime.timedelta(days=d) for d in range(DAYS)]
        print(f"{DAYS * VOLUNTEERS} entries ({VOLUNTEERS} volunteers x {DAYS} days); "
              f"PostgreSQL {psql('SHOW server_version')}")

        # the rosters: one request of 100 entries per day
        t0 = time.perf_counter()
        for day in days:
            roster = {"entries": [{"volunteer_id": ids[v], "minutes": 60, "service_date": str(day)}
                                  for v in range(1, VOLUNTEERS + 1)]}
            ok(*request("POST", f"/api/v1/events/{rosters_event}/hours", token, roster,
                        key=str(uuid.uuid4())), "roster")
        rosters = time.perf_counter() - t0

        # the file: the same entries at the other event
        lines = ["志愿者编号,活动ID,服务日期,服务时长(分钟)"]
        for day in days:
            lines += [f"IMP-{v},{import_event},{day},60" for v in range(1, VOLUNTEERS + 1)]
        csv = ("\n".join(lines) + "\n").encode()
        t0 = time.perf_counter()
        s, b = request("POST", "/api/v1/imports/hours?dry_run=true", token, csv, media="text/csv")
        dry = time.perf_counter() - t0
        ok(s, b, "dry run")
        assert b["created"] == DAYS * VOLUNTEERS, b
        t0 = time.perf_counter()
        s, b = request("POST", "/api/v1/imports/hours", token, csv, key=str(uuid.uuid4()),
                       media="text/csv")
        real = time.perf_counter() - t0
        ok(s, b, "import")
        stored = int(psql(f"SELECT count(*) FROM hour_entries WHERE event_id = {import_event}"))
        assert stored == DAYS * VOLUNTEERS, stored
        ratio = real / rosters
        print(f"rosters of {VOLUNTEERS} ({DAYS} requests): {rosters:7.2f} s")
        print(f"import, dry run (one file):   {dry:7.2f} s")
        print(f"import (one file, {len(csv) // 1024} KiB):     {real:7.2f} s")
        print(f"ratio import / rosters:       {ratio:7.2f}x (target <= 1.0x)")
        print("PASS" if ratio <= 1.0 else "FAIL")
        return 0 if ratio <= 1.0 else 1
    finally:
        if server:
            server.terminate()
            server.wait()
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", db="postgres")


if __name__ == "__main__":
    sys.exit(main())
