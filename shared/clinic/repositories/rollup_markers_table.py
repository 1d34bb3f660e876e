"""RollupMarkers: which users had readings arrive on a clinic-local day, and the nightly
planner's checkpoint.

Marker key: ``pk = "<due day>#<shard>"``, ``sk = userId``; attribute ``days`` (a string set of
the local days those readings were for) and ``expiresAt`` (TTL, epoch seconds). The night of a
day reads only that day's ``SHARDS`` partitions, whatever the number of users. Sharding spreads
a busy day's marker writes over several partitions (one partition takes 1,000 writes a second);
a user always lands on the same shard, so adding to their marker is idempotent.

Checkpoint: ``pk = "checkpoint"``, ``sk = "nightly"``, ``day`` = the last due day planned.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from clinic import aws
from clinic.repositories import dynamo
from clinic.settings import Rollups, get_settings

SHARDS = 16
# Markers outlive their night by a quarter, so a night can be re-run (backfilled) from them.
TTL_DAYS = 90
CHECKPOINT_KEY = {"pk": "checkpoint", "sk": "nightly"}


def _table() -> str:
    return get_settings(Rollups).rollup_markers_table


def shard_of(user_id: str) -> int:
    return int(hashlib.sha256(user_id.encode()).hexdigest()[:8], 16) % SHARDS


def partition(due: str, shard: int) -> str:
    return f"{due}#{shard:02d}"


def expires_at(due: str) -> int:
    end = datetime.combine(date.fromisoformat(due) + timedelta(days=TTL_DAYS), time(), UTC)
    return int(end.timestamp())


def add_days_action(user_id: str, due: str, days: Sequence[str]) -> dict[str, Any]:
    """A TransactWriteItems Update that adds ``days`` to the user's marker for ``due``."""
    return {"Update": {
        "TableName": _table(),
        "Key": {"pk": {"S": partition(due, shard_of(user_id))}, "sk": {"S": user_id}},
        "UpdateExpression": "ADD #days :days SET #exp = :exp",
        "ExpressionAttributeNames": {"#days": "days", "#exp": "expiresAt"},
        "ExpressionAttributeValues": {":days": {"SS": sorted(set(days))}, ":exp": {"N": str(expires_at(due))}},
    }}


@dataclass(frozen=True, slots=True)
class Marker:
    user_id: str
    days: tuple[str, ...]


def markers_due(due: str) -> Iterator[Marker]:
    """Every marker of the night ``due``: one Query per shard (more only past 1 MB a shard)."""
    client = aws.dynamodb()
    for shard in range(SHARDS):
        request: dict[str, Any] = {
            "TableName": _table(),
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition(due, shard)}},
            "ProjectionExpression": "sk, #days",
            "ExpressionAttributeNames": {"#days": "days"},
            "ReturnConsumedCapacity": "TOTAL",
        }
        while True:
            response = client.query(**request)
            for item in response.get("Items", []):
                yield Marker(item["sk"]["S"], tuple(sorted(item.get("days", {}).get("SS", []))))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def last_planned() -> str | None:
    response = aws.dynamodb().get_item(TableName=_table(), Key=dynamo.to_item(CHECKPOINT_KEY),
                                       ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    item = response.get("Item")
    return str(item["day"]["S"]) if item and "day" in item else None


def advance_checkpoint(day: str) -> None:
    """Record ``day`` as planned; never moves the checkpoint back (two runs may overlap)."""
    with contextlib.suppress(dynamo.ConditionFailed):  # a later day is already recorded
        dynamo.update_if(
            _table(), CHECKPOINT_KEY,
            UpdateExpression="SET #day = :day",
            ConditionExpression="attribute_not_exists(#day) OR #day < :day",
            ExpressionAttributeNames={"#day": "day"},
            ExpressionAttributeValues={":day": {"S": day}},
        )
