"""The error body of every route (``clinic.models.errors``) for the runner's own answers (its 401s, refused
handshakes, local sign-in endpoints); the functions build theirs through ``clinic.entry.http``."""

from __future__ import annotations

import json


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": []}}).encode()
