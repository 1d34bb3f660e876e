"""RefillRequests table: (userId, "<requestedAt>#<requestId>"); GSI ByStatus (userId,
"<status>#<sk>") for the patient's status filter; sparse GSI ByQueueShard ("pending#<shard>", sk)
holding only pending requests, the staff queue; GSI ByRequest (requestId), keys only, to find a
request from its id alone."""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Mapping, Sequence
from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys, paging
from clinic.settings import Tables, get_settings

Item = dict[str, Any]

PENDING = "pending"
# Pending requests are spread over this many ByQueueShard partitions, and a queue page merges one
# Query per shard (docs/decisions.md has the rate at 1M patients: far below one partition's).
SHARDS = 4
ShardPosition = Mapping[str, Any] | None | bool  # None: from the start; a key: after it; True: done


def _table() -> str:
    return get_settings(Tables).refill_requests_table


def queue_shard(request_id: str) -> str:
    shard = int(hashlib.sha256(request_id.encode()).hexdigest()[:8], 16) % SHARDS
    return f"{PENDING}{keys.SEP}{shard:02d}"


def to_item(user_id: str, request: Mapping[str, Any]) -> Item:
    sk = keys.timed(request["requestedAt"], request["requestId"])
    item = {**request, "userId": user_id, "sk": sk, "statusSk": keys.prefixed(request["status"], sk)}
    if request["status"] == PENDING:
        item["queueShard"] = queue_shard(request["requestId"])
    return item


def put_new_action(item: Mapping[str, Any]) -> dict[str, Any]:
    return dynamo.put_action(_table(), item, {"ConditionExpression": "attribute_not_exists(sk)"})


def put_many(user_id: str, requests: Sequence[Mapping[str, Any]]) -> None:
    dynamo.batch_write(_table(), (to_item(user_id, r) for r in requests))


def find(request_id: str) -> Item | None:
    """The request with this id, whoever it belongs to: its keys from ByRequest (one Query of at
    most one item), then the item itself, read consistently."""
    client = aws.dynamodb()
    reply = client.query(TableName=_table(), IndexName="ByRequest", KeyConditionExpression="requestId = :id",
                         ExpressionAttributeValues={":id": {"S": request_id}}, Limit=1,
                         ReturnConsumedCapacity="TOTAL")
    found = reply.get("Items", [])
    if not found:
        return None
    key = {"userId": found[0]["userId"], "sk": found[0]["sk"]}
    item = client.get_item(TableName=_table(), Key=key, ConsistentRead=True,
                           ReturnConsumedCapacity="TOTAL").get("Item")
    return dynamo.from_item(item) if item else None


def page(user_id: str, *, status: str | None, limit: int, after: Mapping[str, Any] | None) -> paging.Page:
    """Newest first; with ``status``, through ByStatus (exact pages)."""
    key_attributes: tuple[str, ...]
    if status is None:
        index, sort_key, prefix, key_attributes = None, "sk", "", ("sk",)
    else:
        index, sort_key, prefix, key_attributes = "ByStatus", "statusSk", status + keys.SEP, ("sk", "statusSk")
    return paging.query(_table(), partition=("userId", user_id), index=index, sort_key=sort_key,
                        bounds=paging.key_range(prefix, None, None), key_attributes=key_attributes,
                        descending=True, limit=limit, after=after)


def queue_page(*, limit: int, positions: Sequence[ShardPosition]) -> tuple[list[Item], list[ShardPosition]]:
    """Pending requests of every patient, oldest first: one Query per shard not yet done (at most
    ``SHARDS``, ``limit + 1`` items each), merged by sort key. Returns the page and each shard's
    position after it (True once a shard has nothing more)."""
    pages: dict[int, paging.Page] = {}
    for shard, position in enumerate(positions):
        if position is True:
            continue
        pages[shard] = paging.query(
            _table(), partition=("queueShard", f"{PENDING}{keys.SEP}{shard:02d}"), index="ByQueueShard",
            sort_key="sk", bounds=paging.key_range("", None, None), key_attributes=("userId", "sk", "queueShard"),
            limit=limit, after=position if isinstance(position, Mapping) else None)
    merged = heapq.merge(*([(item["sk"], shard, item) for item in page.items] for shard, page in pages.items()))
    taken = [(shard, item) for _, shard, item in list(merged)[:limit]]
    after = list(positions)
    for shard, shard_page in pages.items():
        mine = [item for s, item in taken if s == shard]
        if len(mine) == len(shard_page.items) and shard_page.position is None:
            after[shard] = True
        elif mine:
            after[shard] = {a: mine[-1][a] for a in ("userId", "sk")}
    return [item for _, item in taken], after


def decide_action(item: Mapping[str, Any], *, status: str, decided_at: int, decided_by: str,
                  note: str | None) -> dict[str, Any]:
    """The Update that decides a pending request (and so leaves the queue index); it fails unless
    the request is still pending, so a request is decided once however many staff race."""
    values: dict[str, Any] = {":status": {"S": status}, ":statusSk": {"S": keys.prefixed(status, item["sk"])},
                              ":at": {"N": str(decided_at)}, ":by": {"S": decided_by},
                              ":pending": {"S": PENDING}, ":one": {"N": "1"}}
    note_clause = ""
    if note is not None:
        values[":note"] = {"S": note}
        note_clause = ", note = :note"
    return {"Update": {
        "TableName": _table(), "Key": dynamo.to_item({"userId": item["userId"], "sk": item["sk"]}),
        "UpdateExpression": ("SET #status = :status, statusSk = :statusSk, decidedAt = :at, decidedBy = :by, "
                             f"version = version + :one{note_clause} REMOVE queueShard"),
        "ConditionExpression": "#status = :pending",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": values,
    }}
