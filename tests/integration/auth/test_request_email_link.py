"""POST /auth/email-link through its handler: the same answer and the same work for every
address, a single-use link stored only as a hash, rate limits, and nothing done for bad input."""

from __future__ import annotations

import functools
import json

import botocore.session
import pytest
from botocore.stub import Stubber

from clinic import aws, clock, mail
from clinic.repositories import dynamo
from clinic.services import email_links, users
from tests.integration.auth.conftest import create_native_user, link_in
from tests.support.events import api_event, response_json

FUNCTION = "RequestEmailLinkFunction"
EVENT = "auth/request_email_link.json"


def request(invoke, email, *, ip="203.0.113.10", body=None):
    event = api_event(EVENT, body=body if body is not None else {"email": email})
    event["requestContext"]["identity"]["sourceIp"] = ip
    return invoke(FUNCTION, event)


def auth_items(tables):
    return [dynamo.from_item(i) for i in aws.dynamodb().scan(TableName=tables["AuthTable"])["Items"]]


def test_a_link_is_emailed_and_only_its_hash_is_stored(invoke, tables, outbox):
    result = request(invoke, "Patient@Example.com ")
    assert result["statusCode"] == 202
    ((message,),) = [outbox]
    assert message.destinations["ToAddresses"] == ["patient@example.com"]
    email, token = link_in(message)
    assert email == "patient@example.com"
    assert len(token) == 43
    stored = json.dumps(auth_items(tables))
    # The table holds the link's hash and two counters: no secret, no address, not even hashed plainly
    assert token not in stored
    assert "patient@example.com" not in stored
    assert f'"link#{email_links.link_key(email, token)[5:]}"' in stored


def test_the_link_expires_in_fifteen_minutes(invoke, tables, outbox, monkeypatch):
    monkeypatch.setattr(clock, "now_ms", lambda: 1_800_000_000 * 1000)
    request(invoke, "patient@example.com")
    email, token = link_in(outbox[-1])
    (link,) = [i for i in auth_items(tables) if i["pk"] == email_links.link_key(email, token)]
    assert link["expiresAt"] == 1_800_000_000 + 900


def test_known_and_unknown_addresses_are_indistinguishable(invoke, user_pool, outbox, ddb_calls):
    # Given a patient with an account (a Cognito user and a profile) and an address nobody has
    known = create_native_user("known.patient@example.com")
    users.create_profile(known["sub"], known["email"])
    answers, work = [], []
    for email in ("known.patient@example.com", "nobody.here@example.com"):
        ddb_calls.reset()
        sent_before = len(outbox)
        # When each asks for a link
        result = request(invoke, email)
        answers.append((result["statusCode"], result["body"], result["multiValueHeaders"]))
        work.append((dict(ddb_calls.operations), len(outbox) - sent_before))
    # Then status, body, headers, the DynamoDB requests and the email sent are the same
    assert answers[0] == answers[1]
    assert answers[0][0] == 202
    assert work[0] == work[1] == ({"UpdateItem": 2, "PutItem": 1}, 1)


@pytest.mark.parametrize("body", [
    {"email": "not-an-address"}, {"email": ""}, {"email": "a@b"}, {"email": 'quote"d@example.com'},
    {"email": "x" * 250 + "@example.com"}, {"email": 5}, {"email": ["a@example.com"]}, {},
    {"email": "patient@example.com", "role": "admin"}, "not json", [],
], ids=["no-at", "empty", "no-tld", "quote", "too-long", "number", "list", "missing", "extra-field", "text", "array"])
def test_bad_input_is_a_400_and_nothing_is_written_or_sent(invoke, no_aws_calls, body):
    result = request(invoke, None, body=json.dumps(body) if not isinstance(body, str) else body)
    assert result["statusCode"] == 400
    assert response_json(result)["error"]["code"] == "validation_error"
    no_aws_calls.assert_no_pending_responses()  # and any call at all would have been a 500


@functools.cache
def _offline_client(service):
    return _SESSION.create_client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


_SESSION = botocore.session.get_session()


@pytest.fixture
def no_aws_calls():
    """DynamoDB and SES clients that fail any request (botocore Stubber with nothing queued)."""
    dynamodb, ses = _offline_client("dynamodb"), _offline_client("sesv2")
    aws.override("dynamodb", dynamodb)
    aws.override("sesv2", ses)
    mail.sender.cache_clear()
    with Stubber(dynamodb) as stubbed, Stubber(ses):
        yield stubbed
    aws.override("dynamodb", None)
    aws.override("sesv2", None)
    mail.sender.cache_clear()


def test_an_address_gets_five_links_per_window_then_429(invoke, tables, outbox, monkeypatch):
    monkeypatch.setattr(clock, "now_ms", lambda: 1_800_000_000 * 1000)
    statuses = [request(invoke, "patient@example.com", ip=f"198.51.100.{i}")["statusCode"] for i in range(6)]
    assert statuses == [202] * 5 + [429]
    assert len(outbox) == 5
    # Another address is unaffected, and the next window starts afresh
    assert request(invoke, "other@example.com")["statusCode"] == 202
    monkeypatch.setattr(clock, "now_ms", lambda: (1_800_000_000 + 900) * 1000)
    assert request(invoke, "patient@example.com")["statusCode"] == 202


def test_one_ip_gets_thirty_requests_per_window_then_429(invoke, tables, outbox, monkeypatch):
    monkeypatch.setattr(clock, "now_ms", lambda: 1_800_000_000 * 1000)
    statuses = [request(invoke, f"person{i}@example.com", ip="192.0.2.7")["statusCode"] for i in range(31)]
    assert statuses == [202] * 30 + [429]
    limited = request(invoke, "person99@example.com", ip="192.0.2.7")
    assert response_json(limited)["error"] == {"code": "rate_limited", "message": email_links.RATE_LIMITED,
                                               "details": []}
    assert len(outbox) == 30
    assert request(invoke, "person99@example.com", ip="192.0.2.8")["statusCode"] == 202


def test_a_429_says_when_to_ask_again(invoke, tables, outbox, monkeypatch):
    # Given the address used up this window's links, 100 s before the window (900 s) ends
    monkeypatch.setattr(clock, "now_ms", lambda: (1_800_000_000 - 100) * 1000)
    for i in range(5):
        request(invoke, "patient@example.com", ip=f"198.51.100.{i}")
    # When it asks again
    refused = request(invoke, "patient@example.com")
    # Then the 429 carries Retry-After: the seconds until the next window
    assert refused["statusCode"] == 429
    assert refused["multiValueHeaders"]["Retry-After"] == ["100"]
