"""Live dashboard updates over WebSocket.

Protocol (docs/live-updates.md): the client connects with ``?token=<Cognito ID token>``; the
server sends JSON text frames ``{"type": "changed", "topic": "stats" | "appointments" |
"medications"}``, one per affected topic per change batch per connection, only to the changed
user's connections, and the client refetches through the REST API. No record data, no ids.

- ``connect`` / ``disconnect``: the ``$connect`` and ``$disconnect`` routes (a connection id and,
  to connect, the token; the functions unwrap them from the WebSocket event).
- ``close_connections``: an account disabled or deleted has its open connections closed.
- ``fan_out``: the changes of a DynamoDB stream batch (KEYS_ONLY) of BiomarkerSummary, Appointments
  and Medications (each a table, a user and the record's sequence number, unwrapped from the stream
  records by the function) -> (user, topic) pairs, de-duplicated -> one Query of each user's
  connections -> one post per connection and topic. Gone connections (410) are deleted; the
  changes whose post failed otherwise are returned, for the function to report back to Lambda.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from clinic import aws, clock
from clinic.errors import Unauthorized
from clinic.id_tokens import IdTokenVerifier, cognito_issuer, jwks_url
from clinic.identity import caller_from_claims
from clinic.observability import logger, metrics
from clinic.repositories import connections_table
from clinic.services import users
from clinic.settings import LiveDelivery, LiveTokens, Tables, get_settings

TOPICS = ("stats", "appointments", "medications")
# API Gateway closes a WebSocket connection after 2 hours at most; the record outlives it a little.
CONNECTION_TTL_S = 2 * 3600 + 300
# A user at the connection limit gets a place back when one of their pages closes, which nothing
# here can foresee: the refusal asks the client to wait this long before trying again.
CONNECTION_LIMIT_RETRY_AFTER_S = 30


def message(topic: str) -> bytes:
    return json.dumps({"type": "changed", "topic": topic}, separators=(",", ":")).encode()


# --- $connect / $disconnect ------------------------------------------------------------------


@cache
def verifier() -> IdTokenVerifier:
    """Built once per process: the JWKS it fetches is kept across invocations."""
    settings = get_settings(LiveTokens)
    issuer = cognito_issuer(settings.aws_region, settings.user_pool_id)
    return IdTokenVerifier(settings.cognito_jwks_url or jwks_url(issuer), issuer, {settings.app_client_id})


def connect(connection_id: str, token: str | None) -> int:
    """Verify ``token``; store the connection under the token's ``sub``. The handshake's status:
    any but 200 refuses it, and nothing is stored."""
    claims = verifier().verify(token)
    if claims is None or not _account_stands(claims):
        metrics.add_metric(name="ConnectionsRefused", unit=MetricUnit.Count, value=1)
        return 401
    user_id = claims["sub"]
    now = clock.now_s()
    if len(connections_table.of_user(user_id, now)) >= connections_table.MAX_PER_USER:
        metrics.add_metric(name="ConnectionsRefused", unit=MetricUnit.Count, value=1)
        return 429
    connections_table.put(user_id, connection_id, now + CONNECTION_TTL_S)
    metrics.add_metric(name="ConnectionsOpened", unit=MetricUnit.Count, value=1)
    return 200


def _account_stands(claims: dict[str, Any]) -> bool:
    """False when the token's account was deleted after the token was issued."""
    try:
        users.check_account(caller_from_claims(claims))
    except Unauthorized:
        return False
    return True


def disconnect(connection_id: str) -> None:
    owner = connections_table.owner_of(connection_id)
    if owner is not None:
        connections_table.delete(owner, connection_id)


def close_connections(user_id: str) -> int:
    """Close every open connection of ``user_id`` (an account disabled or deleted: its pages stop
    hearing of changes at once, not when API Gateway's two hours run out). One Query of the
    user's partition, one DeleteConnection and one DeleteItem per connection (``MAX_PER_USER`` at
    most). A connection already gone counts as closed; any other failure raises, and repeating
    the call finishes the job. Returns how many were closed."""
    open_ids = connections_table.of_user(user_id, clock.now_s())
    if not open_ids:
        return 0
    client = _management()
    closed = 0
    for connection_id in open_ids:
        try:
            client.delete_connection(ConnectionId=connection_id)
        except ClientError as error:
            if not _gone(error):
                raise
        connections_table.delete(user_id, connection_id)
        closed += 1
    metrics.add_metric(name="LiveConnectionsClosed", unit=MetricUnit.Count, value=closed)
    return closed


# --- fan-out ---------------------------------------------------------------------------------


def _topics_by_table() -> dict[str, str]:
    settings = get_settings(Tables)
    return {settings.summary_table: "stats", settings.appointments_table: "appointments",
            settings.medications_table: "medications"}


@dataclass(frozen=True)
class Change:
    """One user's item changed in ``table`` (a stream record: ``sequence_number`` names it)."""

    table: str
    user_id: str
    sequence_number: str


@dataclass
class FanOut:
    """What one batch did (the function reports only the failures; tests and metrics read the rest)."""

    changes: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # user -> topic -> sequence numbers
    sent: int = 0
    gone: int = 0
    failed_sequence_numbers: list[str] = field(default_factory=list)


def changes_of(changes: Iterable[Change]) -> dict[str, dict[str, list[str]]]:
    """Changes -> user -> topic -> their sequence numbers (de-duplication: a user's topic appears
    once however many changes touched it)."""
    topics = _topics_by_table()
    found: dict[str, dict[str, list[str]]] = {}
    for change in changes:
        topic = topics.get(change.table)
        if topic is None:
            continue  # not a table this function reads: nothing anyone could be told
        found.setdefault(change.user_id, {}).setdefault(topic, []).append(change.sequence_number)
    return found


def _management() -> Any:
    return aws.client("apigatewaymanagementapi", get_settings(LiveDelivery).connections_endpoint)


def _gone(error: ClientError) -> bool:
    """The management API's answer for a connection that no longer exists (410)."""
    code = error.response.get("Error", {}).get("Code")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return bool(code == "GoneException" or status == 410)


def _post(client: Any, connection_id: str, data: bytes) -> str:
    """"sent", "gone" (410: the connection no longer exists) or "failed"."""
    try:
        client.post_to_connection(ConnectionId=connection_id, Data=data)
    except ClientError as error:
        return "gone" if _gone(error) else "failed"
    except BotoCoreError:
        return "failed"
    return "sent"


def _notify_user(user_id: str, topics: dict[str, list[str]], client: Any, result: FanOut) -> None:
    try:
        targets = connections_table.of_user(user_id, clock.now_s())
    except (ClientError, BotoCoreError) as error:
        logger.warning("connections lookup failed", extra={"errorType": type(error).__name__})
        result.failed_sequence_numbers += [s for numbers in topics.values() for s in numbers]
        return
    gone: set[str] = set()
    for topic, sequence_numbers in topics.items():
        failed, data = False, message(topic)
        for connection_id in targets:
            if connection_id in gone:
                continue
            outcome = _post(client, connection_id, data)
            if outcome == "sent":
                result.sent += 1
            elif outcome == "gone":
                gone.add(connection_id)
            else:
                failed = True
        if failed:
            result.failed_sequence_numbers += sequence_numbers
    for connection_id in gone:
        result.gone += 1
        try:
            connections_table.delete(user_id, connection_id)
        except (ClientError, BotoCoreError) as error:  # the TTL removes it anyway; the posts are done
            logger.warning("gone connection not deleted", extra={"errorType": type(error).__name__})


def fan_out(changes: Iterable[Change]) -> FanOut:
    result = FanOut(changes=changes_of(changes))
    if result.changes:
        client = _management()
        for user_id, topics in result.changes.items():
            _notify_user(user_id, topics, client, result)
    metrics.add_metric(name="LiveMessagesSent", unit=MetricUnit.Count, value=result.sent)
    metrics.add_metric(name="LiveConnectionsGone", unit=MetricUnit.Count, value=result.gone)
    metrics.add_metric(name="LiveRecordsFailed", unit=MetricUnit.Count, value=len(result.failed_sequence_numbers))
    logger.info("fan-out", extra={"users": len(result.changes), "sent": result.sent, "gone": result.gone,
                                  "failedRecords": len(result.failed_sequence_numbers)})
    return result
