"""DELETE /me and the erasure worker: the account is gone everywhere, a stale token cannot bring
the profile back, and clinical records follow the retention setting."""

from __future__ import annotations

import copy
import json

import pytest

from clinic import aws, settings
from clinic.errors import Unauthorized
from clinic.identity import Caller
from clinic.services import accounts, readings, users
from tests.integration.auth.conftest import create_native_user
from tests.support.data import NOW_MS, appointment, new_reading, store_appointments
from tests.support.events import _load, api_event, response_json

FUNCTION = "DeleteMeFunction"


def delete_me(invoke, person):
    return invoke(FUNCTION, api_event("me/delete_account.json", sub=person["sub"],
                                      claims=None if person.get("claims") else True))


def items(table, user_id):
    response = aws.dynamodb().query(TableName=table, KeyConditionExpression="userId = :u",
                                    ExpressionAttributeValues={":u": {"S": user_id}})
    return response["Items"]


def clinical_counts(tables, user_id):
    return {t: len(items(tables[t], user_id)) for t in ("BiomarkersTable", "BiomarkerSummaryTable",
                                                          "AppointmentsTable", "MedicationsTable")}


def with_records(person, readings_count=3, appointments_count=2):
    readings.record(person["sub"], [new_reading("Glucose", 80 + i, NOW_MS - i * 60_000) for i in range(readings_count)])
    store_appointments(person["sub"], [appointment(i) for i in range(appointments_count)])
    return person


@pytest.fixture
def patient(user_pool):
    person = create_native_user("leaving@example.com")
    users.create_profile(person["sub"], person["email"])
    return with_records(person)


def test_delete_me_removes_the_account_and_profile_and_keeps_records_by_default(invoke, patient, tables, user_pool):
    result = delete_me(invoke, patient)
    assert result["statusCode"] == 204
    assert aws.client("cognito-idp").list_users(UserPoolId=user_pool.id)["Users"] == []
    assert items(tables["UsersTable"], patient["sub"]) == []
    # keep: US medical-record retention
    assert clinical_counts(tables, patient["sub"]) == {"BiomarkersTable": 3, "BiomarkerSummaryTable": 2,
                                                       "AppointmentsTable": 2, "MedicationsTable": 0}


def test_a_token_issued_before_the_deletion_cannot_recreate_the_profile(invoke, patient, tables):
    delete_me(invoke, patient)
    stale = Caller(user_id=patient["sub"], email=patient["email"], groups=frozenset())
    with pytest.raises(Unauthorized):
        users.ensure_profile(stale)
    assert items(tables["UsersTable"], patient["sub"]) == []


def test_delete_me_only_touches_the_caller(invoke, patient, tables, user_pool):
    other = with_records(create_native_user("staying@example.com"))
    users.create_profile(other["sub"], other["email"])
    delete_me(invoke, patient)
    assert [u["Username"] for u in aws.client("cognito-idp").list_users(UserPoolId=user_pool.id)["Users"]] == [
        other["username"]]
    assert len(items(tables["UsersTable"], other["sub"])) == 1


def test_a_retry_after_a_partial_deletion_finishes_it(invoke, patient, tables, user_pool):
    # Given the Cognito user is already gone (a first attempt failed after deleting it)
    aws.client("cognito-idp").admin_delete_user(UserPoolId=user_pool.id, Username=patient["username"])
    # When the client retries with its still-valid token
    assert delete_me(invoke, patient)["statusCode"] == 204
    assert items(tables["UsersTable"], patient["sub"]) == []


def test_delete_me_without_a_verified_identity_is_a_401(invoke, tables, user_pool):
    result = invoke(FUNCTION, api_event("me/delete_account.json", claims=False))
    assert result["statusCode"] == 401
    assert response_json(result)["error"]["code"] == "unauthorized"


# --- erase ----------------------------------------------------------------------------------------


@pytest.fixture
def erasure_queue(user_pool, monkeypatch):
    url = aws.client("sqs").create_queue(QueueName="erasures")["QueueUrl"]
    monkeypatch.setenv("ERASURE_QUEUE_URL", url)
    settings.reset()
    yield url
    settings.reset()


def queued(url):
    messages = aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def erase_event(user_id):
    event = copy.deepcopy(_load("account/erase_data.json"))
    event["Records"][0]["body"] = json.dumps({"userId": user_id})
    return event


def test_with_erase_the_deletion_queues_the_records_for_erasure(invoke, patient, erasure_queue, monkeypatch):
    monkeypatch.setenv("RECORD_RETENTION", "erase")
    settings.reset()
    assert delete_me(invoke, patient)["statusCode"] == 204
    assert queued(erasure_queue) == [{"userId": patient["sub"]}]


def test_with_keep_nothing_is_queued(invoke, patient, erasure_queue):
    delete_me(invoke, patient)
    assert queued(erasure_queue) == []


def test_the_worker_erases_every_user_data_table_and_nothing_of_anyone_else(invoke, patient, erasure_queue, tables):
    other = with_records(create_native_user("staying@example.com"))
    result = invoke("EraseAccountDataFunction", erase_event(patient["sub"]))
    assert result == {"batchItemFailures": []}
    assert set(clinical_counts(tables, patient["sub"]).values()) == {0}
    assert clinical_counts(tables, other["sub"])["BiomarkersTable"] == 3
    assert queued(erasure_queue) == []  # done: nothing left to queue


def test_the_worker_is_bounded_per_message_and_queues_the_rest(patient, erasure_queue, tables, ddb_calls):
    many = with_records(create_native_user("prolific@example.com"), readings_count=60, appointments_count=30)
    ddb_calls.reset()
    # When one step may delete at most 50 items of the 92 stored (60 readings, 2 summary items, 30 appointments)
    assert accounts.erase_or_requeue(many["sub"], budget=50) is False
    work = dict(ddb_calls.operations)
    # Then it deleted exactly 50 in bounded requests (one 50-key page, two batches) and queued the rest
    assert work == {"Query": 1, "BatchWriteItem": 2}
    assert sum(clinical_counts(tables, many["sub"]).values()) == 42
    assert queued(erasure_queue) == [{"userId": many["sub"]}]
    # And the following steps finish the job
    assert accounts.erase_or_requeue(many["sub"], budget=50) is True
    assert sum(clinical_counts(tables, many["sub"]).values()) == 0


@pytest.mark.parametrize("body", ["not json", "{}", '{"userId": "../x"}', '{"userId": 5}', "[]"])
def test_a_malformed_message_is_reported_as_that_items_failure(invoke, tables, body):
    event = copy.deepcopy(_load("account/erase_data.json"))
    event["Records"][0]["body"] = body
    result = invoke("EraseAccountDataFunction", event)
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}


def test_erasing_an_account_without_records_is_one_empty_query_per_table(tables, ddb_calls):
    assert accounts.erase_user_data("00000000-0000-4000-8000-000000000000") is True
    assert dict(ddb_calls.operations) == {"Query": len(accounts.ERASED_TABLES)}
