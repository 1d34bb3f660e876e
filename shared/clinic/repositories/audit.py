"""Audit table: who read or changed whose records. (userId = the patient, "<ts>#<eventId>"),
GSI ByActor (actorId, sk). Items are only ever added, never changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys, paging
from clinic.settings import get_settings

Item = dict[str, Any]


def _table() -> str:
    return get_settings().audit_table


def new_item(*, actor_id: str, patient_id: str, action: str, resource: str, at: int, request_id: str | None) -> Item:
    event_id = keys.new_id()
    item = {"userId": patient_id, "sk": keys.timed(at, event_id), "eventId": event_id, "actorId": actor_id,
            "action": action, "resource": resource, "at": at, "auditDay": day_of(at)}
    if request_id:
        item["requestId"] = request_id
    return item


def day_of(at: int) -> str:
    """The UTC day of an instant (epoch ms): the partition of the ByDay index."""
    return datetime.fromtimestamp(at / 1000, UTC).date().isoformat()


def put_action(item: Mapping[str, Any]) -> dict[str, Any]:
    """The Put of an audit record, for the transaction that makes the audited change."""
    return {
        "Put": {"TableName": _table(), "Item": dynamo.to_item(item), "ConditionExpression": "attribute_not_exists(sk)"}
    }


def put(item: Mapping[str, Any]) -> None:
    aws.dynamodb().put_item(TableName=_table(), Item=dynamo.to_item(item), ReturnConsumedCapacity="TOTAL")


def put_many(items: Iterable[Mapping[str, Any]]) -> None:
    dynamo.batch_write(_table(), items)


def page(*, patient_id: str | None, actor_id: str | None, limit: int, after: Mapping[str, Any] | None) -> paging.Page:
    """Newest first, of one patient (the table) or of one actor (ByActor)."""
    key_attributes: tuple[str, ...]
    if patient_id is not None:
        partition, index, key_attributes = ("userId", patient_id), None, ("userId", "sk")
    elif actor_id is not None:
        partition, index, key_attributes = ("actorId", actor_id), "ByActor", ("userId", "sk", "actorId")
    else:
        raise ValueError("a patient or an actor is required")
    return paging.query(
        _table(),
        partition=partition,
        index=index,
        sort_key="sk",
        bounds=paging.key_range("", None, None),
        key_attributes=key_attributes,
        descending=True,
        limit=limit,
        after=after,
    )


def page_of_day(day: str, *, lower: int, upper: int, limit: int, after: Mapping[str, Any] | None) -> paging.Page:
    """Oldest first, the records of one UTC day (ByDay) with ``at`` in [lower, upper): one Query."""
    return paging.query(
        _table(),
        partition=("auditDay", day),
        index="ByDay",
        sort_key="sk",
        # (the last representable instant has no exclusive bound after it: open-ended there)
        bounds=paging.key_range("", lower, upper),
        key_attributes=("userId", "sk", "auditDay"),
        limit=limit,
        after=after,
    )
