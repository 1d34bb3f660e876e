"""Users table: one item per user, keyed by the Cognito subject; GSI ByEmail (email) for exact
look-ups and GSI ByRole (role, "<createdAt>#<userId>") to list patients newest first without a
Scan (docs/decisions.md discusses that index's partition at 1M users)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys, paging
from clinic.settings import Tables, get_settings

Item = dict[str, Any]
ROLE_INDEX_KEYS = ("userId", "role", "listSk")


def _table() -> str:
    return get_settings(Tables).users_table


def to_item(user: Mapping[str, Any]) -> Item:
    """The stored form: email folded to lower case (look-ups are exact), ByRole sort key derived."""
    item = dict(user)
    if isinstance(item.get("email"), str):
        item["email"] = item["email"].lower()
    item["listSk"] = keys.timed(item["createdAt"], item["userId"])
    item.setdefault("version", 1)
    return item


def put(user: Mapping[str, Any]) -> None:
    aws.dynamodb().put_item(TableName=_table(), Item=dynamo.to_item(to_item(user)))


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
    aws.dynamodb().delete_item(TableName=_table(), Key=dynamo.to_item({"userId": user_id}))


def create(user: Mapping[str, Any]) -> bool:
    """Put ``user`` unless a row with its id exists; False when it did (nothing written)."""
    try:
        dynamo.write([{"Put": {"TableName": _table(), "Item": dynamo.to_item(to_item(user)),
                               "ConditionExpression": "attribute_not_exists(userId)"}}])
    except dynamo.ConditionFailed:
        return False
    return True


def update_profile(user_id: str, changes: Mapping[str, Any]) -> Item:
    """Set the given profile fields of an existing user; returns the new item."""
    names = {f"#f{n}": field for n, field in enumerate(sorted(changes))}
    values = {f":f{n}": dynamo.to_av(changes[field]) for n, field in enumerate(sorted(changes))}
    sets = [f"#f{n} = :f{n}" for n in range(len(changes))] + ["version = if_not_exists(version, :zero) + :one"]
    return dynamo.update_if(
        _table(),
        {"userId": user_id},
        UpdateExpression="SET " + ", ".join(sets),
        ConditionExpression="attribute_exists(userId)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={**values, ":zero": {"N": "0"}, ":one": {"N": "1"}},
    )


def role_update_action(user_id: str, role: str, expected_version: int | None) -> dict[str, Any]:
    """The Update that changes a user's role (moving the row between ByRole partitions)."""
    values: dict[str, Any] = {":role": {"S": role}, ":zero": {"N": "0"}, ":one": {"N": "1"}}
    condition = "attribute_exists(userId)"
    if expected_version is not None:
        condition += " AND (version = :expected OR attribute_not_exists(version))"
        values[":expected"] = {"N": str(expected_version)}
    return {
        "Update": {
            "TableName": _table(),
            "Key": dynamo.to_item({"userId": user_id}),
            "UpdateExpression": "SET #role = :role, version = if_not_exists(version, :zero) + :one",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#role": "role"},
            "ExpressionAttributeValues": values,
        }
    }


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
