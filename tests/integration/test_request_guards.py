"""Input no route declares is refused, for every route, before any parser or service sees it:
unknown query parameters, a body on a route that takes none, a body nested too deeply or too
large to parse safely, bytes that are not UTF-8. Each is a 400 `validation_error` naming where,
and nothing is written."""

from __future__ import annotations

import base64
import json

import pytest

from clinic.api import guards
from clinic.repositories import users_table
from clinic_tools import template
from tests.support.api import ADMIN_SUB, call, request_event
from tests.support.events import EVENT_SUB, response_json

PATCH_ME = "UpdateProfileFunction"
HTTP_FUNCTIONS = sorted({r.function for r in template.routes() if r.authorized})


def is_staff(function: str) -> bool:
    return next(r for r in template.routes() if r.function == function).path.startswith("/admin/")


def ask(invoke, function: str, **kwargs):
    staff = is_staff(function)
    return call(invoke, function, sub=ADMIN_SUB if staff else EVENT_SUB, admin=staff, **kwargs)


def details(reply) -> list[dict]:
    assert reply.status == 400, reply.body
    assert reply.error_code == "validation_error"
    return reply.body["error"]["details"]


@pytest.fixture
def profile(invoke, tables):
    """The caller's profile, created by the first GET /me."""
    assert call(invoke, "GetProfileFunction").status == 200
    return users_table.get_consistent(EVENT_SUB)


@pytest.mark.parametrize("function", HTTP_FUNCTIONS)
@pytest.mark.parametrize("unknown", ["typ", "userId"])
def test_an_unknown_query_parameter_is_a_400_naming_it_on_every_route(invoke, tables, function, unknown):
    # Given any route's own event file, plus a parameter the route does not declare
    event = request_event(function, sub=ADMIN_SUB if is_staff(function) else EVENT_SUB, admin=is_staff(function))
    query = {**(event.get("queryStringParameters") or {}), unknown: "lab"}
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    # When it is called
    reply = invoke(function, event)
    # Then the answer names the parameter, and only it
    assert reply["statusCode"] == 400, reply["body"]
    body = response_json(reply)
    assert body["error"]["code"] == "validation_error"
    assert [(d["in"], d["field"], d["issue"]) for d in body["error"]["details"]] == [
        ("query", unknown, "unknown_parameter")]


def test_a_typo_in_a_list_filter_is_not_silently_ignored(invoke, tables):
    reply = ask(invoke, "ListAppointmentsFunction", query={"typ": "lab"})
    assert [d["field"] for d in details(reply)] == ["typ"]


@pytest.mark.parametrize("function", [f for f in HTTP_FUNCTIONS
                                      if template.functions()[f].properties["Events"]["Api"]["Properties"]["Method"]
                                      in ("get", "delete")] + ["RequestRefillFunction"])
def test_a_body_on_a_route_that_takes_none_is_a_400(invoke, tables, function):
    reply = ask(invoke, function, body={"note": "please"})
    assert [(d["in"], d["issue"]) for d in details(reply)] == [("body", "not_allowed")]


def test_a_value_nested_5000_deep_is_a_400_and_changes_nothing(invoke, profile):
    deep = '{"name": ' + "[" * 5000 + "]" * 5000 + "}"
    reply = ask(invoke, PATCH_ME, raw_body=deep)
    assert [(d["in"], d["issue"]) for d in details(reply)] == [("body", "too_deep")]
    assert users_table.get_consistent(EVENT_SUB) == profile


def test_nesting_up_to_the_bound_reaches_validation(invoke, profile):
    # The bound refuses depth, not JSON: brackets inside strings do not count
    nested = '{"name": "' + "[{" * 100 + '", "x": ' + "[" * (guards.MAX_JSON_DEPTH - 1) + "]" * (
        guards.MAX_JSON_DEPTH - 1) + "}"
    reply = ask(invoke, PATCH_ME, raw_body=nested)
    assert "too_deep" not in {d["issue"] for d in details(reply)}  # refused by the model instead (extra field)


def test_a_body_over_the_size_bound_is_a_400(invoke, profile):
    reply = ask(invoke, PATCH_ME, raw_body=json.dumps({"name": "a" * (guards.MAX_BODY_BYTES + 1)}))
    assert [(d["in"], d["issue"]) for d in details(reply)] == [("body", "too_large")]
    assert users_table.get_consistent(EVENT_SUB) == profile


def test_bytes_replaced_by_the_gateway_are_a_400_and_not_stored(invoke, profile):
    # Given a name sent as \xff\xfe, which a gateway hands over as U+FFFD replacement characters
    raw = b'{"name": "\xff\xfe"}'.decode("utf-8", errors="replace")
    reply = ask(invoke, PATCH_ME, raw_body=raw)
    assert [(d["in"], d["issue"]) for d in details(reply)] == [("body", "not_utf8")]
    assert users_table.get_consistent(EVENT_SUB) == profile


def test_a_base64_body_that_is_not_utf8_is_a_400(invoke, profile):
    event = request_event(PATCH_ME, raw_body=base64.b64encode(b'{"name": "\xff\xfe"}').decode())
    event["isBase64Encoded"] = True
    reply = invoke(PATCH_ME, event)
    assert reply["statusCode"] == 400
    assert [d["issue"] for d in response_json(reply)["error"]["details"]] == ["not_utf8"]
    assert users_table.get_consistent(EVENT_SUB) == profile


def test_a_utf8_name_is_still_accepted(invoke, profile):
    reply = ask(invoke, PATCH_ME, body={"name": "Zoë Ñúñez 山田"})
    assert reply.status == 200 and reply.body["name"] == "Zoë Ñúñez 山田"
