"""IngestReadingsFunction through its handler: direct Invoke and SQS, events from events/ingest/."""

import math

import pytest
from botocore.exceptions import ClientError

from clinic import aws
from clinic.models.common import MIN_EPOCH_MS
from clinic.repositories import biomarker_summary_table, dynamo
from clinic.services import stats
from tests.support.data import DAY_MS, NOW_MS, create_users, ingest_reading, sensor_and_lab_batch
from tests.support.dynamo import CallCounter
from tests.support.env import table_names
from tests.support.events import ingest_invoke_event, ingest_users, sqs_event

FUNCTION = "IngestReadingsFunction"
USER = "0b6f2a9e-1111-4222-8333-444455556666"


@pytest.fixture
def users(tables):
    create_users(USER, *ingest_users())


def outcomes(body):
    return [r["outcome"] for r in body["results"]]


def stored_readings_of(user_id):
    """Every stored reading of a user, in sort-key order (a test-only Query)."""
    items = aws.dynamodb().query(TableName=table_names()["BiomarkersTable"], KeyConditionExpression="userId = :u",
                                 ExpressionAttributeValues={":u": {"S": user_id}})["Items"]
    return [dynamo.from_item(i) for i in items]


# --- direct Invoke ---------------------------------------------------------------------------


def test_the_sample_invocation_is_accepted_and_merged_into_each_users_summary(invoke, users):
    body = invoke(FUNCTION, ingest_invoke_event())
    assert (body["accepted"], body["duplicate"], body["rejected"], body["failed"]) == (6, 0, 0, 0)
    assert [r["index"] for r in body["results"]] == list(range(6))
    assert all(len(r["readingId"]) == 32 for r in body["results"])
    totals = {user: stats.for_user(user).total for user in ingest_users()}
    assert sorted(totals.values()) == [2, 3]  # CGM + heart rate; a three-biomarker lab panel


def test_the_same_invocation_again_is_all_duplicates_and_counts_nothing_twice(invoke, users, ddb_calls):
    invoke(FUNCTION, ingest_invoke_event())
    before = {user: biomarker_summary_table.get_stats(user) for user in ingest_users()}
    ddb_calls.reset()
    body = invoke(FUNCTION, ingest_invoke_event())
    # Nothing is written again and no summary transaction runs
    assert set(ddb_calls.operations) == {"BatchGetItem"}
    assert outcomes(body) == ["duplicate"] * 6
    assert {user: biomarker_summary_table.get_stats(user) for user in ingest_users()} == before


def test_readings_of_an_unknown_user_are_rejected_and_the_rest_proceed(invoke, users):
    body = invoke(FUNCTION, ingest_invoke_event([
        ingest_reading("nobody-by-that-id"), ingest_reading(USER),
    ]))
    assert outcomes(body) == ["rejected", "accepted"]
    assert body["results"][0]["reason"] == "unknown user"
    assert stats.for_user("nobody-by-that-id").total == 0
    assert stats.for_user(USER).total == 1


def test_more_than_1000_readings_is_an_error_and_nothing_is_written(invoke, users, ddb_calls):
    readings = [ingest_reading(USER, at=NOW_MS - i) for i in range(1001)]
    body = invoke(FUNCTION, ingest_invoke_event(readings))
    assert body["error"]["code"] == "validation_error"
    assert "1000" in body["error"]["message"]
    assert ddb_calls.total == 0


def test_exactly_1000_readings_are_taken(invoke, users):
    readings = [ingest_reading(USER, at=NOW_MS - i) for i in range(1000)]
    assert invoke(FUNCTION, ingest_invoke_event(readings))["accepted"] == 1000


@pytest.mark.parametrize("event", [
    {"readings": {"not": "a list"}},
    {"items": []},
    {"readings": [], "userId": "someone"},
    [],
], ids=["readings-not-a-list", "wrong-key", "extra-key", "not-an-object"])
def test_a_malformed_envelope_is_an_error_result_not_a_crash(invoke, users, ddb_calls, event):
    body = invoke(FUNCTION, event)
    assert body["error"]["code"] == "validation_error"
    assert ddb_calls.total == 0


BAD = {
    "nan-value": ({"value": math.nan}, "value"),
    "infinite-value": ({"value": math.inf}, "value"),
    "value-as-string": ({"value": "85"}, "value"),
    "value-as-bool": ({"value": True}, "value"),
    "before-1900": ({"recordedAt": MIN_EPOCH_MS - 1}, "before 1900"),
    "far-future": ({"recordedAt": NOW_MS + 2 * DAY_MS}, "future"),
    "time-as-float": ({"recordedAt": NOW_MS + 0.5}, "recordedAt"),
    "oversize-name": ({"name": "G" * 65}, "name"),
    "oversize-source-reading-id": ({"sourceReadingId": "r" * 129}, "sourceReadingId"),
    "oversize-unit": ({"unit": "u" * 17}, "unit"),
    "oversize-user-id": ({"userId": "u" * 129}, "userId"),
    "hash-in-name": ({"name": "Glucose#1"}, "name"),
    "unit-not-the-catalogs": ({"unit": "mmol/L", "value": 4.7}, "unit does not match"),
    "unknown-status": ({"status": "great"}, "status"),
    "unknown-field": ({"comment": "fasting"}, "comment"),
    "missing-source": ({"source": None}, "source"),
}


@pytest.mark.parametrize("change", BAD.values(), ids=BAD.keys())
def test_each_bad_reading_is_rejected_with_a_reason_and_the_rest_of_the_batch_proceeds(invoke, users, change):
    fields, why = change
    bad = {**ingest_reading(USER, rid="bad"), **fields}
    if fields.get("source", "") is None:
        del bad["source"]
    body = invoke(FUNCTION, ingest_invoke_event([ingest_reading(USER, rid="good-1"), bad,
                                                 ingest_reading(USER, "Heart Rate", 70, unit="bpm", rid="good-2")]))
    assert outcomes(body) == ["accepted", "rejected", "accepted"]
    assert why in body["results"][1]["reason"]
    assert stats.for_user(USER).total == 2
    assert len(stored_readings_of(USER)) == 2


def test_reasons_never_echo_the_rejected_content(invoke, users):
    bad = ingest_reading(USER, name="Zq" * 40, unit="zqzqzqzqzqzqzqzqzq", rid="x" * 200)
    reason = invoke(FUNCTION, ingest_invoke_event([bad]))["results"][0]["reason"]
    assert "zq" not in reason.lower()
    assert "xxx" not in reason


def test_a_reading_from_before_1970_is_stored_in_time_order(invoke, users):
    # Given readings from 1965, 1969 and 2020 arriving out of order
    times = [-1_000, 1_577_836_800_000, -157_766_400_000]
    invoke(FUNCTION, ingest_invoke_event([ingest_reading(USER, at=t, rid=f"r{t}") for t in times]))
    # Then the table returns them oldest first, and the newest is the latest
    assert [r["recordedAt"] for r in stored_readings_of(USER)] == sorted(times)
    assert stats.for_user(USER).as_of == max(times)


def test_duplicates_inside_one_call_are_reported_and_stored_once(invoke, users):
    reading = ingest_reading(USER)
    body = invoke(FUNCTION, ingest_invoke_event([reading, reading]))
    assert outcomes(body) == ["accepted", "duplicate"]
    assert len(stored_readings_of(USER)) == 1


def test_a_late_reading_is_stored_and_marks_its_day_without_changing_the_stats(invoke, users, ddb_calls):
    invoke(FUNCTION, ingest_invoke_event([ingest_reading(USER, value=85, at=NOW_MS)]))
    before = biomarker_summary_table.get_stats(USER)
    ddb_calls.reset()
    body = invoke(FUNCTION, ingest_invoke_event([ingest_reading(USER, value=250, at=NOW_MS - DAY_MS)]))
    assert outcomes(body) == ["accepted"]
    after = biomarker_summary_table.get_stats(USER)
    counters = ("total", "optimal", "inRange", "outOfRange", "asOf")
    assert {k: after[k] for k in counters} == {k: before[k] for k in counters}
    # One transaction: the activity marker for yesterday, so tonight's rollups redo that day
    assert ddb_calls.operations["TransactWriteItems"] == 1
    assert len(stored_readings_of(USER)) == 2


# --- SQS -------------------------------------------------------------------------------------


def test_the_sample_queue_batch_is_processed_with_no_failures(invoke, users):
    result = invoke(FUNCTION, sqs_event())
    assert result == {"batchItemFailures": []}
    assert sum(stats.for_user(user).total for user in ingest_users()) == 3


def test_a_bad_message_fails_only_itself(invoke, users):
    event = sqs_event([ingest_reading(USER, rid="good"), "{not json", ingest_reading(USER, value=math.nan, rid="nan"),
                       ingest_reading("nobody-by-that-id"), ingest_reading(USER, "Heart Rate", 70, unit="bpm")])
    ids = [r["messageId"] for r in event["Records"]]
    result = invoke(FUNCTION, event)
    assert result == {"batchItemFailures": [{"itemIdentifier": ids[1]}, {"itemIdentifier": ids[2]},
                                            {"itemIdentifier": ids[3]}]}
    assert stats.for_user(USER).total == 2


def test_a_write_that_dynamodb_keeps_refusing_fails_only_its_own_message(invoke, users, instant_retries):
    # Given two users' readings, and DynamoDB throttling every transaction of the second user's
    other = sorted(ingest_users())[0]
    event = sqs_event([ingest_reading(USER, rid="ok"),
                       ingest_reading(other, "Heart Rate", 70, unit="bpm", rid="refused")])
    refused_id = event["Records"][1]["messageId"]
    client = aws.dynamodb()
    real = client.transact_write_items

    def refuse_heart_rate(**kwargs):
        names = {a["Put"]["Item"].get("name", {}).get("S") for a in kwargs["TransactItems"] if "Put" in a}
        if "Heart Rate" in names:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems")
        return real(**kwargs)

    client.transact_write_items = refuse_heart_rate
    try:
        result = invoke(FUNCTION, event)
    finally:
        del client.transact_write_items
    # When ingested, only the refused message fails
    assert result == {"batchItemFailures": [{"itemIdentifier": refused_id}]}
    # Then the refused reading is neither stored nor counted; its redelivery stores it
    assert stored_readings_of(other) == []
    assert stats.for_user(other).total == 0
    assert [r["name"] for r in stored_readings_of(USER)] == ["Glucose"]
    assert invoke(FUNCTION, sqs_event([ingest_reading(other, "Heart Rate", 70, unit="bpm", rid="refused")])) == {
        "batchItemFailures": []}
    assert stats.for_user(other).total == 1


def test_an_unexpected_error_fails_the_invocation_with_a_fixed_message(invoke, users, monkeypatch):
    from clinic.entry.invoke import InvocationFailed
    from clinic.services import readings

    def broken(*_, **__):
        raise KeyError("Glucose 85 mg/dL of " + USER)

    monkeypatch.setattr(readings, "record_many", broken)
    with pytest.raises(InvocationFailed) as failure:
        invoke(FUNCTION, sqs_event())
    assert str(failure.value) == "the invocation failed; it is safe to retry"
    assert failure.value.__cause__ is None
    assert failure.value.__suppress_context__


# --- request budget --------------------------------------------------------------------------


TEN_USERS = [f"user-{i:02d}" for i in range(10)]


def test_1000_readings_over_10_users_cost_at_most_60_requests(invoke, tables, ddb_calls):
    create_users(*TEN_USERS)
    batch = sensor_and_lab_batch(TEN_USERS, 100, NOW_MS - DAY_MS)
    ddb_calls.reset()
    body = invoke(FUNCTION, ingest_invoke_event(batch))
    assert body["accepted"] == 1000
    # One packed read of 10 users' summaries, latest items and Users items (340 keys: 4 requests),
    # then per user 2 transactions, each storing readings and merging them (100 readings and 32
    # biomarkers do not fit one transaction's 100 items with their latest items)
    assert dict(ddb_calls.operations) == {"BatchGetItem": 4, "TransactWriteItems": 20}
    assert ddb_calls.total <= 60


def test_the_next_batch_for_the_same_users_costs_the_same(invoke, tables, ddb_calls):
    create_users(*TEN_USERS)
    invoke(FUNCTION, ingest_invoke_event(sensor_and_lab_batch(TEN_USERS, 100, NOW_MS - DAY_MS)))
    ddb_calls.reset()
    body = invoke(FUNCTION, ingest_invoke_event(sensor_and_lab_batch(TEN_USERS, 100, NOW_MS - DAY_MS // 2)))
    assert body["accepted"] == 1000
    assert ddb_calls.total <= 60


def test_a_replayed_batch_costs_reads_only(invoke, tables, ddb_calls):
    create_users(*TEN_USERS)
    batch = sensor_and_lab_batch(TEN_USERS, 100, NOW_MS - DAY_MS)
    invoke(FUNCTION, ingest_invoke_event(batch))
    ddb_calls.reset()
    assert invoke(FUNCTION, ingest_invoke_event(batch))["duplicate"] == 1000
    # the summaries (4) and the 680 readings that are not a latest (7)
    assert dict(ddb_calls.operations) == {"BatchGetItem": 11}


def test_users_share_batch_requests(invoke, tables, ddb_calls):
    # 10 users with 3 readings each: one packed read, then the per-user transaction
    create_users(*TEN_USERS)
    ddb_calls.reset()
    batch = [ingest_reading(u, at=NOW_MS - i * 60_000, rid=f"{u}-{i}") for u in TEN_USERS for i in range(3)]
    invoke(FUNCTION, ingest_invoke_event(batch))
    assert dict(ddb_calls.operations) == {"BatchGetItem": 1, "TransactWriteItems": 10}


def test_request_counter_sees_the_functions_client(tables):
    # Guard for the budget tests: the counter is attached to the client the handler uses
    counter = CallCounter(aws.dynamodb())
    aws.dynamodb().list_tables()
    assert counter.calls.operations["ListTables"] == 1
    counter.detach()
