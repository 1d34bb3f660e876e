"""Any user-data table, by partition: the keys of a user's items, for erasing an account.

Every user-data table is keyed (userId, sk) (README.md, "Tables"; a test holds the template to it).
"""

from __future__ import annotations

from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys, paging

KEY_ATTRIBUTES = ("userId", "sk")


def first_keys(table: str, user_id: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` of the user's item keys in ``table`` (one Query, keys only)."""
    response = aws.dynamodb().query(
        TableName=table,
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues=dynamo.to_item({":u": user_id}),
        ProjectionExpression="userId, sk",
        Limit=limit,
        ConsistentRead=True,
    )
    return [dynamo.from_item(item) for item in response.get("Items", [])]


def delete_keys(table: str, keys: list[dict[str, Any]]) -> None:
    dynamo.batch_delete(table, keys)


def page(table: str, user_id: str, *, limit: int, after: dict[str, Any] | None) -> paging.Page:
    """One page of the user's items in ``table``, in sort-key order (one Query of ``limit + 1``)."""
    return paging.query(table, partition=("userId", user_id), sort_key="sk", bounds=(keys.LOWEST, keys.HIGH),
                        key_attributes=KEY_ATTRIBUTES, limit=limit, after=after)
