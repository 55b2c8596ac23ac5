#!/usr/bin/env python3
"""Fault tests of the server on PostgreSQL: each prints its figures and PASS or FAIL.

1. PostgreSQL stopped in immediate mode in the middle of a read load, then started again:
   during the outage requests answer 503 with Retry-After, none takes longer than the
   configured timeout, and the service recovers by itself within 10 s of the database
   coming back.
2. The pool exhausted by statements stuck behind a lock: requests waiting for a connection
   get 503 within the pool timeout, stuck ones are cancelled at the statement timeout, and
   the service works again once the lock is gone.
3. kill -9 of the server during a stream of roster submissions; after a restart the client
   sends every batch again with its same Idempotency-Key: each batch exists exactly once,
   none partially, and the entries number distinct keys x roster size.
4. Oversized (2 MB), truncated and deeply nested bodies at volume: 413/400/422 only, the
   resident memory stays bounded, and the server keeps serving.

    python3 benches/faults.py            # the full form, release build (about 2 minutes)
    python3 benches/faults.py --short    # the form CI runs (about 40 s)
    python3 benches/faults.py --bin target/debug/volunteer-hours

It restarts the local PostgreSQL cluster (test 1), so it needs to run as root or as the
cluster's owner, with pg_ctlcluster; it makes a database of its own and drops it at the end.
"""

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = os.environ.get("PGPORT", "5432")
PGUSER = os.environ.get("PGUSER", "postgres")
PASSWORD = "a long fault-test password"
VOLUNTEERS = 2000
EVENTS = 3000
TIMEOUT = 2  # DATABASE_TIMEOUT_SECS of the server under test
STATEMENT_TIMEOUT = 3  # DATABASE_STATEMENT_TIMEOUT_SECS


def psql(db, sql, check=True):
    out = subprocess.run(
        ["psql", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, "-d", db, "-Atqc", sql],
        capture_output=True, text=True)
    if check and out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}")
    return out.stdout.strip()


def cluster():
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]
    return version, "main"


def pg_ready():
    return subprocess.run(["pg_isready", "-h", PGHOST, "-p", PGPORT, "-q"]).returncode == 0


class Server:
    def __init__(self, binary, db, port, env):
        self.binary, self.port = binary, port
        self.env = dict(os.environ, DATABASE_URL=f"postgres://{PGUSER}@{PGHOST}:{PGPORT}/{db}?sslmode=disable",
                        BIND_ADDRESS=f"127.0.0.1:{port}", RUST_LOG="warn",
                        LOGIN_RATE_PER_MINUTE="10000", LOGIN_RATE_BURST="10000",
                        DATABASE_TIMEOUT_SECS=str(TIMEOUT),
                        DATABASE_STATEMENT_TIMEOUT_SECS=str(STATEMENT_TIMEOUT), **env)
        self.proc = None
        self.log = open(f"/tmp/vh-faults-{port}.log", "ab")

    def start(self):
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if call(self.port, "GET", "/ready", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not become ready")

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
        return 0

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()


def call(port, method, path, token=None, body=None, headers=None, timeout=15):
    """(status, headers, body bytes, seconds); raises OSError on connection failures."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    if body is not None:
        h.setdefault("Content-Type", "application/json")
        if not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode()
    started = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, time.monotonic() - started
    finally:
        conn.close()


def login(port, username):
    status, _, body, _ = call(port, "POST", "/api/v1/auth/login",
                              body={"username": username, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"login of {username}: {status} {body[:200]}")
    return json.loads(body)["access_token"]


class Result:
    def __init__(self):
        self.failed = False

    def verdict(self, name, ok, text):
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {text}", flush=True)
        self.failed |= not ok


def readers(port, token, first_volunteer, stop, record, threads=6):
    def loop():
        while not stop.is_set():
            vid = first_volunteer + random.randrange(VOLUNTEERS)
            t0 = time.monotonic()
            try:
                status, headers, _, secs = call(port, "GET", f"/api/v1/volunteers/{vid}", token, timeout=30)
                record.append((t0, t0 + secs, status, "retry-after" in headers))
            except OSError as e:
                record.append((t0, time.monotonic(), f"error {type(e).__name__}", False))
                time.sleep(0.05)
    pool = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    return pool


def test_restart(res, server, token, first_volunteer, outage):
    print(f"== 1. PostgreSQL stopped (immediate) for {outage} s under a read load, then started", flush=True)
    version, name = cluster()
    record, stop = [], threading.Event()
    pool = readers(server.port, token, first_volunteer, stop, record)
    time.sleep(2)
    down = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "immediate"],
                   check=True, capture_output=True)
    time.sleep(outage)
    restart = time.monotonic()
    starting = subprocess.Popen(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not pg_ready():
        time.sleep(0.02)
    back = time.monotonic()
    starting.wait()
    time.sleep(12)
    stop.set()
    for t in pool:
        t.join()
    during = [r for r in record if down + 0.2 <= r[0] and r[1] <= restart]
    statuses = {}
    for r in during:
        statuses[r[2]] = statuses.get(r[2], 0) + 1
    bad_during = [r for r in during if r[2] != 503 or not r[3]]
    slowest = max((r[1] - r[0] for r in record), default=0)
    failures_after = [r for r in record if r[1] > back and r[2] != 200]
    recovered = max((r[1] for r in failures_after), default=back) - back
    ok_after = sum(1 for r in record if r[0] > back + recovered and r[2] == 200)
    waits = sorted(r[1] - r[0] for r in during)
    median = waits[len(waits) // 2] * 1000 if waits else 0
    print(f"outage {back - down:.1f} s: {len(during)} requests while it was down {statuses}, median "
          f"{median:.1f} ms; slowest request "
          f"{slowest:.2f} s (timeout {TIMEOUT} s); last failure {recovered:.2f} s after the database was back, "
          f"{ok_after} successes since", flush=True)
    res.verdict("outage answers", len(during) > 0 and not bad_during,
                f"{len(during) - len(bad_during)}/{len(during)} were 503 with Retry-After")
    res.verdict("no hang", slowest <= TIMEOUT + 1.5, f"slowest {slowest:.2f} s (limit {TIMEOUT + 1.5} s)")
    res.verdict("recovery", recovered <= 10 and ok_after > 0, f"{recovered:.2f} s (target <= 10 s)")


def test_pool(res, server, token, db, first_volunteer, pool_size):
    print(f"== 2. all {pool_size} pooled connections stuck behind a lock", flush=True)
    locker = subprocess.Popen(
        ["psql", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, "-d", db, "-qc",
         f"BEGIN; LOCK TABLE volunteers IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({STATEMENT_TIMEOUT + 3}); COMMIT;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    results = []

    def one():
        vid = first_volunteer + random.randrange(VOLUNTEERS)
        try:
            status, headers, _, secs = call(server.port, "GET", f"/api/v1/volunteers/{vid}", token, timeout=30)
            results.append((status, "retry-after" in headers, secs))
        except OSError as e:
            results.append((type(e).__name__, False, 0))

    threads = [threading.Thread(target=one) for _ in range(pool_size * 4)]
    for t in threads:
        t.start()
        time.sleep(0.01)
    for t in threads:
        t.join()
    locker.wait()
    waited = [r for r in results if r[0] == 503 and r[2] <= TIMEOUT + 1]
    cancelled = [r for r in results if r[0] == 503 and r[2] > TIMEOUT + 1]
    other = [r for r in results if r[0] != 503 or not r[1]]
    slowest = max(r[2] for r in results)
    print(f"{len(results)} requests: {len(waited)} answered 503 waiting for a connection "
          f"(slowest {max((r[2] for r in waited), default=0):.2f} s), {len(cancelled)} cancelled at the "
          f"statement timeout, {len(other)} other; slowest {slowest:.2f} s", flush=True)
    res.verdict("fast 503", len(waited) >= len(results) - pool_size and not other,
                f"{len(waited)} within {TIMEOUT + 1} s, all with Retry-After")
    res.verdict("bounded", slowest <= STATEMENT_TIMEOUT + TIMEOUT + 1.5,
                f"slowest {slowest:.2f} s (statement timeout {STATEMENT_TIMEOUT} s)")
    status = call(server.port, "GET", f"/api/v1/volunteers/{first_volunteer}", token)[0]
    res.verdict("serves after", status == 200, f"GET after the lock: {status}")


def test_kill9(res, server, token, db, first_event, first_volunteer, batches, size):
    print(f"== 3. kill -9 during {batches} roster submissions of {size}, then every batch resent", flush=True)
    keys = [str(uuid.uuid4()) for _ in range(batches)]

    def body(i):
        start = (i * size) % VOLUNTEERS
        return {"entries": [{"volunteer_id": first_volunteer + (start + j) % VOLUNTEERS, "minutes": 60}
                            for j in range(size)]}

    def send(i):
        """One attempt: the status, or None when the connection failed."""
        try:
            return call(server.port, "POST", f"/api/v1/events/{first_event + i}/hours", token, body(i),
                        {"Idempotency-Key": keys[i]}, timeout=30)[0]
        except OSError:
            return None

    first = {}
    stop = threading.Event()

    def stream(offset):
        for i in range(offset, batches, 4):
            if stop.is_set():
                return
            first[i] = send(i)

    threads = [threading.Thread(target=stream, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    while len(first) < batches // 3:
        time.sleep(0.01)
    server.kill9()
    stop.set()
    for t in threads:
        t.join()
    before = int(psql(db, f"SELECT count(*) FROM hour_entries WHERE event_id >= {first_event}"))
    answered = sum(1 for s in first.values() if s == 201)
    server.start()
    token = login(server.port, "fault.secretary")
    replays, statuses = 0, {}
    for i in range(batches):
        for attempt in range(50):
            status, headers = None, {}
            try:
                status, headers, _, _ = call(server.port, "POST", f"/api/v1/events/{first_event + i}/hours",
                                             token, body(i), {"Idempotency-Key": keys[i]}, timeout=30)
            except OSError:
                pass
            if status == 201:
                replays += headers.get("idempotent-replayed") == "true"
                break
            statuses[status] = statuses.get(status, 0) + 1
            time.sleep(0.2)
    per_event = psql(db, f"SELECT count(*), count(*) FILTER (WHERE n <> {size}), coalesce(sum(n), 0) FROM "
                         f"(SELECT event_id, count(*) AS n FROM hour_entries WHERE event_id >= {first_event} "
                         f"GROUP BY event_id) e").split("|")
    events, partial, rows = int(per_event[0]), int(per_event[1]), int(per_event[2])
    keys_stored = int(psql(db, "SELECT count(*) FROM idempotency_keys WHERE key IN ("
                               + ",".join(f"'{k}'" for k in keys) + ")"))
    print(f"before the kill {answered} batches answered 201, {before} rows committed; after resending: "
          f"{events} batches, {rows} rows, {partial} partial, {keys_stored} keys stored, {replays} replays, "
          f"retries on {statuses}", flush=True)
    res.verdict("exactly once", events == batches and partial == 0 and rows == batches * size
                and keys_stored == batches,
                f"{rows} rows = {batches} keys x {size}, no partial batch")
    return token


def test_bodies(res, server, token, first_event, seconds):
    print(f"== 4. oversized, truncated and deeply nested bodies for {seconds} s", flush=True)
    big = b'{"entries": [' + b'{"volunteer_id": 1, "minutes": 60},' * 60000 + b'{}]}'
    bodies = [
        ("2 MB", big[:2 * 1024 * 1024], {413}),
        ("truncated", b'{"entries": [{"volunteer_id": 1, "minut', {400}),
        ("deep", b'{"entries": ' + b"[" * 100000 + b"]" * 100000 + b"}", {400}),
        ("wrong shape", b'{"entries": "many"}', {422}),
    ]
    rss_before = server.rss_mb()
    counts, unexpected, errors = {}, [], []
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            name, data, expected = random.choice(bodies)
            try:
                status = call(server.port, "POST", f"/api/v1/events/{first_event}/hours", token, data,
                              {"Idempotency-Key": str(uuid.uuid4())}, timeout=30)[0]
            except OSError as e:
                # the server may close the connection after answering 413 before reading 2 MB
                if name == "2 MB":
                    status = 413
                else:
                    errors.append(f"{name}: {type(e).__name__}")
                    continue
            counts[(name, status)] = counts.get((name, status), 0) + 1
            if status not in expected:
                unexpected.append((name, status))

    threads = [threading.Thread(target=loop) for _ in range(4)]
    peak = rss_before
    for t in threads:
        t.start()
    end = time.time() + seconds
    while time.time() < end:
        peak = max(peak, server.rss_mb())
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join()
    rss_after = server.rss_mb()
    status = call(server.port, "GET", "/api/v1/events?limit=1", token)[0]
    total = sum(counts.values())
    print(f"{total} bodies: " + ", ".join(f"{n} -> {s}: {c}" for (n, s), c in sorted(counts.items()))
          + f"; RSS {rss_before} MB before, peak {peak} MB, {rss_after} MB after", flush=True)
    res.verdict("refused as expected", total > 0 and not unexpected and not errors,
                f"{len(unexpected)} unexpected statuses, {len(errors)} connection errors {errors[:3]}")
    res.verdict("memory bounded", peak <= rss_before + 100, f"peak {peak} MB (limit {rss_before + 100} MB)")
    res.verdict("keeps serving", status == 200, f"GET afterwards: {status}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--short", action="store_true", help="the shorter form CI runs")
    parser.add_argument("--bin", help="the server binary (default: a release build)")
    parser.add_argument("--port", type=int, default=18383)
    args = parser.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    binary = args.bin
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "volunteer-hours"], check=True)
        target = os.environ.get("CARGO_TARGET_DIR", "target")
        binary = os.path.join(target, "release", "volunteer-hours")
    db = f"vh_faults_{os.getpid()}"
    psql("postgres", f"CREATE DATABASE {db}")
    server = None
    res = Result()
    try:
        url = f"postgres://{PGUSER}@{PGHOST}:{PGPORT}/{db}?sslmode=disable"
        env = dict(os.environ, DATABASE_URL=url, RUST_LOG="warn", VOLUNTEER_HOURS_PASSWORD=PASSWORD)
        subprocess.run([binary, "seed"], env=env, check=True, stdout=subprocess.DEVNULL)
        psql(db, f"""
            INSERT INTO branches (code, name, parent_id, search_text)
              SELECT 'FAULT', '故障测试支部', id, 'fault' FROM branches WHERE code = 'JGDW';
            INSERT INTO volunteers (name, branch_id, search_text)
              SELECT '志愿者' || g, (SELECT id FROM branches WHERE code = 'FAULT'), '志愿者' || g
              FROM generate_series(1, {VOLUNTEERS}) g;
            INSERT INTO events (title, category, organiser_branch_id, starts_at, ends_at, status, search_text)
              SELECT '活动' || g, 'lei_feng_day', (SELECT id FROM branches WHERE code = 'FAULT'),
                     TIMESTAMP '2022-01-01 01:00' + (g % 365) * INTERVAL '1 day',
                     TIMESTAMP '2022-01-01 09:00' + (g % 365) * INTERVAL '1 day', 'open', '活动' || g
              FROM generate_series(0, {EVENTS - 1}) g ORDER BY g;""")
        first_volunteer = int(psql(db, "SELECT min(id) FROM volunteers WHERE branch_id = "
                                       "(SELECT id FROM branches WHERE code = 'FAULT')"))
        first_event = int(psql(db, "SELECT min(id) FROM events WHERE organiser_branch_id = "
                                   "(SELECT id FROM branches WHERE code = 'FAULT')"))
        subprocess.run([binary, "create-user", "--username", "fault.secretary", "--role", "secretary",
                        "--branch", "FAULT"], env=env, check=True, stdout=subprocess.DEVNULL)
        pool_size = 4
        server = Server(binary, db, args.port, {"DATABASE_POOL_SIZE": str(pool_size)})
        server.start()
        token = login(args.port, "fault.secretary")
        print(f"server {binary}, pool {pool_size}, DATABASE_TIMEOUT_SECS={TIMEOUT}, "
              f"DATABASE_STATEMENT_TIMEOUT_SECS={STATEMENT_TIMEOUT}", flush=True)

        test_restart(res, server, token, first_volunteer, outage=2 if args.short else 5)
        test_pool(res, server, token, db, first_volunteer, pool_size)
        token = test_kill9(res, server, token, db, first_event, first_volunteer,
                           batches=40 if args.short else 200, size=50 if args.short else 100)
        test_bodies(res, server, token, first_event, seconds=4 if args.short else 15)
    finally:
        if server:
            server.stop()
        if not pg_ready():
            version, name = cluster()
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"])
        psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", check=False)
    print("FAIL" if res.failed else "PASS")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
