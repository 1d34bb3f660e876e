"""Ingest under the failures moto cannot produce (botocore Stubber): throttling, UnprocessedKeys on
every attempt, cancelled transactions, timeouts. Nothing is lost: every reading is stored and
merged in one transaction, or reported failed (so the caller retries, or SQS redelivers it).

The stubbed client makes one attempt per call (botocore's own retries are its business): what
is tested is what the write path does once botocore gives up."""

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError
from botocore.stub import ANY, Stubber

from clinic import aws
from clinic.repositories import dynamo, keys
from clinic.services import ingest, readings
from clinic.services.readings import Outcome
from tests.support.data import NOW_MS, ingest_reading
from tests.support.env import table_names

USER = "0b6f2a9e-1111-4222-8333-444455556666"
TABLES = table_names()
ENDPOINT = "https://dynamodb.us-east-1.amazonaws.com"


@pytest.fixture
def client():
    client = botocore.session.get_session().create_client(
        "dynamodb", region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
    aws.override("dynamodb", client)
    yield client
    aws.override("dynamodb", None)


@pytest.fixture
def stub(client, instant_retries):
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def sent(client):
    """Every request's parameters, by operation."""
    calls = {}

    def record(model, params, **_):
        calls.setdefault(model.name, []).append(params)

    client.meta.events.register("before-parameter-build.dynamodb", record)
    return calls


def answer_lost(client, stub, operation, error):
    """The next ``operation`` reaches DynamoDB (its stubbed answer is consumed) but the caller gets
    ``error``, a transport failure botocore gave up on: whether it was applied is unknown."""
    event = f"after-call.dynamodb.{operation}"

    def raise_once(**_):
        client.meta.events.unregister(event, raise_once)
        raise error

    stub.add_response(botocore.xform_name(operation), {})
    client.meta.events.register(event, raise_once)


def add_error(stub, operation, code, reasons=None):
    kwargs = {"service_error_code": code, "service_message": "stubbed", "http_status_code": 400}
    if reasons:
        kwargs["response_meta"] = {}
        kwargs["modeled_fields"] = {"CancellationReasons": [{"Code": r} for r in reasons]}
    stub.add_client_error(operation, **kwargs)


GLUCOSE = ingest_reading(USER, "Glucose", 85, NOW_MS, rid="g")
HEART = ingest_reading(USER, "Heart Rate", 70, NOW_MS, unit="bpm", rid="h")
HEART_ID = keys.reading_id(HEART["source"], HEART["sourceReadingId"])


def user_exists(stub):
    """The first read: the user exists, no summary yet."""
    stub.add_response("batch_get_item", {"Responses": {TABLES["UsersTable"]: [{"userId": {"S": USER}}],
                                                       TABLES["BiomarkerSummaryTable"]: []}})


def summary_reread(stub):
    stub.add_response("batch_get_item", {"Responses": {TABLES["BiomarkerSummaryTable"]: []}})


def outcomes(results):
    return [r.outcome for r in results]


def reading_puts(sent):
    """The readings put by every transaction sent, by reading id."""
    return {a["Put"]["Item"]["readingId"]["S"] for call in sent.get("TransactWriteItems", [])
            for a in call["TransactItems"] if "Put" in a and a["Put"]["TableName"] == TABLES["BiomarkersTable"]}


def assert_nothing_lost(results, sent):
    """Every reading is accepted (stored and merged by a committed transaction) or failed."""
    assert set(outcomes(results)) <= {Outcome.ACCEPTED, Outcome.FAILED}
    for result in results:
        if result.outcome == Outcome.ACCEPTED:
            assert result.reading_id in reading_puts(sent)


# --- the one transaction: readings and summary --------------------------------------------------


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_a_throttled_transaction_reports_the_readings_failed(stub, sent, code):
    user_exists(stub)
    add_error(stub, "transact_write_items", code)
    results = ingest.ingest([GLUCOSE, HEART])
    assert outcomes(results) == [Outcome.FAILED, Outcome.FAILED]
    assert_nothing_lost(results, sent)


def test_readings_and_summary_are_one_transaction_and_each_reading_is_put_only_if_absent(stub, sent):
    user_exists(stub)
    stub.add_response("transact_write_items", {})
    results = ingest.ingest([GLUCOSE, HEART])
    assert outcomes(results) == [Outcome.ACCEPTED, Outcome.ACCEPTED]
    (transaction,) = sent["TransactWriteItems"]
    puts = [a["Put"] for a in transaction["TransactItems"]
            if "Put" in a and a["Put"]["TableName"] == TABLES["BiomarkersTable"]]
    assert [p["ConditionExpression"] for p in puts] == ["attribute_not_exists(sk)"] * 2
    assert "BatchWriteItem" not in sent


def test_a_reading_another_call_stored_meanwhile_is_a_duplicate_and_the_rest_commit(stub, sent):
    # Given the glucose reading's put fails its condition: another call stored (and merged) it
    user_exists(stub)
    # stats, latest#Glucose, latest#Heart Rate, the activity marker, then the two readings
    add_error(stub, "transact_write_items", "TransactionCanceledException",
              ["None", "None", "None", "None", "ConditionalCheckFailed", "None"])
    summary_reread(stub)
    stub.add_response("transact_write_items", {})
    # When ingested
    results = ingest.ingest([GLUCOSE, HEART])
    # Then glucose is a duplicate, heart rate is accepted by a second transaction without glucose
    assert outcomes(results) == [Outcome.DUPLICATE, Outcome.ACCEPTED]
    first, second = sent["TransactWriteItems"]
    assert len(first["TransactItems"]) == 6
    assert reading_puts({"TransactWriteItems": [second]}) == {HEART_ID}


def test_a_transaction_refused_as_invalid_is_an_error_not_a_retry(stub):
    user_exists(stub)
    add_error(stub, "transact_write_items", "ValidationException")
    with pytest.raises(ClientError):
        ingest.ingest([GLUCOSE])


# --- reads -----------------------------------------------------------------------------------


def test_a_read_that_times_out_fails_the_batch_and_writes_nothing(client, stub, sent):
    answer_lost(client, stub, "BatchGetItem", ReadTimeoutError(endpoint_url=ENDPOINT))
    results = ingest.ingest([GLUCOSE, HEART])
    assert outcomes(results) == [Outcome.FAILED, Outcome.FAILED]
    assert "TransactWriteItems" not in sent


def test_keys_left_unprocessed_on_every_attempt_fail_the_batch_and_write_nothing(stub, sent):
    key = {"userId": {"S": USER}}
    for _ in range(dynamo.MAX_ATTEMPTS):
        stub.add_response("batch_get_item",
                          {"Responses": {}, "UnprocessedKeys": {TABLES["UsersTable"]: {"Keys": [key]}}})
    results = ingest.ingest([GLUCOSE])
    assert outcomes(results) == [Outcome.FAILED]
    assert "TransactWriteItems" not in sent


def test_throttled_read_fails_the_batch(stub, sent):
    add_error(stub, "batch_get_item", "ProvisionedThroughputExceededException")
    assert outcomes(ingest.ingest([GLUCOSE])) == [Outcome.FAILED]
    assert "TransactWriteItems" not in sent


# --- lost races, conflicts, timeouts -----------------------------------------------------------------


def test_a_failed_condition_is_a_lost_race_retried_after_a_fresh_read(stub, sent):
    user_exists(stub)
    # stats (its version condition failed), latest#Glucose, the activity marker, the reading
    add_error(stub, "transact_write_items", "TransactionCanceledException",
              ["ConditionalCheckFailed", "None", "None", "None"])
    summary_reread(stub)
    stub.add_response("transact_write_items", {})
    results = ingest.ingest([GLUCOSE])
    assert outcomes(results) == [Outcome.ACCEPTED]
    assert len(sent["TransactWriteItems"]) == 2


def test_a_conflict_on_every_attempt_reports_failed_so_the_retry_merges(stub, sent):
    user_exists(stub)
    for _ in range(readings.COMMIT_ATTEMPTS):
        add_error(stub, "transact_write_items", "TransactionCanceledException",
                  ["None", "TransactionConflict", "None", "None"])
        summary_reread(stub)
    results = ingest.ingest([GLUCOSE])
    assert outcomes(results) == [Outcome.FAILED]
    assert results[0].reason == readings.SUMMARY_BUSY
    assert len(sent["TransactWriteItems"]) == readings.COMMIT_ATTEMPTS


def test_a_transaction_that_times_out_reports_failed(client, stub, sent):
    # Whether it committed is unknown: reporting failed is safe either way (see the invariant tests)
    user_exists(stub)
    answer_lost(client, stub, "TransactWriteItems", ReadTimeoutError(endpoint_url=ENDPOINT))
    assert outcomes(ingest.ingest([GLUCOSE])) == [Outcome.FAILED]


def test_a_transaction_cancelled_for_a_reason_no_retry_fixes_is_an_error(stub):
    user_exists(stub)
    add_error(stub, "transact_write_items", "TransactionCanceledException", ["ValidationError"])
    with pytest.raises(ClientError):
        ingest.ingest([GLUCOSE])


def test_one_users_failed_transaction_does_not_fail_another_users_readings(stub, sent):
    other = "1f2e3d4c-0000-4000-8000-000000000001"
    stub.add_response("batch_get_item", {"Responses": {
        TABLES["UsersTable"]: [{"userId": {"S": USER}}, {"userId": {"S": other}}],
        TABLES["BiomarkerSummaryTable"]: []}})
    add_error(stub, "transact_write_items", "ThrottlingException")
    stub.add_response("transact_write_items", {})
    results = ingest.ingest([GLUCOSE, ingest_reading(other, rid="o")])
    assert outcomes(results) == [Outcome.FAILED, Outcome.ACCEPTED]


def test_the_transaction_is_conditioned_on_the_summary_version_read(stub, sent):
    stub.add_response("batch_get_item", {"Responses": {
        TABLES["UsersTable"]: [{"userId": {"S": USER}}],
        TABLES["BiomarkerSummaryTable"]: [dynamo.to_item({"userId": USER, "sk": "stats", "total": 0, "optimal": 0,
                                                          "inRange": 0, "outOfRange": 0, "version": 7})]}})
    stub.add_response("transact_write_items", {}, expected_params={"TransactItems": ANY,
                                                                   "ReturnConsumedCapacity": "TOTAL"})
    ingest.ingest([GLUCOSE])
    stats_put = sent["TransactWriteItems"][0]["TransactItems"][0]["Put"]
    assert stats_put["ConditionExpression"] == "version = :v"
    assert stats_put["ExpressionAttributeValues"] == {":v": {"N": "7"}}
    assert stats_put["Item"]["version"] == {"N": "8"}
