"""The WebSocket ``$connect`` and ``$disconnect`` functions: only a valid Cognito ID token of this
pool's app client opens a connection, stored under the token's user; anything else is refused
and stores nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from clinic import settings
from clinic.id_tokens import IdTokenVerifier, cognito_issuer, jwks_url
from clinic.repositories import connections_table
from clinic.services import live, users
from tests.support.events import ws_event

CONNECT, DISCONNECT = "LiveConnectFunction", "LiveDisconnectFunction"
POOL, OTHER_POOL = "us-east-1_TestPool1", "us-east-1_OtherPool"
CLIENT = "test-app-client"
ISSUER = cognito_issuer("us-east-1", POOL)
USER = "6f1c2a9e-0b7d-4c1e-8f3a-5d2b9e7c4a10"


class Keys:
    """An RSA key pair per pool, published as JWKS."""

    def __init__(self) -> None:
        self.private = {pool: rsa.generate_private_key(public_exponent=65537, key_size=2048)
                        for pool in (POOL, OTHER_POOL)}

    def jwks(self, pool: str) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.private[pool].public_key(), as_dict=True)
        return {"keys": [jwk | {"kid": f"kid-{pool}", "alg": "RS256", "use": "sig"}]}

    def token(self, pool: str = POOL, **changes: Any) -> str:
        now = int(time.time())
        claims = {"sub": USER, "aud": CLIENT, "iss": cognito_issuer("us-east-1", pool), "token_use": "id",
                  "iat": now, "auth_time": now, "exp": now + 3600, "email": "pat@example.com"} | changes
        return jwt.encode({k: v for k, v in claims.items() if v is not None}, self.private[pool],
                           algorithm="RS256", headers={"kid": f"kid-{pool}"})


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


@pytest.fixture
def verifier(keys: Keys, tables: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> IdTokenVerifier:
    """The connect function's verifier against this test's pool (JWKS served from memory)."""
    fetched: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        return keys.jwks(POOL)

    verifier = IdTokenVerifier(jwks_url(ISSUER), ISSUER, {CLIENT}, fetch=fetch)
    monkeypatch.setattr(live, "verifier", lambda: verifier)
    return verifier


def stored() -> set[str]:
    return set(connections_table.of_user(USER, int(time.time())))


def test_a_valid_id_token_opens_a_connection_stored_under_its_user(verifier, keys, invoke):
    result = invoke(CONNECT, ws_event("connect", connection_id="conn-1", token=keys.token()))
    assert result == {"statusCode": 200}
    assert stored() == {"conn-1"}


def test_a_deleted_accounts_still_valid_token_is_refused_and_stores_nothing(verifier, keys, invoke):
    # Given the account was deleted after its token was issued (DELETE /me marks it)
    users.mark_deleted(USER)
    # When the old token connects
    result = invoke(CONNECT, ws_event("connect", connection_id="conn-1", token=keys.token()))
    # Then the handshake is refused at once
    assert result == {"statusCode": 401}
    assert stored() == set()


def test_a_disabled_accounts_still_valid_token_is_refused_and_stores_nothing(verifier, keys, invoke):
    # Given staff disabled the account after its token was issued (the Users item's mark)
    from clinic.repositories import dynamo, users_table

    users.create_profile(USER, "pat@example.com")
    dynamo.write([users_table.access_update_action(USER, False, None)])
    # When the old token connects, then the handshake is refused at once
    assert invoke(CONNECT, ws_event("connect", connection_id="conn-1", token=keys.token())) == {"statusCode": 401}
    assert stored() == set()


def test_the_connection_expires_after_api_gateways_two_hour_limit(verifier, keys, invoke, tables):
    from clinic import aws

    invoke(CONNECT, ws_event("connect", connection_id="conn-1", token=keys.token()))
    item = aws.dynamodb().get_item(TableName=tables["ConnectionsTable"],
                                   Key={"userId": {"S": USER}, "connectionId": {"S": "conn-1"}})["Item"]
    assert 2 * 3600 <= int(item["expiresAt"]["N"]) - time.time() <= 2 * 3600 + 600


@pytest.mark.parametrize("make_token", [
    lambda k: None,
    lambda k: "",
    lambda k: "not-a-jwt",
    lambda k: k.token(exp=int(time.time()) - 60),
    lambda k: k.token(aud="some-other-app-client"),
    lambda k: k.token(pool=OTHER_POOL),
    lambda k: k.token(iss=cognito_issuer("us-east-1", OTHER_POOL)),
    lambda k: k.token(token_use="access"),
    lambda k: k.token(token_use=None),
    lambda k: k.token(sub=None),
    lambda k: jwt.encode({"sub": USER, "aud": CLIENT, "iss": ISSUER, "token_use": "id", "exp": int(time.time()) + 60,
                          "iat": int(time.time())}, "a-shared-secret-of-at-least-32-bytes!", algorithm="HS256"),
], ids=["missing", "empty", "not-a-jwt", "expired", "wrong-audience", "wrong-pool-key", "wrong-issuer",
        "access-token", "no-token-use", "no-sub", "hs256"])
def test_a_bad_token_is_refused_with_401_and_stores_nothing(verifier, keys, invoke, ddb_calls, make_token):
    ddb_calls.reset()
    result = invoke(CONNECT, ws_event("connect", connection_id="conn-1", token=make_token(keys)))
    assert result == {"statusCode": 401}
    assert ddb_calls.total == 0  # refused before any table was touched
    assert stored() == set()


def test_a_tampered_payload_is_refused(verifier, keys, invoke):
    header, _, signature = keys.token().split(".")
    _, payload, _ = keys.token(sub="someone-else").split(".")
    assert invoke(CONNECT, ws_event("connect", connection_id="c", token=f"{header}.{payload}.{signature}")) == {
        "statusCode": 401}


def test_the_jwks_is_fetched_once_across_invocations(verifier, keys, invoke):
    for n in range(5):
        invoke(CONNECT, ws_event("connect", connection_id=f"conn-{n}", token=keys.token()))
    # Unknown key ids do not refetch it either (within the refetch interval)
    invoke(CONNECT, ws_event("connect", connection_id="x", token=keys.token(pool=OTHER_POOL)))
    assert verifier.fetches == 1


def test_a_user_at_the_connection_limit_is_refused_with_429(verifier, keys, invoke):
    for n in range(connections_table.MAX_PER_USER):
        connections_table.put(USER, f"open-{n}", int(time.time()) + 3600)
    result = invoke(CONNECT, ws_event("connect", connection_id="one-more", token=keys.token()))
    # Then the refusal says when to try again, as every 429 of the product does
    assert result == {"statusCode": 429,
                      "headers": {"Retry-After": str(live.CONNECTION_LIMIT_RETRY_AFTER_S)}}
    assert int(result["headers"]["Retry-After"]) >= 1
    assert "one-more" not in stored()


def test_expired_connections_do_not_count_towards_the_limit(verifier, keys, invoke):
    for n in range(connections_table.MAX_PER_USER):
        connections_table.put(USER, f"old-{n}", int(time.time()) - 1)
    assert invoke(CONNECT, ws_event("connect", connection_id="new", token=keys.token())) == {"statusCode": 200}


def test_disconnect_forgets_exactly_that_connection_in_two_requests(verifier, keys, invoke, ddb_calls):
    invoke(CONNECT, ws_event("connect", connection_id="conn-1", token=keys.token()))
    invoke(CONNECT, ws_event("connect", connection_id="conn-2", token=keys.token()))
    ddb_calls.reset()
    assert invoke(DISCONNECT, ws_event("disconnect", connection_id="conn-1")) == {"statusCode": 200}
    assert dict(ddb_calls.operations) == {"Query": 1, "DeleteItem": 1}
    assert stored() == {"conn-2"}


def test_disconnect_of_an_unknown_connection_is_harmless(verifier, invoke, ddb_calls):
    ddb_calls.reset()
    assert invoke(DISCONNECT, ws_event("disconnect", connection_id="never-seen")) == {"statusCode": 200}
    assert dict(ddb_calls.operations) == {"Query": 1}


@pytest.fixture
def live_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("USER_POOL_ID", POOL)
    monkeypatch.setenv("APP_CLIENT_ID", CLIENT)
    monkeypatch.delenv("COGNITO_JWKS_URL", raising=False)
    settings.reset()
    live.verifier.cache_clear()
    yield
    settings.reset()
    live.verifier.cache_clear()


def test_in_aws_the_verifier_trusts_the_pools_issuer_and_its_app_client(live_settings, keys, monkeypatch):
    built = live.verifier()
    assert built._issuer == ISSUER and built._audiences == {CLIENT}
    assert built._jwks_url == f"{ISSUER}/.well-known/jwks.json"
    monkeypatch.setattr(built, "_fetch", lambda url: keys.jwks(POOL))
    assert built.verify(keys.token())["sub"] == USER
    assert built.verify(keys.token(aud="another-client")) is None
