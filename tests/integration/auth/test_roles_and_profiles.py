"""The role in the token (pre-token-generation), changing a role (Cognito group and Users item
together), and the profile any route can ensure on first use."""

from __future__ import annotations

import pytest

from clinic import aws
from clinic.errors import NotFound, Unauthorized
from clinic.identity import Caller
from clinic.models.users import Role
from clinic.repositories import audit_table, users_table
from clinic.services import users
from clinic.services.sign_in import SignInRefused
from tests.integration.auth.conftest import create_native_user
from tests.support.cognito import trigger_event


def with_totp(pool, username):
    """Turn the user's authenticator app on, as the page does (moto checks no code)."""
    idp = aws.client("cognito-idp")
    idp.admin_set_user_password(UserPoolId=pool.id, Username=username, Password="Local-1aXyz0123456789", Permanent=True)
    access = idp.admin_initiate_auth(UserPoolId=pool.id, ClientId=pool.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": username, "PASSWORD": "Local-1aXyz0123456789"},
                                     )["AuthenticationResult"]["AccessToken"]
    idp.associate_software_token(AccessToken=access)
    idp.verify_software_token(AccessToken=access, UserCode="123456")
    idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})


def token_event(pool, person, groups, source="TokenGeneration_Authentication"):
    configuration = {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": None}
    event = trigger_event("pre_token_generation", user_pool_id=pool.id, user_name=person["username"],
                          groupConfiguration=configuration)
    return {**event, "triggerSource": source}


@pytest.mark.parametrize(("groups", "role"), [
    ([], "patient"), (["admin"], "admin"), (["staff", "admin"], "admin"), (["staff"], "patient")])
def test_the_token_carries_the_role_from_the_admin_group(invoke, tables, user_pool, groups, role):
    person = create_native_user("someone@example.com")
    with_totp(user_pool, person["username"])
    response = invoke("PreTokenGenerationFunction", token_event(user_pool, person, groups))["response"]
    assert response == {"claimsOverrideDetails": {"claimsToAddOrOverride": {"role": role}}}


@pytest.mark.parametrize("source", ["TokenGeneration_Authentication", "TokenGeneration_RefreshTokens"])
def test_an_admin_without_an_authenticator_app_gets_a_token_without_the_admin_group(invoke, tables, user_pool,
                                                                                    source):
    person = create_native_user("new.staff@example.com")
    response = invoke("PreTokenGenerationFunction",
                      token_event(user_pool, person, ["staff", "admin"], source))["response"]
    assert response == {"claimsOverrideDetails": {"claimsToAddOrOverride": {"role": "patient"},
                                                  "groupOverrideDetails": {"groupsToOverride": ["staff"]}}}


def test_an_admin_signing_in_with_google_is_refused_even_with_an_authenticator_app(invoke, tables, user_pool):
    # Cognito asks no second factor of a federated sign-in.
    person = create_native_user("staff.google@example.com")
    with_totp(user_pool, person["username"])
    with pytest.raises(SignInRefused):
        invoke("PreTokenGenerationFunction", token_event(user_pool, person, ["admin"], "TokenGeneration_HostedAuth"))


def test_a_patient_token_costs_no_cognito_call(invoke, tables, user_pool):
    person = create_native_user("plain.patient@example.com")
    calls = []

    def record(model, **_):
        calls.append(model.name)

    events = aws.client("cognito-idp").meta.events
    events.register("before-call.cognito-idp", record)
    try:
        invoke("PreTokenGenerationFunction", token_event(user_pool, person, []))
        assert calls == []
        invoke("PreTokenGenerationFunction", token_event(user_pool, person, ["admin"]))
        assert calls == ["AdminGetUser"]
    finally:
        events.unregister("before-call.cognito-idp", record)


def sign_ins_of(user_id):
    records = audit_table.page(patient_id=user_id, actor_id=None, limit=100, after=None).items
    return [(r["action"], r["resource"], r["actorId"]) for r in records]


@pytest.mark.parametrize("source", ["TokenGeneration_Authentication", "TokenGeneration_HostedAuth",
                                    "TokenGeneration_NewPasswordChallenge"])
def test_every_completed_sign_in_is_audited_without_the_address(invoke, tables, source):
    # Custom challenge (email link), hosted UI (Google) alike: the token trigger sees them all.
    event = {**trigger_event("pre_token_generation"), "triggerSource": source}
    sub = event["request"]["userAttributes"]["sub"]
    invoke("PreTokenGenerationFunction", event)
    assert sign_ins_of(sub) == [("sign-in", f"session:{source}", sub)]
    assert event["request"]["userAttributes"]["email"] not in str(
        audit_table.page(patient_id=sub, actor_id=None, limit=100, after=None).items)


def test_a_token_refresh_is_not_a_sign_in(invoke, tables):
    event = {**trigger_event("pre_token_generation"), "triggerSource": "TokenGeneration_RefreshTokens"}
    invoke("PreTokenGenerationFunction", event)
    assert sign_ins_of(event["request"]["userAttributes"]["sub"]) == []


def groups_of(pool, username):
    return [g["GroupName"] for g in aws.client("cognito-idp").admin_list_groups_for_user(
        UserPoolId=pool.id, Username=username)["Groups"]]


def refresh_token(pool, username):
    # (moto revokes by the exact name used to sign in, so sign in with the pool's username)
    idp = aws.client("cognito-idp")
    idp.admin_set_user_password(UserPoolId=pool.id, Username=username, Password="Local-1aXyz0123456789", Permanent=True)
    return idp.admin_initiate_auth(UserPoolId=pool.id, ClientId=pool.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": "Local-1aXyz0123456789"},
                                   )["AuthenticationResult"]["RefreshToken"]


def refreshes(pool, token):
    try:
        aws.client("cognito-idp").admin_initiate_auth(UserPoolId=pool.id, ClientId=pool.client_id,
                                                      AuthFlow="REFRESH_TOKEN_AUTH",
                                                      AuthParameters={"REFRESH_TOKEN": token})
    except aws.client("cognito-idp").exceptions.NotAuthorizedException:
        return False
    return True


def test_promoting_changes_the_group_and_the_profile(user_pool):
    person = create_native_user("nurse@example.com")
    users.create_profile(person["sub"], person["email"])
    user = users.set_role(person["sub"], Role.ADMIN)
    assert user.role is Role.ADMIN
    assert groups_of(user_pool, person["username"]) == ["admin"]
    assert users_table.get_consistent(person["sub"])["role"] == "admin"


def test_demoting_changes_both_and_signs_the_former_admin_out(user_pool):
    person = create_native_user("former.admin@example.com")
    users.set_role(person["sub"], Role.ADMIN)
    token = refresh_token(user_pool, person["username"])
    assert refreshes(user_pool, token)
    user = users.set_role(person["sub"], Role.PATIENT)
    assert user.role is Role.PATIENT
    assert groups_of(user_pool, person["username"]) == []
    assert users_table.get_consistent(person["sub"])["role"] == "patient"
    assert not refreshes(user_pool, token)


def test_promoting_signs_the_person_out_so_the_admin_token_needs_a_new_sign_in(user_pool):
    person = create_native_user("promoted@example.com")
    token = refresh_token(user_pool, person["username"])
    users.set_role(person["sub"], Role.ADMIN)
    assert not refreshes(user_pool, token)


def test_setting_the_role_a_patient_already_has_signs_nobody_out(user_pool):
    person = create_native_user("patient@example.com")
    token = refresh_token(user_pool, person["username"])
    users.set_role(person["sub"], Role.PATIENT)
    assert refreshes(user_pool, token)


def test_set_role_creates_a_missing_profile_and_is_idempotent(user_pool):
    person = create_native_user("new.admin@example.com")
    first = users.set_role(person["sub"], Role.ADMIN)
    again = users.set_role(person["sub"], Role.ADMIN)
    assert first == again
    assert (first.email, first.role) == ("new.admin@example.com", Role.ADMIN)
    assert groups_of(user_pool, person["username"]) == ["admin"]


def test_set_role_of_an_unknown_user_is_not_found_and_writes_nothing(user_pool, tables):
    with pytest.raises(NotFound):
        users.set_role("00000000-0000-4000-8000-000000000000", Role.ADMIN)
    assert aws.dynamodb().scan(TableName=tables["UsersTable"])["Items"] == []


# --- ensure_profile -------------------------------------------------------------------------------


def caller(sub="7d3f9a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37", email="patient@example.com", groups=()):
    return Caller(user_id=sub, email=email, groups=frozenset(groups))


def test_ensure_profile_creates_it_once_then_reads_it(tables, ddb_calls):
    created = users.ensure_profile(caller(), name="Pat")
    assert (created.user_id, created.email, created.name, created.role) == (caller().user_id, "patient@example.com",
                                                                            "Pat", Role.PATIENT)
    ddb_calls.reset()
    assert users.ensure_profile(caller()) == created
    assert dict(ddb_calls.operations) == {"GetItem": 1}


def test_ensure_profile_takes_the_role_from_the_token_on_creation(tables):
    assert users.ensure_profile(caller(groups=["admin"])).role is Role.ADMIN


def test_ensure_profile_keeps_what_a_trigger_created(tables):
    users.create_profile(caller().user_id, "patient@example.com", name="From Sign-up")
    assert users.ensure_profile(caller(), name="Other").name == "From Sign-up"


def test_a_token_without_an_email_creates_nothing(tables):
    with pytest.raises(Unauthorized):
        users.ensure_profile(caller(email=None))
    assert aws.dynamodb().scan(TableName=tables["UsersTable"])["Items"] == []
