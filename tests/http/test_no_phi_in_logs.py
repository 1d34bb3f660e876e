"""No PHI in anything the runner or the functions write: one pass over every route through the
local runner (sign-in by email link, patient, staff, errors) with unique sentinel values in every
free-text and PHI field, then every byte the runner process wrote meanwhile (Powertools logs,
metrics, prints, its access log) is searched for them.

The local mail stand-in prints sign-in messages to the console in place of a mailbox (it is the
recipient's inbox, not a log): those blocks are cut out before searching, and only those.
"""

from __future__ import annotations

import re
import time
import uuid
from urllib.parse import quote

import pytest

from clinic_tools import template
from tests.http.client import Api
from tests.http.test_local_sign_in import sign_in_by_link

pytestmark = pytest.mark.http

DAY_MS = 86_400_000
TAG = uuid.uuid4().hex[:6]
EMAIL = f"qzsentinel.{TAG}@example.com"
NAME = f"Qzsentinel Personname {TAG}"
BIOMARKER = f"Qzsentinelmarker {TAG}"  # not in the catalog: refused, and must not be logged either
UNIT = "qzunit"
VALUE = 987654.321
GLUCOSE = 83.987654  # a reading the catalog accepts, with a value no log line could hold by chance
TITLE = f"Qzsentinel visit {TAG}"
DRUG = f"Qzsentinel drug {TAG}"
DOSE = "qzdose 7 mg"
# Searched case-insensitively; every sentinel above contains one of these.
NEEDLES = ("qzsentinel", "qzunit", "qzdose", "987654", TAG)
# A message, from its header to the next line the runner or a function writes (access log or JSON).
MAIL_BLOCK = re.compile(r"^\[email\] to .*?(?=^\[api\]|^\{|\Z)", re.S | re.M)


def new_output(log_path, offset: int) -> str:
    """What the runner wrote since ``offset``, without the local mailbox's messages."""
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        return MAIL_BLOCK.sub("\n", log.read())


def needles_in(text: str) -> list[str]:
    lowered = text.lower()
    return [needle for needle in NEEDLES if needle.lower() in lowered]


def test_the_search_finds_a_sentinel_and_the_mail_cut_removes_only_mail():
    assert needles_in(f'{{"message":"oops {NAME}"}}') == ["qzsentinel", TAG]
    assert needles_in(f"value {VALUE} {UNIT}") == ["qzunit", "987654"]
    text = f"[api] GET 200\n\n[email] to {EMAIL}: Your link\n\nhttps://x/#token=t&email={EMAIL}\n\n[api] POST 202\n"
    assert needles_in(MAIL_BLOCK.sub("", text)) == []
    assert needles_in(MAIL_BLOCK.sub("", text + f'{{"message":"leak {EMAIL}"}}\n')) != []


def every_route_with_sentinels(api: Api, stack) -> set[tuple[str, str]]:
    """Calls each route of the template at least once with sentinel data; returns the routes called."""
    called: set[tuple[str, str]] = set()

    def call(method, route, path=None, *, token, body=None, ok=(200, 201, 202, 204)):
        response = api.request(method, path or route, token=token, json=body)
        assert response.status_code in ok, (method, route, response.status_code, response.text[:200])
        called.add((method, route))
        return response

    signed_in = sign_in_by_link(api, stack, EMAIL)
    assert signed_in.status_code == 200, signed_in.text
    me = signed_in.json()["idToken"]
    staff = api.admin_token
    user_id = call("GET", "/me", token=me).json()["userId"]
    call("PATCH", "/me", token=me, body={"name": NAME})
    now = int(time.time() * 1000)
    lab = {"readings": [{"name": "Glucose", "value": GLUCOSE, "unit": "mg/dL", "recordedAt": now - DAY_MS,
                         "sourceReadingId": f"qzsentinel-{TAG}"}]}
    entered = call("POST", "/admin/patients/{userId}/biomarkers", f"/admin/patients/{user_id}/biomarkers",
                   token=staff, body=lab).json()
    correction = "/admin/patients/{userId}/biomarkers/{readingId}"
    corrected = f"/admin/patients/{user_id}/biomarkers/{entered['results'][0]['readingId']}"
    call("PATCH", correction, corrected, token=staff, body={"value": GLUCOSE + 1, "reason": NAME})
    call("PATCH", correction, corrected, token=staff, body={"value": VALUE, "reason": NAME, "unit": UNIT}, ok=(400,))
    unknown = {"readings": [{"name": BIOMARKER, "value": VALUE, "unit": UNIT, "recordedAt": now - DAY_MS,
                             "sourceReadingId": f"qzsentinel-{TAG}-2"}]}
    call("POST", "/admin/patients/{userId}/biomarkers", f"/admin/patients/{user_id}/biomarkers", token=staff,
         body=unknown, ok=(400,))
    appointment = call("POST", "/admin/patients/{userId}/appointments", f"/admin/patients/{user_id}/appointments",
                       token=staff, body={"type": "lab", "startTime": now + 3 * DAY_MS, "title": TITLE}).json()
    call("POST", "/appointments", token=me, body={"type": "checkup", "startTime": now + 5 * DAY_MS, "title": TITLE})
    medication = call("POST", "/admin/patients/{userId}/medications", f"/admin/patients/{user_id}/medications",
                      token=staff, body={"name": DRUG, "dose": DOSE, "refills": 3}).json()
    appointment_id, medication_id = appointment["appointmentId"], medication["medicationId"]
    for route in ("/biomarkers/stats", "/biomarkers", "/biomarkers/latest", "/appointments", "/medications",
                  "/me/export"):
        call("GET", route, token=me)
    call("GET", "/biomarkers/{name}/history", "/biomarkers/Glucose/history", token=me)
    call("GET", "/biomarkers/{name}/history", f"/biomarkers/{quote(BIOMARKER, safe='')}/history", token=me)
    call("GET", "/appointments/{appointmentId}", f"/appointments/{appointment_id}", token=me)
    call("GET", "/medications/{medicationId}", f"/medications/{medication_id}", token=me)
    request_id = call("POST", "/medications/{medicationId}/refill-requests",
                      f"/medications/{medication_id}/refill-requests", token=me).json()["requestId"]
    call("GET", "/refill-requests", "/refill-requests?status=pending", token=me)
    call("GET", "/admin/refill-requests", "/admin/refill-requests?status=pending&limit=100", token=staff)
    call("PATCH", "/admin/refill-requests/{requestId}", f"/admin/refill-requests/{request_id}", token=staff,
         body={"decision": NAME, "note": TITLE}, ok=(400,))
    call("PATCH", "/admin/refill-requests/{requestId}", f"/admin/refill-requests/{request_id}", token=staff,
         body={"decision": "denied", "note": TITLE})
    call("PATCH", "/admin/patients/{userId}/medications/{medicationId}",
         f"/admin/patients/{user_id}/medications/{medication_id}", token=staff, body={"dose": DOSE + " daily"})
    call("PATCH", "/admin/patients/{userId}/appointments/{appointmentId}",
         f"/admin/patients/{user_id}/appointments/{appointment_id}", token=staff, body={"action": "confirm"})
    call("PATCH", "/appointments/{appointmentId}", f"/appointments/{appointment_id}", token=me,
         body={"action": "cancel"})
    call("GET", "/admin/patients", "/admin/patients?limit=100", token=staff)
    for suffix in ("", "/stats", "/biomarkers", "/appointments", "/medications"):
        call("GET", "/admin/patients/{userId}" + suffix, f"/admin/patients/{user_id}{suffix}", token=staff)
    mrn = {"identifiers": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": f"qzsentinel-{TAG}"}]}
    call("PUT", "/admin/patients/{userId}/identifiers", f"/admin/patients/{user_id}/identifiers", token=staff,
         body=mrn)
    call("PUT", "/admin/patients/{userId}/identifiers", f"/admin/patients/{user_id}/identifiers", token=staff,
         body={"identifiers": [{"system": "urn:x", "value": NAME}]}, ok=(400,))
    call("GET", "/me/export", "/me/export?format=fhir", token=me)
    for fmt in ("json", "fhir"):
        call("GET", "/admin/patients/{userId}/export", f"/admin/patients/{user_id}/export?format={fmt}", token=staff)
    call("GET", "/admin/audit", f"/admin/audit?patientId={user_id}", token=staff)
    call("GET", "/me/access-log", "/me/access-log?limit=100", token=me)  # staff names and reasons, read back
    call("GET", "/admin/audit-events/export", f"/admin/audit-events/export?from={now - DAY_MS}&to={now}", token=staff)
    call("PUT", "/admin/users/{userId}/role", f"/admin/users/{user_id}/role", token=staff, body={"role": "patient"})
    call("PUT", "/admin/users/{userId}/access", f"/admin/users/{user_id}/access", token=staff, body={"enabled": True})
    # The caller's mistakes, carrying sentinels where a careless error message or log would echo them.
    call("PATCH", "/me", token=me, body={"name": NAME, "email": EMAIL}, ok=(400,))
    call("POST", "/appointments", token=me, body={"type": TITLE, "startTime": now, "notes": NAME}, ok=(400,))
    call("GET", "/biomarkers", f"/biomarkers?name={quote(BIOMARKER)}&status={quote(NAME)}", token=me, ok=(400,))
    bad_name = quote(NAME + "\n<>", safe="")
    call("GET", "/biomarkers/{name}/history", f"/biomarkers/{bad_name}/history", token=me, ok=(400,))
    call("POST", "/admin/patients/{userId}/medications", f"/admin/patients/{user_id}/medications", token=staff,
         body={"name": DRUG, "dose": DOSE, "refills": "987654"}, ok=(400,))
    call("POST", "/auth/email-link", token=None, body={"email": NAME}, ok=(400,))
    call("POST", "/auth/email-link", token=None, body={"email": EMAIL})
    api.request("GET", f"/no/route/{quote(NAME)}?q={quote(EMAIL)}", token=me)  # the gateway's own 404
    api.request("GET", f"/me?{quote(EMAIL)}", token=None)  # the authorizer's 401
    call("DELETE", "/me", token=me)  # last: it ends the account
    return called


def test_no_sentinel_reaches_any_log_line(api, local_stack_state):
    log_path = local_stack_state.log_path
    offset = log_path.stat().st_size
    called = every_route_with_sentinels(api, local_stack_state)
    time.sleep(0.3)  # the runner flushes each line; leave it a moment to land
    written = new_output(log_path, offset)
    # The capture saw what the handlers print (their metrics, on the same stdout as their logger)
    # and the runner's access log.
    assert '"_aws"' in written and '"AccountsDeleted"' in written
    assert "[api] GET 200" in written and "[api] PATCH 400" in written
    assert called == {(r.method, r.path) for r in template.routes()}, "every route is exercised"
    leaked = {needle: [line[:160] for line in written.splitlines() if needle.lower() in line.lower()][:3]
              for needle in needles_in(written)}
    assert not leaked, leaked
