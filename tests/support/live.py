"""A stand-in for the API Gateway management API of the live-updates WebSocket stage, installed as
``aws.client("apigatewaymanagementapi")``: it records posts and closed connections, and answers
per connection as a test configures it (410 for one gone, 500 for one failing)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError


class FakeManagementApi:
    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.deleted: list[str] = []
        self.answers: dict[str, tuple[int, str]] = {}  # connection id -> (HTTP status, error code)

    def _answer(self, connection_id: str, operation: str) -> None:
        if connection_id in self.answers:
            status, code = self.answers[connection_id]
            raise ClientError({"Error": {"Code": code, "Message": ""}, "ResponseMetadata": {"HTTPStatusCode": status}},
                              operation)

    def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:  # noqa: N803 - boto's names
        self._answer(ConnectionId, "PostToConnection")
        self.posts.append((ConnectionId, json.loads(Data)))
        return {}

    def delete_connection(self, ConnectionId: str) -> dict[str, Any]:  # noqa: N803 - boto's names
        self._answer(ConnectionId, "DeleteConnection")
        self.deleted.append(ConnectionId)
        return {}

    def received(self, connection_id: str) -> list[dict[str, Any]]:
        return [message for target, message in self.posts if target == connection_id]
