"""API Gateway events from events/ (the files `sam local invoke -e` uses), adapted per test."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[2] / "events"
EVENT_SUB = "7d3f9a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37"  # the caller in every API event file


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def api_event(name: str, *, sub: str | None = None, groups: list[str] | None = None,
              query: dict[str, str] | None = None, path_params: dict[str, str] | None = None,
              body: Any = None, claims: dict[str, str] | bool | None = True) -> dict[str, Any]:
    """The event file ``name`` with the caller, query, path parameters or body replaced.

    ``query`` replaces the query string entirely (``{}`` for none); ``claims=False`` removes the
    authorizer claims altogether (a misconfigured route); ``claims`` as a dict replaces them.
    """
    event = copy.deepcopy(_load(name))
    context = event["requestContext"]
    if claims is False:
        context.pop("authorizer", None)
    elif isinstance(claims, dict):
        context["authorizer"] = {"claims": claims}
    else:
        if sub is not None:
            context["authorizer"]["claims"]["sub"] = sub
            context["authorizer"]["claims"]["cognito:username"] = sub
        if groups is not None:
            context["authorizer"]["claims"]["cognito:groups"] = ",".join(groups)
    if query is not None:
        event["queryStringParameters"] = dict(query) or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    if path_params is not None:
        event["pathParameters"] = path_params
        path = event["resource"]
        for key, value in path_params.items():
            path = path.replace("{" + key + "}", value)
        event["path"] = path
        context["path"] = f"/{context['stage']}{path}"
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


def response_json(result: dict[str, Any]) -> Any:
    return json.loads(result["body"]) if result.get("body") else None


def ingest_invoke_event(readings: list[Any] | None = None) -> dict[str, Any]:
    """events/ingest/invoke.json, or the same envelope around ``readings``."""
    event = copy.deepcopy(_load("ingest/invoke.json"))
    if readings is not None:
        event["readings"] = readings
    return event


def ingest_users() -> set[str]:
    """The users the ingest event files name (tests create them in the Users table)."""
    return {r["userId"] for r in _load("ingest/invoke.json")["readings"]}


def sqs_event(bodies: list[Any] | None = None) -> dict[str, Any]:
    """events/ingest/sqs.json, or one record per body shaped like its first record (a body that is
    not a string is sent as JSON), with fresh message ids and checksums."""
    event = copy.deepcopy(_load("ingest/sqs.json"))
    if bodies is None:
        return event
    template = event["Records"][0]
    records = []
    for body in bodies:
        text = body if isinstance(body, str) else json.dumps(body)
        record = copy.deepcopy(template)
        record.update({"messageId": str(uuid.uuid4()), "body": text,
                       "md5OfBody": hashlib.md5(text.encode()).hexdigest()})
        records.append(record)
    event["Records"] = records
    return event


def ws_event(route: str, *, connection_id: str | None = None, token: str | None = None) -> dict[str, Any]:
    """``events/live/connect.json`` or ``disconnect.json`` with the connection id and, for
    ``$connect``, the ``token`` query parameter replaced (``token=None``: no query string)."""
    event = copy.deepcopy(_load(f"live/{route}.json"))
    if connection_id is not None:
        event["requestContext"]["connectionId"] = connection_id
    if route == "connect":
        event["queryStringParameters"] = {"token": token} if token is not None else None
    return event


def stream_record(table_name: str, user_id: str, sequence_number: str, *, sk: str = "stats",
                  event_name: str = "MODIFY") -> dict[str, Any]:
    """One record of ``events/live/stream.json`` from the stream of ``table_name``."""
    record = copy.deepcopy(_load("live/stream.json")["Records"][0])
    record["eventName"] = event_name
    record["dynamodb"]["Keys"] = {"userId": {"S": user_id}, "sk": {"S": sk}}
    record["dynamodb"]["SequenceNumber"] = sequence_number
    stream = f"table/{table_name}/stream/2026-11-25T06:00:00.000"
    record["eventSourceARN"] = f"arn:aws:dynamodb:us-east-1:123456789012:{stream}"
    return record


def fhir_bundle_event() -> dict[str, Any]:
    """events/ingest/fhir_bundle.json: a lab's FHIR R4 Bundle, invoked directly."""
    return copy.deepcopy(_load("ingest/fhir_bundle.json"))
