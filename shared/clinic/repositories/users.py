"""Users table: one item per user, keyed by the Cognito subject; GSI ByEmail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
