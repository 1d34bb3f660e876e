"""Users table: one item per user, keyed by the Cognito subject; GSI ByEmail (email) for exact
look-ups and GSI ByRole (role, "<createdAt>#<userId>") to list patients newest first without a
Scan (docs/decisions.md discusses that index's partition at 1M users).

A patient's name also has look-up items in the PatientNames table (staff search by the start of a
name, ``patient_names_table``). The item's ``nameIndex`` is the folded name those items were
written for; every write here that changes a name or a role, creates or deletes a user, changes
the items in the same transaction, conditioned on the item being what was read, so the look-up
items are always exactly those of the current patients' current names (docs/decisions.md 63)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from clinic import aws, names
from clinic.repositories import dynamo, keys, paging
from clinic.repositories import patient_names_table as name_lookups
from clinic.settings import Tables, get_settings

Item = dict[str, Any]
ROLE_INDEX_KEYS = ("userId", "role", "listSk")
NAME_INDEX = "nameIndex"
# A write that lost a race to another change of the same item reads it again and retries; after
# this many tries the caller gets the 409.
WRITE_ATTEMPTS = 3


def _table() -> str:
    return get_settings(Tables).users_table


def name_index(user: Mapping[str, Any]) -> str | None:
    """The folded name a user's look-up items are written for: a patient's name that has a word
    to find them by. None for staff, and for a patient without such a name (no items)."""
    name = user.get("name")
    if user.get("role") != "patient" or not isinstance(name, str):
        return None
    folded = names.fold(name)
    return folded if names.indexed_words(folded) else None


def to_item(user: Mapping[str, Any]) -> Item:
    """The stored form: email folded to lower case (look-ups are exact), ByRole sort key and
    ``nameIndex`` derived."""
    item = dict(user)
    if isinstance(item.get("email"), str):
        item["email"] = item["email"].lower()
    item["listSk"] = keys.timed(item["createdAt"], item["userId"])
    item.setdefault("version", 1)
    item.pop(NAME_INDEX, None)
    index = name_index(item)
    if index is not None:
        item[NAME_INDEX] = index
    return item


def _unchanged(item: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A condition that holds while the stored item is still the version ``item`` was read at."""
    if item.get("version") is None:
        return "attribute_exists(userId) AND attribute_not_exists(version)", {}
    return "attribute_exists(userId) AND version = :read", {":read": {"N": str(item["version"])}}


def put(user: Mapping[str, Any]) -> None:
    """Write ``user`` whole (seed data, tests, the demo's simulated patients), with its look-up
    items moved from those of the item it replaces, if any."""
    item = to_item(user)
    before = get_consistent(item["userId"])
    dynamo.write([dynamo.put_action(_table(), item),
                  *name_lookups.sync_actions(item["userId"], (before or {}).get(NAME_INDEX), item.get(NAME_INDEX))])


def get(user_id: str) -> Item | None:
    response = aws.dynamodb().get_item(TableName=_table(), Key=dynamo.to_item({"userId": user_id}),
                                       ReturnConsumedCapacity="TOTAL")
    item = response.get("Item")
    return dynamo.from_item(item) if item else None


def get_consistent(user_id: str) -> Item | None:
    response = aws.dynamodb().get_item(TableName=_table(), Key=dynamo.to_item({"userId": user_id}),
                                       ConsistentRead=True)
    item = response.get("Item")
    return dynamo.from_item(item) if item else None


def delete(user_id: str) -> None:
    """Delete the user's item and their look-up items (one transaction); nothing when there is no
    item. A change of the item meanwhile is read again and the deletion retried."""
    def actions(item: Item) -> list[dict[str, Any]]:
        condition, values = _unchanged(item)
        delete = {"TableName": _table(), "Key": dynamo.to_item({"userId": user_id}), "ConditionExpression": condition}
        if values:
            delete["ExpressionAttributeValues"] = values
        return [{"Delete": delete}, *name_lookups.sync_actions(user_id, item.get(NAME_INDEX), None)]
    write_as_read(user_id, actions)


def write_as_read(user_id: str, actions_for: Callable[[Item], list[dict[str, Any]]], *,
                  read: Item | None = None) -> tuple[Item | None, bool]:
    """Write, in one transaction, the actions ``actions_for`` builds from the user's item as read
    (``read``, else a strongly consistent read), each conditioned on that item: a change of the
    item meanwhile is read again and the actions built anew, up to ``WRITE_ATTEMPTS`` tries, then
    ConditionFailed (the caller's 409). Returns the item the written actions were built from (None
    when there is no item) and whether anything was written (not when ``actions_for`` gave none)."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        item = read if attempt == 1 and read is not None else get_consistent(user_id)
        if item is None:
            return None, False
        actions = actions_for(item)
        if not actions:
            return item, False
        try:
            dynamo.write(actions)
            return item, True
        except dynamo.ConditionFailed:
            if attempt == WRITE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def create(user: Mapping[str, Any]) -> bool:
    """Put ``user`` unless a row with its id exists, with its look-up items (one transaction);
    False when it did (nothing written)."""
    item = to_item(user)
    try:
        dynamo.write([{"Put": {"TableName": _table(), "Item": dynamo.to_item(item),
                               "ConditionExpression": "attribute_not_exists(userId)"}},
                      *name_lookups.sync_actions(item["userId"], None, item.get(NAME_INDEX))])
    except dynamo.ConditionFailed:
        return False
    return True


def update_profile(user_id: str, changes: Mapping[str, Any]) -> Item | None:
    """Set the given profile fields of an existing user; returns the new item, or None when there
    is no such user. A change of the name moves the look-up items in the same transaction."""
    if "name" not in changes:
        try:
            return _update(user_id, changes, "attribute_exists(userId)", {})
        except dynamo.ConditionFailed:
            return None
    def actions(item: Item) -> list[dict[str, Any]]:
        before, after = item.get(NAME_INDEX), name_index({**item, **changes})
        condition, values = _unchanged(item)
        update = _update_action(user_id, changes, condition, values, name_index_to=after)
        return [update, *name_lookups.sync_actions(user_id, before, after)]
    item, _ = write_as_read(user_id, actions)
    if item is None:
        return None
    after = name_index({**item, **changes})
    new = {**item, **changes, "version": int(item.get("version") or 0) + 1}
    new.pop(NAME_INDEX, None)
    return {**new, **({NAME_INDEX: after} if after else {})}


_KEEP = object()


def _update_action(user_id: str, changes: Mapping[str, Any], condition: str, condition_values: Mapping[str, Any],
                   *, name_index_to: Any = _KEEP) -> dict[str, Any]:
    """The Update that sets ``changes`` and bumps the version (and sets or removes ``nameIndex``
    when ``name_index_to`` is given: a folded name, or None)."""
    fields = {**changes}
    remove = ""
    if name_index_to is not _KEEP:
        if name_index_to is None:
            remove = f" REMOVE {NAME_INDEX}"
        else:
            fields[NAME_INDEX] = name_index_to
    names_ = {f"#f{n}": field for n, field in enumerate(sorted(fields))}
    values = {f":f{n}": dynamo.to_av(fields[field]) for n, field in enumerate(sorted(fields))}
    sets = [f"#f{n} = :f{n}" for n in range(len(fields))] + ["version = if_not_exists(version, :zero) + :one"]
    update: dict[str, Any] = {
        "TableName": _table(),
        "Key": dynamo.to_item({"userId": user_id}),
        "UpdateExpression": "SET " + ", ".join(sets) + remove,
        "ConditionExpression": condition,
        "ExpressionAttributeValues": {**values, **condition_values, ":zero": {"N": "0"}, ":one": {"N": "1"}},
    }
    if names_:
        update["ExpressionAttributeNames"] = names_
    return {"Update": update}


def _update(user_id: str, changes: Mapping[str, Any], condition: str, condition_values: Mapping[str, Any]) -> Item:
    request = _update_action(user_id, changes, condition, condition_values)["Update"]
    return dynamo.update_if(request.pop("TableName"), {"userId": user_id},
                            **{k: v for k, v in request.items() if k != "Key"})


def role_update_actions(user_id: str, item: Mapping[str, Any], role: str) -> list[dict[str, Any]]:
    """The writes that change a user's role (moving the row between ByRole partitions, and giving
    a patient their look-up items or taking a former patient's away), conditioned on ``item``,
    the user's item as read (an empty one: a user with no item's version)."""
    values: dict[str, Any] = {}
    condition = "attribute_exists(userId)"
    if item.get("version") is not None:
        condition += " AND (version = :expected OR attribute_not_exists(version))"
        values[":expected"] = {"N": str(item["version"])}
    before, after = item.get(NAME_INDEX), name_index({**item, "role": role})
    return [_update_action(user_id, {"role": role}, condition, values, name_index_to=after),
            *name_lookups.sync_actions(user_id, before, after)]


def name_index_actions(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The writes that make a user's look-up items those of their current name and role, when
    the item says they are not (the backfill); none when they are."""
    before, after = item.get(NAME_INDEX), name_index(item)
    if before == after:
        return []
    condition, values = _unchanged(item)
    return [_update_action(item["userId"], {}, condition, values, name_index_to=after),
            *name_lookups.sync_actions(item["userId"], before, after)]


def get_many(user_ids: list[str], *, consistent: bool = False) -> dict[str, Item]:
    """The items of ``user_ids`` that exist, by id: one BatchGetItem per 100 ids."""
    if not user_ids:
        return {}
    found = dynamo.batch_get({_table(): [{"userId": u} for u in dict.fromkeys(user_ids)]}, consistent=consistent)
    return {item["userId"]: item for item in found[_table()]}


def access_update_action(user_id: str, enabled: bool, expected_version: int | None) -> dict[str, Any]:
    """The Update that disables an account (``disabled`` set) or enables it (removed)."""
    values: dict[str, Any] = {":zero": {"N": "0"}, ":one": {"N": "1"}}
    condition = "attribute_exists(userId)"
    if expected_version is not None:
        condition += " AND (version = :expected OR attribute_not_exists(version))"
        values[":expected"] = {"N": str(expected_version)}
    bump = "SET version = if_not_exists(version, :zero) + :one"
    if not enabled:
        values[":true"] = {"BOOL": True}
    return {
        "Update": {
            "TableName": _table(),
            "Key": dynamo.to_item({"userId": user_id}),
            "UpdateExpression": bump + (" REMOVE disabled" if enabled else ", disabled = :true"),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
    }


def find_by_email(email: str) -> list[Item]:
    response = aws.dynamodb().query(
        TableName=_table(),
        IndexName="ByEmail",
        KeyConditionExpression="email = :e",
        ExpressionAttributeValues={":e": {"S": email.lower()}},
        Limit=2,
        ReturnConsumedCapacity="TOTAL",
    )
    return [dynamo.from_item(i) for i in response.get("Items", [])]


def page_by_role(role: str, *, limit: int, after: Mapping[str, Any] | None) -> paging.Page:
    """Users of ``role``, newest first."""
    return paging.query(
        _table(),
        partition=("role", role),
        index="ByRole",
        sort_key="listSk",
        bounds=paging.key_range("", None, None),
        key_attributes=ROLE_INDEX_KEYS,
        descending=True,
        limit=limit,
        after=after,
    )


def identifiers_update_action(user_id: str, identifiers: list[dict[str, str]],
                              expected_version: int | None) -> dict[str, Any]:
    """The Update that sets a user's identifiers (another repository holds the MRN look-up items),
    conditioned on the version read before the change."""
    values: dict[str, Any] = {":ids": dynamo.to_av(identifiers), ":zero": {"N": "0"}, ":one": {"N": "1"}}
    condition = "attribute_exists(userId)"
    if expected_version is not None:
        condition += " AND version = :expected"
        values[":expected"] = {"N": str(expected_version)}
    return {"Update": {
        "TableName": _table(),
        "Key": dynamo.to_item({"userId": user_id}),
        "UpdateExpression": "SET identifiers = :ids, version = if_not_exists(version, :zero) + :one",
        "ConditionExpression": condition,
        "ExpressionAttributeValues": values,
    }}
