"""RollupMarkers: which users had readings arrive on a clinic-local day, and the nightly
planner's checkpoint.

Marker key: ``pk = "<due day>#<shard>"``, ``sk = userId``; attribute ``days`` (a string set of
the local days those readings were for) and ``expiresAt`` (TTL, epoch seconds). The night of a
day reads only that day's shard partitions, whatever the number of users. Sharding spreads a
busy day's marker writes over several partitions (one partition takes 1,000 writes a second);
under one shard count a user always lands on the same shard, so adding to their marker is
idempotent. The count is a setting (``ROLLUP_MARKER_SHARDS``, sized by the capacity model).

Checkpoint: ``pk = "checkpoint"``, ``sk = "nightly"``, ``day`` = the last due day planned,
``markerShards`` = the largest shard count the planner has been configured with. A shard is
``hash(user) % count``, so the markers written under any count N are all in shards ``0..N-1``:
reading the largest count ever configured finds them after the count goes up or down.
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

# The count markers were written with before it was a setting: a checkpoint without
# ``markerShards`` was recorded under it.
FIRST_SHARDS = 16
# Markers outlive their night by a quarter, so a night can be re-run (backfilled) from them.
TTL_DAYS = 90
CHECKPOINT_KEY = {"pk": "checkpoint", "sk": "nightly"}


def _table() -> str:
    return get_settings(Rollups).rollup_markers_table


def configured_shards() -> int:
    return get_settings(Rollups).rollup_marker_shards


def shard_of(user_id: str, shards: int) -> int:
    return int(hashlib.sha256(user_id.encode()).hexdigest()[:8], 16) % shards


def partition(due: str, shard: int) -> str:
    return f"{due}#{shard:02d}"


def expires_at(due: str) -> int:
    end = datetime.combine(date.fromisoformat(due) + timedelta(days=TTL_DAYS), time(), UTC)
    return int(end.timestamp())


def add_days_action(user_id: str, due: str, days: Sequence[str]) -> dict[str, Any]:
    """A TransactWriteItems Update that adds ``days`` to the user's marker for ``due``."""
    return {"Update": {
        "TableName": _table(),
        "Key": {"pk": {"S": partition(due, shard_of(user_id, configured_shards()))}, "sk": {"S": user_id}},
        "UpdateExpression": "ADD #days :days SET #exp = :exp",
        "ExpressionAttributeNames": {"#days": "days", "#exp": "expiresAt"},
        "ExpressionAttributeValues": {":days": {"SS": sorted(set(days))}, ":exp": {"N": str(expires_at(due))}},
    }}


@dataclass(frozen=True, slots=True)
class Marker:
    user_id: str
    days: tuple[str, ...]


def markers_due(due: str, shards: int) -> Iterator[Marker]:
    """Every marker of the night ``due`` written under ``shards`` or fewer shards: one Query per
    shard (more only past 1 MB a shard)."""
    client = aws.dynamodb()
    for shard in range(shards):
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


@dataclass(frozen=True, slots=True)
class Checkpoint:
    day: str | None  # the last due day a scheduled run planned
    marker_shards: int  # the largest shard count recorded (FIRST_SHARDS when none is)


def checkpoint() -> Checkpoint:
    response = aws.dynamodb().get_item(TableName=_table(), Key=dynamo.to_item(CHECKPOINT_KEY),
                                       ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    item = response.get("Item") or {}
    return Checkpoint(str(item["day"]["S"]) if "day" in item else None,
                      int(item["markerShards"]["N"]) if "markerShards" in item else FIRST_SHARDS)


def shards_to_read(saved: Checkpoint) -> int:
    """The shard count a night is read with: the configured one, or the largest configured before
    if that is larger (a writer may have used it within the markers' lifetime). A larger
    configured count is recorded first, so a later, smaller one still reads it."""
    configured = configured_shards()
    if configured > saved.marker_shards:
        with contextlib.suppress(dynamo.ConditionFailed):  # a larger count is already recorded
            dynamo.update_if(
                _table(), CHECKPOINT_KEY,
                UpdateExpression="SET #shards = :shards",
                ConditionExpression="attribute_not_exists(#shards) OR #shards < :shards",
                ExpressionAttributeNames={"#shards": "markerShards"},
                ExpressionAttributeValues={":shards": {"N": str(configured)}},
            )
    return max(configured, saved.marker_shards)


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
