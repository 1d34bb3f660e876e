"""The custom-authentication triggers with Cognito's events (events/cognito/): Define sequences one
challenge, Create presents it, Verify consumes the link. The link lifecycle end to end: it works
once; a reused, expired, altered or foreign link is refused."""

from __future__ import annotations

import pytest

from clinic import clock
from clinic.services.sign_in import SignInRefused
from tests.integration.auth.conftest import link_in
from tests.support.cognito import trigger_event
from tests.support.events import api_event

DEFINE, CREATE, VERIFY = "DefineAuthChallengeFunction", "CreateAuthChallengeFunction", "VerifyAuthChallengeFunction"
CUSTOM = {"challengeName": "CUSTOM_CHALLENGE", "challengeMetadata": "EMAIL_LINK"}


def decide(invoke, session, **request):
    return invoke(DEFINE, trigger_event("define_auth_challenge", session=session, **request))["response"]


def test_define_starts_with_the_email_link_challenge(invoke):
    response = invoke(DEFINE, trigger_event("define_auth_challenge"))["response"]
    assert response == {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": False}


def test_define_issues_tokens_after_a_correct_answer(invoke):
    response = invoke(DEFINE, trigger_event("define_auth_challenge_answered"))["response"]
    assert (response["issueTokens"], response["failAuthentication"]) == (True, False)


@pytest.mark.parametrize("session", [
    [{**CUSTOM, "challengeResult": False}],
    [{**CUSTOM, "challengeResult": False}, {**CUSTOM, "challengeResult": True}],
    [{"challengeName": "SRP_A", "challengeResult": True}],
    [{"challengeName": "PASSWORD_VERIFIER", "challengeResult": True}],
], ids=["wrong-answer", "second-attempt", "srp", "password"])
def test_define_fails_anything_but_one_correct_link(invoke, session):
    response = decide(invoke, session)
    assert (response["issueTokens"], response["failAuthentication"]) == (False, True)


def test_define_never_issues_tokens_for_an_unknown_user(invoke):
    # PreventUserExistenceErrors: Cognito runs the triggers for unknown users too
    assert decide(invoke, [], userNotFound=True)["challengeName"] == "CUSTOM_CHALLENGE"
    response = decide(invoke, [{**CUSTOM, "challengeResult": True}], userNotFound=True)
    assert (response["issueTokens"], response["failAuthentication"]) == (False, True)


def test_create_presents_the_email_link_challenge_with_nothing_secret(invoke):
    response = invoke(CREATE, trigger_event("create_auth_challenge"))["response"]
    assert response == {"publicChallengeParameters": {"method": "EMAIL_LINK"},
                        "privateChallengeParameters": {"method": "EMAIL_LINK"}, "challengeMetadata": "EMAIL_LINK"}


def test_create_refuses_other_challenges(invoke):
    with pytest.raises(SignInRefused, match="unsupported sign-in challenge"):
        invoke(CREATE, trigger_event("create_auth_challenge", challengeName="SMS_MFA"))


# --- the link lifecycle ------------------------------------------------------------------------


@pytest.fixture
def send_link(invoke, outbox):
    def _send(email="patient@example.com"):
        event = api_event("auth/request_email_link.json", body={"email": email})
        assert invoke("RequestEmailLinkFunction", event)["statusCode"] == 202
        return link_in(outbox[-1])
    return _send


def verify(invoke, email, token, **request):
    event = trigger_event("verify_auth_challenge", attributes={"email": email}, challengeAnswer=token, **request)
    return invoke(VERIFY, event)["response"]["answerCorrect"]


def test_a_link_works_exactly_once(invoke, send_link):
    email, token = send_link()
    assert verify(invoke, email, token) is True
    assert verify(invoke, email, token) is False


SENT_AT = 1_800_000_000


@pytest.mark.parametrize(("seconds_later", "accepted"), [(15 * 60 - 1, True), (15 * 60, False), (15 * 60 + 1, False)],
                         ids=["just-before", "at-expiry", "after"])
def test_a_link_expires_fifteen_minutes_after_it_was_sent(invoke, send_link, monkeypatch, seconds_later, accepted):
    monkeypatch.setattr(clock, "now_ms", lambda: SENT_AT * 1000)
    email, token = send_link()
    monkeypatch.setattr(clock, "now_ms", lambda: (SENT_AT + seconds_later) * 1000)
    assert verify(invoke, email, token) is accepted


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: t[:20],
    lambda t: t + "A",
    lambda t: "",
    lambda t: t.upper() if t.upper() != t else t.lower(),
], ids=["one-char", "truncated", "extended", "empty", "case"])
def test_an_altered_link_is_refused_and_the_real_one_still_works(invoke, send_link, tamper):
    email, token = send_link()
    assert verify(invoke, email, tamper(token)) is False
    assert verify(invoke, email, token) is True


def test_a_link_for_another_address_is_refused_and_not_spent(invoke, send_link):
    # Given a link sent to A
    email, token = send_link("a.patient@example.com")
    # When B presents it, B is refused
    assert verify(invoke, "b.patient@example.com", token) is False
    # And A's link still works for A
    assert verify(invoke, email, token) is True


def test_an_unknown_user_is_always_refused_and_the_link_is_not_spent(invoke, send_link, ddb_calls):
    email, token = send_link("new.person@example.com")
    ddb_calls.reset()
    assert verify(invoke, email, token, userNotFound=True) is False
    assert dict(ddb_calls.operations) == {"GetItem": 1}  # the same kind of work as a real attempt
    assert verify(invoke, email, token) is True
