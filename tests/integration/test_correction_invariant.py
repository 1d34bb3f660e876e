"""Invariants of corrections: for any sequence of a lab's FHIR submissions, corrections,
withdrawals and replays, the summary and the daily rollups equal a straightforward recompute from
the surviving readings; and corrections racing ingests of newer readings of the same biomarker
(threads against moto's server, repeated) leave the latest readings and stats exact."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic import clock
from clinic.errors import Conflict
from clinic.models.rollups import WorkMessage
from clinic.repositories import dynamo, users_table
from clinic.repositories import patient_identifiers_table as identifiers
from clinic.services import corrections, days, ingest, nightly, readings
from clinic.services.readings import Outcome
from tests.integration.test_fhir_ingest import MRN, observation
from tests.integration.test_reading_corrections import (
    assert_rollups_are_a_recompute_of_the_surviving_readings,
    assert_summary_is_a_recompute_of_the_surviving_readings,
    query,
)
from tests.support.data import DAY_MS, NOW_MS, create_users, ingest_reading, new_reading
from tests.support.nightly import markers_of

# The lab's results: (LOINC, unit, effective time); the same lab id always names the same result.
RESULTS = [("2345-7", "mg/dL", "2026-03-01T08:00:00Z"), ("2345-7", "mg/dL", "2026-03-01T15:00:00Z"),
           ("2345-7", "mg/dL", "2026-03-02T08:00:00Z"), ("2093-3", "mg/dL", "2026-03-01T09:00:00Z"),
           ("2093-3", "mg/dL", "2026-03-02T09:00:00Z")]
VALUES = (60, 85, 95, 150, 240)

step = st.one_of(
    st.tuples(st.sampled_from(["final", "preliminary"]), st.integers(0, len(RESULTS) - 1),
              st.integers(0, len(VALUES) - 1)),
    st.tuples(st.sampled_from(["corrected", "amended"]), st.integers(0, len(RESULTS) - 1),
              st.integers(0, len(VALUES) - 1)),
    st.tuples(st.just("entered-in-error"), st.integers(0, len(RESULTS) - 1), st.just(0)),
    st.tuples(st.just("replay"), st.integers(0, 20), st.just(0)),
)


def observation_of(mrn: str, status: str, result: int, value: int) -> dict:
    loinc, unit, at = RESULTS[result]
    found = observation(f"{mrn}-{result}", loinc, VALUES[value], unit, mrn=mrn, at=at, status=status)
    if status == "entered-in-error":
        del found["valueQuantity"]
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(step, min_size=1, max_size=4), min_size=1, max_size=6))
def test_stats_and_rollups_equal_a_recompute_after_any_submissions_and_corrections(tables, sent):
    # Given a patient known by an MRN
    user, mrn = f"inv-{uuid.uuid4().hex[:12]}", f"MRN-{uuid.uuid4().hex[:8]}"
    create_users(user)
    dynamo.write([users_table.identifiers_update_action(user, [{"system": MRN, "value": mrn}], None),
                  identifiers.claim_action(MRN, mrn, user)])
    # When the lab sends Bundles of results, corrections and withdrawals, and replays earlier ones
    history: list[dict] = []
    for steps in sent:
        resources = []
        for status, result, value in steps:
            if status == "replay":
                if history:
                    resources += history[result % len(history)]["entry"]
                continue
            resources.append({"resource": observation_of(mrn, status, result, value)})
        if not resources:
            continue
        sent_bundle = {"resourceType": "Bundle", "type": "batch", "entry": resources}
        history.append(sent_bundle)
        results = ingest.ingest_bundle(sent_bundle)
        assert all(r.outcome is not Outcome.FAILED for r in results)
        # Then after every Bundle the summary is a recompute of the surviving readings
        assert_summary_is_a_recompute_of_the_surviving_readings(user)
    # and once the night has run, so are the rollups, of every day with a reading
    zone = clock.clinic_zone()
    due = days.local_day(clock.now_ms(), zone).isoformat()
    marked = markers_of(due).get(user)
    if marked:
        nightly.work(WorkMessage.model_validate({"due": due, "users": [{"userId": user, "days": list(marked)}]}))
    every_day = {days.local_day(r["recordedAt"], zone).isoformat() for r in query("BiomarkersTable", user)}
    assert every_day <= set(marked or ())
    assert_rollups_are_a_recompute_of_the_surviving_readings(user, every_day)


# --- races ------------------------------------------------------------------------------------


def until_done(work: Callable[[], object], errors: list[BaseException]) -> None:
    """A client: repeats what it was told to retry (409 for a correction, failed for an ingest)."""
    try:
        for _ in range(30):
            try:
                if work() is not False:
                    return
            except Conflict as error:
                if isinstance(error, corrections.AlreadyWithdrawn):
                    return
        raise AssertionError("still refused after 30 attempts")
    except BaseException as error:  # noqa: BLE001 - reported by the main thread
        errors.append(error)


def ingesting(batch: list[dict]) -> Callable[[], bool]:
    def run() -> bool:
        return all(r.outcome is not Outcome.FAILED for r in ingest.ingest(batch))
    return run


def correcting(user: str, reading_id: str, change: corrections.Change) -> Callable[[], object]:
    return lambda: corrections.apply(user, reading_id, change)


def test_corrections_racing_ingests_of_newer_readings_leave_latest_and_stats_exact(moto_server, instant_retries):
    start = NOW_MS - 3 * DAY_MS
    for round_ in range(4):
        # Given a patient's glucose history (and a heart rate)
        user = f"race-{uuid.uuid4().hex[:12]}"
        create_users(user)
        ids = [r.reading_id for r in readings.record(user, [
            new_reading("Glucose", 80.0 + i, start + i * 60_000, rid=f"{user}-g{i}") for i in range(6)]
            + [new_reading("Heart Rate", 61.0, start, unit="bpm", rid=f"{user}-hr")])]
        # When staff withdraw the latest glucose, amend the one before and withdraw an older one,
        # while three pipelines deliver newer glucose readings, all at once
        newer = [[ingest_reading(user, "Glucose", 150.0 + 10 * k + j, start + (10 + 3 * k + j) * 60_000,
                                 rid=f"{user}-n{k}-{j}") for j in range(3)] for k in range(3)]
        work: list[Callable[[], object]] = [
            correcting(user, ids[5], corrections.Withdraw()),
            correcting(user, ids[4], corrections.Amend(300.0)),
            correcting(user, ids[1], corrections.Withdraw()),
            *[ingesting(batch) for batch in newer],
        ]
        errors: list[BaseException] = []
        threads = [threading.Thread(target=until_done, args=(w, errors)) for w in work]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == [], f"round {round_}"
        # Then the latest glucose is the newest surviving reading and the stats count exactly
        assert_summary_is_a_recompute_of_the_surviving_readings(user)
        stored = {r["readingId"]: r for r in query("BiomarkersTable", user)}
        assert "withdrawnAt" in stored[ids[5]] and "withdrawnAt" in stored[ids[1]]
        assert stored[ids[4]]["value"] == 300.0
        assert len(stored) == 7 + 9


def test_the_race_test_does_contend(moto_server, instant_retries, monkeypatch):
    # Guard: the correction above really loses races to the ingests and tries again
    lost = []
    real = corrections._commit

    def counting(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except Exception:
            lost.append(1)
            raise

    monkeypatch.setattr(corrections, "_commit", counting)
    test_corrections_racing_ingests_of_newer_readings_leave_latest_and_stats_exact(moto_server, instant_retries)
    assert lost
