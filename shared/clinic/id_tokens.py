"""Verifying a Cognito ID token the way API Gateway's Cognito user-pool authorizer does: the
RS256 signature against the pool's JWKS, the issuer, the audience (an app client of the pool),
expiry and ``token_use == "id"``.

One implementation for the local REST authorizer and the WebSocket ``$connect`` function (where
API Gateway cannot do it: browsers cannot send an Authorization header on a WebSocket, so the
token comes in the query string). The JWKS is fetched once per process and kept across
invocations; an unknown key id refetches it at most once per ``REFETCH_AFTER_S``, so tokens with
made-up key ids cannot turn every request into a fetch.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Collection
from threading import Lock
from typing import Any

import jwt

LEEWAY_S = 0
REFETCH_AFTER_S = 300
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "token_use", "aud"]


def cognito_issuer(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def jwks_url(issuer_or_endpoint: str, user_pool_id: str | None = None) -> str:
    """The pool's JWKS: ``<issuer>/.well-known/jwks.json`` in AWS; locally the emulator serves it
    at ``<endpoint>/<pool id>/.well-known/jwks.json``."""
    base = issuer_or_endpoint.rstrip("/")
    if user_pool_id:
        base = f"{base}/{user_pool_id}"
    return f"{base}/.well-known/jwks.json"


def _fetch(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the pool's own https (or local) URL
        return dict(json.load(response))


class IdTokenVerifier:
    def __init__(self, jwks: str, issuer: str, audiences: Collection[str],
                 fetch: Callable[[str], dict[str, Any]] = _fetch, clock: Callable[[], float] = time.monotonic) -> None:
        self._jwks_url = jwks
        self._issuer = issuer
        self._audiences = frozenset(audiences)
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = Lock()
        self.fetches = 0  # how many times the JWKS was fetched (tests check the caching)

    def _key(self, kid: str) -> Any:
        with self._lock:
            stale = self._fetched_at is None or self._clock() - self._fetched_at >= REFETCH_AFTER_S
            if kid not in self._keys and stale:
                jwks = self._fetch(self._jwks_url)
                self.fetches += 1
                self._fetched_at = self._clock()
                self._keys = {k["kid"]: jwt.PyJWK(k).key for k in jwks.get("keys", []) if "kid" in k}
            return self._keys.get(kid)

    def verify(self, token: str | None) -> dict[str, Any] | None:
        """The verified claims, or None (the caller answers 401). Never raises for a bad token."""
        if not token or not isinstance(token, str):
            return None
        try:
            head = jwt.get_unverified_header(token)
            if head.get("alg") != "RS256" or not isinstance(head.get("kid"), str):
                return None
            key = self._key(head["kid"])
            if key is None:
                return None
            claims = jwt.decode(
                token, key, algorithms=["RS256"], issuer=self._issuer, leeway=LEEWAY_S,
                # The audience is checked below: an ID token's ``aud`` is one client id, a string.
                options={"require": _REQUIRED_CLAIMS, "verify_aud": False},
            )
        except (jwt.PyJWTError, ValueError, OSError):
            return None
        if claims.get("token_use") != "id" or claims.get("aud") not in self._audiences:
            return None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            return None
        return dict(claims)
