"""The Biomarkers table: one item per reading, keyed (userId, "<recordedAt>#<readingId>").

Writes come from the record path only (``clinic.services.readings``), which learns which readings
exist with batched reads shared by every user of a call. The API reads pages through an index per
filter, keyed (userId, "<value>#<recordedAt>#<readingId>"): ByName, ByCategory, ByStatus. One
filter is a key condition (exact pages); a second or third filter is a FilterExpression over the
most selective index, within paging's fixed read budget. The nightly job reads one user's window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys, paging
from clinic.settings import Tables, get_settings

Item = dict[str, Any]


def _table() -> str:
    return get_settings(Tables).biomarkers_table


# A reading entered in error keeps its item, marked with this attribute (when, epoch ms), and
# leaves every list: the filter indexes are sparse (its index keys are dropped) and the table's
# own pages skip it.
WITHDRAWN_AT = "withdrawnAt"
INDEX_KEYS = ("nameSk", "statusSk", "categorySk")


def is_withdrawn(item: Mapping[str, Any]) -> bool:
    return WITHDRAWN_AT in item


def to_item(user_id: str, reading: Mapping[str, Any]) -> Item:
    """The stored form of a reading, with the secondary-index sort keys derived from it (none for
    a withdrawn reading)."""
    sk = keys.timed(reading["recordedAt"], reading["readingId"])
    item = {**{k: v for k, v in reading.items() if k not in INDEX_KEYS}, "userId": user_id, "sk": sk}
    if not is_withdrawn(reading):
        item |= {
            "nameSk": keys.prefixed(reading["name"], sk),
            "statusSk": keys.prefixed(reading["status"], sk),
            "categorySk": keys.prefixed(reading["category"], sk),
        }
    return item


def find(user_id: str, reading_id: str) -> Item | None:
    """The stored reading ``reading_id`` of ``user_id`` (withdrawn or not): its key from the
    keys-only ById index, then the item itself, strongly consistent. Never outside the partition."""
    found = dynamo.find_by_id(_table(), "ById", "readingId", user_id, reading_id)
    return get(user_id, found["sk"]) if found else None


def get(user_id: str, sk: str) -> Item | None:
    response = aws.dynamodb().get_item(TableName=_table(), Key=dynamo.to_item({"userId": user_id, "sk": sk}),
                                       ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    item = response.get("Item")
    return dynamo.from_item(item) if item else None


def replace_action(user_id: str, reading: Mapping[str, Any], expected_version: int) -> dict[str, Any]:
    """A TransactWriteItems Put that rewrites a stored reading only if nobody changed it since it
    was read (a reading never corrected has no ``version``: it counts as 1)."""
    unversioned = " OR attribute_not_exists(version)" if expected_version == 1 else ""
    condition: dict[str, Any] = {
        "ConditionExpression": f"attribute_exists(sk) AND (version = :v{unversioned})",
        "ExpressionAttributeValues": {":v": {"N": str(expected_version)}},
    }
    return dynamo.put_action(_table(), to_item(user_id, reading), condition)


def put_many(items: Iterable[Mapping[str, Any]]) -> None:
    dynamo.batch_write(_table(), items)


def put_new_action(user_id: str, reading: Mapping[str, Any]) -> dict[str, Any]:
    """A TransactWriteItems Put of a reading that succeeds only if it is not stored yet (the
    cancellation reason ConditionalCheckFailed says it is)."""
    return dynamo.put_action(_table(), to_item(user_id, reading), {"ConditionExpression": "attribute_not_exists(sk)"})


def existing(reading_keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (userId, sk) readings are stored: one consistent, keys-only BatchGetItem
    round, shared across users."""
    table = _table()
    found = dynamo.batch_get(
        {table: [{"userId": user_id, "sk": sk} for user_id, sk in reading_keys]},
        consistent=True,
        projections={table: "userId, sk"},
    )
    return {(item["userId"], item["sk"]) for item in found[table]}


def stored(reading_keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Item]:
    """The stored readings among these (userId, sk) keys: one consistent BatchGetItem round."""
    table = _table()
    found = dynamo.batch_get({table: [{"userId": user_id, "sk": sk} for user_id, sk in set(reading_keys)]},
                             consistent=True)
    return {(item["userId"], item["sk"]): item for item in found[table]}


# Most selective first: the index that serves a query is the first filter given in this order.
FILTER_INDEXES = (
    ("name", "ByName", "nameSk"),
    ("category", "ByCategory", "categorySk"),
    ("status", "ByStatus", "statusSk"),
)


def page(
    user_id: str,
    *,
    filters: Mapping[str, str],
    lower: int | None,
    upper: int | None,
    descending: bool,
    limit: int,
    after: Mapping[str, Any] | None,
) -> paging.Page:
    """Readings of ``user_id`` with recordedAt in [lower, upper) matching every filter."""
    chosen = next(((f, i, s) for f, i, s in FILTER_INDEXES if f in filters), None)
    if chosen is None:
        index, sort_key, prefix = None, "sk", ""
    else:
        field, index, sort_key = chosen
        prefix = filters[field] + keys.SEP
    rest = {f: v for f, v in filters.items() if chosen is None or f != chosen[0]}
    key_attributes = ("sk",) if index is None else ("sk", sort_key)
    return paging.query(
        get_settings(Tables).biomarkers_table,
        partition=("userId", user_id),
        index=index,
        sort_key=sort_key,
        bounds=paging.key_range(prefix, lower, upper),
        key_attributes=key_attributes,
        descending=descending,
        limit=limit,
        after=after,
        filters=rest or None,
        absent=(WITHDRAWN_AT,) if index is None else (),  # the indexes hold no withdrawn reading
    )


def readings_between(user_id: str, start_ms: int, end_ms: int) -> list[Item]:
    """Every reading of the user with start_ms <= recordedAt < end_ms, oldest first (withdrawn
    ones included: ``is_withdrawn`` tells them).

    Sort keys are "<ts>#<id>": BETWEEN "<ts(start)>" AND "<ts(end)>" takes every key at start and
    none at end (each of those is longer than the bound, so it sorts after it).
    """
    return dynamo.query_all({
        "TableName": get_settings(Tables).biomarkers_table,
        "KeyConditionExpression": "userId = :u AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {":u": {"S": user_id}, ":lo": {"S": keys.ts(start_ms)},
                                      ":hi": {"S": keys.ts(end_ms)}},
    })
