"""A short script on the client that openapi-python-client generates from openapi/openapi.json.

It logs in, lists volunteers, submits a roster with an Idempotency-Key (and sends it again, as
a client would after a timeout, to show that the retry is answered from the first request),
and downloads the totals as CSV.

    openapi-python-client generate --path openapi/openapi.json --meta none \
        --config .ci/spec/openapi-python-client.yaml --output-path /tmp/gen/volunteer_hours_client
    PYTHONPATH=/tmp/gen python clients/python/example.py

Environment: VH_BASE_URL (e.g. http://127.0.0.1:8080), VH_USERNAME and VH_PASSWORD (a
secretary's account), VH_EVENT_ID and VH_VOLUNTEER_ID (whose hours to submit; by default event
8 and the first volunteer listed).
"""

import os
import sys
import uuid
from typing import Any, NoReturn

import httpx

from volunteer_hours_client import AuthenticatedClient, Client
from volunteer_hours_client.api.auth import login
from volunteer_hours_client.api.hours import submit_hours
from volunteer_hours_client.api.reports import totals_csv
from volunteer_hours_client.api.volunteers import list_volunteers
from volunteer_hours_client.models import (
    EntryInput,
    LoginRequest,
    PageVolunteerResponse,
    Problem,
    Roster,
    SubmissionResponse,
    TokenResponse,
)
from volunteer_hours_client.types import Response


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name) or default
    if not value:
        sys.exit(f"set {name}")
    return value


def fail(what: str, response: Response[Any]) -> NoReturn:
    """Problems are told apart by their stable `type`; quote X-Request-Id when reporting one."""
    problem = response.parsed
    reason = f"{problem.type_}: {problem.detail}" if isinstance(problem, Problem) else ""
    request_id = response.headers.get("X-Request-Id", "-")
    sys.exit(f"{what}: HTTP {response.status_code} {reason} (X-Request-Id {request_id})")


base_url = env("VH_BASE_URL")
timeout = httpx.Timeout(30.0)

# 1. Log in; the access token goes on every later request.
answer = login.sync_detailed(
    client=Client(base_url=base_url, timeout=timeout),
    body=LoginRequest(username=env("VH_USERNAME"), password=env("VH_PASSWORD")),
)
if not isinstance(answer.parsed, TokenResponse):
    fail("log in", answer)
tokens = answer.parsed
print(f"logged in as {tokens.user.username} ({tokens.user.role.value})")

with AuthenticatedClient(base_url=base_url, token=tokens.access_token, timeout=timeout) as api:
    # 2. List volunteers: the first page of those in the caller's scope.
    listed = list_volunteers.sync_detailed(client=api, limit=20)
    if not isinstance(listed.parsed, PageVolunteerResponse):
        fail("list volunteers", listed)
    page = listed.parsed
    print(f"{page.total} volunteers; first: {page.items[0].name if page.items else 'none'}")

    # 3. Submit a roster: one fresh Idempotency-Key per submission, the same on every retry.
    event_id = int(env("VH_EVENT_ID", "8"))
    volunteer_id = int(env("VH_VOLUNTEER_ID", str(page.items[0].id) if page.items else None))
    key = str(uuid.uuid4())
    roster = Roster(entries=[EntryInput(volunteer_id=volunteer_id, minutes=120, role="引导员")])
    first = submit_hours.sync_detailed(event_id, client=api, body=roster, idempotency_key=key)
    if not isinstance(first.parsed, SubmissionResponse):
        fail("submit the roster", first)
    retry = submit_hours.sync_detailed(event_id, client=api, body=roster, idempotency_key=key)
    if not isinstance(retry.parsed, SubmissionResponse):
        fail("retry the roster", retry)
    ids = [entry.id for entry in first.parsed.entries]
    if [entry.id for entry in retry.parsed.entries] != ids:
        sys.exit("the retry recorded the roster a second time")
    replayed = retry.headers.get("Idempotent-Replayed")
    print(f"submitted entries {', '.join(map(str, ids))} to event {event_id}; retry replayed: {replayed}")

    # 4. Download the totals as CSV (UTF-8 with a BOM, for Excel).
    csv = totals_csv.sync_detailed(client=api, group_by="branch,month")
    if csv.status_code != 200:
        fail("download the CSV", csv)
    text = csv.content.decode("utf-8-sig")
    disposition = csv.headers.get("Content-Disposition", "no Content-Disposition")
    print(f"CSV: {len(text.splitlines())} lines ({disposition})")
