"""Users table: one item per user, keyed by the Cognito subject; GSI ByEmail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from clinic import aws
from clinic.repositories import dynamo
from clinic.settings import get_settings

Item = dict[str, Any]


def _table() -> str:
    return get_settings().users_table


def put(user: Mapping[str, Any]) -> None:
    aws.dynamodb().put_item(TableName=_table(), Item=dynamo.to_item(user))


def get(user_id: str) -> Item | None:
    response = aws.dynamodb().get_item(TableName=_table(), Key=dynamo.to_item({"userId": user_id}))
    item = response.get("Item")
    return dynamo.from_item(item) if item else None


# --- profiles created at sign-in, roles, account deletion ---------------------------------------


def put_if_absent(user: Mapping[str, Any]) -> bool:
    """Create the user's item unless one exists (a conditional put). True when this call created it."""
    try:
        aws.dynamodb().put_item(TableName=_table(), Item=dynamo.to_item(user),
                                ConditionExpression="attribute_not_exists(userId)")
    except ClientError as error:
        if dynamo.error_code(error) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def get_consistent(user_id: str) -> Item | None:
    response = aws.dynamodb().get_item(TableName=_table(), Key=dynamo.to_item({"userId": user_id}),
                                       ConsistentRead=True)
    item = response.get("Item")
    return dynamo.from_item(item) if item else None


def set_role(user_id: str, role: str, *, email: str | None, created_at: int) -> Item:
    """Set the role, creating the item (with ``email`` and ``created_at``) if it is missing;
    returns the item as it now is. One UpdateItem."""
    values: dict[str, Any] = {":role": role, ":created": created_at}
    expression = "SET #role = :role, createdAt = if_not_exists(createdAt, :created)"
    if email:
        values[":email"] = email
        expression += ", email = if_not_exists(email, :email)"
    response = aws.dynamodb().update_item(
        TableName=_table(), Key=dynamo.to_item({"userId": user_id}), UpdateExpression=expression,
        ExpressionAttributeNames={"#role": "role"}, ExpressionAttributeValues=dynamo.to_item(values),
        ReturnValues="ALL_NEW",
    )
    return dynamo.from_item(response["Attributes"])


def delete(user_id: str) -> None:
    aws.dynamodb().delete_item(TableName=_table(), Key=dynamo.to_item({"userId": user_id}))
