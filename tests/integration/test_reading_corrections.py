"""Corrections of stored readings, by staff (PATCH /admin/patients/{userId}/biomarkers/{readingId})
and by a lab's FHIR results (amended, corrected, entered-in-error, final after preliminary): one
correction path, after which stats, latest readings, daily rollups and lists follow exactly, and
the Audit table holds who changed what, when and why."""

from __future__ import annotations

from typing import Any

import pytest

from clinic import aws, clock
from clinic.repositories import dynamo, keys
from clinic.services import readings, rollups, summary
from clinic_local import rollup
from tests.integration.test_fhir_ingest import MRN, bundle, observation
from tests.support.api import ADMIN_SUB, OTHER_SUB, call
from tests.support.data import DAY_MS, NOW_MS, create_users, new_reading
from tests.support.env import table_names
from tests.support.events import EVENT_SUB
from tests.support.nightly import arriving, markers_of, rollups_of

FUNCTION = "CorrectPatientBiomarkerFunction"
INGEST = "IngestReadingsFunction"
ANN = EVENT_SUB  # the events' patient: her own routes (GET /biomarkers...) answer as her
BOB = OTHER_SUB
T1, T2 = NOW_MS - 2 * DAY_MS, NOW_MS - DAY_MS


def query(table: str, user_id: str) -> list[dict[str, Any]]:
    items = aws.dynamodb().query(TableName=table_names()[table], KeyConditionExpression="userId = :u",
                                 ExpressionAttributeValues={":u": {"S": user_id}}, ConsistentRead=True)["Items"]
    return [dynamo.from_item(i) for i in items]


def surviving(user_id: str) -> list[dict[str, Any]]:
    return [r for r in query("BiomarkersTable", user_id) if "withdrawnAt" not in r]


def summary_of(user_id: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    items = query("BiomarkerSummaryTable", user_id)
    stats = next((i for i in items if i["sk"] == keys.STATS_SK), {})
    latest = {i["name"]: i for i in items if i["sk"].startswith(keys.LATEST_PREFIX)}
    return stats, latest


COUNTED = ("total", "optimal", "inRange", "outOfRange", "asOf")


def assert_summary_is_a_recompute_of_the_surviving_readings(user_id: str) -> None:
    stats, latest = summary_of(user_id)
    expected_stats, expected_latest = summary.recompute(user_id, surviving(user_id))
    if not expected_latest:
        expected_stats = {**summary.empty_stats()}
    assert {k: stats.get(k, 0 if k != "asOf" else None) for k in COUNTED} == {k: expected_stats[k] for k in COUNTED}
    fields = summary.LATEST_FIELDS + summary.LAB_FIELDS
    assert {n: {f: i.get(f) for f in fields} for n, i in latest.items()} == \
           {i["name"]: {f: i.get(f) for f in fields} for i in expected_latest}


def assert_rollups_are_a_recompute_of_the_surviving_readings(user_id: str, days: set[str]) -> None:
    """The rollups of ``days`` are what the job computes from the surviving readings alone."""
    from datetime import date

    from clinic import clock
    from clinic.services import days as clinic_days

    zone = clock.clinic_zone()
    expected: dict[tuple[str, str], dict[str, Any]] = {}
    for day in days:
        start, end = clinic_days.day_bounds(date.fromisoformat(day), zone)
        of_day = [r for r in surviving(user_id) if start <= r["recordedAt"] < end]
        expected |= {(i["name"], day): i for i in rollups.daily(user_id, day, of_day)}
    got = {key: item for key, item in rollups_of(user_id).items() if key[1] in days}
    assert got == expected


@pytest.fixture
def patients(tables, invoke):
    create_users(ANN, BOB)
    for user_id, mrn in ((ANN, "MRN-ANN"), (BOB, "MRN-BOB")):
        reply = call(invoke, "SetPatientIdentifiersFunction", admin=True, sub=ADMIN_SUB, path={"userId": user_id},
                     body={"identifiers": [{"system": MRN, "value": mrn}]})
        assert reply.status == 200


def day_of(at: int) -> str:
    from clinic.services import days

    return days.local_day(at, clock.clinic_zone()).isoformat()


def record(user_id: str, *batch) -> list[str]:
    results = readings.record(user_id, list(batch))
    assert {r.outcome.value for r in results} == {"accepted"}
    return [r.reading_id for r in results]


def correct(invoke, reading_id: str, body: Any, *, user_id: str = ANN, admin: bool = True, sub: str | None = None):
    return call(invoke, FUNCTION, admin=admin, sub=sub, path={"userId": user_id, "readingId": reading_id}, body=body)


def audit_of(user_id: str) -> list[dict[str, Any]]:
    return [i for i in query("AuditTable", user_id) if i["resource"].startswith("biomarker:")]


# --- staff ------------------------------------------------------------------------------------


def test_staff_amend_a_value_and_stats_latest_lists_and_audit_follow(patients, invoke):
    # Given two glucose readings of Ann, the newer one mistyped out of range
    old, new = record(ANN, new_reading("Glucose", 85.0, T1), new_reading("Glucose", 850.0, T2))
    assert summary_of(ANN)[0]["outOfRange"] == 1
    # When staff amend the newer one with a reason
    reply = correct(invoke, new, {"value": 85.0, "reason": "decimal point slipped on entry"})
    # Then the corrected reading comes back, its status decided again
    assert reply.status == 200
    assert (reply.body["readingId"], reply.body["value"], reply.body["status"]) == (new, 85.0, "optimal")
    # and the stats, the latest reading and the lists all say the corrected value
    stats, latest = summary_of(ANN)
    assert (stats["optimal"], stats["outOfRange"], latest["Glucose"]["value"]) == (1, 0, 85.0)
    listed = call(invoke, "ListBiomarkersFunction").body["items"]
    assert [(r["readingId"], r["value"]) for r in listed] == [(new, 85.0), (old, 85.0)]
    assert_summary_is_a_recompute_of_the_surviving_readings(ANN)
    # and the audit says who changed which reading, and why (never the values)
    (record_,) = audit_of(ANN)
    assert (record_["actorId"], record_["action"], record_["resource"], record_["reason"]) == (
        ADMIN_SUB, "correct", f"biomarker:{new}", "decimal point slipped on entry")
    assert set(record_) >= {"at", "eventId"} and "value" not in record_


def test_staff_withdraw_the_latest_reading_and_the_previous_one_becomes_latest(patients, invoke):
    # Given two glucose readings and a heart rate
    old, new = record(ANN, new_reading("Glucose", 95.0, T1), new_reading("Glucose", 85.0, T2))
    record(ANN, new_reading("Heart Rate", 62.0, T2, unit="bpm"))
    # When staff withdraw the newer glucose as entered in error
    reply = correct(invoke, new, {"status": "entered-in-error", "reason": "another patient's sample"})
    assert reply.status == 200 and reply.body["withdrawnAt"] is not None
    # Then the older one is the latest again, and the stats count it
    stats, latest = summary_of(ANN)
    assert latest["Glucose"]["readingId"] == old
    assert (stats["total"], stats["inRange"], stats["optimal"]) == (2, 1, 1)
    assert_summary_is_a_recompute_of_the_surviving_readings(ANN)
    # and the withdrawn reading is still stored, marked, but in no list
    assert {r["readingId"] for r in query("BiomarkersTable", ANN)} >= {old, new}
    listed = call(invoke, "ListBiomarkersFunction").body["items"]
    assert new not in {r["readingId"] for r in listed}
    by_status = call(invoke, "ListBiomarkersFunction", query={"status": "optimal"}).body["items"]
    assert new not in {r["readingId"] for r in by_status}
    history = call(invoke, "GetBiomarkerHistoryFunction", path={"name": "Glucose"}).body["items"]
    assert [r["readingId"] for r in history] == [old]
    # and its day is marked for tonight's rollups (in the correction's own transaction)
    assert day_of(T2) in markers_of(day_of(clock.now_ms())).get(ANN, ())
    assert audit_of(ANN)[0]["action"] == "withdraw"


def test_withdrawing_a_biomarkers_only_reading_removes_it_from_latest_and_stats(patients, invoke):
    (only,) = record(ANN, new_reading("Glucose", 85.0, T1))
    reply = correct(invoke, only, {"status": "entered-in-error", "reason": "duplicate entry"})
    assert reply.status == 200
    stats, latest = summary_of(ANN)
    assert latest == {} and stats["total"] == 0
    assert call(invoke, "ListLatestBiomarkersFunction").body["items"] == []


def test_a_withdrawn_reading_cannot_be_amended(patients, invoke):
    (reading,) = record(ANN, new_reading("Glucose", 85.0, T1))
    assert correct(invoke, reading, {"status": "entered-in-error", "reason": "wrong patient"}).status == 200
    reply = correct(invoke, reading, {"value": 90.0, "reason": "try again"})
    assert (reply.status, reply.error_code) == (409, "conflict")
    assert len(audit_of(ANN)) == 1


def test_a_patient_is_refused_before_anything_is_read(patients, invoke):
    (reading,) = record(ANN, new_reading("Glucose", 85.0, T1))
    reply = correct(invoke, reading, {"value": 90.0, "reason": "mine"}, admin=False, sub=ANN)
    assert reply.status == 403
    assert [r["value"] for r in query("BiomarkersTable", ANN)] == [85.0]


def test_another_patients_reading_and_an_unknown_one_are_404(patients, invoke):
    (bobs,) = record(BOB, new_reading("Glucose", 85.0, T1))
    assert correct(invoke, bobs, {"value": 90.0, "reason": "typo"}, user_id=ANN).status == 404
    assert correct(invoke, "0" * 32, {"value": 90.0, "reason": "typo"}, user_id=ANN).status == 404
    assert correct(invoke, bobs, {"value": 90.0, "reason": "typo"}, user_id="no-such-patient").status == 404
    assert [r["value"] for r in query("BiomarkersTable", BOB)] == [85.0]
    assert audit_of(ANN) == audit_of(BOB) == []


@pytest.mark.parametrize("body", [
    {"value": 90.0},  # no reason
    {"value": 90.0, "reason": ""},
    {"value": 90.0, "reason": "x" * 201},
    {"value": 90.0, "status": "entered-in-error", "reason": "both"},
    {"reason": "neither"},
    {"value": None, "reason": "null value"},
    {"value": "90", "reason": "a string"},
    {"value": 90.0, "reason": "typo", "unit": "mmol/L"},  # unknown field
    {"status": "final", "reason": "not a withdrawal"},
    {"value": float("inf"), "reason": "infinite"},
])
def test_bad_input_is_a_400_and_writes_nothing(patients, invoke, body):
    (reading,) = record(ANN, new_reading("Glucose", 85.0, T1))
    before = (query("BiomarkersTable", ANN), summary_of(ANN))
    reply = correct(invoke, reading, body)
    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert (query("BiomarkersTable", ANN), summary_of(ANN)) == before
    assert audit_of(ANN) == []


def test_the_audit_list_shows_the_readings_history_with_reasons(patients, invoke):
    (reading,) = record(ANN, new_reading("Glucose", 85.0, T1))
    correct(invoke, reading, {"value": 88.0, "reason": "first fix"})
    correct(invoke, reading, {"status": "entered-in-error", "reason": "wrong patient after all"})
    events = call(invoke, "ListAuditEventsFunction", admin=True, query={"patientId": ANN}).body["items"]
    mine = [(e["action"], e["reason"]) for e in events if e["resource"] == f"biomarker:{reading}"]
    assert mine == [("withdraw", "wrong patient after all"), ("correct", "first fix")]


# --- FHIR -------------------------------------------------------------------------------------


def glucose_observation(status: str, value: float, **more: Any) -> dict[str, Any]:
    return observation("GLU-1", "2345-7", value, "mg/dL", at="2026-03-02T13:00:00Z", status=status, **more)


def outcomes(body: dict[str, Any]) -> list[tuple[int, str]]:
    return [(r["index"], r["outcome"]) for r in body["results"]]


ARRIVAL = "2026-03-03"


@pytest.fixture
def night(queues, invoke, monkeypatch):
    """Readings arrive on ARRIVAL; ``night()`` runs that night's rollup job as AWS would."""
    arriving(monkeypatch, ARRIVAL)
    sqs = aws.client("sqs")
    return lambda: rollup.run({"day": ARRIVAL}, sqs, queues["RollupWorkQueue"], invoke)


def check_everything(user_id: str, night) -> None:
    """The summary now, and the rollups once the night has run, match the surviving readings."""
    assert_summary_is_a_recompute_of_the_surviving_readings(user_id)
    night()
    assert_rollups_are_a_recompute_of_the_surviving_readings(user_id, {"2026-03-02"})
    assert_summary_is_a_recompute_of_the_surviving_readings(user_id)


def test_a_lab_result_from_preliminary_to_final_to_corrected_to_entered_in_error(patients, invoke, night):
    lab_range = {"referenceRange": [{"low": {"value": 70, "unit": "mg/dL", "system": "http://unitsofmeasure.org",
                                             "code": "mg/dL"},
                                     "high": {"value": 99, "unit": "mg/dL", "system": "http://unitsofmeasure.org",
                                              "code": "mg/dL"}}]}
    older = observation("GLU-0", "2345-7", 92, "mg/dL", at="2026-03-02T08:00:00Z")
    # preliminary: kept and marked
    body = invoke(INGEST, bundle(older, glucose_observation("preliminary", 140, **lab_range)))
    assert outcomes(body) == [(0, "accepted"), (1, "accepted")]
    (latest,) = summary_of(ANN)[1].values()
    assert (latest["value"], latest["preliminary"], latest["status"]) == (140, True, "out-of-range")
    assert latest["referenceRange"] == {"low": 70, "high": 99, "unit": "mg/dL"}
    check_everything(ANN, night)
    # final: replaces the preliminary one
    body = invoke(INGEST, bundle(glucose_observation("final", 98, **lab_range)))
    assert outcomes(body) == [(0, "corrected")]
    (latest,) = summary_of(ANN)[1].values()
    assert (latest["value"], latest.get("preliminary"), latest["status"]) == (98, None, "in-range")
    check_everything(ANN, night)
    # a replay of the final Bundle changes nothing
    assert outcomes(invoke(INGEST, bundle(glucose_observation("final", 98, **lab_range)))) == [(0, "duplicate")]
    # corrected: the value is replaced, the lab's flag decides
    corrected = glucose_observation("corrected", 96, interpretation=[{"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": "N"}]}], **lab_range)
    assert outcomes(invoke(INGEST, bundle(corrected))) == [(0, "corrected")]
    (latest,) = summary_of(ANN)[1].values()
    assert (latest["value"], latest["interpretation"], latest["status"]) == (96, "N", "in-range")
    check_everything(ANN, night)
    assert outcomes(invoke(INGEST, bundle(corrected))) == [(0, "duplicate")]
    # entered-in-error: withdrawn; the older reading is the latest again
    withdrawal = {k: v for k, v in glucose_observation("entered-in-error", 0).items() if k != "valueQuantity"}
    assert outcomes(invoke(INGEST, bundle(withdrawal))) == [(0, "withdrawn")]
    (latest,) = summary_of(ANN)[1].values()
    assert latest["value"] == 92
    check_everything(ANN, night)
    # replays of every step change nothing; a correction of the withdrawn result is refused
    assert outcomes(invoke(INGEST, bundle(withdrawal))) == [(0, "duplicate")]
    assert outcomes(invoke(INGEST, bundle(glucose_observation("final", 98)))) == [(0, "duplicate")]
    refused = invoke(INGEST, bundle(corrected | {"valueQuantity": {**corrected["valueQuantity"], "value": 97}}))
    assert refused["results"][0]["outcome"] == "rejected"
    assert refused["results"][0]["reason"].startswith("withdrawn:")
    check_everything(ANN, night)
    # and the history says the lab changed it three times
    # (the clock stands still here: the records share a time, so they are compared as a set)
    assert sorted((e["action"], e["actorId"], e["reason"]) for e in audit_of(ANN)) == [
        ("correct", "lab:fhir", "lab result corrected"), ("correct", "lab:fhir", "lab result final"),
        ("withdraw", "lab:fhir", "lab result entered-in-error")]


def test_an_unknown_results_withdrawal_is_rejected_and_a_first_correction_is_stored(patients, invoke):
    withdrawal = {k: v for k, v in glucose_observation("entered-in-error", 0).items() if k != "valueQuantity"}
    body = invoke(INGEST, bundle(withdrawal, observation("GLU-9", "2345-7", 90, "mg/dL", status="amended")))
    assert [(r["outcome"], (r.get("reason") or "").split(":")[0]) for r in body["results"]] == [
        ("rejected", "not_found"), ("accepted", "")]
    assert [r["value"] for r in surviving(ANN)] == [90]


def test_pages_of_the_list_walk_past_withdrawn_readings_without_losing_or_repeating_any(patients, invoke):
    # Given six readings, two of them withdrawn
    ids = record(ANN, *[new_reading("Glucose", 80.0 + i, T1 + i * 60_000) for i in range(6)])
    for withdrawn in (ids[1], ids[4]):
        assert correct(invoke, withdrawn, {"status": "entered-in-error", "reason": "duplicate"}).status == 200
    # When the unfiltered list is walked two at a time
    seen, cursor = [], None
    for _ in range(10):
        page = call(invoke, "ListBiomarkersFunction", query={"limit": 2, **({"cursor": cursor} if cursor else {})}).body
        assert len(page["items"]) <= 2
        seen += [r["readingId"] for r in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    # Then every surviving reading comes once, newest first, and no withdrawn one
    assert seen == [ids[5], ids[3], ids[2], ids[0]]


def test_a_lab_range_decides_and_an_amend_is_judged_by_it(patients, invoke):
    # Given a reading whose lab's range (60-110) holds a value the catalog's (70-99) does not
    lab = {"referenceRange": {"low": 60.0, "high": 110.0, "unit": "mg/dL"}, "interpretation": "N"}
    (reading,) = record(ANN, new_reading("Glucose", 105.0, T1, **lab))
    assert summary_of(ANN)[1]["Glucose"]["status"] == "in-range"
    # When staff amend it outside the lab's range
    reply = correct(invoke, reading, {"value": 115.0, "reason": "misread"})
    # Then the lab's range decides, the stale flag is gone, the range stays on the reading
    assert (reply.body["status"], reply.body["interpretation"], reply.body["referenceRange"]) == (
        "out-of-range", None, {"low": 60.0, "high": 110.0, "unit": "mg/dL"})
    latest = call(invoke, "ListLatestBiomarkersFunction").body["items"]
    assert [(r["value"], r["status"], r["referenceRange"]["high"]) for r in latest] == [(115.0, "out-of-range", 110.0)]
