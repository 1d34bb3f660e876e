"""The authorization matrix, over HTTP with real Cognito tokens through the local runner: every
route of template.yaml x every kind of caller -> the expected status. A route added to the
template without its row here fails ``test_every_template_route_has_a_row``.

Callers: no token; a bad token (a real one with its signature broken); a patient on their own
data; the same patient aiming at ANOTHER patient's ids; clinic staff. A patient on a staff route
is the patient columns of the /admin rows (403, whatever ids they name). Routes without ids
cannot name another patient at all: identity comes only from the token, so "another patient's
ids" is the caller's own data there. Staff on patient routes are just users: another patient's
appointment is a 404 for them too (staff read patient records only through the audited routes).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from clinic_local import stack as local_stack
from clinic_tools import template
from tests.http.client import Api

pytestmark = pytest.mark.http

DAY_MS = 86_400_000
CALLERS = ("no_token", "bad_token", "patient_own", "patient_other", "admin")


@dataclass
class World:
    api: Api
    tokens: dict[str, str]  # "a", "b" (fresh patients), "admin"
    users: dict[str, str]  # "a", "b" -> user id
    stack: local_stack.LocalStack

    def throwaway(self, role: str) -> str:
        """A token of a new account of ``role``, for routes that consume their caller."""
        email = f"matrix-{role}-{uuid.uuid4().hex[:8]}@example.com"
        account = local_stack.create_account(self.stack, email, "Matrix Throwaway", role)
        return local_stack.id_token(self.stack, email, account["password"])

    def staff(self, method: str, path: str, body: Any = None) -> Any:
        response = self.api.request(method, path, token=self.tokens["admin"], json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def appointment(self, who: str) -> str:
        start = int(time.time() * 1000) + 3 * DAY_MS
        return self.staff("POST", f"/admin/patients/{self.users[who]}/appointments",
                          {"type": "checkup", "startTime": start, "status": "requested"})["appointmentId"]

    def reading(self, who: str) -> str:
        """A new glucose reading of ``who``, entered by staff: its id."""
        body = {"readings": [{"name": "Glucose", "value": 85, "unit": "mg/dL", "recordedAt": int(time.time() * 1000),
                              "sourceReadingId": uuid.uuid4().hex}]}
        return self.staff("POST", f"/admin/patients/{self.users[who]}/biomarkers", body)["results"][0]["readingId"]

    def medication(self, who: str) -> str:
        return self.staff("POST", f"/admin/patients/{self.users[who]}/medications",
                          {"name": "Matrix drug", "dose": "1 mg", "refills": 5})["medicationId"]

    def refill_request(self, who: str) -> str:
        """A pending refill request of patient ``who`` (asked by that patient)."""
        response = self.api.request("POST", f"/medications/{self.medication(who)}/refill-requests",
                                    token=self.tokens[who])
        assert response.status_code == 201, response.text
        return str(response.json()["requestId"])


@pytest.fixture(scope="module")
def world(api: Api, local_stack_state: local_stack.LocalStack) -> World:
    """Two patients of our own (so other suites' changes to demo data cannot interfere)."""
    tokens, users = {"admin": api.admin_token}, {}
    for who in ("a", "b"):
        email = f"matrix-{who}-{uuid.uuid4().hex[:8]}@example.com"
        account = local_stack.create_account(local_stack_state, email, f"Matrix {who.upper()}", "patient")
        tokens[who] = local_stack.id_token(local_stack_state, email, account["password"])
        users[who] = account["userId"]
        assert api.get("/me", token=tokens[who]).status_code == 200  # first call creates the profile
    world = World(api, tokens, users, local_stack_state)
    for who in ("a", "b"):
        world.staff(
            "POST",
            f"/admin/patients/{users[who]}/biomarkers",
            {
                "readings": [
                    {
                        "name": "Vitamin D, 25-Hydroxy",
                        "value": 45,
                        "unit": "ng/mL",
                        "recordedAt": int(time.time() * 1000) - DAY_MS,
                        "sourceReadingId": f"matrix-{who}-1",
                    },
                    {
                        "name": "BUN/Creatinine Ratio",
                        "value": 12,
                        "unit": "ratio",
                        "recordedAt": int(time.time() * 1000) - DAY_MS,
                        "sourceReadingId": f"matrix-{who}-2",
                    },
                ]
            },
        )
    return world


# A request for a route, built for a subject patient ("a" or "b") when the caller needs ids.
Build = Callable[[World, str], tuple[str, Any]]


@dataclass(frozen=True)
class Row:
    build: Build
    own: int  # patient "a" on "a"
    other: int  # patient "a" aiming at "b"
    admin: int  # staff (on "a" for staff routes; with "a"'s ids on patient routes)
    anonymous: int = 401  # no token, or a broken one: what a public route answers instead of 401
    consumes_caller: bool = False  # the route ends its caller's account: each caller is a new one


def fixed(path: str, body: Any = None) -> Build:
    return lambda w, who: (path, body)


def staff_row(build: Build, ok: int = 200) -> Row:
    return Row(build, own=403, other=403, admin=ok)


FUTURE = {"type": "lab", "startTime": int(time.time() * 1000) + 10 * DAY_MS}
MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/me"): Row(fixed("/me"), 200, 200, 200),
    ("PATCH", "/me"): Row(fixed("/me", {"name": "Renamed"}), 200, 200, 200),
    ("GET", "/me/export"): Row(fixed("/me/export?limit=5"), 200, 200, 200),
    # Only ever the caller's own log: no id to aim with, staff included.
    ("GET", "/me/access-log"): Row(fixed("/me/access-log?limit=5"), 200, 200, 200),
    ("GET", "/biomarkers/stats"): Row(fixed("/biomarkers/stats"), 200, 200, 200),
    ("GET", "/biomarkers"): Row(fixed("/biomarkers?limit=5"), 200, 200, 200),
    ("GET", "/biomarkers/latest"): Row(fixed("/biomarkers/latest"), 200, 200, 200),
    ("GET", "/biomarkers/{name}/history"): Row(
        fixed(f"/biomarkers/{quote('Vitamin D, 25-Hydroxy')}/history"), 200, 200, 200
    ),
    ("GET", "/appointments"): Row(fixed("/appointments"), 200, 200, 200),
    ("POST", "/appointments"): Row(fixed("/appointments", FUTURE), 201, 201, 201),
    ("GET", "/appointments/{appointmentId}"): Row(
        lambda w, who: (f"/appointments/{w.appointment(who)}", None), 200, 404, 404
    ),
    ("PATCH", "/appointments/{appointmentId}"): Row(
        lambda w, who: (f"/appointments/{w.appointment(who)}", {"action": "cancel"}), 200, 404, 404
    ),
    ("GET", "/medications"): Row(fixed("/medications"), 200, 200, 200),
    ("GET", "/medications/{medicationId}"): Row(
        lambda w, who: (f"/medications/{w.medication(who)}", None), 200, 404, 404
    ),
    ("POST", "/medications/{medicationId}/refill-requests"): Row(
        lambda w, who: (f"/medications/{w.medication(who)}/refill-requests", None), 201, 404, 404
    ),
    ("GET", "/refill-requests"): Row(fixed("/refill-requests?status=pending"), 200, 200, 200),
    ("GET", "/admin/patients"): staff_row(fixed("/admin/patients?limit=5")),
    ("GET", "/admin/patients/{userId}"): staff_row(lambda w, who: (f"/admin/patients/{w.users[who]}", None)),
    ("GET", "/admin/patients/{userId}/stats"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/stats", None)
    ),
    ("GET", "/admin/patients/{userId}/biomarkers"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/biomarkers", None)
    ),
    ("POST", "/admin/patients/{userId}/biomarkers"): staff_row(
        lambda w, who: (
            f"/admin/patients/{w.users[who]}/biomarkers",
            {
                "readings": [
                    {
                        "name": "Glucose",
                        "value": 85,
                        "unit": "mg/dL",
                        "recordedAt": int(time.time() * 1000),
                        "sourceReadingId": uuid.uuid4().hex,
                    }
                ]
            },
        )
    ),
    ("PATCH", "/admin/patients/{userId}/biomarkers/{readingId}"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/biomarkers/{w.reading(who)}",
                        {"value": 92, "reason": "transcription error"})
    ),
    ("GET", "/admin/patients/{userId}/appointments"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/appointments", None)
    ),
    ("POST", "/admin/patients/{userId}/appointments"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/appointments", FUTURE), ok=201
    ),
    ("PATCH", "/admin/patients/{userId}/appointments/{appointmentId}"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/appointments/{w.appointment(who)}", {"action": "confirm"})
    ),
    ("GET", "/admin/patients/{userId}/medications"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/medications", None)
    ),
    ("POST", "/admin/patients/{userId}/medications"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/medications", {"name": "Drug", "dose": "1 mg"}), ok=201
    ),
    ("PATCH", "/admin/patients/{userId}/medications/{medicationId}"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/medications/{w.medication(who)}", {"refills": 2})
    ),
    ("PUT", "/admin/patients/{userId}/identifiers"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/identifiers",
                        {"identifiers": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": f"M-{w.users[who]}"}]})
    ),
    ("GET", "/admin/patients/{userId}/export"): staff_row(
        lambda w, who: (f"/admin/patients/{w.users[who]}/export?format=fhir&limit=5", None)
    ),
    ("PUT", "/admin/users/{userId}/role"): staff_row(
        lambda w, who: (f"/admin/users/{w.users[who]}/role", {"role": "patient"})
    ),
    ("PUT", "/admin/users/{userId}/access"): staff_row(
        lambda w, who: (f"/admin/users/{w.users[who]}/access", {"enabled": True})
    ),
    ("GET", "/admin/refill-requests"): staff_row(fixed("/admin/refill-requests?status=pending&limit=5")),
    ("PATCH", "/admin/refill-requests/{requestId}"): staff_row(
        lambda w, who: (f"/admin/refill-requests/{w.refill_request(who)}", {"decision": "approved"})
    ),
    ("GET", "/admin/audit"): staff_row(lambda w, who: (f"/admin/audit?patientId={w.users[who]}", None)),
    ("GET", "/admin/audit-events/export"): staff_row(
        fixed(f"/admin/audit-events/export?from={int(time.time() * 1000) - DAY_MS}&to={int(time.time() * 1000)}")
    ),
    # Deleting one's account: only ever the caller's own (no ids to aim with), staff included.
    ("DELETE", "/me"): Row(fixed("/me"), 204, 204, 204, consumes_caller=True),
    # Public: asking for a sign-in link needs no token and answers the same whoever asks.
    ("POST", "/auth/email-link"): Row(
        fixed("/auth/email-link", {"email": "someone@example.com"}), 202, 202, 202, anonymous=202
    ),
}


def test_every_template_route_has_a_row():
    routes = {(r.method, r.path) for r in template.routes()}
    assert set(MATRIX) == routes, (
        f"missing rows: {sorted(routes - set(MATRIX))}; rows for no route: {sorted(set(MATRIX) - routes)}"
    )


def broken(token: str) -> str:
    head, payload, signature = token.split(".")
    return f"{head}.{payload}.{signature[:-6]}{'A' * 6 if not signature.endswith('AAAAAA') else 'B' * 6}"


def expected(row: Row, caller: str) -> int:
    return {
        "no_token": row.anonymous,
        "bad_token": row.anonymous,
        "patient_own": row.own,
        "patient_other": row.other,
        "admin": row.admin,
    }[caller]


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_authorization_matrix(world, route):
    method, _ = route
    row = MATRIX[route]
    seen = {}
    for caller in CALLERS:
        subject = "b" if caller == "patient_other" else "a"
        path, body = row.build(world, subject)
        token = {
            "no_token": None,
            "bad_token": broken(world.tokens["a"]),
            "patient_own": world.tokens["a"],
            "patient_other": world.tokens["a"],
            "admin": world.tokens["admin"],
        }[caller]
        if row.consumes_caller and token is not None and caller != "bad_token":
            token = world.throwaway("admin" if caller == "admin" else "patient")
        response = world.api.request(method, path, token=token, json=body)
        seen[caller] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}
    assert seen == {caller: expected(row, caller) for caller in CALLERS}


def test_history_of_names_with_spaces_commas_and_slashes_over_http(world):
    for name in ("Vitamin D, 25-Hydroxy", "BUN/Creatinine Ratio"):
        response = world.api.get(f"/biomarkers/{quote(name, safe='')}/history", token=world.tokens["a"])
        assert response.status_code == 200, response.text
        assert [r["name"] for r in response.json()["items"]] == [name]


def test_openapi_document_is_served_without_a_token(world):
    response = world.api.get("/openapi.json")
    assert response.status_code == 200
    assert "/admin/patients/{userId}" in response.json()["paths"]


def test_staff_correct_and_withdraw_a_reading_over_http(world):
    a, b = world.users["a"], world.users["b"]
    reading = world.reading("a")
    path = f"/admin/patients/{a}/biomarkers/{reading}"

    def patch(url: str, body: Any, token: str | None = None) -> Any:
        return world.api.request("PATCH", url, token=token or world.tokens["admin"], json=body)

    def mine() -> list[dict[str, Any]]:
        return world.api.get("/biomarkers?name=Glucose&limit=100", token=world.tokens["a"]).json()["items"]

    def history() -> list[dict[str, Any]]:
        events = world.api.get(f"/admin/audit?patientId={a}", token=world.tokens["admin"]).json()["items"]
        return [e for e in events if e["resource"] == f"biomarker:{reading}"]

    # A patient, even on their own reading, is refused; another patient's path does not find it
    assert patch(path, {"value": 90, "reason": "mine"}, world.tokens["a"]).status_code == 403
    assert patch(f"/admin/patients/{b}/biomarkers/{reading}", {"value": 90, "reason": "x"}).status_code == 404
    # Bad input is a 400 in the error shape and changes nothing
    for body in ({"value": 90}, {"value": 90, "reason": "x", "unit": "mg/dL"}, {"status": "final", "reason": "x"},
                 {"value": "90", "reason": "x"}, {"value": 90, "status": "entered-in-error", "reason": "x"}):
        response = patch(path, body)
        assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error", body
    assert {r["value"] for r in mine() if r["readingId"] == reading} == {85}
    assert history() == []
    # An amend, then a withdrawal, each audited with its reason
    amended = patch(path, {"value": 88, "reason": "decimal slipped"})
    assert amended.status_code == 200 and amended.json()["value"] == 88
    assert {r["value"] for r in mine() if r["readingId"] == reading} == {88}
    withdrawn = patch(path, {"status": "entered-in-error", "reason": "wrong patient"})
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawnAt"] is not None
    assert reading not in {r["readingId"] for r in mine()}
    assert patch(path, {"value": 90, "reason": "again"}).status_code == 409
    assert [(e["action"], e["reason"]) for e in history()] == [("withdraw", "wrong patient"),
                                                               ("correct", "decimal slipped")]
