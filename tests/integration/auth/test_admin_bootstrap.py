"""`clinic-admin bootstrap --email ...` against the template's pool on moto: the first admin is
created (or an existing person promoted) through the audited role change, the pool's MFA setting
is reported, and a second admin needs --allow-existing."""

from __future__ import annotations

import pytest
from moto.core import DEFAULT_ACCOUNT_ID

from clinic import aws
from clinic.repositories import audit_table
from clinic.repositories import users_table as users_repo
from clinic_ops import bootstrap as first_admin
from clinic_ops import cli
from tests.integration.auth.conftest import create_native_user

OPERATOR = "arn:aws:iam::123456789012:user/clinic-engineer"


def idp():
    return aws.client("cognito-idp")


def admins(pool) -> list[str]:
    return [u["Username"] for u in idp().list_users_in_group(UserPoolId=pool.id, GroupName="admin")["Users"]]


def audit_of(user_id):
    records = audit_table.page(patient_id=user_id, actor_id=None, limit=100, after=None).items
    return [(r["action"], r["resource"], r["actorId"]) for r in records]


def test_the_first_admin_is_created_in_the_admin_group_with_an_audit_record(user_pool):
    # When the first admin is bootstrapped into an empty pool
    done = first_admin.bootstrap(user_pool.id, "Dr.Rivera@Clinic.Example", operator=OPERATOR,
                                 allow_existing=False, idp=idp())
    # Then a pool user with that (normalized) verified address exists, in the admin group
    assert done.created is True
    person = idp().admin_get_user(UserPoolId=user_pool.id, Username="dr.rivera@clinic.example")
    attributes = {a["Name"]: a["Value"] for a in person["UserAttributes"]}
    assert attributes["sub"] == done.user_id and attributes["email_verified"] == "true"
    assert person["UserStatus"] == "FORCE_CHANGE_PASSWORD"  # they choose a password at first sign-in
    assert admins(user_pool) == [person["Username"]]
    # and their Users row says admin, and the role change is audited with who ran it
    assert users_repo.get(done.user_id)["role"] == "admin"
    assert audit_of(done.user_id) == [("role-change", "role:patient->admin", f"operator:{OPERATOR}")]


def test_an_existing_person_is_promoted_not_duplicated(user_pool):
    existing = create_native_user("nurse.kim@clinic.example")
    done = first_admin.bootstrap(user_pool.id, "nurse.kim@clinic.example", operator=OPERATOR,
                                 allow_existing=False, idp=idp())
    assert (done.created, done.user_id) == (False, existing["sub"])
    assert admins(user_pool) == [existing["username"]]
    users = idp().list_users(UserPoolId=user_pool.id, Filter='email = "nurse.kim@clinic.example"')["Users"]
    assert len(users) == 1


def test_a_second_admin_is_refused_unless_allowed(user_pool):
    first_admin.bootstrap(user_pool.id, "first@clinic.example", operator=OPERATOR, allow_existing=False, idp=idp())
    with pytest.raises(first_admin.Refused):
        first_admin.bootstrap(user_pool.id, "second@clinic.example", operator=OPERATOR, allow_existing=False,
                              idp=idp())
    # nothing was written for the refused one
    assert idp().list_users(UserPoolId=user_pool.id, Filter='email = "second@clinic.example"')["Users"] == []
    assert len(admins(user_pool)) == 1
    first_admin.bootstrap(user_pool.id, "second@clinic.example", operator=OPERATOR, allow_existing=True, idp=idp())
    assert len(admins(user_pool)) == 2


@pytest.mark.parametrize("mfa", ["OFF", "OPTIONAL", "ON"])
def test_the_pools_mfa_setting_is_reported(user_pool, mfa):
    # The template's pool is OPTIONAL; moto reports the setting the pool was created with, so
    # the other settings are given to its record of the pool directly.
    from moto.cognitoidp.models import cognitoidp_backends

    backend = cognitoidp_backends[DEFAULT_ACCOUNT_ID][idp().meta.region_name]
    backend.user_pools[user_pool.id].extended_config["MfaConfiguration"] = mfa
    done = first_admin.bootstrap(user_pool.id, "mfa@clinic.example", operator=OPERATOR, allow_existing=False,
                                 idp=idp())
    assert done.mfa == mfa and done.note == first_admin.MFA_NOTES[mfa]


def test_not_an_address_is_refused_before_anything_is_written(user_pool):
    with pytest.raises(ValueError, match="not an email address"):
        first_admin.bootstrap(user_pool.id, "not an address", operator=OPERATOR, allow_existing=False, idp=idp())
    assert idp().list_users(UserPoolId=user_pool.id)["Users"] == []


@pytest.fixture
def deployed(user_pool, monkeypatch):
    """The command line against the moto pool: the stack's function environment is the test's."""
    monkeypatch.setattr(cli, "stack_environment", lambda profile: None)
    monkeypatch.setattr(cli, "client", lambda service, region: aws.client(service))
    return user_pool


def test_the_command_creates_the_admin_and_refuses_a_second_with_exit_code_3(deployed, capsys):
    assert cli.main(["bootstrap", "--email", "first@clinic.example"]) == 0
    out = capsys.readouterr().out
    assert "admin created" in out and "MFA:" in out
    assert cli.main(["bootstrap", "--email", "second@clinic.example"]) == 3
    assert "--allow-existing" in capsys.readouterr().err
    assert cli.main(["bootstrap", "--email", "second@clinic.example", "--force"]) == 0
    assert len(admins(deployed)) == 2
