"""Medications table: (userId, "<startedAt>#<medicationId>"), local index ById, and GSI ByActive
(userId, "active|inactive#<sk>") so the `active` filter is exact pages too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic.repositories import dynamo, keys, paging
from clinic.settings import Tables, get_settings

Item = dict[str, Any]


def _table() -> str:
    return get_settings(Tables).medications_table


def table() -> str:
    return _table()


def active_prefix(active: bool) -> str:
    return "active" if active else "inactive"


def to_item(user_id: str, medication: Mapping[str, Any]) -> Item:
    sk = keys.timed(medication["startedAt"], medication["medicationId"])
    return {**medication, "userId": user_id, "sk": sk,
            "activeSk": keys.prefixed(active_prefix(bool(medication["active"])), sk)}


def put_many(user_id: str, medications: list[Mapping[str, Any]]) -> None:
    dynamo.batch_write(_table(), (to_item(user_id, m) for m in medications))


def find(user_id: str, medication_id: str) -> Item | None:
    return dynamo.find_by_id(_table(), "ById", "medicationId", user_id, medication_id)


def page(user_id: str, *, active: bool | None, limit: int, after: Mapping[str, Any] | None) -> paging.Page:
    """Most recently started first; with ``active``, through ByActive."""
    key_attributes: tuple[str, ...]
    if active is None:
        index, sort_key, prefix, key_attributes = None, "sk", "", ("sk",)
    else:
        index, sort_key, prefix, key_attributes = (
            "ByActive",
            "activeSk",
            active_prefix(active) + keys.SEP,
            ("sk", "activeSk"),
        )
    return paging.query(
        _table(),
        partition=("userId", user_id),
        index=index,
        sort_key=sort_key,
        bounds=paging.key_range(prefix, None, None),
        key_attributes=key_attributes,
        descending=True,
        limit=limit,
        after=after,
    )


def put_action(user_id: str, medication: Mapping[str, Any], expected_version: int | None) -> dict[str, Any]:
    return dynamo.versioned_put(_table(), to_item(user_id, medication), expected_version)


def use_refill(user_id: str, sk: str, now_ms: int) -> Item:
    """Take one refill in ONE conditional update: only while active and refills > 0, so the count
    can never go below zero however many requests race. Returns the new item."""
    return dynamo.update_if(
        _table(),
        {"userId": user_id, "sk": sk},
        UpdateExpression=(
            "SET refills = refills - :one, version = if_not_exists(version, :zero) + :one, "
            "lastRefillRequestedAt = :now"
        ),
        ConditionExpression="attribute_exists(sk) AND active = :true AND refills > :zero",
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":zero": {"N": "0"},
            ":true": {"BOOL": True},
            ":now": {"N": str(now_ms)},
        },
    )
