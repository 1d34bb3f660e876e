"""The one write path for readings keeps BiomarkerSummary exact (moto tables from template.yaml)."""

import pytest
from botocore.exceptions import ClientError

from clinic import aws
from clinic.repositories import biomarker_summary_table
from clinic.services import readings, stats
from clinic.services.readings import Outcome
from tests.support.data import DAY_MS, NOW_MS, new_reading

USER = "0b6f2a9e-1111-4222-8333-444455556666"


def outcomes(results):
    return [r.outcome for r in results]


def test_first_readings_create_the_stats(tables):
    results = readings.record(USER, [new_reading("Glucose", 85), new_reading("LDL Cholesterol", 150)])
    assert outcomes(results) == [Outcome.ACCEPTED, Outcome.ACCEPTED]
    result = stats.for_user(USER)
    assert (result.total, result.counts.optimal, result.counts.out_of_range) == (2, 1, 1)
    assert (result.optimal, result.out_of_range) == (50, 50)


def test_status_comes_from_the_catalog_when_missing_and_is_kept_when_given(tables):
    readings.record(USER, [new_reading("Glucose", 85), new_reading("TSH", 9.0, unit="mIU/L", status="optimal")])
    item = biomarker_summary_table.get_stats(USER)
    assert (item["optimal"], item["outOfRange"]) == (2, 0)


def test_reading_older_than_the_latest_is_stored_but_does_not_change_stats(tables):
    # Given the latest glucose is optimal
    readings.record(USER, [new_reading("Glucose", 85, NOW_MS)])
    before = biomarker_summary_table.get_stats(USER)
    # When an out-of-range glucose from last week arrives late
    results = readings.record(USER, [new_reading("Glucose", 250, NOW_MS - 7 * DAY_MS)])
    # Then it is stored, and the stats still describe the newest reading (only the rollups'
    # activity mark for last week's day changes: see tests/integration/test_activity_markers.py)
    assert outcomes(results) == [Outcome.ACCEPTED]
    after = biomarker_summary_table.get_stats(USER)
    counted = ("total", "optimal", "inRange", "outOfRange", "asOf")
    assert {k: after[k] for k in counted} == {k: before[k] for k in counted}


def test_duplicate_is_reported_and_never_counts_twice(tables):
    reading = new_reading("Glucose", 85)
    readings.record(USER, [reading])
    results = readings.record(USER, [reading, reading])
    assert outcomes(results) == [Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert stats.for_user(USER).total == 1


def test_unit_that_does_not_match_the_catalog_is_rejected_not_converted(tables):
    results = readings.record(USER, [new_reading("Glucose", 4.7, unit="mmol/L"), new_reading("Glucose", 85)])
    assert outcomes(results) == [Outcome.REJECTED, Outcome.ACCEPTED]
    assert "unit" in results[0].reason


def test_names_are_canonical_whatever_their_case(tables):
    readings.record(USER, [new_reading("glucose", 85, rid="a"), new_reading("GLUCOSE", 86, NOW_MS + 1, rid="b")])
    assert stats.for_user(USER).total == 1


def test_biomarker_outside_the_catalog_needs_status_and_category(tables):
    results = readings.record(USER, [
        new_reading("Omega-3 Index", 8.1, unit="%"),
        new_reading("Omega-3 Index", 8.1, unit="%", rid="x", status="optimal", category="lipids"),
    ])
    assert outcomes(results) == [Outcome.REJECTED, Outcome.ACCEPTED]


def test_lost_commit_race_is_retried_with_a_fresh_read(tables, monkeypatch, instant_retries):
    # Given another writer commits between our read and our commit, once
    real_commit = biomarker_summary_table.commit
    calls = {"n": 0}

    def racing_commit(user_id, new_stats, expected, latest, extra=()):
        calls["n"] += 1
        if calls["n"] == 1:
            real_commit(user_id, {"total": 1, "optimal": 0, "inRange": 1, "outOfRange": 0, "asOf": NOW_MS + 5,
                                  "version": 1}, None,
                        [{"userId": user_id, "sk": "latest#TSH", "name": "TSH", "value": 3.0, "unit": "mIU/L",
                          "status": "in-range", "category": "thyroid", "recordedAt": NOW_MS + 5, "readingId": "z",
                          "source": "lab.other"}])
        return real_commit(user_id, new_stats, expected, latest, extra)

    monkeypatch.setattr(biomarker_summary_table, "commit", racing_commit)
    # When we record a glucose reading
    readings.record(USER, [new_reading("Glucose", 85)])
    # Then both writers' biomarkers are counted: ours was merged on top of theirs
    result = stats.for_user(USER)
    assert (result.total, result.counts.optimal, result.counts.in_range) == (2, 1, 1)
    assert calls["n"] == 2


def test_summary_that_stays_contended_reports_the_readings_as_failed_for_retry(tables, monkeypatch, instant_retries):
    def always_stale(*_, **__):
        raise biomarker_summary_table.StaleSummary

    monkeypatch.setattr(biomarker_summary_table, "commit", always_stale)
    results = readings.record(USER, [new_reading("Glucose", 85)])
    assert outcomes(results) == [Outcome.FAILED]
    # And a retry, once the contention is gone, completes the merge (the call that makes the
    # reading count reports it accepted); one more retry finds it merged: a duplicate
    monkeypatch.undo()
    retry = readings.record(USER, [new_reading("Glucose", 85)])
    assert outcomes(retry) == [Outcome.ACCEPTED]
    assert stats.for_user(USER).total == 1
    assert outcomes(readings.record(USER, [new_reading("Glucose", 85)])) == [Outcome.DUPLICATE]
    assert stats.for_user(USER).total == 1


def test_other_transaction_failures_are_not_mistaken_for_a_race(tables, monkeypatch):
    def broken(*_, **__):
        raise ClientError({"Error": {"Code": "ValidationException", "Message": "x"}}, "TransactWriteItems")

    monkeypatch.setattr(biomarker_summary_table.aws.dynamodb(), "transact_write_items", broken)
    with pytest.raises(ClientError):
        readings.record(USER, [new_reading("Glucose", 85)])


def test_more_than_99_biomarkers_in_one_call_commit_in_groups(tables):
    batch = [new_reading(f"Custom Marker {i}", 1.0, unit="U", status="optimal", category="metabolic", rid=str(i))
             for i in range(120)]
    results = readings.record(USER, batch)
    assert set(outcomes(results)) == {Outcome.ACCEPTED}
    assert stats.for_user(USER).total == 120


# --- the activity marker rides in the summary transaction (see test_activity_markers.py) ---------


def test_no_activity_marker_is_written_when_the_summary_transaction_fails(tables, instant_retries):
    client = aws.dynamodb()
    real = client.transact_write_items

    def conflicting(**kwargs):
        # DynamoDB cancels the whole transaction: nothing of it is applied
        raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                           "CancellationReasons": [{"Code": "TransactionConflict"}]}, "TransactWriteItems")

    client.transact_write_items = conflicting
    try:
        results = readings.record(USER, [new_reading("Glucose", 85)])
    finally:
        client.transact_write_items = real
    assert outcomes(results) == [Outcome.FAILED]
    markers = client.scan(TableName=tables["RollupMarkersTable"])["Items"]  # test inspection, not a user path
    assert markers == []
