"""Opaque, signed pagination cursors.

A cursor carries a position inside one query of one user: it is HMAC-signed over the user's id,
the query's scope (route and filters) and an expiry, so a tampered, truncated, foreign, stale or
other-query cursor is rejected with a 400 and can never address another user's data. The user id
itself is not in the cursor; the repository puts it back from the verified token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from clinic import clock
from clinic.errors import InvalidInput
from clinic.settings import Cursors, get_settings
from clinic.signing_keys import signing_key

VERSION = "1"
MAX_LENGTH = 2048
MAC_BYTES = 16
# "<version>.<base64url body>.<base64url MAC>" (what ``encode`` makes; the OpenAPI declares it)
PATTERN = rf"^{VERSION}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{{{(MAC_BYTES * 4 + 2) // 3}}}$"


def _key() -> bytes:
    settings = get_settings(Cursors)
    return signing_key(settings.cursor_key, settings.cursor_secret_arn)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(user_id: str, scope: str, body: str) -> bytes:
    message = "\x1f".join((VERSION, user_id, scope, body)).encode()
    return hmac.new(_key(), message, hashlib.sha256).digest()[:MAC_BYTES]


def encode(user_id: str, scope: str, position: Mapping[str, Any]) -> str:
    expires = clock.now_s() + get_settings(Cursors).cursor_ttl_seconds
    body = _b64(json.dumps({"k": position, "x": expires}, separators=(",", ":"), sort_keys=True).encode())
    return f"{VERSION}.{body}.{_b64(_mac(user_id, scope, body))}"


def invalid() -> InvalidInput:
    """The one error of a cursor that cannot be used, whatever the reason."""
    return InvalidInput("cursor is invalid or expired; restart from the first page",
                        [{"field": "cursor", "issue": "invalid"}])


def decode(cursor: str, user_id: str, scope: str) -> dict[str, Any]:
    """The position inside ``cursor``, or ``InvalidInput`` (never which check failed: a cursor
    is opaque, and the reason would help only someone forging one)."""
    refused = invalid()
    if len(cursor) > MAX_LENGTH or cursor.count(".") != 2:
        raise refused
    version, body, mac = cursor.split(".")
    try:
        if version != VERSION or not hmac.compare_digest(_unb64(mac), _mac(user_id, scope, body)):
            raise refused
        payload = json.loads(_unb64(body))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise refused from None
    if not isinstance(payload, dict) or not isinstance(payload.get("k"), dict):
        raise refused
    if not isinstance(payload.get("x"), int) or payload["x"] < clock.now_s():
        raise refused
    position: dict[str, Any] = payload["k"]
    return position
