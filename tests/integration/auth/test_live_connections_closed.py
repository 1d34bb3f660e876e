"""An account disabled by staff or deleted by its owner has its open WebSocket connections closed
at once: its pages stop hearing of changes then, not when API Gateway's two hours run out."""

from __future__ import annotations

import time

import pytest

from clinic.repositories import connections_table
from clinic.services import users
from tests.integration.auth.conftest import create_native_user
from tests.support.api import call
from tests.support.events import api_event


def connect(user_id: str, *connection_ids: str) -> None:
    for connection_id in connection_ids:
        connections_table.put(user_id, connection_id, int(time.time()) + 3600)


def open_connections(user_id: str) -> set[str]:
    return set(connections_table.of_user(user_id, int(time.time())))


@pytest.fixture
def patient(user_pool):
    person = create_native_user("watching@example.com")
    users.create_profile(person["sub"], person["email"])
    return person


def set_access(invoke, staff, patient, enabled: bool):
    return call(invoke, "SetUserAccessFunction", sub=staff["sub"], admin=True, path={"userId": patient["sub"]},
                body={"enabled": enabled})


def test_disabling_an_account_closes_each_of_its_connections_and_no_one_elses(invoke, management, staff, patient):
    # Given the patient's dashboard open in three tabs, and another person's in one
    connect(patient["sub"], "p1", "p2", "p3")
    connect("someone-else", "s1")
    # When staff disable the patient's account
    assert set_access(invoke, staff, patient, False).status == 200
    # Then the patient's three connections were closed through the management API and forgotten
    assert sorted(management.deleted) == ["p1", "p2", "p3"]
    assert open_connections(patient["sub"]) == set()
    assert open_connections("someone-else") == {"s1"}


def test_enabling_an_account_closes_nothing(invoke, management, staff, patient):
    connect(patient["sub"], "p1")
    assert set_access(invoke, staff, patient, True).status == 200
    assert management.deleted == [] and open_connections(patient["sub"]) == {"p1"}


def test_a_connection_already_gone_counts_as_closed(invoke, management, staff, patient):
    connect(patient["sub"], "p1", "p-gone")
    management.answers["p-gone"] = (410, "GoneException")
    assert set_access(invoke, staff, patient, False).status == 200
    assert management.deleted == ["p1"] and open_connections(patient["sub"]) == set()


def test_a_close_that_fails_fails_the_change_and_repeating_it_finishes_the_job(invoke, management, staff, patient):
    # Given the management API failing on one of the patient's connections
    connect(patient["sub"], "p1", "p-failing")
    management.answers["p-failing"] = (500, "InternalServerError")
    # When staff disable the account, the answer says it did not complete (and names nothing)
    failed = set_access(invoke, staff, patient, False)
    assert failed.status == 500 and failed.error_code == "internal", failed.body
    assert "p-failing" in open_connections(patient["sub"])
    # Then, the fault gone, the same request again completes it
    del management.answers["p-failing"]
    assert set_access(invoke, staff, patient, False).status == 200
    assert open_connections(patient["sub"]) == set()
    assert users.users_table.get_consistent(patient["sub"])["disabled"] is True


def test_deleting_ones_account_closes_its_connections(invoke, management, patient):
    connect(patient["sub"], "p1", "p2")
    connect("someone-else", "s1")
    result = invoke("DeleteMeFunction", api_event("me/delete_account.json", sub=patient["sub"], claims=True))
    assert result["statusCode"] == 204
    assert sorted(management.deleted) == ["p1", "p2"]
    assert open_connections(patient["sub"]) == set() and open_connections("someone-else") == {"s1"}
