"""Locally issued ID tokens live as long as the template's app client says (``IdTokenValidity``
in ``TokenValidityUnits``), as Cognito's would: moto always issues one-hour tokens, so every
token the runner hands out is re-signed here with moto's own key (which the local authorizer and
``$connect`` verify against) and its ``exp`` set from the template. ``CLINIC_ID_TOKEN_SECONDS``
overrides the lifetime locally, as ``--parameter-overrides IdTokenMinutes=...`` would deployed
(a long demo, a test session that outlives one token, or a short one that shows the page's
silent refresh)."""

from __future__ import annotations

import gzip
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jwt

from clinic_tools import template

OVERRIDE = "CLINIC_ID_TOKEN_SECONDS"
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400}


def id_token_lifetime_s() -> int:
    """The ID-token lifetime of the template's app client, parameters at their defaults (or the override)."""
    if os.environ.get(OVERRIDE):
        return int(os.environ[OVERRIDE])
    (client,) = template.resources("AWS::Cognito::UserPoolClient").values()
    props = client["Properties"]
    parameters = template.parameter_defaults()
    amount = int(template.resolve(props["IdTokenValidity"], parameters))
    unit = (props.get("TokenValidityUnits") or {}).get("IdToken", "hours")
    return amount * UNIT_SECONDS[unit]


@cache
def moto_signing_key() -> tuple[str, Any]:
    import moto

    resources = Path(moto.__file__).parent / "cognitoidp" / "resources"
    packed = resources / "jwks-private.json.gz"
    raw = gzip.decompress(packed.read_bytes()) if packed.exists() else (resources / "jwks-private.json").read_bytes()
    jwk = json.loads(raw)
    return str(jwk["kid"]), jwt.PyJWK(jwk).key


def reissue(claims: dict[str, Any]) -> str:
    """``claims`` signed as moto signs, expiring the template's lifetime after ``iat``."""
    kid, key = moto_signing_key()
    return jwt.encode({**claims, "exp": int(claims["iat"]) + id_token_lifetime_s()}, key, algorithm="RS256",
                      headers={"kid": kid})


def with_template_lifetime(id_token: str) -> str:
    return reissue(jwt.decode(id_token, options={"verify_signature": False}))
