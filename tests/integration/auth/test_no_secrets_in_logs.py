"""Sentinel test: run every sign-in and account path, including refusals and failures, with
recognisable addresses, and check that no address, link, link secret or token appears in
anything the functions log or print (structured logs at every level, metrics, stdout, stderr)."""

from __future__ import annotations

import io
import logging

import pytest

from clinic import aws, clock, settings
from clinic.entry.trigger import TriggerFailed
from clinic.observability import logger
from clinic.services.sign_in import SignInRefused
from clinic_local import sign_in as local_sign_in
from tests.integration.auth.conftest import create_native_user, link_in
from tests.support.cognito import trigger_event
from tests.support.events import api_event

KNOWN = "sentinel.known+zq7@example.com"
NEWCOMER = "sentinel.newcomer+zq8@example.com"
STRANGER = "sentinel.stranger+zq9@example.com"


@pytest.fixture
def captured_logs():
    """Every record our logger emits (at any level) and every warning from any other logger."""
    buffer = io.StringIO()
    ours = logging.StreamHandler(buffer)
    ours.setFormatter(logger.registered_formatter)
    anyone = logging.StreamHandler(buffer)
    anyone.setLevel(logging.WARNING)
    level = logger.log_level
    logger.addHandler(ours)
    logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(anyone)
    yield buffer
    logging.getLogger().removeHandler(anyone)
    logger.removeHandler(ours)
    logger.setLevel(level)


def request_link(invoke, email, ip="203.0.113.10"):
    event = api_event("auth/request_email_link.json", body={"email": email})
    event["requestContext"]["identity"]["sourceIp"] = ip
    return invoke("RequestEmailLinkFunction", event)


def verify(invoke, email, token):
    event = trigger_event("verify_auth_challenge", attributes={"email": email}, challengeAnswer=token)
    return invoke("VerifyAuthChallengeFunction", event)["response"]["answerCorrect"]


def test_no_address_link_or_token_reaches_the_logs(invoke, user_pool, outbox, captured_logs, capsys,
                                                   monkeypatch):
    secrets: list[str] = [KNOWN, NEWCOMER, STRANGER, "sentinel.known", "sentinel.newcomer", "sentinel.stranger"]
    known = create_native_user(KNOWN)

    # Links requested, used, reused, altered, presented for the wrong address, for an unknown user
    assert request_link(invoke, KNOWN)["statusCode"] == 202
    assert request_link(invoke, STRANGER)["statusCode"] == 202
    email, token = link_in(outbox[-2])
    secrets += [token, outbox[-2].body.split("\n")[2], link_in(outbox[-1])[1]]
    assert verify(invoke, STRANGER, token) is False
    assert verify(invoke, email, token[::-1]) is False
    assert verify(invoke, email, token) is True
    assert verify(invoke, email, token) is False
    event = trigger_event("verify_auth_challenge", attributes={"email": STRANGER}, challengeAnswer=token,
                          userNotFound=True)
    invoke("VerifyAuthChallengeFunction", event)

    # Rate limited, and bad input that carries an address
    with monkeypatch.context() as patched:
        patched.setattr(clock, "now_ms", lambda: 1_800_000_000 * 1000)
        statuses = {request_link(invoke, KNOWN, ip="198.51.100.1")["statusCode"] for _ in range(6)}
    assert 429 in statuses
    bad = api_event("auth/request_email_link.json", body={"email": KNOWN, "role": "admin"})
    assert invoke("RequestEmailLinkFunction", bad)["statusCode"] == 400

    # Sign-up by link and sign-in: tokens minted, the role claim added
    assert request_link(invoke, NEWCOMER, ip="198.51.100.2")["statusCode"] == 202
    newcomer_email, newcomer_token = link_in(outbox[-1])
    secrets.append(newcomer_token)
    with pytest.raises(SignInRefused):
        invoke("PreSignUpFunction", trigger_event("pre_sign_up", attributes={"email": NEWCOMER},
                                                  clientMetadata={"emailLinkToken": token}))
    tokens = local_sign_in.complete_email_link(user_pool.stack(), newcomer_email, newcomer_token)
    secrets += [tokens["idToken"], tokens["accessToken"], tokens["refreshToken"]]

    # Google for a known address, and for one its provider has not verified
    invoke("PreSignUpFunction", trigger_event("pre_sign_up_external_provider", user_pool_id=user_pool.id,
                                              attributes={"email": KNOWN}))
    with pytest.raises(SignInRefused):
        invoke("PreSignUpFunction", trigger_event("pre_sign_up_external_provider", user_pool_id=user_pool.id,
                                                  attributes={"email": STRANGER, "email_verified": "false"}))

    # Failures nobody planned: a trigger whose table is gone, an API call SES rejects
    with monkeypatch.context() as patched:
        patched.setenv("AUTH_TABLE", "no-such-table")
        settings.reset()
        with pytest.raises(TriggerFailed):
            verify(invoke, KNOWN, token)
    settings.reset()
    aws.client("sesv2").delete_email_identity(EmailIdentity="clinic.example.com")
    assert request_link(invoke, STRANGER, ip="198.51.100.3")["statusCode"] == 500

    # Account deletion with erasure
    assert invoke("DeleteMeFunction", api_event("me/delete_account.json", sub=known["sub"]))["statusCode"] == 204

    out = capsys.readouterr()
    everything = captured_logs.getvalue() + out.out + out.err
    assert '"entry":"http"' in everything  # the failures were logged, as every entry logs them
    assert '"entry":"trigger"' in everything
    leaked = [s for s in secrets if s and s.lower() in everything.lower()]
    assert leaked == []
