"""The readings write path under real throttling (tests/support/throttle.py: every partition of
a DynamoDB 100 times smaller, so a pipeline overloads one patient's partitions threefold): botocore
retries with backoff, ingest retries unprocessed items, and what it cannot write it reports
failed. Once the failed readings are sent again (as callers and SQS do), every reading is stored
once and the summary equals a recompute: nothing lost, nothing counted twice; and a reading
reported accepted was stored when it was reported."""

from __future__ import annotations

import random

import botocore.session

from clinic import aws
from clinic.repositories import keys
from clinic.services import ingest
from clinic.services.readings import Outcome
from clinic_tools import template
from tests.integration.test_ingest_invariant import assert_everything_stored, assert_summary_is_a_recompute
from tests.support import env
from tests.support.data import NOW_MS, create_users, ingest_reading
from tests.support.throttle import PartitionThrottle, SimulatedClock, simulated_sleeps

USERS = ["hot-user-a", "hot-user-b"]
TABLES = env.table_names()


def stored_ids(user: str) -> set[str]:
    """What is stored, read past the throughput front (the test looks; it is not part of the load)."""
    inspect = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
    ids, request = set(), {"TableName": TABLES["BiomarkersTable"], "KeyConditionExpression": "userId = :u",
                           "ExpressionAttributeValues": {":u": {"S": user}}, "ConsistentRead": True}
    while True:
        page = inspect.query(**request)
        ids |= {i["readingId"]["S"] for i in page["Items"]}
        if "LastEvaluatedKey" not in page:
            return ids
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_throttled_ingest_loses_nothing_counts_nothing_twice_and_reports_honestly(tables, monkeypatch,
                                                                                 instant_retries):
    create_users(*USERS)
    random.seed(19)  # botocore's and the write path's backoff jitter: the same run every time
    clock = SimulatedClock()
    simulated_sleeps(monkeypatch, clock)
    front = PartitionThrottle(aws.dynamodb(), template.table_definitions(env.TABLE_PREFIX), scale=100,
                              clock=clock, scale_all=True)
    try:
        # Given two pipelines, each sending a patient 2 batches of 15 readings a second for 6 s
        # (30 writes/s on partitions that now take 10), duplicates of the previous batch included
        sent, failed, accepted = [], [], 0
        for n in range(24):
            user = USERS[n % 2]
            batch = [ingest_reading(user, "Heart Rate", 60 + (n + i) % 40, NOW_MS - (n * 15 + i) * 60_000,
                                    unit="bpm", rid=f"{user}-{n}-{i}") for i in range(15)]
            batch += sent[-3:] if n else []
            clock.at(n / 4)
            results = ingest.ingest(batch)
            sent += batch[:15]
            # Then each accepted reading is stored when reported; the others are duplicates or failed
            now_stored = {u: stored_ids(u) for u in USERS}
            for result in results:
                if result.outcome == Outcome.ACCEPTED:
                    accepted += 1
                    assert result.reading_id in now_stored[batch[result.index]["userId"]]
            failed += [batch[r.index] for r in results if r.outcome == Outcome.FAILED]
            assert Outcome.REJECTED not in {r.outcome for r in results}
        assert front.usage.throttled and failed  # the guard: the front really pushed back
        # When the failed readings are sent again later, until none fails (as SQS redelivers)
        for attempt in range(20):
            if not failed:
                break
            clock.at(100.0 + attempt * 30)
            results = ingest.ingest(failed)
            failed = [failed[r.index] for r in results if r.outcome == Outcome.FAILED]
        assert failed == []
    finally:
        front.detach()
    # Then every reading is stored exactly once and each summary is a recompute of what is stored
    for user in USERS:
        assert_everything_stored(user, sent)
        assert len(stored_ids(user)) == len({keys.reading_id(r["source"], r["sourceReadingId"])
                                             for r in sent if r["userId"] == user})
        assert_summary_is_a_recompute(user)
    assert accepted > 0
