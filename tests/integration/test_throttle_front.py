"""The DynamoDB front of tests/support/throttle.py answers as DynamoDB does when a partition's
throughput is exceeded, on the table and on its indexes, and refills with simulated time."""

import pytest
from botocore.exceptions import ClientError

from clinic import aws
from clinic.repositories import audit_table, dynamo
from clinic_tools import template
from tests.support import env
from tests.support.throttle import PartitionThrottle, SimulatedClock, simulated_sleeps

TABLES = env.table_names()
MARKERS = TABLES["RollupMarkersTable"]
AUDIT = TABLES["AuditTable"]


@pytest.fixture
def front(tables, monkeypatch):
    clock = SimulatedClock()
    simulated_sleeps(monkeypatch, clock)
    # 1/100 of DynamoDB's limits: 10 write units and 30 read units per partition per second
    throttle = PartitionThrottle(aws.dynamodb(), template.table_definitions(env.TABLE_PREFIX), scale=100, clock=clock)
    yield throttle
    throttle.detach()


def drive(front, rate, count, request):
    """``request(i)`` for i in range(count), the i-th at i / rate simulated seconds (each caller on
    its own: one's backoff does not delay the next); returns the refusals that outlasted retries."""
    refused = []
    for i in range(count):
        front.clock.at(i / rate)
        try:
            request(i)
        except ClientError as error:
            refused.append(error.response)
    return refused


def marker(pk, sk):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def stored(table, key_name="pk"):
    return [dynamo.from_item(i) for i in aws.dynamodb().scan(TableName=table)["Items"]]


def test_a_key_written_at_twice_its_throughput_refuses_writes_after_botocores_retries(front):
    # Given callers writing one key at 20 writes/s (its partition takes 10) for 5 s, and another at 5/s
    client, written = aws.dynamodb(), []

    def write(i):
        if i % 4 == 0:
            client.put_item(TableName=MARKERS, Item=marker("cold", str(i)))  # never refused
        client.put_item(TableName=MARKERS, Item=marker("hot", str(i)))
        written.append(str(i))

    refused = drive(front, 20, 100, write)
    # Then some writes fail, as DynamoDB's do, after botocore's own retries, and write nothing
    assert refused and {r["Error"]["Code"] for r in refused} == {"ProvisionedThroughputExceededException"}
    # (clinic.aws: max_attempts 3 is, in botocore, three retries after the first attempt; once the
    # client's retry quota is spent, standard mode stops retrying: fewer attempts later on)
    attempts = [r["ResponseMetadata"]["RetryAttempts"] for r in refused]
    assert attempts[0] == 3 and set(attempts) <= {0, 1, 2, 3}
    assert sorted(i["sk"] for i in stored(MARKERS) if i["pk"] == "hot") == sorted(written)
    assert front.usage.throttled[(MARKERS, "", "hot")] >= len(refused) + sum(attempts)
    assert (MARKERS, "", "cold") not in front.usage.throttled


def test_a_table_given_its_own_scale_takes_its_own_share_of_the_limits(tables, monkeypatch):
    # Given a front at 1/100 whose markers are simulated at 1/10 of their callers
    clock = SimulatedClock()
    simulated_sleeps(monkeypatch, clock)
    front = PartitionThrottle(aws.dynamodb(), template.table_definitions(env.TABLE_PREFIX), scale=100,
                              scales={(MARKERS, ""): 10}, clock=clock)
    try:
        # Then a markers partition takes 100 write units a second, an audit day's 10, a person's 1,000
        assert front.limit((MARKERS, "", "2026-12-01#00"), "write") == 100
        assert front.limit((AUDIT, "ByDayShard", "2026-12-01#00"), "write") == 10
        assert front.limit((AUDIT, "", "a-patient"), "write") == 1000
        # And 50 marker writes in one second all go through where 1/100 would refuse most
        client = aws.dynamodb()
        for i in range(50):
            client.put_item(TableName=MARKERS, Item=marker("night#00", str(i)))
        assert not front.usage.throttled and front.clock.now == 0
    finally:
        front.detach()


def test_backoff_lets_a_slightly_hot_key_through_as_its_bucket_refills(front):
    # botocore's backoff sleeps (simulated) refill the bucket: 12 writes at once all get through
    client = aws.dynamodb()
    for i in range(12):
        client.put_item(TableName=MARKERS, Item=marker("warm", str(i)))
    assert len(stored(MARKERS)) == 12 and front.usage.throttled[(MARKERS, "", "warm")] >= 1
    assert front.clock.now > 0


def test_a_batch_gets_its_throttled_items_back_unprocessed_and_the_rest_applied(front):
    client = aws.dynamodb()
    for i in range(9):
        client.put_item(TableName=MARKERS, Item=marker("hot", str(i)))
    writes = [{"PutRequest": {"Item": marker(pk, f"b{i}")}} for i, pk in enumerate(["hot", "hot", "cold"])]
    reply = client.batch_write_item(RequestItems={MARKERS: writes})
    assert reply["UnprocessedItems"] == {MARKERS: [writes[1]]}
    assert {i["sk"] for i in stored(MARKERS)} == {*map(str, range(9)), "b0", "b2"}


def test_a_transaction_touching_a_hot_key_is_cancelled_with_throttling_error_and_applies_nothing(front):
    client = aws.dynamodb()
    for i in range(10):
        client.put_item(TableName=MARKERS, Item=marker("hot", str(i)))
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(TransactItems=[{"Put": {"TableName": MARKERS, "Item": marker("cold", "t")}},
                                                   {"Put": {"TableName": MARKERS, "Item": marker("hot", "t")}}])
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in cancelled.value.response["CancellationReasons"]] == ["None", "ThrottlingError"]
    assert "t" not in {i["sk"] for i in stored(MARKERS)}


def test_an_index_partition_throttles_writes_to_different_table_partitions(front, monkeypatch):
    # Given one shard per day: every record of the day lands in one ByDayShard partition
    monkeypatch.setattr(audit_table, "SHARDS", 1)
    at = 1_767_225_600_000

    def record(i):
        audit_table.put(audit_table.new_item(actor_id=f"staff-{i % 7}", patient_id=f"patient-{i}", action="read",
                                 resource="stats", at=at, request_id=None))

    # When records for 100 different patients come at 20 a second (the index partition takes 10)
    refused = drive(front, 20, 100, record)
    # Then the index's partition refuses some (back-pressure), though every table partition is new
    assert refused and front.usage.throttled[(AUDIT, "ByDayShard", "2026-01-01#00")] >= len(refused)
    assert not any(p[1] == "" for p in front.usage.throttled)
    # And with four shards, the same load spreads and every record goes through
    monkeypatch.setattr(audit_table, "SHARDS", 4)
    front.clock.at(1000.0)
    assert drive(front, 20, 100, lambda i: (front.clock.at(1000.0 + i / 20), record(i))) == []


def test_reads_are_charged_by_what_they_return_and_refused_while_the_bucket_is_empty(front):
    client = aws.dynamodb()
    for i in range(3):
        front.clock.at(i * 10.0)  # 9 write units each: one at a time, after the bucket refilled
        client.put_item(TableName=MARKERS, Item={**marker("big", str(i)), "blob": {"S": "x" * 9_000}})
    # Given a Query of the partition returning 27 KB: 7 units (half: eventually consistent) ...
    front.clock.at(100.0)
    client.query(TableName=MARKERS, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "big"}})
    assert front.usage.read_units[(MARKERS, "", "big")] == 3.5
    # When callers run it 20 times a second (70 units/s against 30) for 5 s
    refused = drive(front, 20, 100, lambda i: (front.clock.at(100.0 + i / 20), client.query(
        TableName=MARKERS, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "big"}})))
    # Then some are refused even after retries
    assert refused and {r["Error"]["Code"] for r in refused} == {"ProvisionedThroughputExceededException"}


def test_a_local_index_is_charged_to_its_tables_partition(front):
    # Given an appointment: its item, the local index ById's entry and the global ones keyed alike
    appointments = TABLES["AppointmentsTable"]
    item = {"userId": "p1", "sk": "0001#a1", "appointmentId": "a1", "typeSk": "lab#0001#a1"}
    # When it is written, then read through the local index
    aws.dynamodb().put_item(TableName=appointments, Item=dynamo.to_item(item))
    aws.dynamodb().query(TableName=appointments, IndexName="ById", KeyConditionExpression="userId = :u",
                         ExpressionAttributeValues={":u": {"S": "p1"}})
    # Then the local index's write and read land on the patient's table partition, as in DynamoDB
    assert front.usage.write_units[(appointments, "", "p1")] == 2  # the item and its ById entry
    assert front.usage.write_units[(appointments, "ByType", "p1")] == 1
    assert front.usage.read_units[(appointments, "", "p1")] == 0.5
    assert not any(p[1] == "ById" for p in [*front.usage.write_units, *front.usage.read_units])
