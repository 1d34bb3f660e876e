"""A token outliving its account's standing. Deleted or disabled: every write, GET /me/export and
$connect answer 401 at once (the account check); other reads until the token expires, which the
template bounds at 5 minutes. Demoted: every staff route answers 403 at once."""

from __future__ import annotations

import time

import jwt
import pytest

from clinic import aws
from clinic.id_tokens import IdTokenVerifier, jwks_url
from clinic.repositories import audit_table
from clinic.services import users
from clinic.services.users import Role
from clinic_local import stack as local_stack
from clinic_local import tokens
from clinic_tools import template
from tests.integration.auth.conftest import create_native_user
from tests.support.api import call
from tests.support.data import NOW_MS, appointment, store_appointments
from tests.support.events import api_event

FIVE_MINUTES_S = 300
WRITES = [
    ("RequestAppointmentFunction", {}),
    ("UpdateAppointmentFunction", {"appointmentId": "6a1f3c9e2b7d4e8fa0c1d2e3"}),
    ("RequestRefillFunction", {"medicationId": "9c8b7a6f5e4d3c2b1a0f9e8d"}),
    ("UpdateProfileFunction", {}),
    ("DeleteMeFunction", {}),
]
BODIES = {"RequestAppointmentFunction": {"type": "checkup", "startTime": NOW_MS + 86_400_000, "durationMinutes": 30},
          "UpdateAppointmentFunction": {"action": "cancel"}, "UpdateProfileFunction": {"name": "Back Again"}}


def appointments_of(table: str, user_id: str) -> int:
    return aws.dynamodb().query(TableName=table, KeyConditionExpression="userId = :u", Select="COUNT",
                                ExpressionAttributeValues={":u": {"S": user_id}})["Count"]


@pytest.fixture
def deleted(invoke, user_pool):
    """A patient with an appointment, who deleted their account; their token is still signed and unexpired."""
    person = create_native_user("gone@example.com")
    users.create_profile(person["sub"], person["email"])
    store_appointments(person["sub"], [appointment(0)])
    assert invoke("DeleteMeFunction", api_event("me/delete_account.json", sub=person["sub"]))["statusCode"] == 204
    return person


@pytest.mark.parametrize(("function", "path"), WRITES)
def test_every_write_with_a_deleted_accounts_token_is_a_401_and_writes_nothing(invoke, deleted, tables,
                                                                              function, path):
    reply = call(invoke, function, sub=deleted["sub"], path=path or None, body=BODIES.get(function))
    assert (reply.status, reply.error_code) == (401, "unauthorized"), reply.body
    assert appointments_of(tables["AppointmentsTable"], deleted["sub"]) == 1
    assert users.users_table.get_consistent(deleted["sub"]) is None  # no profile brought back


def test_the_export_with_a_deleted_accounts_token_is_a_401(invoke, deleted):
    reply = call(invoke, "ExportMeFunction", sub=deleted["sub"])
    assert (reply.status, reply.error_code) == (401, "unauthorized")


def test_other_reads_are_bounded_by_the_token_lifetime_not_refused(invoke, deleted):
    # A list answers (the records are kept by default) until the token expires: see the lifetime tests.
    assert call(invoke, "ListAppointmentsFunction", sub=deleted["sub"]).status == 200


def test_a_new_account_whose_profile_does_not_exist_yet_can_write(invoke, user_pool, tables):
    # No Users item and no deletion mark: not deleted, just new (its first GET /me creates the profile).
    person = create_native_user("new@example.com")
    reply = call(invoke, "RequestAppointmentFunction", sub=person["sub"], body=BODIES["RequestAppointmentFunction"])
    assert reply.status == 201, reply.body


@pytest.fixture
def demoted(user_pool):
    """A staff member made a patient after their (admin-group) token was issued."""
    person = create_native_user("former.staff@example.com")
    users.set_role(person["sub"], Role.ADMIN)
    users.set_role(person["sub"], Role.PATIENT)
    return person


@pytest.mark.parametrize(("function", "query"), [
    ("ListPatientsFunction", {}),  # a read
    ("ListAuditEventsFunction", {"actorId": "a0d1e2f3-0000-4000-8000-00000000ad01"}),
])
def test_a_demoted_admins_old_token_is_refused_on_staff_routes_at_once(invoke, demoted, function, query):
    reply = call(invoke, function, sub=demoted["sub"], admin=True, query=query)  # the token still says admin
    assert (reply.status, reply.error_code) == (403, "forbidden"), reply.body


def test_a_current_admin_is_served(invoke, user_pool):
    person = create_native_user("staff@example.com")
    users.set_role(person["sub"], Role.ADMIN)
    assert call(invoke, "ListPatientsFunction", sub=person["sub"], admin=True).status == 200


# --- disabled (PUT /admin/users/{userId}/access) ----------------------------------------------


@pytest.fixture
def disabled(invoke, staff):
    """A patient with an appointment, disabled by staff after their token was issued."""
    person = create_native_user("disabled@example.com")
    users.create_profile(person["sub"], person["email"])
    store_appointments(person["sub"], [appointment(0)])
    reply = call(invoke, "SetUserAccessFunction", sub=staff["sub"], admin=True, path={"userId": person["sub"]},
                 body={"enabled": False})
    assert reply.status == 200 and reply.body == {"userId": person["sub"], "enabled": False}, reply.body
    return person


def enabled_in_cognito(user_pool, person) -> bool:
    return aws.client("cognito-idp").admin_get_user(UserPoolId=user_pool.id, Username=person["username"])["Enabled"]


@pytest.mark.parametrize(("function", "path"), WRITES)
def test_every_write_with_a_disabled_accounts_token_is_a_401_and_writes_nothing(invoke, disabled, tables,
                                                                               function, path):
    reply = call(invoke, function, sub=disabled["sub"], path=path or None, body=BODIES.get(function))
    assert (reply.status, reply.error_code) == (401, "unauthorized"), reply.body
    assert appointments_of(tables["AppointmentsTable"], disabled["sub"]) == 1
    assert users.users_table.get_consistent(disabled["sub"])["disabled"] is True  # DELETE /me did not run


def test_the_export_with_a_disabled_accounts_token_is_a_401(invoke, disabled):
    reply = call(invoke, "ExportMeFunction", sub=disabled["sub"])
    assert (reply.status, reply.error_code) == (401, "unauthorized")


def test_a_disabled_account_is_refused_with_the_one_read_the_check_already_made(invoke, disabled, ddb_calls):
    ddb_calls.reset()
    reply = call(invoke, "RequestAppointmentFunction", sub=disabled["sub"], body=BODIES["RequestAppointmentFunction"])
    assert reply.status == 401
    assert dict(ddb_calls.operations) == {"GetItem": 1}  # the Users item; no mark, no Cognito call


def test_disabling_disables_the_person_in_cognito_and_enabling_restores_both(invoke, user_pool, staff, disabled):
    assert enabled_in_cognito(user_pool, disabled) is False  # no new sign-in, no refresh
    # When staff enable the account again
    reply = call(invoke, "SetUserAccessFunction", sub=staff["sub"], admin=True, path={"userId": disabled["sub"]},
                 body={"enabled": True})
    assert reply.status == 200 and reply.body["enabled"] is True
    # Then Cognito lets them in and the same token writes again
    assert enabled_in_cognito(user_pool, disabled) is True
    again = call(invoke, "RequestAppointmentFunction", sub=disabled["sub"], body=BODIES["RequestAppointmentFunction"])
    assert again.status == 201, again.body
    assert "disabled" not in users.users_table.get_consistent(disabled["sub"])


def test_a_disabled_admins_token_is_a_401_on_staff_routes(invoke, user_pool, staff):
    other = create_native_user("other.staff@example.com")
    users.set_role(other["sub"], Role.ADMIN)
    assert call(invoke, "SetUserAccessFunction", sub=staff["sub"], admin=True, path={"userId": other["sub"]},
                body={"enabled": False}).status == 200
    reply = call(invoke, "ListPatientsFunction", sub=other["sub"], admin=True)
    assert (reply.status, reply.error_code) == (401, "unauthorized")


def test_disabling_and_enabling_are_audited_from_what_to_what(invoke, user_pool, staff, disabled):
    call(invoke, "SetUserAccessFunction", sub=staff["sub"], admin=True, path={"userId": disabled["sub"]},
         body={"enabled": True})
    events = audit_table.page(patient_id=disabled["sub"], actor_id=None, limit=10, after=None).items
    assert sorted((e["action"], e["resource"], e["actorId"]) for e in events) == [
        ("access-change", "access:disabled->enabled", staff["sub"]),
        ("access-change", "access:enabled->disabled", staff["sub"])]


@pytest.mark.parametrize("body", [{"enabled": "false"}, {"enabled": 0}, {}, {"enabled": False, "userId": "x"}])
def test_a_bad_access_change_is_a_400_and_changes_nothing(invoke, user_pool, staff, body):
    person = create_native_user("untouched@example.com")
    users.create_profile(person["sub"], person["email"])
    reply = call(invoke, "SetUserAccessFunction", sub=staff["sub"], admin=True, path={"userId": person["sub"]},
                 body=body)
    assert reply.status == 400, reply.body
    assert "disabled" not in users.users_table.get_consistent(person["sub"])
    assert enabled_in_cognito(user_pool, person) is True


def test_staff_see_whether_a_patients_account_is_enabled(invoke, user_pool, staff):
    person = create_native_user("shown@example.com")
    users.create_profile(person["sub"], person["email"])

    def shown() -> bool:
        reply = call(invoke, "GetPatientFunction", sub=staff["sub"], admin=True, path={"userId": person["sub"]})
        assert reply.status == 200, reply.body
        return bool(reply.body["enabled"])

    assert shown() is True
    for enabled in (False, True):
        assert call(invoke, "SetUserAccessFunction", sub=staff["sub"], admin=True, path={"userId": person["sub"]},
                    body={"enabled": enabled}).status == 200
        assert shown() is enabled


def test_staff_cannot_disable_their_own_account(invoke, user_pool, staff):
    # Locked out by a slip, with no one signed in to undo it: another staff member does it.
    reply = call(invoke, "SetUserAccessFunction", sub=staff["sub"], admin=True, path={"userId": staff["sub"]},
                 body={"enabled": False})
    assert (reply.status, reply.error_code) == (409, "conflict"), reply.body
    assert "disabled" not in users.users_table.get_consistent(staff["sub"])
    assert enabled_in_cognito(user_pool, staff) is True


def test_the_access_of_an_unknown_user_is_a_404(invoke, user_pool, staff):
    reply = call(invoke, "SetUserAccessFunction", sub=staff["sub"], admin=True,
                 path={"userId": "0c9e8d7f-0000-4000-8000-00000000beef"}, body={"enabled": False})
    assert reply.status == 404


# --- the bound: token lifetime -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def template_lifetime(monkeypatch):
    """The template's own lifetime, whatever override the process carries (the HTTP suite sets one)."""
    monkeypatch.delenv(tokens.OVERRIDE, raising=False)


def test_the_template_bounds_id_and_access_tokens_at_five_minutes():
    (client,) = template.resources("AWS::Cognito::UserPoolClient").values()
    props = client["Properties"]
    parameters = template.load()["Parameters"]
    assert parameters["IdTokenMinutes"]["Default"] == 5
    assert parameters["IdTokenMinutes"]["MinValue"] == 5  # Cognito's minimum
    for kind in ("IdToken", "AccessToken"):
        assert props[f"{kind}Validity"] == {"Ref": "IdTokenMinutes"}
        assert props["TokenValidityUnits"][kind] == "minutes"
    assert tokens.id_token_lifetime_s() == FIVE_MINUTES_S


def test_tokens_the_local_runner_issues_live_the_templates_lifetime(user_pool):
    person = create_native_user("local@example.com")
    password = "Local-1aLongEnoughPassword"
    aws.client("cognito-idp").admin_set_user_password(UserPoolId=user_pool.id, Username=person["email"],
                                                      Password=password, Permanent=True)
    token = local_stack.id_token(user_pool.stack(), person["email"], password)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == FIVE_MINUTES_S


@pytest.mark.parametrize(("age_s", "accepted"), [(FIVE_MINUTES_S - 30, True), (FIVE_MINUTES_S + 1, False)])
def test_a_local_token_is_refused_once_its_lifetime_has_passed(age_s, accepted):
    # Given a token issued age_s ago, signed as the local pool signs
    issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_local"
    now = int(time.time())
    token = tokens.reissue({"sub": "6f1c2a9e-0b7d-4c1e-8f3a-5d2b9e7c4a10", "aud": "client", "iss": issuer,
                            "token_use": "id", "iat": now - age_s, "auth_time": now - age_s})
    kid, key = tokens.moto_signing_key()
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True) | {"kid": kid, "alg": "RS256"}
    verifier = IdTokenVerifier(jwks_url(issuer), issuer, {"client"}, fetch=lambda _: {"keys": [public]})
    # Then the verifier the local authorizer and $connect share accepts it only within the lifetime
    assert (verifier.verify(token) is not None) is accepted
