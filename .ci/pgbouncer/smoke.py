#!/usr/bin/env python3
"""The suite's smoke path through a running server: login, a roster (sent twice with one
Idempotency-Key), its review, the totals report, and concurrent reads; every answer
checked. Standard library only.

Usage: smoke.py BASE_URL
"""

import json
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.error import HTTPError
from urllib.request import Request, urlopen

BASE = sys.argv[1].rstrip("/")
PASSWORD = "demo-password-2022"


def call(method, path, token=None, body=None, key=None, expect=200):
    headers = {"Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key
    data = None if body is None else json.dumps(body).encode()
    req = Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urlopen(req, timeout=30) as resp:
            status, text = resp.status, resp.read().decode()
    except HTTPError as e:
        status, text = e.code, e.read().decode()
    if status != expect:
        raise SystemExit(f"FAIL {method} {path}: {status}, expected {expect}: {text}")
    return json.loads(text) if text else None


def login(username):
    return call("POST", "/api/v1/auth/login", body={"username": username, "password": PASSWORD})[
        "access_token"
    ]


admin = login("admin")
secretary = login("zb01.secretary")
branch = next(b for b in call("GET", "/api/v1/branches?limit=200", admin)["items"] if b["code"] == "ZB01")
item8 = next(
    i
    for i in call("GET", "/api/v1/plan-items?year=2022&limit=200", admin)["items"]
    if i["number"] == 8
)
event = call(
    "POST",
    "/api/v1/events",
    secretary,
    {
        "title": "国际志愿者日：经由连接池的登记",
        "category": "international_volunteer_day",
        "organiser_branch_id": branch["id"],
        "starts_at": "2022-12-05T01:00:00Z",
        "ends_at": "2022-12-05T03:00:00Z",
        "plan_item_ids": [item8["id"]],
    },
    key=str(uuid.uuid4()),
    expect=201,
)
volunteers = call("GET", f"/api/v1/volunteers?branch_id={branch['id']}&limit=3", secretary)["items"]
assert len(volunteers) == 3, volunteers
roster = {"entries": [{"volunteer_id": v["id"], "minutes": 90 + 10 * n} for n, v in enumerate(volunteers)]}
key = str(uuid.uuid4())
first = call("POST", f"/api/v1/events/{event['id']}/hours", secretary, roster, key=key, expect=201)
again = call("POST", f"/api/v1/events/{event['id']}/hours", secretary, roster, key=key, expect=201)
assert first == again, "the replay answered differently"
ids = [e["id"] for e in first["entries"]]
listed = call("GET", f"/api/v1/hours?event_id={event['id']}&limit=50", admin)
assert listed["total"] == 3, listed
call("POST", "/api/v1/hours/review", admin, {"action": "approve", "ids": ids})
assert all(call("GET", f"/api/v1/hours/{i}", admin)["status"] == "approved" for i in ids)
totals = call("GET", "/api/v1/reports/totals?group_by=event&from=2022-12-01&to=2022-12-31", admin)
row = next(r for r in totals["rows"] if r["event_id"] == event["id"])
assert row["total_minutes"] == 90 + 100 + 110, row


def read(n):
    v = volunteers[n % len(volunteers)]
    return call("GET", f"/api/v1/volunteers/{v['id']}", admin)["id"] == v["id"]


with ThreadPoolExecutor(max_workers=16) as pool:
    reads = list(pool.map(read, range(400)))
assert all(reads)
print(
    f"smoke path passed: login, event {event['id']}, roster of 3 (replayed once), "
    f"approved, totals {row['total_minutes']} min, {len(reads)} concurrent reads"
)
