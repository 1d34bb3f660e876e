"""The error body every route returns for every 4xx and 5xx (README.md, "Errors")."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from clinic.models.base import Shape


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    INTERNAL = "internal"


class ErrorDetail(Shape):
    code: ErrorCode
    message: str
    details: list[dict[str, Any]]


class ErrorBody(Shape):
    error: ErrorDetail
