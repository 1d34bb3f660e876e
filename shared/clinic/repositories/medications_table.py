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


# The id of the medication's pending refill request, if any: set with the request, removed with its
# decision, in the same transactions, so a medication has at most one pending request.
PENDING_REFILL = "pendingRefillRequestId"


def hold_for_refill_action(user_id: str, sk: str, request_id: str) -> dict[str, Any]:
    """The Update that marks the medication as having a pending refill request: only while it is
    active, has refills left and has no pending request yet. It also bumps ``version``, so a staff
    change read before it is refused rather than dropping the mark."""
    return {"Update": {
        "TableName": _table(), "Key": dynamo.to_item({"userId": user_id, "sk": sk}),
        "UpdateExpression": "SET #pending = :id, version = if_not_exists(version, :zero) + :one",
        "ConditionExpression": "attribute_exists(sk) AND active = :true AND refills > :zero "
                               "AND attribute_not_exists(#pending)",
        "ExpressionAttributeNames": {"#pending": PENDING_REFILL},
        "ExpressionAttributeValues": {":id": {"S": request_id}, ":one": {"N": "1"}, ":zero": {"N": "0"},
                                      ":true": {"BOOL": True}},
    }}


def release_for_refill_action(user_id: str, sk: str, *, approved: bool) -> dict[str, Any]:
    """The Update that ends the pending request's mark; when ``approved`` it also takes one refill,
    only while the medication is active and has one left (never below zero)."""
    values: dict[str, Any] = {":one": {"N": "1"}, ":zero": {"N": "0"}}
    update, condition = "SET version = if_not_exists(version, :zero) + :one", "attribute_exists(sk)"
    if approved:
        update += ", refills = refills - :one"
        condition += " AND active = :true AND refills > :zero"
        values[":true"] = {"BOOL": True}
    return {"Update": {
        "TableName": _table(), "Key": dynamo.to_item({"userId": user_id, "sk": sk}),
        "UpdateExpression": f"{update} REMOVE #pending", "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#pending": PENDING_REFILL}, "ExpressionAttributeValues": values,
    }}
