"""Sensor and lab ingest: DynamoDB requests per 1,000 readings spread over 10 users, and readings
per second through the handler against moto's server, ours against a put-and-update-per-reading
baseline, both measured in the same run on the same workload.

The workload is what pipelines deliver (tests.support.data.sensor_and_lab_batch): per user a
30-biomarker lab panel sharing one recordedAt, then CGM glucose and heart rate in order.

The baseline is the straightforward internal mutation per reading, correct when run alone: a
GetItem per distinct user (unknown users), then per reading a conditional PutItem (a duplicate
fails the condition), a conditional UpdateItem of ``latest#<name>`` that returns the old item (a
late reading fails the condition) and an UpdateItem adding to the status counters.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from moto import mock_aws

from benchmarks.report import Table, ratio
from clinic import aws
from clinic.repositories import dynamo, keys
from clinic.services import ingest
from clinic.services.summary import COUNTER
from clinic_local import motoserver
from clinic_tools import handlers, template
from tests.support import env
from tests.support.data import DAY_MS, NOW_MS, create_users, ingest_reading, sensor_and_lab_batch
from tests.support.dynamo import CallCounter, recreate_tables
from tests.support.ports import free_port

FUNCTION = "IngestReadingsFunction"
TABLES = env.table_names()


def _create_tables() -> None:
    for args in template.table_definitions(env.TABLE_PREFIX).values():
        aws.dynamodb().create_table(**{k: v for k, v in args.items() if not k.startswith("_")})


# --- the baseline ----------------------------------------------------------------------------


def baseline_ingest(raw_items: list[dict[str, Any]]) -> dict[str, int]:
    """Put and update per reading (see the module docstring)."""
    from clinic.services import readings

    client = aws.dynamodb()
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    known: dict[str, bool] = {}
    for raw in raw_items:
        reading = ingest.validate(raw)
        resolved = reading if isinstance(reading, str) else readings.resolve(reading)
        if isinstance(resolved, str):
            counts["rejected"] += 1
            continue
        assert not isinstance(reading, str)
        user = reading.user_id
        if user not in known:
            known[user] = "Item" in client.get_item(TableName=TABLES["UsersTable"], Key={"userId": {"S": user}},
                                                    ProjectionExpression="userId")
        if not known[user]:
            counts["rejected"] += 1
            continue
        sk = keys.timed(resolved["recordedAt"], resolved["readingId"])
        item = {**resolved, "userId": user, "sk": sk}
        try:
            client.put_item(TableName=TABLES["BiomarkersTable"], Item=dynamo.to_item(item),
                            ConditionExpression="attribute_not_exists(sk)")
        except ClientError as error:
            if dynamo.error_code(error) != "ConditionalCheckFailedException":
                raise
            counts["duplicate"] += 1
            continue
        counts["accepted"] += 1
        fields = ("value", "unit", "status", "category", "recordedAt", "readingId", "source")
        try:
            old = client.update_item(
                TableName=TABLES["BiomarkerSummaryTable"],
                Key=dynamo.to_item({"userId": user, "sk": keys.latest_sk(resolved["name"])}),
                UpdateExpression="SET #name = :name, " + ", ".join(f"#{f} = :{f}" for f in fields),
                ConditionExpression="attribute_not_exists(sk) OR #recordedAt < :recordedAt"
                                    " OR (#recordedAt = :recordedAt AND #readingId < :readingId)",
                ExpressionAttributeNames={f"#{f}": f for f in ("name", *fields)},
                ExpressionAttributeValues={":name": {"S": resolved["name"]},
                                           **{f":{f}": dynamo.to_av(resolved[f]) for f in fields}},
                ReturnValues="ALL_OLD",
            ).get("Attributes")
        except ClientError as error:
            if dynamo.error_code(error) != "ConditionalCheckFailedException":
                raise
            continue  # older than the stored latest
        adds = {COUNTER[resolved["status"]]: 1}
        if old:
            previous = COUNTER[old["status"]["S"]]
            adds[previous] = adds.get(previous, 0) - 1
        else:
            adds["total"] = 1
        client.update_item(
            TableName=TABLES["BiomarkerSummaryTable"], Key=dynamo.to_item({"userId": user, "sk": keys.STATS_SK}),
            UpdateExpression="ADD " + ", ".join(f"#{k} :{k}" for k in adds),
            ExpressionAttributeNames={f"#{k}": k for k in adds},
            ExpressionAttributeValues={f":{k}": {"N": str(v)} for k, v in adds.items()},
        )
    return counts


def ours(raw_items: list[dict[str, Any]]) -> dict[str, int]:
    from clinic_local.gateway import LambdaContext

    body = handlers.load_handler(FUNCTION)({"readings": raw_items}, LambdaContext("bench"))
    return {k: body[k] for k in ("accepted", "duplicate", "rejected", "failed")}


# --- requests ----------------------------------------------------------------------------------


def _scenarios(users: list[str]) -> list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]:
    """(name, readings sent first to set the scene, the 1,000 readings measured)."""
    day_ago = NOW_MS - DAY_MS
    first = sensor_and_lab_batch(users, 100, day_ago)
    later = sensor_and_lab_batch(users, 100, day_ago + DAY_MS // 2)
    late = [ingest_reading(u, "Continuous Glucose (CGM)", 100, day_ago - (i + 1) * 300_000, rid=f"{u}-late-{i}")
            for u in users for i in range(100)]
    mixed = [r for i, r in enumerate(late) if i % 2] + [r for i, r in enumerate(later) if i % 2 == 0]
    return [
        ("first batch for 10 new users", [], first),
        ("next batch, same users", first, later),
        ("the same batch again (a retry)", first, first),
        ("late readings (older than the latest)", first, late),
        ("half late, half new", first, mixed),
    ]


class SummaryChanges:
    """The users of the BiomarkerSummary items each committed write changes, in write order: what
    the table's stream carries to the live fan-out."""

    def __init__(self, client: Any) -> None:
        self.users: list[str] = []
        self._sent: dict[str, Any] = {}
        self._client = client
        client.meta.events.register("before-parameter-build.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def _before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self._sent = params

    def _after(self, http_response: Any, model: Any, **_: Any) -> None:
        if http_response.status_code != 200:
            return
        actions = self._sent.get("TransactItems", []) if model.name == "TransactWriteItems" else []
        self.users += [a["Put"]["Item"]["userId"]["S"] for a in actions
                       if "Put" in a and a["Put"]["TableName"] == TABLES["BiomarkerSummaryTable"]]

    def fan_out_queries(self) -> int:
        """Connections Queries LiveFanOutFunction makes for these changes: one per user per batch
        (it de-duplicates users within a batch), batches of the mapping's BatchSize in stream order."""
        (source,) = [s for s in template.stream_sources() if s.table == "BiomarkerSummaryTable"]
        return sum(len(set(self.users[i : i + source.batch_size]))
                   for i in range(0, len(self.users), source.batch_size))

    def detach(self) -> None:
        self._client.meta.events.unregister("before-parameter-build.dynamodb", self._before)
        self._client.meta.events.unregister("after-call.dynamodb", self._after)


def _count(ingest_fn: Callable[[list[dict[str, Any]]], Any], setup: list[dict[str, Any]],
           measured: list[dict[str, Any]], users: list[str]) -> tuple[int, dict[str, int], int]:
    """Requests, requests by operation, and the fan-out's Connections Queries that follow."""
    with mock_aws():
        aws.reset()
        _create_tables()
        create_users(*users)
        if setup:
            ingest_fn(setup)
        counter = CallCounter(aws.dynamodb())
        changes = SummaryChanges(aws.dynamodb())
        ingest_fn(measured)
        counter.detach()
        changes.detach()
        return counter.calls.total, dict(counter.calls.operations), changes.fan_out_queries()


def requests_table(quick: bool) -> Table:
    users = [f"bench-user-{i:02d}" for i in range(10)]
    table = Table("Ingest: DynamoDB requests per 1,000 readings over 10 users (moto, counted)",
                  ["scenario", "ours", "+ fan-out", "baseline", "baseline/ours", "ours by operation"])
    scenarios = _scenarios(users)
    for name, setup, measured in scenarios[:2] if quick else scenarios:
        assert len(measured) == 1000
        ours_total, ours_ops, fan_out = _count(ours, setup, measured, users)
        base_total, _, _ = _count(baseline_ingest, setup, measured, users)
        table.add(name, ours_total, ours_total + fan_out, base_total, ratio(base_total, ours_total),
                  ", ".join(f"{op} {n}" for op, n in sorted(ours_ops.items())))
    table.notes.append("Baseline: a GetItem per user, then per reading a conditional PutItem, a conditional "
                       "UpdateItem of the latest item and an UpdateItem of the counters (1 to 3 requests).")
    table.notes.append("Ours: summaries (with Users) packed in one BatchGetItem round; existence read only for "
                       "readings not newer than the stored latest; per user, transactions that put each "
                       "reading if absent and merge it into the summary (up to 100 items each).")
    table.notes.append("+ fan-out: ours plus the Connections Queries LiveFanOutFunction makes for the summary "
                       "changes (one per user per stream batch of the mapping's BatchSize, in write order; "
                       "not counted for the baseline).")
    return table


# --- throughput ----------------------------------------------------------------------------------


def throughput_table(quick: bool) -> Table:
    size, runs = (500, 1) if quick else (1000, 5)
    users_per_run = 10
    port = free_port()
    server = motoserver.AtomicMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    aws.reset()
    timings: dict[str, list[float]] = {"ours": [], "baseline": []}
    requests: dict[str, int] = {}
    try:
        _create_tables()
        for _ in range(runs + 1):  # the first round warms up (imports, connections) and is dropped
            for label, fn in (("ours", ours), ("baseline", baseline_ingest)):
                # Same starting point for every run (moto copies a table per transaction, so a table
                # grown by earlier runs would slow later ones down: a moto cost, not DynamoDB's)
                recreate_tables(aws.dynamodb())
                users = [f"tp-{uuid.uuid4().hex[:10]}" for _ in range(users_per_run)]
                create_users(*users)
                batch = sensor_and_lab_batch(users, size // users_per_run, NOW_MS - DAY_MS)
                counter = CallCounter(aws.dynamodb())
                started = time.perf_counter()
                result = fn(batch)
                elapsed = time.perf_counter() - started
                counter.detach()
                assert result["accepted"] == size, result
                timings[label].append(elapsed)
                requests[label] = counter.calls.total
    finally:
        os.environ.pop("AWS_ENDPOINT_URL", None)
        aws.reset()
        server.stop()
    table = Table(f"Ingest: readings per second through the handler against moto's server ({size} readings, "
                  f"{users_per_run} users)", ["path", "requests", "median s", "readings/s", "vs baseline"])
    rates = {k: size / statistics.median(v[1:]) for k, v in timings.items()}
    for label in ("ours", "baseline"):
        table.add(label, requests[label], statistics.median(timings[label][1:]), rates[label],
                  ratio(rates[label], rates["baseline"]))
    table.notes.append(f"median of {runs} runs each, alternating, empty tables per run; HTTP to moto's server on "
                       "127.0.0.1 (one request at a time, as clinic_local.motoserver serves it). moto's time per "
                       "request is not DynamoDB's: the ratio shows the shape, not a production figure.")
    return table


def run(quick: bool = False) -> list[Table]:
    motoserver.backup_tables_once()
    return [requests_table(quick), throughput_table(quick)]
