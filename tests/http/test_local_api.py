"""The HTTP suite against the local runner, plus what only a local pool lets us check: tokens
signed with the pool's real key but wrong in one respect each, and the seeded demo data."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import jwt
import moto
import pytest

from tests.http.suite import *  # noqa: F403 - the shared suite runs here
from tests.http.suite import assert_error

pytestmark = pytest.mark.http


def _moto_signing_key() -> tuple[str, dict]:
    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    jwk = json.loads(gzip.decompress(path.read_bytes()))
    return jwk["kid"], jwk


def forge(claims_from: str, **changes) -> str:
    """Re-sign a real token's claims with the pool's key, changing one thing."""
    kid, jwk = _moto_signing_key()
    claims = jwt.decode(claims_from, options={"verify_signature": False}) | changes
    return jwt.encode(claims, jwt.PyJWK(jwk).key, algorithm="RS256", headers={"kid": kid})


def test_a_forged_token_with_nothing_changed_is_accepted(api):
    # The control for the tests below: our re-signing reproduces a valid token.
    response = api.get("/biomarkers/stats", token=forge(api.patient_token))
    assert response.status_code == 200


@pytest.mark.parametrize("changes", [
    {"exp": int(time.time()) - 60},
    {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SomeOtherPool"},
    {"aud": "some-other-app-client"},
    {"token_use": "access"},
], ids=["expired", "wrong-issuer", "wrong-audience", "access-token"])
def test_token_wrong_in_one_respect_is_a_401(api, changes):
    assert_error(api.get("/biomarkers/stats", token=forge(api.patient_token, **changes)), 401, "unauthorized")


def test_token_with_a_tampered_payload_is_a_401(api):
    header, payload, signature = api.patient_token.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload)) | {"sub": "someone-else"}
    tampered = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    assert_error(api.get("/biomarkers/stats", token=f"{header}.{tampered}.{signature}"), 401, "unauthorized")


def test_unsigned_token_is_a_401(api):
    claims = jwt.decode(api.patient_token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert_error(api.get("/biomarkers/stats", token=unsigned), 401, "unauthorized")


def test_demo_patient_sees_all_her_seeded_biomarkers(api):
    body = api.as_patient("/biomarkers/stats").json()
    assert body["total"] >= 60


def test_demo_patient_has_many_appointments_of_several_types(api):
    types, count, cursor = set(), 0, None
    while True:
        body = api.as_patient("/appointments", params={"limit": 100} | ({"cursor": cursor} if cursor else {})).json()
        types |= {a["type"] for a in body["items"]}
        count += len(body["items"])
        cursor = body["nextCursor"]
        if not cursor:
            break
    assert count >= 50 and len(types) >= 3


def test_patients_see_different_data(api):
    mine = api.as_patient("/biomarkers/stats").json()
    theirs = api.get("/biomarkers/stats", token=api.other_patient_token).json()
    assert mine["total"] != theirs["total"]


def test_runner_logs_no_tokens(api, local_stack_state):
    api.as_patient("/biomarkers/stats")
    log = local_stack_state.log_path.read_text()
    assert api.patient_token not in log and api.patient_token[:40] not in log


def test_the_cors_preflight_answers_without_a_token_and_with_the_security_headers(api):
    response = api.request("OPTIONS", "/appointments", headers={"Origin": "http://localhost:5173",
                                                                "Access-Control-Request-Method": "GET"})
    assert response.status_code == 204
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_body_too_large_for_the_gateway_still_carries_the_security_headers(api):
    response = api.request("POST", "/appointments", token=api.patient_token, data=b"x" * (256 * 1024 + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.headers["X-Content-Type-Options"] == "nosniff"
