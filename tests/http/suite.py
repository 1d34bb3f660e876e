"""The HTTP suite: what any deployment of the API must do, whatever data it holds.

Collected by tests/http/test_local_api.py (against the local runner) and
tests/e2e/test_deployed_api.py (against a deployed stack); both provide the ``api`` fixture.
"""

from __future__ import annotations

import pytest

APPOINTMENT_TYPES = {"checkup", "lab", "consultation", "follow-up", "telehealth", "imaging", "vaccination"}


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert isinstance(body["error"].get("details", []), list)


def test_stats_describe_the_callers_biomarkers(api):
    response = api.as_patient("/biomarkers/stats")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == sum(body["counts"].values())
    percentages = body["optimal"] + body["inRange"] + body["outOfRange"]
    assert percentages == (100 if body["total"] else 0)


def test_appointment_pages_are_full_ordered_and_disjoint(api):
    seen, sizes, cursor = [], [], None
    while True:
        params = {"limit": 7, "when": "past"} | ({"cursor": cursor} if cursor else {})
        body = api.as_patient("/appointments", params=params).json()
        sizes.append(len(body["items"]))
        seen += body["items"]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert all(size == 7 for size in sizes[:-1]) and sizes[-1] <= 7
    ids = [a["appointmentId"] for a in seen]
    assert len(ids) == len(set(ids))
    starts = [a["startTime"] for a in seen]
    assert starts == sorted(starts, reverse=True)


@pytest.mark.parametrize("kind", sorted(APPOINTMENT_TYPES))
def test_type_filter_returns_only_that_type(api, kind):
    body = api.as_patient("/appointments", params={"type": kind, "limit": 100}).json()
    assert {a["type"] for a in body["items"]} <= {kind}


def test_another_patients_cursor_is_a_400(api):
    other = api.get("/appointments", token=api.other_patient_token, params={"limit": 1}).json()
    if other["nextCursor"] is None:
        pytest.skip("the other patient has fewer than two appointments")
    assert_error(api.as_patient("/appointments", params={"limit": 1, "cursor": other["nextCursor"]}), 400,
                 "validation_error")


@pytest.mark.parametrize("path", ["/biomarkers/stats", "/appointments"])
def test_no_token_is_a_401(api, path):
    assert_error(api.get(path), 401, "unauthorized")


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer a.b.c",
                                    "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_malformed_authorization_is_a_401(api, header):
    assert_error(api.get("/biomarkers/stats", headers={"Authorization": header}), 401, "unauthorized")


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "abc"}, {"type": "surgery"},
                                    {"when": "soon"}, {"cursor": "forged"}])
def test_bad_query_is_a_400(api, params):
    assert_error(api.as_patient("/appointments", params=params), 400, "validation_error")


def test_unknown_route_is_a_404(api):
    assert_error(api.as_patient("/no/such/route"), 404, "not_found")


SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
}


@pytest.mark.parametrize(("who", "method", "path", "status"), [
    ("patient", "GET", "/biomarkers/stats", 200),  # a function's success
    ("patient", "GET", "/appointments?limit=0", 400),  # a function's error
    ("patient", "GET", "/admin/patients", 403),  # refused before routing
    ("patient", "GET", "/no/such/route", 404),  # the gateway's own 404
    (None, "GET", "/biomarkers/stats", 401),  # the authorizer's 401
])
def test_every_response_carries_the_security_headers(api, who, method, path, status):
    response = api.request(method, path, token=api.patient_token if who else None)
    assert response.status_code == status
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert response.headers["Content-Type"].startswith("application/json")
