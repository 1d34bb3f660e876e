"""Stats at 10, 1,000 and 10,000 readings: DynamoDB requests and read units per request, ours
(one GetItem on BiomarkerSummary) against the seed's approach (read every reading of the user
and count), both on the same moto tables in the same run."""

from __future__ import annotations

import time

from moto import mock_aws

from benchmarks.report import Table, ratio
from clinic import aws
from clinic.repositories import dynamo
from clinic.services import readings
from clinic_tools import handlers, template
from tests.support import env
from tests.support.data import NOW_MS, new_reading
from tests.support.dynamo import CallCounter
from tests.support.events import EVENT_SUB, api_event

NAMES = 60


def _history(count: int) -> list:
    return [new_reading(f"Marker {i % NAMES}", float(i % 7), NOW_MS - (count - i) * 60_000, unit="U",
                        category="metabolic", status=("optimal", "in-range", "out-of-range")[i % 3], rid=f"r{i}")
            for i in range(count)]


def seed_style_stats(user_id: str) -> dict[str, int]:
    """The seed's getBiomarkerStats: every row of the user, counted in memory."""
    client = aws.dynamodb()
    counts = {"optimal": 0, "in-range": 0, "out-of-range": 0}
    request = {"TableName": env.table_names()["BiomarkersTable"], "KeyConditionExpression": "userId = :u",
               "ExpressionAttributeValues": {":u": {"S": user_id}}}
    while True:
        page = client.query(**request)
        for item in page["Items"]:
            counts[dynamo.from_av(item["status"])] += 1
        if "LastEvaluatedKey" not in page:
            return counts
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def run(quick: bool = False) -> list[Table]:
    from clinic_local.gateway import LambdaContext

    sizes = [10, 1_000] if quick else [10, 1_000, 10_000]
    table = Table("GET /biomarkers/stats: DynamoDB cost per request vs stored readings",
                  ["readings", "ours req", "ours RCU", "seed req", "seed RCU", "seed/ours RCU", "ours ms", "seed ms"])
    handler = handlers.load_handler("GetBiomarkerStatsFunction")
    for size in sizes:
        with mock_aws():
            aws.reset()
            client = aws.dynamodb()
            for args in template.table_definitions(env.TABLE_PREFIX).values():
                client.create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
            batch = _history(size)
            for start in range(0, size, 1000):
                readings.record(EVENT_SUB, batch[start : start + 1000])
            counter = CallCounter(client)
            event = api_event("biomarkers/get_stats.json")
            started = time.perf_counter()
            handler(event, LambdaContext("bench"))
            ours_ms = (time.perf_counter() - started) * 1000
            ours = (counter.calls.total, counter.calls.read_units)
            counter.calls.reset()
            started = time.perf_counter()
            seed_style_stats(EVENT_SUB)
            seed_ms = (time.perf_counter() - started) * 1000
            seed = (counter.calls.total, counter.calls.read_units)
            counter.detach()
        table.add(size, ours[0], ours[1], seed[0], seed[1], ratio(seed[1], ours[1]), ours_ms, seed_ms)
    table.notes.append("RCU: estimated from returned item sizes by DynamoDB's rules (moto does not model capacity);"
                       " eventually consistent reads.")
    table.notes.append("ms: in-process against moto, one call each; a shape, not a production latency.")
    return [table]
