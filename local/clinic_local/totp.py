"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as Cognito's
software-token MFA and every authenticator app compute them. The runner keeps each user's secret
and checks codes the way Cognito does; tests compute codes with ``code``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time

STEP_S = 30
DIGITS = 6


def new_secret() -> str:
    """A base32 secret of 160 bits (what an authenticator app's QR code carries)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)


def code(secret: str, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // STEP_S)
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def is_valid(secret: str, candidate: object, at: float | None = None) -> bool:
    """The current code or the one of the step before or after (clock drift), compared in constant time."""
    if not isinstance(candidate, str) or len(candidate) != DIGITS or not candidate.isdigit():
        return False
    now = time.time() if at is None else at
    return any(hmac.compare_digest(code(secret, now + drift * STEP_S), candidate) for drift in (-1, 0, 1))
