"""The caller's identity and roles, taken only from verified claims (API Gateway's Cognito
authorizer, or a token the WebSocket handshake verified). Below services: every layer may use it.

REST API authorizers deliver every claim as a string; ``cognito:groups`` is "admin" for one
group and "a,b" (or "[a b]") for several. A request without a verified subject never reaches a
service: it is a 401.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from clinic.errors import Forbidden, Unauthorized

ADMIN_GROUP = "admin"
_SUB = re.compile(r"^[A-Za-z0-9-]{1,128}$")


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: str
    email: str | None
    groups: frozenset[str]
    name: str | None = None  # the token's `name` claim, if any (a profile's first display name)

    @property
    def is_admin(self) -> bool:
        return ADMIN_GROUP in self.groups


def parse_groups(raw: Any) -> frozenset[str]:
    if isinstance(raw, list | tuple):
        return frozenset(str(g) for g in raw)
    if not isinstance(raw, str):
        return frozenset()
    return frozenset(g for g in re.split(r"[\s,]+", raw.strip("[]")) if g)


def caller_from_claims(claims: Any) -> Caller:
    if not isinstance(claims, dict):
        raise Unauthorized("authentication required")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not _SUB.match(sub) or claims.get("token_use", "id") != "id":
        raise Unauthorized("authentication required")
    email = claims.get("email")
    name = claims.get("name")
    return Caller(user_id=sub, email=email if isinstance(email, str) else None,
                  groups=parse_groups(claims.get("cognito:groups")), name=name if isinstance(name, str) else None)


def require_admin(caller: Caller) -> Caller:
    if not caller.is_admin:
        raise Forbidden("this route is for clinic staff")
    return caller
