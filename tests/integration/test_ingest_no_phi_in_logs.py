"""Nothing of a reading reaches the logs or metrics: sentinel values in every field, every byte the
process writes (stdout, stderr, every logger at the level Lambda runs with) captured across the
accepted, duplicate, rejected, failed and crashing paths of both entry points."""

import io
import logging

import pytest

from clinic.entry.invoke import InvocationFailed
from clinic.observability import logger
from clinic.repositories import biomarker_summary_table
from clinic.services import readings
from tests.support.data import NOW_MS, create_users
from tests.support.events import ingest_invoke_event, sqs_event

FUNCTION = "IngestReadingsFunction"
SENTINEL = {
    "userId": "sentinel-user-7qz",
    "name": "Sentinelmarker Qz",
    "value": 987654.3219,
    "unit": "qzunit",
    "category": "qz-category",
    "recordedAt": NOW_MS - 1_234_567,
    "status": "out-of-range",
    "source": "sentinel.qz-source",
    "sourceReadingId": "qz-reading-77",
}
NEEDLES = ["sentinel-user-7qz", "Sentinelmarker", "987654", "qzunit", "qz-category", str(NOW_MS - 1_234_567),
           "sentinel.qz-source", "qz-reading-77"]


def sentinel(**changes):
    return {**SENTINEL, **changes}


@pytest.fixture
def captured(capfd, caplog):
    """Everything written: the JSON lines of our logger (its handler's own stream, which is what
    Lambda ships), every other logger at the level Lambda runs with, and stdout/stderr (metrics)."""
    caplog.set_level(logging.INFO)  # the template's ApplicationLogLevel, for every logger
    handler = logger.registered_handler
    ours = io.StringIO()
    previous_stream, previous_level = handler.setStream(ours), logger.log_level
    logger.setLevel(logging.DEBUG)  # all of our own logging
    yield lambda: ours.getvalue() + "".join(capfd.readouterr()) + caplog.text
    logger.setLevel(previous_level)
    handler.setStream(previous_stream)


def assert_no_needle(text):
    assert '"message":"readings ingested"' in text or '"message":"unhandled error"' in text  # capture works
    assert '"_aws"' in text  # metrics too
    for needle in NEEDLES:
        assert needle not in text, needle


def test_accepted_and_duplicate_readings_leave_no_trace_in_the_logs(invoke, tables, captured):
    create_users(SENTINEL["userId"])
    invoke(FUNCTION, ingest_invoke_event([sentinel(), sentinel()]))
    invoke(FUNCTION, sqs_event([sentinel()]))
    assert_no_needle(captured())


def test_rejected_readings_leave_no_trace_in_the_logs(invoke, tables, captured):
    create_users(SENTINEL["userId"])
    invoke(FUNCTION, ingest_invoke_event([
        sentinel(value="987654.3219"), sentinel(unit="qzunit" * 5), sentinel(extraQz="qz-reading-77"),
        sentinel(userId="sentinel-user-7qz-unknown"), sentinel(recordedAt=NOW_MS * 1000),
    ]))
    invoke(FUNCTION, sqs_event(["{sentinel-user-7qz Sentinelmarker 987654", sentinel(value=None)]))
    assert_no_needle(captured())


def test_failed_writes_and_a_contended_summary_leave_no_trace_in_the_logs(invoke, tables, captured, monkeypatch,
                                                                          instant_retries):
    from clinic import aws
    create_users(SENTINEL["userId"])
    client = aws.dynamodb()
    real = client.batch_write_item
    client.batch_write_item = lambda **kw: {"UnprocessedItems": kw["RequestItems"]}
    try:
        invoke(FUNCTION, ingest_invoke_event([sentinel()]))
    finally:
        client.batch_write_item = real

    def always_stale(*_):
        raise biomarker_summary_table.StaleSummary

    monkeypatch.setattr(biomarker_summary_table, "commit", always_stale)
    result = invoke(FUNCTION, sqs_event([sentinel(sourceReadingId="qz-reading-77b")]))
    assert len(result["batchItemFailures"]) == 1
    assert_no_needle(captured())


def test_an_unexpected_error_leaves_no_trace_in_the_logs_or_the_error(invoke, tables, captured, monkeypatch):
    def broken(entries, **_):
        user_id, reading = entries[0]
        raise ValueError(f"cannot store {reading.name} {reading.value} {reading.unit} for {user_id}")

    create_users(SENTINEL["userId"])
    monkeypatch.setattr(readings, "record_many", broken)
    with pytest.raises(InvocationFailed) as failure:
        invoke(FUNCTION, ingest_invoke_event([sentinel()]))
    text = captured()
    assert '"errorType":"ValueError"' in text  # where it came from is logged...
    assert_no_needle(text + str(failure.value) + repr(failure.value))  # ...what it said is not


def test_fhir_bundles_leave_no_trace_in_the_logs(invoke, tables, captured):
    # An accepted Observation, one for an unknown MRN, a unit with no conversion, a malformed Bundle
    from clinic.repositories import dynamo, users_table
    from clinic.repositories import patient_identifiers_table as identifiers

    create_users(SENTINEL["userId"])
    mrn = "qz-mrn-4411"
    dynamo.write([users_table.identifiers_update_action(SENTINEL["userId"], [{"system": "urn:qz", "value": mrn}], None),
                  identifiers.claim_action("urn:qz", mrn, SENTINEL["userId"])])

    def observation(value, unit, mrn_value):
        return {"resourceType": "Observation", "status": "final",
                "identifier": [{"system": "urn:qz-lab", "value": f"qz-reading-77-{value}"}],
                "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
                "subject": {"identifier": {"system": "urn:qz", "value": mrn_value}},
                "effectiveDateTime": "2026-03-08T08:30:00Z",
                "valueQuantity": {"value": value, "system": "http://unitsofmeasure.org", "code": unit}}

    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": observation(987654.3219, "mg/dL", mrn)},
        {"resource": observation(987654.3, "mg/dL", "qz-mrn-unknown")},
        {"resource": observation(987654.1, "qzunit", mrn)},
    ]}
    body = invoke(FUNCTION, bundle)
    assert [r["outcome"] for r in body["results"]] == ["accepted", "rejected", "rejected"]
    broken = {**bundle, "entry": [{"resource": {**observation(987654.2, "mg/dL", mrn), "status": 987654}}]}
    assert invoke(FUNCTION, broken)["error"]["code"] == "validation_error"
    invoke(FUNCTION, sqs_event([bundle]))
    text = captured()
    assert_no_needle(text)
    assert "qz-mrn" not in text
