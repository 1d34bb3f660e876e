"""One night of rollups for N active users x M readings, at two sizes of total users: DynamoDB
requests, estimated read units and seconds, ours (the night's markers -> SQS -> worker, through
the functions' handlers) against a cron-style job that Scans the Biomarkers table for the day,
both on the same moto tables in the same run. Flat is the goal: ours must not grow with the
users who had no readings that night.

Inactive users get one reading, one stats item and a marker on another night: the least a Scan
has to read for them (real histories are far longer, so the Scan's figures are a floor).
"""

from __future__ import annotations

import contextlib
import functools
import io
import time
from datetime import date
from typing import Any

from moto import mock_aws

from benchmarks.report import Table, median, ratio
from clinic import aws, clock
from clinic.observability import logger
from clinic.repositories import biomarkers_table, dynamo, keys, rollup_markers_table, rollups_table
from clinic.services import days, readings, rollups
from clinic_local import rollup
from clinic_local import stack as local_stack
from clinic_tools import handlers, template
from tests.support import env
from tests.support.data import new_reading
from tests.support.dynamo import CallCounter
from tests.support.moto_speed import bulk_put, partition_local_queries
from tests.support.nightly import local_ms

NIGHT = "2026-03-10"
BIOMARKERS = ("Continuous Glucose (CGM)", "Heart Rate")
UNITS = {"Continuous Glucose (CGM)": "mg/dL", "Heart Rate": "bpm"}


def _provision() -> dict[str, str]:
    aws.reset()
    client = aws.dynamodb()
    for args in template.table_definitions(env.TABLE_PREFIX).values():
        client.create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
    return {k: q["url"] for k, q in local_stack.create_queues(aws.client("sqs"), env.TABLE_PREFIX).items()}


def _active(count: int, per_user: int) -> None:
    """``count`` users, each with ``per_user`` readings on the night, through the write path."""
    wall_clock = clock.now_ms
    clock.now_ms = lambda: local_ms(NIGHT, 23)  # the readings arrive that night
    try:
        for u in range(count):
            batch = [new_reading(BIOMARKERS[i % 2], 70.0 + (u + i) % 40, local_ms(NIGHT, i % 24, (7 * i) % 60),
                                 unit=UNITS[BIOMARKERS[i % 2]], rid=f"a{u}-{i}") for i in range(per_user)]
            readings.record(f"active-{u:05d}", batch)
    finally:
        clock.now_ms = wall_clock


def _inactive(count: int) -> None:
    names = env.table_names()
    ids = [f"inactive-{u:06d}" for u in range(count)]
    old = local_ms("2026-02-01", 9)
    bulk_put(names["BiomarkersTable"], (biomarkers_table.to_item(u, readings.resolve(
        new_reading("Heart Rate", 64, old, unit="bpm", rid=u))) for u in ids))
    bulk_put(names["BiomarkerSummaryTable"], (
        {"userId": u, "sk": keys.STATS_SK, "total": 1, "optimal": 1, "inRange": 0, "outOfRange": 0, "asOf": old,
         "version": 1} for u in ids))
    shards = rollup_markers_table.configured_shards()
    bulk_put(names["RollupMarkersTable"], (
        {"pk": rollup_markers_table.partition("2026-02-01", rollup_markers_table.shard_of(u, shards)), "sk": u}
        for u in ids))


def scan_style_night() -> int:
    """The cron job we replace: Scan every reading, keep the night's, roll them up, write them.
    (Filtering client-side: a FilterExpression would still read, and bill, every item.)"""
    client = aws.dynamodb()
    start, end = days.day_bounds(date.fromisoformat(NIGHT), clock.clinic_zone())
    by_user: dict[str, list[dict[str, Any]]] = {}
    request: dict[str, Any] = {"TableName": env.table_names()["BiomarkersTable"], "ReturnConsumedCapacity": "TOTAL"}
    while True:
        page = client.scan(**request)
        for raw in page["Items"]:
            item = dynamo.from_item(raw)
            if start <= item["recordedAt"] < end:
                by_user.setdefault(item["userId"], []).append(item)
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    items = [r for user, rows in by_user.items() for r in rollups.daily(user, NIGHT, rows)]
    rollups_table.put_many(items)
    return len(items)


def _rollups(active: int) -> list[dict[str, Any]]:
    return [item for u in range(active) for item in _query_user(f"active-{u:05d}")]


def _query_user(user_id: str) -> list[dict[str, Any]]:
    page = aws.dynamodb().query(TableName=env.table_names()["RollupsTable"], KeyConditionExpression="userId = :u",
                                ExpressionAttributeValues={":u": {"S": user_id}})
    return [dynamo.from_item(i) for i in page["Items"]]


def _summarize(runs: list[tuple[int, float, float, Any]]) -> tuple[int, float, float]:
    assert len({(r[0], r[1]) for r in runs}) == 1, "a rerun made different requests"
    return runs[0][0], runs[0][1], median([r[2] for r in runs])


def _measure(fn: Any) -> tuple[int, float, float, Any]:
    counter = CallCounter(aws.dynamodb())
    sink = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(sink):  # the handlers' metric documents
        result = fn()
    seconds = time.perf_counter() - started
    counter.detach()
    return counter.calls.total, counter.calls.read_units, seconds, result


def run(quick: bool = False) -> list[Table]:
    from clinic_local.gateway import LambdaContext

    logger.setLevel("WARNING")
    for logical_id in (rollup.PLANNER, rollup.WORKER):
        handlers.load_handler(logical_id)  # imports outside the measurement (a warm Lambda)
    repeats = 1 if quick else 3
    active, per_user = (20, 12) if quick else (50, 24)
    sizes = [500, 2_500] if quick else [1_000, 10_000]
    table = Table(f"One night: {active} active users x {per_user} readings, by total users",
                  ["total users", "ours req", "ours RCU", "ours s", "scan req", "scan RCU", "scan s",
                   "scan/ours RCU", "rollups"])

    def invoke(logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
        return dict(handlers.load_handler(logical_id)(event, LambdaContext(logical_id)))

    for total in sizes:
        with mock_aws(), partition_local_queries():
            queues = _provision()
            _active(active, per_user)
            _inactive(total - active)
            sqs = aws.client("sqs")
            night = functools.partial(rollup.run, {"day": NIGHT}, sqs, queues["RollupWorkQueue"], invoke)
            # Both jobs are idempotent: repeat each, keep the median time (requests never vary).
            ours_runs = [_measure(night) for _ in range(repeats)]
            assert not any(r[3].failed_batches for r in ours_runs)
            after_ours = _rollups(active)
            scan_runs = [_measure(scan_style_night) for _ in range(repeats)]
            assert _rollups(active) == after_ours  # the baseline computes exactly what we did
        ours, scan = _summarize(ours_runs), _summarize(scan_runs)
        table.add(total, ours[0], ours[1], ours[2], scan[0], scan[1], scan[2], ratio(scan[1], ours[1]),
                  scan_runs[0][3])
        aws.reset()
    table.notes.append("req: DynamoDB requests (ours: 16 marker Queries, 2 Queries per active user, rollup "
                       "batch writes; scan: Scan pages of 1 MB plus the same rollup writes).")
    table.notes.append("RCU: estimated from returned item sizes by DynamoDB's rules; moto does not model capacity.")
    table.notes.append("s: median of repeated runs (both jobs are idempotent), in-process moto patched so a "
                       "Query reads only its partition as DynamoDB does (tests/support/moto_speed.py); a shape, "
                       "not a production latency.")
    table.notes.append(f"{active * per_user} readings in the night; inactive users hold 1 reading each (a floor "
                       "for the Scan); both jobs write the same rollups (checked).")
    return [table]
