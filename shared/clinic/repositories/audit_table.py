"""Audit table: who read or changed whose records. (userId = the patient, "<ts>#<eventId>"),
GSI ByActor (actorId, sk) and GSI ByDayShard ("<UTC day>#<shard>", sk). Items are only ever
added, never changed (except the one-off backfill of ``auditShard``, ``backfill_shards``)."""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys, paging
from clinic.settings import Tables, get_settings

Item = dict[str, Any]

# A day's records are spread over this many ByDayShard partitions: one index partition takes
# about 1,000 writes/s, so the whole product's audited activity is capped at SHARDS x that rather
# than at one partition's. A reader merges SHARDS Queries per day (docs/decisions.md).
SHARDS = 4


def _table() -> str:
    return get_settings(Tables).audit_table


def new_item(*, actor_id: str, patient_id: str, action: str, resource: str, at: int, request_id: str | None,
             actor_name: str | None = None, actor_role: str | None = None, reason: str | None = None) -> Item:
    """``actorName`` and ``actorRole`` are what the patient's access log shows of the actor (the
    actor's display name and role when the record was written); ``reason`` is stored only when given."""
    event_id = keys.new_id()
    item = {"userId": patient_id, "sk": keys.timed(at, event_id), "eventId": event_id, "actorId": actor_id,
            "action": action, "resource": resource, "at": at, "auditShard": shard_key(day_of(at), event_id)}
    if request_id:
        item["requestId"] = request_id
    if actor_name:
        item["actorName"] = actor_name
    if actor_role:
        item["actorRole"] = actor_role
    if reason:
        item["reason"] = reason
    return item


def day_of(at: int) -> str:
    """The UTC day of an instant (epoch ms)."""
    return datetime.fromtimestamp(at / 1000, UTC).date().isoformat()


def shard_key(day: str, event_id: str) -> str:
    """The record's ByDayShard partition: its day and a shard fixed by its event id (so a rerun of
    the backfill computes the same one)."""
    shard = int(hashlib.sha256(event_id.encode()).hexdigest()[:8], 16) % SHARDS
    return f"{day}#{shard:02d}"


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


ShardPosition = Mapping[str, Any] | None | bool  # None: from the start; a key: after it; True: done


def page_of_day(day: str, *, lower: int, upper: int, limit: int,
                positions: Sequence[ShardPosition]) -> tuple[list[Item], list[ShardPosition]]:
    """Oldest first (sk order), up to ``limit`` records of one UTC day with ``at`` in [lower,
    upper): one Query per shard not yet done (at most ``SHARDS``, ``limit + 1`` items each),
    merged. Returns the records and each shard's position after them (True once a shard is done:
    the day is complete when every shard is)."""
    bounds = paging.key_range("", lower, upper)
    pages: dict[int, paging.Page] = {}
    for shard, position in enumerate(positions):
        if position is True:
            continue
        pages[shard] = paging.query(
            _table(),
            partition=("auditShard", f"{day}#{shard:02d}"),
            index="ByDayShard",
            sort_key="sk",
            bounds=bounds,
            key_attributes=("userId", "sk", "auditShard"),
            limit=limit,
            after=position if isinstance(position, Mapping) else None,
        )
    merged = heapq.merge(*([(item["sk"], shard, item) for item in page.items] for shard, page in pages.items()))
    taken = [(shard, item) for _, shard, item in list(merged)[:limit]]
    after = list(positions)
    for shard, page in pages.items():
        mine = [item for s, item in taken if s == shard]
        if len(mine) == len(page.items) and page.position is None:
            after[shard] = True  # every record of this shard in the range has been returned
        elif mine:
            after[shard] = {a: mine[-1][a] for a in ("userId", "sk")}
    return [item for _, item in taken], after


def backfill_shards(*, limit: int, after: Mapping[str, Any] | None,
                    table: str | None = None) -> tuple[int, dict[str, Any] | None]:
    """Give records written before ByDayShard existed their ``auditShard``: one Scan page of at
    most ``limit`` records (a maintenance job over the whole log, never a request path), then
    one conditional UpdateItem per record still without it. Idempotent and resumable: returns
    the number updated and where the next call starts (None when the table is done)."""
    client, table = aws.dynamodb(), table or _table()
    request: dict[str, Any] = {"TableName": table, "Limit": limit,
                               "ProjectionExpression": "userId, sk, eventId, #at, auditShard",
                               "ExpressionAttributeNames": {"#at": "at"}}
    if after:
        request["ExclusiveStartKey"] = dynamo.to_item(after)
    reply = client.scan(**request)
    updated = 0
    for raw in reply.get("Items", []):
        item = dynamo.from_item(raw)
        if "auditShard" in item:
            continue
        try:
            client.update_item(
                TableName=table, Key=dynamo.to_item({"userId": item["userId"], "sk": item["sk"]}),
                UpdateExpression="SET auditShard = :s", ConditionExpression="attribute_not_exists(auditShard)",
                ExpressionAttributeValues={":s": {"S": shard_key(day_of(item["at"]), item["eventId"])}})
            updated += 1
        except client.exceptions.ConditionalCheckFailedException:
            pass  # written meanwhile by another run
    last = reply.get("LastEvaluatedKey")
    return updated, dynamo.from_item(last) if last else None
