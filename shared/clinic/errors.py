"""Domain errors. Services raise these; ``clinic.entry.http`` maps them to HTTP in one place.

Messages are fixed, caller-safe sentences: never interpolate user data (PHI can hide in it).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "internal"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InvalidInput(DomainError):
    code = "validation_error"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class RateLimited(DomainError):
    """``retry_after_s``: when asking again can succeed (the ``Retry-After`` header of the 429)."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, retry_after_s)
