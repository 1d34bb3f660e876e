"""Appointments table: (userId, "<startTime>#<appointmentId>"), with an index per filter so
every filtered page is one Query of exactly the page's items (no FilterExpression, no short
pages): ByType (type#sk), ByStatus (status#sk), ByTypeStatus (type#status#sk), and the local
index ById for lookups by id. The sparse GSI ByReminderShard holds the confirmed appointments
whose reminder is still to send (``reminderShard``), spread over ``REMINDER_SHARDS`` partitions
a day; ``remindedFor`` is the start time the reminder was sent (or skipped) for."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys, paging
from clinic.settings import Tables, get_settings

Item = dict[str, Any]

# Index name -> its sort-key attribute.
INDEX_SORT_KEYS = {None: "sk", "ByType": "typeSk", "ByStatus": "statusSk", "ByTypeStatus": "typeStatusSk"}


def _table() -> str:
    return get_settings(Tables).appointments_table


# A day's confirmed appointments are spread over this many ByReminderShard partitions.
REMINDER_SHARDS = 8
SCHEDULED = "scheduled"


def reminder_shard(start_time: int, appointment_id: str) -> str:
    day = datetime.fromtimestamp(start_time / 1000, UTC).date().isoformat()
    shard = int(hashlib.sha256(appointment_id.encode()).hexdigest()[:8], 16) % REMINDER_SHARDS
    return f"{day}#{shard:02d}"


def to_item(user_id: str, appointment: Mapping[str, Any]) -> Item:
    sk = keys.timed(appointment["startTime"], appointment["appointmentId"])
    item = {
        **{k: v for k, v in appointment.items() if k != "reminderShard"},
        "userId": user_id,
        "sk": sk,
        "typeSk": keys.prefixed(appointment["type"], sk),
        "statusSk": keys.prefixed(appointment["status"], sk),
        "typeStatusSk": keys.prefixed(f"{appointment['type']}{keys.SEP}{appointment['status']}", sk),
    }
    # In the reminder index while confirmed and not yet reminded of this start time.
    if appointment["status"] == SCHEDULED and appointment.get("remindedFor") != appointment["startTime"]:
        item["reminderShard"] = reminder_shard(appointment["startTime"], appointment["appointmentId"])
    return item


def put(user_id: str, appointment: Mapping[str, Any]) -> None:
    aws.dynamodb().put_item(TableName=_table(), Item=dynamo.to_item(to_item(user_id, appointment)))


def put_many(user_id: str, appointments: list[Mapping[str, Any]]) -> None:
    dynamo.batch_write(_table(), (to_item(user_id, a) for a in appointments))


@dataclass(frozen=True)
class Page:
    items: list[Item]
    last_key: dict[str, str] | None  # position after the last returned item, without userId


def page(
    user_id: str,
    *,
    type_: str | None,
    status: str | None,
    lower: int | None,
    upper: int | None,
    descending: bool,
    limit: int,
    after: Mapping[str, str] | None,
) -> Page:
    """One page of a user's appointments with startTime in [lower, upper), from one Query.

    Sort keys are "<13-digit ts>#<id>", so BETWEEN "<lower>" AND "<upper>" includes lower and
    excludes upper: every key at ``upper`` is longer than the bound and sorts after it.

    Reads ``limit + 1`` items so the last page is known to be the last (no empty extra page).
    """
    if type_ and status:
        index, prefix = "ByTypeStatus", f"{type_}{keys.SEP}{status}{keys.SEP}"
    elif type_:
        index, prefix = "ByType", f"{type_}{keys.SEP}"
    elif status:
        index, prefix = "ByStatus", f"{status}{keys.SEP}"
    else:
        index, prefix = None, ""
    sort_key = INDEX_SORT_KEYS[index]
    low, high = paging.key_range(prefix, lower, upper)
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "userId = :u AND #s BETWEEN :lo AND :hi",
        "ExpressionAttributeNames": {"#s": sort_key},
        "ExpressionAttributeValues": {":u": {"S": user_id}, ":lo": {"S": low}, ":hi": {"S": high}},
        "ScanIndexForward": not descending,
        "Limit": limit + 1,
        "ReturnConsumedCapacity": "TOTAL",
    }
    if index:
        request["IndexName"] = index
    if after:
        request["ExclusiveStartKey"] = dynamo.to_item({**after, "userId": user_id})
    response = aws.dynamodb().query(**request)
    items = [dynamo.from_item(i) for i in response.get("Items", [])]
    if len(items) <= limit:
        return Page(items, None)
    items = items[:limit]
    last = items[-1]
    position = {"sk": last["sk"]}
    if index:
        position[sort_key] = last[sort_key]
    return Page(items, position)


# --- single appointments (API) ---------------------------------------------------------------


def table() -> str:
    return _table()


def find(user_id: str, appointment_id: str) -> Item | None:
    """One appointment of one user by id (the local index ById: the id is only ever looked up
    inside the caller's own partition)."""
    return dynamo.find_by_id(_table(), "ById", "appointmentId", user_id, appointment_id)


def put_action(user_id: str, appointment: Mapping[str, Any], expected_version: int | None) -> dict[str, Any]:
    return dynamo.versioned_put(_table(), to_item(user_id, appointment), expected_version)


def replace_actions(user_id: str, current: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Write ``new`` over ``current`` if nobody changed it since it was read. A new start time
    moves the item (the sort key starts with it): delete and put, in one transaction."""
    expected = int(current["version"])
    # A reminder already sent for this start time stays sent (a new start time gets its own).
    new_item = to_item(user_id, {**new, "remindedFor": current["remindedFor"]} if "remindedFor" in current else new)
    if new_item["sk"] == current["sk"]:
        return [dynamo.versioned_put(_table(), new_item, expected)]
    return [dynamo.versioned_delete(_table(), {"userId": user_id, "sk": current["sk"]}, expected),
            dynamo.versioned_put(_table(), new_item, None)]


# --- reminders (the sweep) --------------------------------------------------------------------


def due_reminders(shard: str, *, lower: int, upper: int, limit: int,
                  after: Mapping[str, Any] | None) -> paging.Page:
    """Keys of the confirmed, not yet reminded appointments of one ByReminderShard partition with
    startTime in [lower, upper), soonest first."""
    return paging.query(_table(), partition=("reminderShard", shard), index="ByReminderShard", sort_key="sk",
                        bounds=paging.key_range("", lower, upper), key_attributes=("userId", "sk", "reminderShard"),
                        limit=limit, after=after)


def _reminder_update(key: Mapping[str, Any], start_time: int, update: str, condition: str) -> None:
    dynamo.update_if(
        _table(), {"userId": key["userId"], "sk": key["sk"]},
        UpdateExpression=f"{update}, version = if_not_exists(version, :zero) + :one",
        ConditionExpression=f"{condition} AND #status = :scheduled AND startTime = :start",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":start": {"N": str(start_time)}, ":shard": {"S": key["reminderShard"]},
                                   ":scheduled": {"S": SCHEDULED}, ":one": {"N": "1"}, ":zero": {"N": "0"}},
    )


def claim_reminder(key: Mapping[str, Any], *, start_time: int) -> bool:
    """Take the appointment out of the reminder index, marked as reminded of ``start_time``, if
    it is still confirmed, at that time and waiting (False when another run took it or it changed
    meanwhile). The version moves too, so a change that read the appointment before is refused
    (409) rather than writing the reminder back."""
    try:
        _reminder_update(key, start_time, "REMOVE reminderShard SET remindedFor = :start", "reminderShard = :shard")
    except dynamo.ConditionFailed:
        return False
    return True


def release_reminder(key: Mapping[str, Any], *, start_time: int) -> None:
    """Undo ``claim_reminder`` after a failed send, so a later run sends it (unless the
    appointment was cancelled or moved meanwhile: then there is nothing to give back)."""
    with contextlib.suppress(dynamo.ConditionFailed):
        _reminder_update(key, start_time, "REMOVE remindedFor SET reminderShard = :shard", "remindedFor = :start")
