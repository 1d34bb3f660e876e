"""What every request must satisfy before any handler or parser sees it, checked once for every
route (clinic.entry.http wires these in):

- a body is bounded in size and in nesting depth before it is parsed (a deeply nested value would
  exhaust the parser's recursion), and is UTF-8 (a gateway that replaced undecodable bytes with
  U+FFFD would otherwise store the replacement);
- a request carries only the query parameters its route declares, and a body only if the route
  takes one (a typo or a smuggled ``userId`` is a 400 naming the parameter, never ignored).

Each refusal is an ``InvalidInput`` (400 ``validation_error``) naming where and what, never the value.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from clinic.errors import InvalidInput

MAX_BODY_BYTES = 256 * 1024  # the largest body a route takes (a lab entry of many results) with room
MAX_JSON_DEPTH = 32  # the deepest body a route takes is 4 levels
REPLACEMENT = "\ufffd"  # what a gateway puts where bytes were not UTF-8
MAX_NAME = 64  # an unknown parameter's name is echoed at most this long


def _refused(where: str, field: str, issue: str, message: str) -> InvalidInput:
    return InvalidInput("the request is invalid", [{"in": where, "field": field, "issue": issue, "message": message}])


def body_text(event: dict[str, Any]) -> str | None:
    """The request body as text, or a 400 when it is too large, not UTF-8 or nested too deeply."""
    raw = event.get("body")
    if not raw:
        return None
    if event.get("isBase64Encoded"):
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise _refused("body", "body", "not_utf8", "the body must be UTF-8 JSON") from None
    else:
        data = raw.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_BODY_BYTES:
        raise _refused("body", "body", "too_large", f"at most {MAX_BODY_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refused("body", "body", "not_utf8", "the body must be UTF-8 JSON") from None
    if REPLACEMENT in text:
        raise _refused("body", "body", "not_utf8", "the body must be UTF-8 JSON")
    if nesting_depth(text) > MAX_JSON_DEPTH:
        raise _refused("body", "body", "too_deep", f"at most {MAX_JSON_DEPTH} levels of nesting")
    return text


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text (brackets inside strings do not
    count), in one pass and without recursion; malformed text is the parser's to refuse."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


@dataclass(frozen=True)
class Declared:
    """The input a function's route declares: its query parameters' names, whether it takes a body."""

    query: frozenset[str]
    body: bool


def declared(app: Any) -> Declared:
    """What ``app`` (a Powertools resolver: one route per function) declares. A resolver built
    without validation takes no input at all, so nothing of the OpenAPI machinery is loaded."""
    if not app._enable_validation:
        return Declared(frozenset(), body=False)
    routes = [*app._static_routes, *app._dynamic_routes]
    return Declared(frozenset(param.alias for route in routes for param in route.dependant.query_params),
                    body=any(route.dependant.body_params for route in routes))


def only_declared(event: dict[str, Any], allowed: Declared) -> None:
    """A 400 naming each query parameter the route does not declare, or the body of a route
    that takes none."""
    given = set(event.get("multiValueQueryStringParameters") or {}) | set(event.get("queryStringParameters") or {})
    unknown = sorted(given - allowed.query)
    if unknown:
        raise InvalidInput("the request is invalid", [
            {"in": "query", "field": name[:MAX_NAME], "issue": "unknown_parameter",
             "message": "this route has no such parameter"} for name in unknown])
    if event.get("body") and not allowed.body:
        raise _refused("body", "body", "not_allowed", "this route takes no body")
