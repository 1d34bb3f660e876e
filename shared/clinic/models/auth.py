"""Sign-in by email link: addresses, the request body and the one answer every request gets."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from clinic.models.base import Input, Shape

MAX_EMAIL_LENGTH = 254
# A practical subset of RFC 5321 addresses: no quoted local parts, no IP literals. Nothing that
# needs escaping in a Cognito ListUsers filter can pass.
_EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)


# The same rule for the OpenAPI document, on the address as sent (before trimming and lower case).
EMAIL_PATTERN = r"^\s*" + _EMAIL.pattern.strip("^$").replace("a-z", "A-Za-z") + r"\s*$"


def normalize_email(raw: str) -> str | None:
    """The canonical form of an address (trimmed, lower case), or None when it is not one."""
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        return None
    return email


class EmailLinkRequest(Input):
    email: str = Field(min_length=3, max_length=MAX_EMAIL_LENGTH, pattern=EMAIL_PATTERN,
                       description="Where to send the sign-in link (any case; surrounding spaces are ignored)")

    @field_validator("email")
    @classmethod
    def _an_address(cls, value: str) -> str:
        normalized = normalize_email(value)
        if normalized is None:
            raise ValueError("not an email address")
        return normalized


class EmailLinkAccepted(Shape):
    """The same for every address, whether or not it has an account (no enumeration)."""

    status: str = "accepted"
    message: str = "If the address can receive email, a sign-in link is on its way."
