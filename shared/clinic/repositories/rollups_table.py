"""Rollups: one item per (user, biomarker, clinic-local day), keyed (userId, "<name>#<YYYY-MM-DD>").

A biomarker's days sort together in date order, so any range of days is one key condition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys
from clinic.settings import Tables, get_settings

Item = dict[str, Any]


def _table() -> str:
    return get_settings(Tables).rollups_table


def sort_key(name: str, day: str) -> str:
    return f"{name}{keys.SEP}{day}"


def put_many(items: Iterable[Mapping[str, Any]]) -> None:
    """Write rollups (25 per request); each put replaces the whole item, so a rerun converges."""
    dynamo.batch_write(_table(), items)


def delete_many(rollup_keys: Iterable[Mapping[str, Any]]) -> None:
    """Remove rollups of days left without a reading of their biomarker (25 per request)."""
    dynamo.batch_delete(_table(), list(rollup_keys))


def daily_range(user_id: str, name: str, first: str, last: str, *, limit: int) -> list[Item]:
    """The rollups of ``name`` for days first..last (inclusive), oldest first: ONE Query.

    ``limit`` bounds the request (a window of at most ``limit`` days holds at most ``limit``
    items, a few hundred bytes each: far under the 1 MB page, so nothing is left over).
    """
    response = aws.dynamodb().query(
        TableName=_table(),
        KeyConditionExpression="userId = :u AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={":u": {"S": user_id}, ":lo": {"S": sort_key(name, first)},
                                   ":hi": {"S": sort_key(name, last)}},
        Limit=limit,
        ReturnConsumedCapacity="TOTAL",
    )
    return [dynamo.from_item(i) for i in response.get("Items", [])]
