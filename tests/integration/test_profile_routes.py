"""GET /me and PATCH /me: the profile behind the verified token, created on first call."""

import pytest

from clinic.identity import Caller
from clinic.repositories import users_table
from clinic.services import users
from tests.support.api import call
from tests.support.events import EVENT_SUB

GET, PATCH = "GetProfileFunction", "UpdateProfileFunction"


def test_first_call_creates_the_profile_from_the_token(invoke, tables):
    # Given a signed-in user without a Users row
    assert users_table.get(EVENT_SUB) is None
    # When they ask for their profile
    reply = call(invoke, GET)
    # Then it exists, built from the token's claims, as a patient
    assert reply.status == 200
    assert (reply.body["userId"], reply.body["email"], reply.body["name"], reply.body["role"]) == (
        EVENT_SUB, "patient@example.com", "Demo Patient", "patient")
    assert users_table.get(EVENT_SUB)["createdAt"] == reply.body["createdAt"]


def test_profile_creation_is_idempotent(invoke, tables, ddb_calls):
    first = call(invoke, GET).body
    ddb_calls.reset()
    again = call(invoke, GET).body
    assert again == first
    assert dict(ddb_calls.operations) == {"GetItem": 1}  # no second write


def test_a_concurrent_first_call_is_not_an_error(tables, monkeypatch):
    # Given another request creates the row between our read and our conditional put
    caller = Caller(user_id=EVENT_SUB, email="p@example.com", groups=frozenset(), name=None)
    real_get = users_table.get
    calls = {"n": 0}

    def racing_get(user_id):
        calls["n"] += 1
        if calls["n"] == 1:
            users_table.put({"userId": user_id, "email": "p@example.com", "role": "patient", "createdAt": 1})
            return None
        return real_get(user_id)

    monkeypatch.setattr(users_table, "get", racing_get)
    # Then ensure_profile returns the row the other request created
    assert users.ensure_profile(caller).created_at == 1


def test_staff_profiles_say_admin(invoke, tables):
    assert call(invoke, GET, admin=True).body["role"] == "admin"


def test_patch_changes_name_and_image_only(invoke, tables):
    reply = call(invoke, PATCH, body={"name": "  Ava P.  ", "image": "https://img.example.com/a.png"})
    assert reply.status == 200
    assert (reply.body["name"], reply.body["image"]) == ("Ava P.", "https://img.example.com/a.png")
    assert call(invoke, GET).body["name"] == "Ava P."


@pytest.mark.parametrize("body", [
    {"role": "admin"}, {"name": "x", "role": "admin"}, {"userId": "someone-else"}, {"email": "x@example.com"},
    {"name": "x", "version": 7}, {"createdAt": 1},
], ids=["role", "role+name", "userId", "email", "version", "createdAt"])
def test_fields_a_user_may_not_set_are_a_400_and_nothing_changes(invoke, tables, body):
    before = call(invoke, GET).body
    reply = call(invoke, PATCH, body=body)
    assert reply.status == 400 and reply.error_code == "validation_error"
    assert call(invoke, GET).body == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": 5},
        {"name": True},
        {"name": "x" * 121},
        {"name": "a\u0000b"},
        {"image": "http://insecure.example.com/a.png"},
        {"image": "javascript:alert(1)"},
        {"image": "https://" + "a" * 2100},
        {"name": None, "image": None},
        [],
        "name",
    ],
)
def test_bad_profile_changes_are_a_400(invoke, tables, body):
    reply = call(invoke, PATCH, body=body)
    assert reply.status == 400 and reply.error_code == "validation_error"


def test_a_body_that_is_not_json_is_a_400(invoke, tables):
    assert call(invoke, PATCH, raw_body="{name: x").status == 400
    reply = call(invoke, PATCH, raw_body="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 400 and reply.error_code == "validation_error"
    reply = call(invoke, PATCH, raw_body="--b\r\n", headers={"Content-Type": "multipart/form-data"})
    assert reply.status == 400 and reply.error_code == "validation_error"
