"""ConnectionsTable: the open WebSocket connections of each user, ``(userId, connectionId)`` with
a TTL (``expiresAt``, epoch seconds; API Gateway closes a connection after two hours at most).

Every lookup is bounded: a user's connections are one Query of their partition (a user may hold
``MAX_PER_USER`` at once, enforced at connect), and ``$disconnect``, which knows only the
connection id, finds its owner through the ``ByConnection`` index (one key, one item).
DynamoDB deletes expired items lazily, so the reads skip them themselves.
"""

from __future__ import annotations

from clinic import aws
from clinic.repositories import dynamo
from clinic.settings import LiveConnections, get_settings

MAX_PER_USER = 20
BY_CONNECTION = "ByConnection"


def _table() -> str:
    return get_settings(LiveConnections).connections_table


def put(user_id: str, connection_id: str, expires_at: int) -> None:
    aws.dynamodb().put_item(TableName=_table(), Item=dynamo.to_item(
        {"userId": user_id, "connectionId": connection_id, "expiresAt": expires_at}))


def delete(user_id: str, connection_id: str) -> None:
    key = {"userId": user_id, "connectionId": connection_id}
    aws.dynamodb().delete_item(TableName=_table(), Key=dynamo.to_item(key))


def of_user(user_id: str, now: int) -> list[str]:
    """The user's unexpired connection ids: one Query (``MAX_PER_USER`` live ones at most, so one
    page of 100 holds them along with the expired ones TTL has not swept yet)."""
    response = aws.dynamodb().query(
        TableName=_table(), KeyConditionExpression="userId = :u", FilterExpression="expiresAt > :now",
        ExpressionAttributeValues=dynamo.to_item({":u": user_id, ":now": now}),
        ProjectionExpression="connectionId", Limit=100,
    )
    return [item["connectionId"]["S"] for item in response.get("Items", [])]


def owner_of(connection_id: str) -> str | None:
    """The user holding ``connection_id``, from the ``ByConnection`` index (KEYS_ONLY)."""
    response = aws.dynamodb().query(
        TableName=_table(), IndexName=BY_CONNECTION, KeyConditionExpression="connectionId = :c",
        ExpressionAttributeValues=dynamo.to_item({":c": connection_id}), Limit=1,
    )
    items = response.get("Items", [])
    return str(items[0]["userId"]["S"]) if items else None
