"""AuthTable: sign-in link records, request counters and deleted-account markers, each with a
TTL (``expiresAt``, epoch seconds). Keys are hashes or ids computed by the services: no email,
IP address or link secret is ever stored in clear.

DynamoDB deletes expired items lazily (up to days later), so every read and consume also checks
``expiresAt`` itself.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from clinic import aws
from clinic.repositories import dynamo
from clinic.settings import AuthTable, get_settings


def _table() -> str:
    return get_settings(AuthTable).auth_table


def count(key: str, limit: int, expires_at: int) -> bool:
    """Count one request against the counter ``key``; False (and nothing counted) once ``limit``
    requests were counted. One conditional UpdateItem."""
    try:
        dynamo.update_if(
            _table(),
            {"pk": key},
            UpdateExpression="ADD #n :one SET expiresAt = if_not_exists(expiresAt, :exp)",
            ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
            ExpressionAttributeNames={"#n": "n"},
            ExpressionAttributeValues=dynamo.to_item({":one": 1, ":limit": limit, ":exp": expires_at}),
        )
    except dynamo.ConditionFailed:
        return False
    return True


def put(key: str, expires_at: int) -> None:
    """Store a marker that lives until ``expires_at`` (replacing one with the same key)."""
    aws.dynamodb().put_item(TableName=_table(), Item=dynamo.to_item({"pk": key, "expiresAt": expires_at}))


def consume(key: str, now: int) -> bool:
    """Delete the item if it exists and has not expired: True exactly once per item, whatever
    the concurrency (one conditional DeleteItem)."""
    try:
        aws.dynamodb().delete_item(
            TableName=_table(),
            Key=dynamo.to_item({"pk": key}),
            ConditionExpression="attribute_exists(pk) AND expiresAt > :now",
            ExpressionAttributeValues=dynamo.to_item({":now": now}),
        )
    except ClientError as error:
        if dynamo.error_code(error) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def is_live(key: str, now: int) -> bool:
    """Whether the item exists and has not expired, without consuming it (one strongly
    consistent GetItem)."""
    response = aws.dynamodb().get_item(TableName=_table(), Key=dynamo.to_item({"pk": key}), ConsistentRead=True)
    item = response.get("Item")
    return bool(item) and int(dynamo.from_item(item).get("expiresAt", 0)) > now
