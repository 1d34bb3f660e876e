"""What API Gateway's Cognito user-pool authorizer does, locally: verify the ID token's RS256
signature against the pool's JWKS, its issuer, audience (one of the pool's app clients), expiry
and use, and hand the claims to the function as strings, the way a REST API does."""

from __future__ import annotations

import time
from typing import Any

from clinic.id_tokens import IdTokenVerifier, jwks_url


class CognitoAuthorizer:
    """The REST authorizer: the ``Authorization`` header (``Bearer`` optional) to verified claims."""

    def __init__(self, endpoint: str, user_pool_id: str, issuer: str, audiences: set[str]) -> None:
        self.verifier = IdTokenVerifier(jwks_url(endpoint, user_pool_id), issuer, audiences)

    def verify(self, header: str | None) -> dict[str, Any] | None:
        """The verified claims, or None (the caller gets a 401)."""
        if not header:
            return None
        token = header[7:] if header[:7].lower() == "bearer " else header
        return self.verifier.verify(token)


def _api_gateway_time(epoch_s: Any) -> str:
    # REST API claims carry times as e.g. "Wed Nov 25 01:00:26 UTC 2026".
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(int(epoch_s)))


def as_rest_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as a REST API Cognito authorizer forwards them: every value a string."""
    out = {}
    for name, value in claims.items():
        if name in ("exp", "iat", "auth_time"):
            out[name] = _api_gateway_time(value)
        elif isinstance(value, list):
            out[name] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)
    return out

