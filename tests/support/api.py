"""Calling an API function's handler the way API Gateway would: its own event file from events/
(found through its CodeUri), with the caller, path, query and body of the test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from clinic_tools import template
from tests.support.events import EVENT_SUB, api_event, response_json

ADMIN_SUB = "a0d1e2f3-0000-4000-8000-00000000ad01"
OTHER_SUB = "0f0e0d0c-1111-4222-8333-444455556666"


@dataclass
class Reply:
    status: int
    body: Any
    raw: dict[str, Any]

    @property
    def error_code(self) -> str | None:
        return (self.body or {}).get("error", {}).get("code") if isinstance(self.body, dict) else None


def event_file(logical_id: str) -> str:
    code_uri = template.functions()[logical_id].code_uri
    return f"{code_uri.parent.name}/{code_uri.name}.json"


def call(invoke: Any, logical_id: str, *, sub: str | None = None, admin: bool = False,
         path: dict[str, str] | None = None, query: dict[str, Any] | None = None, body: Any = None,
         raw_body: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    """Invoke ``logical_id`` as ``sub`` (in the admin group if ``admin``). By default the caller
    is the events' patient, or with ``admin`` the staff member ADMIN_SUB: staff routes check the
    caller's Users item, so the patient's own id in the admin group is a demoted admin (a 403)."""
    sub = sub or (ADMIN_SUB if admin else EVENT_SUB)
    event = request_event(logical_id, sub=sub, admin=admin, path=path, query=query, body=body,
                          raw_body=raw_body, headers=headers)
    result = invoke(logical_id, event)
    return Reply(result["statusCode"], response_json(result), result)


def request_event(logical_id: str, *, sub: str = EVENT_SUB, admin: bool = False,
                  path: dict[str, str] | None = None, query: dict[str, Any] | None = None, body: Any = None,
                  raw_body: str | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The API Gateway event of a call to ``logical_id``. Path parameters are given decoded and
    travel percent-encoded in the path, as a REST API delivers them."""
    event = api_event(event_file(logical_id), sub=sub, groups=["admin"] if admin else [],
                      query={k: str(v) for k, v in (query or {}).items()})
    if path is not None:
        event["pathParameters"] = dict(path)
        concrete = event["resource"]
        for key, value in path.items():
            concrete = concrete.replace("{" + key + "}", quote(value, safe=""))
        event["path"] = concrete
        event["requestContext"]["path"] = f"/{event['requestContext']['stage']}{concrete}"
    if raw_body is not None:
        event["body"] = raw_body
    elif body is not None:
        event["body"] = json.dumps(body)
    if headers:
        event["headers"] = {**(event.get("headers") or {}), **headers}
    return event
