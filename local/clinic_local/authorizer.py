"""What API Gateway's Cognito user-pool authorizer does, locally: verify the ID token's RS256
signature against the pool's JWKS, its issuer, audience (one of the pool's app clients), expiry
and use, and hand the claims to the function as strings, the way a REST API does."""

from __future__ import annotations

import json
import time
import urllib.request
from threading import Lock
from typing import Any

import jwt

LEEWAY_S = 0


class CognitoAuthorizer:
    def __init__(self, endpoint: str, user_pool_id: str, issuer: str, audiences: set[str]) -> None:
        self._jwks_url = f"{endpoint.rstrip('/')}/{user_pool_id}/.well-known/jwks.json"
        self._issuer = issuer
        self._audiences = audiences
        self._keys: dict[str, Any] = {}
        self._lock = Lock()

    def _key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys:
                with urllib.request.urlopen(self._jwks_url, timeout=5) as response:  # noqa: S310 - local endpoint
                    jwks = json.load(response)
                self._keys = {k["kid"]: jwt.PyJWK(k).key for k in jwks.get("keys", [])}
            return self._keys.get(kid)

    def verify(self, header: str | None) -> dict[str, Any] | None:
        """The verified claims, or None (the caller gets a 401)."""
        if not header:
            return None
        token = header[7:] if header[:7].lower() == "bearer " else header
        try:
            head = jwt.get_unverified_header(token)
            if head.get("alg") != "RS256" or not isinstance(head.get("kid"), str):
                return None
            key = self._key(head["kid"])
            if key is None:
                return None
            claims = jwt.decode(
                token, key, algorithms=["RS256"], issuer=self._issuer, leeway=LEEWAY_S,
                options={"require": ["exp", "iat", "iss", "sub", "token_use", "aud"], "verify_aud": False},
            )
        except (jwt.PyJWTError, ValueError, OSError):
            return None
        if claims.get("token_use") != "id" or claims.get("aud") not in self._audiences:
            return None
        return claims


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

