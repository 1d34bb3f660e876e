"""Every kind of caller meets the same failure handling at its entry (clinic.entry.failure): an
unexpected error is logged by type and place with the entry's kind, counted as UnhandledErrors, and
its caller gets a fixed sentence; the error's own message (which can carry PHI) goes nowhere."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from clinic.entry.batch import batch_entry
from clinic.entry.failure import InvocationFailed
from clinic.entry.http import lambda_entry, make_resolver
from clinic.entry.invoke import invoke_entry
from clinic.entry.schedule import schedule_entry
from clinic.entry.stream import StreamRecord, failures, records_of
from clinic.entry.trigger import TriggerFailed, trigger_entry
from clinic.observability import logger
from clinic_local.gateway import LambdaContext
from tests.support.cognito import trigger_event
from tests.support.events import api_event, response_json, sqs_event

SENTINEL = "qzsentinel Person 1970-01-01 qz@example.com"


def broken(*_: Any) -> Any:
    raise RuntimeError(f"could not store {SENTINEL}")


@pytest.fixture
def reported(capfd: pytest.CaptureFixture[str]) -> Iterator[Callable[[], dict[str, Any]]]:
    """The one "unhandled error" line the entry logged (at any level, as emitted), after checking
    that the sentinel reached neither the logs nor stdout/stderr, and that the metric was flushed."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)

    def line() -> dict[str, Any]:
        printed = capfd.readouterr()
        logs = buffer.getvalue()
        assert "qzsentinel" not in logs + printed.out + printed.err
        assert "UnhandledErrors" in printed.out  # the metric, flushed with the invocation
        lines = [json.loads(text) for text in logs.splitlines() if '"unhandled error"' in text]
        assert len(lines) == 1
        return lines[0]

    yield line
    logger.removeHandler(handler)


def assert_fingerprinted(line: dict[str, Any], entry: str) -> None:
    assert line["entry"] == entry
    assert line["errorType"] == "RuntimeError"
    assert any(frame.endswith(":broken") for frame in line["frames"])


def test_an_http_route_answers_500_with_a_fixed_message(reported):
    app = make_resolver(validate=False)
    app.get("/me", responses={200: {"description": "OK"}})(broken)

    reply = lambda_entry(app)(api_event("me/get_profile.json"), LambdaContext("Http"))

    assert reply["statusCode"] == 500
    assert response_json(reply)["error"] == {"code": "internal", "message": "something went wrong; try again",
                                             "details": []}
    assert_fingerprinted(reported(), "http")


def test_a_trigger_raises_a_fixed_message_cognito_can_show(reported):
    with pytest.raises(TriggerFailed) as raised:
        trigger_entry(broken)(trigger_event("pre_token_generation"), LambdaContext("Trigger"))

    assert str(raised.value) == "sign-in is unavailable right now; try again"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert_fingerprinted(reported(), "trigger")


def test_a_direct_invocation_raises_a_fixed_message(reported):
    with pytest.raises(InvocationFailed) as raised:
        invoke_entry(broken)({"readings": [SENTINEL]}, LambdaContext("Invoke"))

    assert str(raised.value) == "the invocation failed; it is safe to retry"
    assert_fingerprinted(reported(), "invoke")


class Night(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: str


def test_a_schedule_hands_the_job_its_request_model():
    seen: list[Night] = []

    def run(request: Night) -> dict[str, Any]:
        seen.append(request)
        return {"planned": 1}

    assert schedule_entry(Night, run)({"day": "2026-03-08"}, LambdaContext("Schedule")) == {"planned": 1}
    assert seen == [Night(day="2026-03-08")]


def test_a_schedule_raises_a_fixed_message(reported):
    with pytest.raises(InvocationFailed):
        schedule_entry(Night, broken)({"day": "2026-03-08"}, LambdaContext("Schedule"))

    assert_fingerprinted(reported(), "schedule")


def test_a_schedule_refuses_an_event_that_is_not_its_request_without_echoing_it(reported):
    with pytest.raises(InvocationFailed):
        schedule_entry(Night, broken)({"day": "2026-03-08", "note": SENTINEL}, LambdaContext("Schedule"))

    line = reported()
    assert line["entry"] == "schedule" and line["errorType"] == "ValidationError"


def test_a_batch_fails_only_the_record_that_failed(reported):
    event = sqs_event(["fine", SENTINEL, "fine too"])
    done: list[str] = []

    def work(body: str) -> None:
        if body == SENTINEL:
            broken()
        done.append(body)

    reply = batch_entry(work)(event, LambdaContext("Batch"))

    assert reply == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert done == ["fine", "fine too"]
    assert_fingerprinted(reported(), "batch")


def test_a_batch_whose_every_record_fails_reports_them_without_raising(reported):
    event = sqs_event([SENTINEL])

    reply = batch_entry(broken)(event, LambdaContext("Batch"))

    assert reply == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert_fingerprinted(reported(), "batch")


def test_a_stream_record_is_unwrapped_to_its_table_keys_and_sequence_number():
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/clinic-dev-Medications/stream/2026-01-01T00:00:00.000"
    record = {"eventSourceARN": arn, "dynamodb": {"Keys": {"userId": {"S": "u-1"}, "sk": {"S": "m#1"}},
                                                  "SequenceNumber": "111"}}
    unusable = [{"eventSourceARN": "not-an-arn", "dynamodb": {"Keys": {"userId": {"S": "u-2"}}, "SequenceNumber": "2"}},
                {"eventSourceARN": arn, "dynamodb": {"Keys": {}, "SequenceNumber": "3"}},
                {"eventSourceARN": arn, "dynamodb": {"Keys": {"userId": {"S": "u-4"}}}}]

    found = records_of({"Records": [record, *unusable]})

    assert found == [StreamRecord("clinic-dev-Medications", {"userId": "u-1", "sk": "m#1"}, "111")]
    assert failures(["111", "5"]) == {"batchItemFailures": [{"itemIdentifier": "111"}, {"itemIdentifier": "5"}]}
