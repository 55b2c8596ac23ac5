"""Schemathesis hooks for .ci/fuzz/run: keep the fuzzing accounts usable for the whole run.

An administrator may legitimately change any account's password, role or state, and the
fuzzer, logged in as one, would sooner or later lock itself out. Changes to the fuzzing
accounts (ids in FUZZ_PROTECTED_USERS) are sent to a demo account instead.
"""

import os
import re

import schemathesis

PROTECTED = {s for s in os.environ.get("FUZZ_PROTECTED_USERS", "").split(",") if s}
STAND_IN = os.environ.get("FUZZ_STAND_IN_USER", "")


def _targets_protected_account(case) -> bool:
    return (
        case.method.upper() in ("PATCH", "DELETE", "POST", "PUT")
        and case.operation.path.startswith("/api/v1/users/{id}")
        and str((case.path_parameters or {}).get("id")) in PROTECTED
    )


# The form of If-Match in the spec (src/http.rs, IF_MATCH_PATTERN).
IF_MATCH = re.compile(r'^(\*|(W/)?"[0-9]{1,18}")$')


def _positive(case) -> bool:
    meta = getattr(case, "_meta", None)
    return meta is not None and str(meta.generation.mode) == "positive"


@schemathesis.hook
def before_call(context, case, kwargs):
    if _targets_protected_account(case):
        case.path_parameters["id"] = STAND_IN
    # Schemathesis 4.32's coverage phase can put a value outside the header's pattern (seen:
    # `If-Match: 0`) into a case it counts as positive, and then reports the 400 as a
    # schema-valid request rejected. Such a case is sent as the schema says: `*`.
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "if-match" and _positive(case) and not IF_MATCH.match(str(headers[name])):
            case.headers[name] = "*"
