"""The write path marks (user, arrival day) for the nightly rollups inside its summary
transaction: once per user and day, again for late readings, never per reading."""

from typing import Any

import pytest

from clinic import aws
from clinic.repositories import biomarker_summary_table
from clinic.services import readings
from clinic.services.readings import Outcome
from tests.support.data import new_reading
from tests.support.nightly import arriving, local_ms, markers_of

USER = "0b6f2a9e-1111-4222-8333-444455556666"


@pytest.fixture
def transactions(tables) -> list[list[dict[str, Any]]]:
    """The TransactItems of every TransactWriteItems request from here on."""
    seen: list[list[dict[str, Any]]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        seen.append(params["TransactItems"])

    client = aws.dynamodb()
    client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", capture)
    yield seen
    client.meta.events.unregister("provide-client-params.dynamodb.TransactWriteItems", capture)


def marker_updates(transaction: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a["Update"] for a in transaction if "Update" in a]


def test_readings_mark_their_day_in_the_same_transaction_as_the_summary(monkeypatch, transactions):
    arriving(monkeypatch, "2026-03-08")
    readings.record(USER, [new_reading("Glucose", 85, local_ms("2026-03-08", 7)),
                           new_reading("Glucose", 90, local_ms("2026-03-08", 19))])
    (transaction,) = transactions
    assert len(marker_updates(transaction)) == 1  # one marker for two readings, in the summary's transaction
    assert markers_of("2026-03-08") == {USER: ("2026-03-08",)}


def test_a_second_batch_for_a_marked_day_writes_no_marker(monkeypatch, transactions):
    arriving(monkeypatch, "2026-03-08")
    readings.record(USER, [new_reading("Glucose", 85, local_ms("2026-03-08", 7))])
    # When a newer reading of the same day arrives (the summary changes, the marks do not)
    readings.record(USER, [new_reading("Glucose", 90, local_ms("2026-03-08", 9))])
    assert [len(marker_updates(t)) for t in transactions] == [1, 0]
    # And a duplicate batch commits nothing at all
    readings.record(USER, [new_reading("Glucose", 90, local_ms("2026-03-08", 9))])
    assert len(transactions) == 2


def test_a_late_reading_that_changes_no_latest_value_still_marks_its_day(monkeypatch, transactions):
    # Given today's glucose
    arriving(monkeypatch, "2026-03-10")
    readings.record(USER, [new_reading("Glucose", 85, local_ms("2026-03-10", 8))])
    before = biomarker_summary_table.get_stats(USER)
    # When last week's glucose arrives late (older than the latest: no latest item changes)
    results = readings.record(USER, [new_reading("Glucose", 250, local_ms("2026-03-02", 8))])
    # Then the transaction still commits, with only the stats item, the marker and the reading
    assert [r.outcome for r in results] == [Outcome.ACCEPTED]
    late = transactions[-1]
    assert len(late) == 3 and len(marker_updates(late)) == 1
    assert markers_of("2026-03-10") == {USER: ("2026-03-02", "2026-03-10")}
    assert biomarker_summary_table.get_stats(USER)["outOfRange"] == before["outOfRange"] == 0


def test_readings_for_several_days_make_one_marker_listing_them(monkeypatch, transactions):
    arriving(monkeypatch, "2026-03-10")
    readings.record(USER, [new_reading("Glucose", 85 + d, local_ms(f"2026-03-0{d}", 8)) for d in range(1, 8)])
    (transaction,) = transactions
    assert len(marker_updates(transaction)) == 1
    assert markers_of("2026-03-10")[USER] == tuple(f"2026-03-0{d}" for d in range(1, 8))


def test_a_day_is_marked_again_on_a_later_arrival_day(monkeypatch, tables):
    arriving(monkeypatch, "2026-03-08")
    readings.record(USER, [new_reading("Glucose", 85, local_ms("2026-03-08", 7))])
    arriving(monkeypatch, "2026-03-12")
    readings.record(USER, [new_reading("Glucose", 80, local_ms("2026-03-08", 6))])
    assert markers_of("2026-03-08") == {USER: ("2026-03-08",)}
    assert markers_of("2026-03-12") == {USER: ("2026-03-08",)}


def test_a_batch_of_99_biomarkers_still_fits_one_transaction_with_its_marker(monkeypatch, transactions):
    arriving(monkeypatch, "2026-03-08")
    batch = [new_reading(f"Custom Marker {i}", 1.0, local_ms("2026-03-08", 7), unit="U", status="optimal",
                         category="metabolic", rid=str(i)) for i in range(99)]
    results = readings.record(USER, batch)
    assert {r.outcome for r in results} == {Outcome.ACCEPTED}
    assert all(len(t) <= 100 for t in transactions)
    assert sum(len(marker_updates(t)) for t in transactions) == 1
    assert biomarker_summary_table.get_stats(USER)["total"] == 99
