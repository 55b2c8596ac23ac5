#!/usr/bin/env python3
"""Reads against a running server with a replica, while the replica is stopped and started
again (by .ci/replica/start.sh's replica_down and replica_up, run through bash): every
answer checked, /ready's replica part followed, the server's log read for the warning and
the recovery. Standard library only.

Usage: REPLICA_DIR=DIR fallback.py BASE_URL SERVER_LOG
"""

import json
import os
import subprocess
import sys
import time
from urllib.error import HTTPError
from urllib.request import Request, urlopen

BASE = sys.argv[1].rstrip("/")
LOG = sys.argv[2]
DIR = os.environ["REPLICA_DIR"]
PASSWORD = "demo-password-2022"


def call(method, path, token=None, body=None, expect=200, raw=False):
    headers = {"Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    data = None if body is None else json.dumps(body).encode()
    req = Request(BASE + path, data=data, method=method, headers=headers)
    started = time.monotonic()
    try:
        with urlopen(req, timeout=30) as resp:
            status, text = resp.status, resp.read().decode()
    except HTTPError as e:
        status, text = e.code, e.read().decode()
    took = time.monotonic() - started
    if status != expect:
        raise SystemExit(f"FAIL {method} {path}: {status}, expected {expect}: {text}")
    return (text if raw else json.loads(text)), took


def replica_state():
    body, _ = call("GET", "/ready")
    return body["replica"]


def becomes(state, within=20):
    start = time.monotonic()
    while True:
        r = replica_state()
        if r["state"] == state:
            print(f"  /ready after {time.monotonic() - start:.1f} s: {r}")
            return r
        if time.monotonic() - start > within:
            raise SystemExit(f"FAIL: the replica never became {state}: {r}")
        time.sleep(0.2)


def reads(token):
    """HR's list, report and export: what they hold, and the slowest of them."""
    volunteers, t1 = call("GET", "/api/v1/volunteers?limit=100", token)
    report, t2 = call("GET", "/api/v1/reports/totals?group_by=branch", token)
    csv, t3 = call("GET", "/api/v1/exports/totals.csv?group_by=volunteer", token, raw=True)
    lines = [l for l in csv.split("\r\n")[1:] if l and not l.startswith("#")]
    return (volunteers["total"], report["overall"], len(lines)), max(t1, t2, t3)


def sh(command):
    subprocess.run(["bash", "-c", f". .ci/replica/start.sh && {command} {DIR}"], check=True)


def logged(text, times=1, within=10):
    """Whether the server's log holds `text` `times` times, waiting up to `within` s."""
    start = time.monotonic()
    while True:
        with open(LOG, encoding="utf-8") as f:
            if f.read().count(text) >= times:
                return True
        if time.monotonic() - start > within:
            return False
        time.sleep(0.2)


hr = call("POST", "/api/v1/auth/login", body={"username": "hr.officer", "password": PASSWORD})[0][
    "access_token"
]
r = becomes("streaming")
assert r["reads"] == "replica", r
# the demo data reached the replica: what HR reads there is the whole of it
start = time.monotonic()
while True:
    seen, _ = reads(hr)
    if seen[0] > 0 and seen[2] > 0:
        break
    if time.monotonic() - start > 10:
        raise SystemExit(f"FAIL: the replica never showed the demo data: {seen}")
    time.sleep(0.2)
print(f"  on the replica: {seen[0]} volunteers, {seen[2]} exported rows")
if not logged("the replica is in use"):
    raise SystemExit("FAIL: the server did not log that the replica is in use")

print("stopping the replica")
sh("replica_down")
# the reads go on answering while the monitor notices, and after
slowest = 0.0
start = time.monotonic()
while replica_state()["state"] != "unreachable":
    now, took = reads(hr)
    slowest = max(slowest, took)
    assert now == seen, (now, seen)
    if time.monotonic() - start > 20:
        raise SystemExit("FAIL: /ready never reported the replica unreachable")
r = becomes("unreachable")
assert r["reads"] == "primary" and r["lag_secs"] is None, r
now, took = reads(hr)
assert now == seen, (now, seen)
print(f"  on the primary: the same answers; slowest read while it went away {slowest:.2f} s")
if not logged("the replica cannot be reached: reads go to the primary"):
    raise SystemExit("FAIL: no warning that the replica cannot be reached")

print("starting the replica again")
sh("replica_up")
r = becomes("streaming", within=60)
assert r["reads"] == "replica", r
now, _ = reads(hr)
assert now == seen, (now, seen)
if not logged("the replica is in use", times=2):
    raise SystemExit("FAIL: the server did not log that the replica is in use again")
print("PASS")
