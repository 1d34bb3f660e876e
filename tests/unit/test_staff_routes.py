"""A staff route says "staff" once, ``make_resolver(staff=True)``: its route documents the 403,
``lambda_entry`` refuses anyone else before reading any input, and ``current_user(app)`` (the call
patient routes make) is staff there even if the entry were bypassed."""

from __future__ import annotations

from typing import Any

from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.identity import Caller
from clinic_local.gateway import LambdaContext
from tests.support.events import api_event, response_json

PATIENT_ROUTE = "me/get_profile.json"  # GET /me, no input


def resolver(*, staff: bool) -> tuple[Any, list[Caller]]:
    app = make_resolver(staff=staff, validate=False)
    seen: list[Caller] = []

    @app.get("/me", summary="Who", responses=responses(404))
    def who() -> dict[str, str]:
        seen.append(current_user(app))
        return {"ok": "yes"}

    return app, seen


def documented_codes(app: Any) -> list[str]:
    return [str(code) for code in app.get_openapi_schema().paths["/me"].get.responses]


def test_a_staff_resolver_documents_the_403_in_status_order():
    assert documented_codes(resolver(staff=True)[0]) == ["200", "400", "401", "403", "404", "429", "500"]


def test_a_patient_resolver_does_not_document_a_403():
    assert documented_codes(resolver(staff=False)[0]) == ["200", "400", "401", "404", "429", "500"]


def test_a_staff_route_refuses_a_patient_before_looking_at_input():
    app, seen = resolver(staff=True)
    event = api_event(PATIENT_ROUTE, groups=[], query={"unknown": "1"})  # an undeclared parameter too

    reply = lambda_entry(app)(event, LambdaContext("Staff"))

    assert reply["statusCode"] == 403
    assert response_json(reply)["error"]["code"] == "forbidden"
    assert seen == []


def test_a_staff_handler_refuses_a_patient_even_without_its_entry():
    app, seen = resolver(staff=True)

    reply = app.resolve(api_event(PATIENT_ROUTE, groups=[]), LambdaContext("Staff"))

    assert reply["statusCode"] == 403
    assert seen == []


def test_a_staff_handler_gets_the_staff_caller_from_the_same_call_patients_use():
    app, seen = resolver(staff=True)

    reply = app.resolve(api_event(PATIENT_ROUTE, groups=["admin"]), LambdaContext("Staff"))

    assert reply["statusCode"] == 200
    assert [caller.is_admin for caller in seen] == [True]


def test_a_patient_route_serves_a_patient():
    app, seen = resolver(staff=False)

    reply = lambda_entry(app)(api_event(PATIENT_ROUTE, groups=[]), LambdaContext("Patient"))

    assert reply["statusCode"] == 200
    assert [caller.is_admin for caller in seen] == [False]
