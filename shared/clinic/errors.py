"""Domain errors. Services raise these; ``clinic.api`` maps them to HTTP in one place.

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
    code = "rate_limited"
