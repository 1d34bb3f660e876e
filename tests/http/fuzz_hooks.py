"""Schemathesis hooks for tests/http/test_fuzz_api.py (loaded through SCHEMATHESIS_HOOKS).

A few rules the API enforces cannot be said in JSON Schema, so docs/openapi.json states them in
words on the parameter, and a generator that only reads the schema will break them with data it
believes valid: a cursor must be one the server signed for this caller and query (the schema
declares its format; no generator can forge its MAC); an appointment's start must be in the
future (the schema cannot name "now"); `from` must not be after `to`, within the route's window
(JSON Schema cannot compare two parameters); daily history is one page, so it takes no cursor
(a query parameter cannot depend on another's value); the audit log takes exactly one of
`patientId` and `actorId`, the patient list at most one of `email` and `name`; a patient has one
identifier per system (JSON Schema's uniqueItems compares whole items, not one key of each); lab
results are checked against the biomarker catalog (and DynamoDB's number range). A
"schema-valid request rejected" failure is dropped only when every detail of the 400 is one of
these; any other rejection fails the run.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import schemathesis

# (field, issue) of the 400 details that only the server can know to be wrong.
UNEXPRESSIBLE = frozenset({("cursor", "invalid"), ("startTime", "out_of_range"), ("from", "after_to"),
                           ("from", "window_too_long"), ("cursor", "not_allowed"),
                           ("patientId", "one_of_patientId_actorId"), ("name", "one_of_email_name"),
                           ("identifiers", "value_error")})


# The staff run's own patient and that patient's refill request (tests/http/test_fuzz_api.py): a
# staff route's valid `userId` and `requestId` are pinned to them, so the fuzzer never disables,
# demotes, edits or decides for an account another suite signs in with, whatever ids it learns
# from responses (the refill queue and the patient list name them).
SUBJECT_ENV = "CLINIC_FUZZ_SUBJECT"
REQUEST_ENV = "CLINIC_FUZZ_REFILL_REQUEST"
_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def unexpressible(detail: dict[str, Any]) -> bool:
    field, issue = detail.get("field"), detail.get("issue")
    # Lab entry checks each result against the biomarker catalog (units, status and category of
    # names outside it): data, not shape.
    catalog = isinstance(field, str) and field.startswith("readings.") and issue == "refused"
    # ... and their time against "now" (at most a day ahead).
    future = isinstance(field, str) and field.endswith(".recordedAt") and issue == "value_error"
    # ... and their value against DynamoDB's number range (0, or at least 1e-130 in magnitude).
    tiny = isinstance(field, str) and field.endswith(".value") and "1e-130" in str(detail.get("message"))
    return catalog or future or tiny or (field, issue) in UNEXPRESSIBLE


def _details(response: Any) -> list[dict[str, Any]]:
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return []
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    return details if isinstance(details, list) else []


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    if getattr(failure, "code", None) != "ST202" or response.status_code != 400:
        return True
    details = _details(response)
    return not details or not all(unexpressible(d) for d in details)


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    for name, env in (("userId", SUBJECT_ENV), ("requestId", REQUEST_ENV)):
        own, value = os.environ.get(env), (case.path_parameters or {}).get(name)
        if own and isinstance(value, str) and _ID.match(value):
            case.path_parameters[name] = own
