"""Helpers for the nightly rollup tests: clinic-local instants, controlling when readings
"arrive" (the activity marker's night), and reading back rollups and markers by Query."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from clinic import aws, clock
from clinic.repositories import dynamo, rollup_markers_table
from tests.support import env

NY = ZoneInfo("America/New_York")


def local_ms(day: str, hour: int = 12, minute: int = 0, *, fold: int = 0) -> int:
    """Epoch ms of a New York wall-clock time (fold=1: the second 01:30 of a fall-back night)."""
    d = date.fromisoformat(day)
    return int(datetime(d.year, d.month, d.day, hour, minute, tzinfo=NY, fold=fold).timestamp() * 1000)


def arriving(monkeypatch: Any, day: str, hour: int = 18) -> None:
    """From now on the clock reads ``hour`` on ``day``: readings recorded arrive then (the night that rolls
    them up)."""
    monkeypatch.setattr(clock, "now_ms", lambda: local_ms(day, hour))


def rollups_of(user_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every rollup of a user, by (name, day): one Query of the user's partition."""
    names = env.table_names()
    out: dict[tuple[str, str], dict[str, Any]] = {}
    request: dict[str, Any] = {"TableName": names["RollupsTable"], "KeyConditionExpression": "userId = :u",
                               "ExpressionAttributeValues": {":u": {"S": user_id}}}
    while True:
        page = aws.dynamodb().query(**request)
        for raw in page["Items"]:
            item = dynamo.from_item(raw)
            out[(item["name"], item["day"])] = item
        if "LastEvaluatedKey" not in page:
            return out
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def markers_of(due: str) -> dict[str, tuple[str, ...]]:
    """userId -> marked days, for one night (written under the configured shard count)."""
    return {m.user_id: m.days for m in rollup_markers_table.markers_due(due, rollup_markers_table.configured_shards())}
