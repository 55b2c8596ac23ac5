"""Schemathesis hooks for .ci/fuzz/run: keep the fuzzing accounts usable for the whole run.

An administrator may legitimately change any account's password, role or state, and the
fuzzer, logged in as one, would sooner or later lock itself out. Changes to the fuzzing
accounts (ids in FUZZ_PROTECTED_USERS) are sent to a demo account instead.
"""

import os

import schemathesis

PROTECTED = {s for s in os.environ.get("FUZZ_PROTECTED_USERS", "").split(",") if s}
STAND_IN = os.environ.get("FUZZ_STAND_IN_USER", "")


def _targets_protected_account(case) -> bool:
    return (
        case.method.upper() in ("PATCH", "DELETE", "POST", "PUT")
        and case.operation.path.startswith("/api/v1/users/{id}")
        and str((case.path_parameters or {}).get("id")) in PROTECTED
    )


@schemathesis.hook
def before_call(context, case, kwargs):
    if _targets_protected_account(case):
        case.path_parameters["id"] = STAND_IN
