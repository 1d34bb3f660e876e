"""GET /me/export: a patient gets ALL of their data, page by page, and nothing of anyone else's;
every page costs what its size allows (at most one request per collection), whatever the history."""

import pytest

from clinic.repositories import (
    audit_table,
    medications_table,
    refill_requests_table,
    rollups_table,
    user_data,
    users_table,
)
from clinic.services import readings
from clinic.services import rollups as rollup_math
from clinic.settings import Tables, get_settings
from tests.support.api import OTHER_SUB, call
from tests.support.data import DAY_MS, NOW_MS, appointment, new_reading, store_appointments
from tests.support.events import EVENT_SUB

EXPORT = "ExportMeFunction"
COLLECTIONS = ("biomarkers", "appointments", "medications", "dailyRollups", "refillRequests")


def give_history(user_id, *, readings_n, appointments_n, medications_n, tag, month=1):
    users_table.put({"userId": user_id, "email": f"{tag}@example.com", "role": "patient", "createdAt": NOW_MS,
               "name": f"Name {tag}"})
    batch = [new_reading("Glucose" if i % 2 else "Sodium", 80.0 + i, NOW_MS - i * DAY_MS,
                         unit="mg/dL" if i % 2 else "mmol/L", rid=f"{tag}-r{i}") for i in range(readings_n)]
    readings.record(user_id, batch)
    store_appointments(user_id, [{**appointment(i, start=NOW_MS - i * DAY_MS), "appointmentId": f"{tag}-a{i}"}
                                 for i in range(appointments_n)])
    medications_table.put_many(user_id, [{"medicationId": f"{tag}-m{i}", "name": f"Drug {tag}", "dose": "1 mg",
                                    "refills": 1, "active": True, "startedAt": NOW_MS - i * DAY_MS, "version": 1}
                                   for i in range(medications_n)])
    stored = user_data.page(get_settings(Tables).biomarkers_table, user_id, limit=1000, after=None).items
    assert len(stored) == readings_n
    daily = []
    for number, at in enumerate(sorted({r["recordedAt"] for r in stored})[:12]):  # a few days of rollups
        day = f"2026-{month:02d}-{number + 1:02d}"
        daily.extend(rollup_math.daily(user_id, day, [r for r in stored if r["recordedAt"] == at]))
    rollups_table.put_many(daily)
    # A refill request per medication, decided or not: the patient's requests are their data too
    refill_requests_table.put_many(user_id, [
        {"requestId": f"{tag}-rr{i}", "medicationId": f"{tag}-m{i}", "medicationName": f"Drug {tag}",
         "status": ("pending", "denied")[i % 2], "requestedAt": NOW_MS - i * DAY_MS, "version": 1}
        for i in range(medications_n)])
    return {"biomarkers": {r["readingId"] for r in stored},
            "appointments": {f"{tag}-a{i}" for i in range(appointments_n)},
            "medications": {f"{tag}-m{i}" for i in range(medications_n)},
            "dailyRollups": {(d["name"], d["day"]) for d in daily},
            "refillRequests": {f"{tag}-rr{i}" for i in range(medications_n)}}


def ids(collection, items):
    if collection == "dailyRollups":
        return {(i["name"], i["day"]) for i in items}
    key = {"biomarkers": "readingId", "appointments": "appointmentId", "medications": "medicationId",
           "refillRequests": "requestId"}[collection]
    return {i[key] for i in items}


def export_all(invoke, sub, limit, ddb_calls=None):
    pages, cursor = [], None
    while True:
        if ddb_calls is not None:
            ddb_calls.reset()
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        reply = call(invoke, EXPORT, sub=sub, query=query)
        assert reply.status == 200, reply.body
        if ddb_calls is not None:
            # One GetItem (the account check) plus one (profile, first page only), at most one Query
            # per collection, one audit PutItem.
            ops = dict(ddb_calls.operations)
            assert ops.pop("PutItem") == 1
            assert ops.pop("GetItem", 0) == (2 if not pages else 1)
            assert set(ops) <= {"Query"} and ops.get("Query", 0) <= len(COLLECTIONS)
            assert ddb_calls.items_read <= limit + len(COLLECTIONS)
        pages.append(reply.body)
        cursor = reply.body["nextCursor"]
        if reply.body["complete"]:
            assert cursor is None
            return pages
        assert cursor is not None


def test_the_union_of_the_pages_is_everything_the_patient_has_and_nothing_else(invoke, tables, ddb_calls):
    mine = give_history(EVENT_SUB, readings_n=23, appointments_n=11, medications_n=7, tag="mine")
    theirs = give_history(OTHER_SUB, readings_n=9, appointments_n=4, medications_n=3, tag="theirs", month=2)
    pages = export_all(invoke, EVENT_SUB, limit=10, ddb_calls=ddb_calls)
    total = 1 + sum(len(v) for v in mine.values())
    assert len(pages) == -(-total // 10)  # full pages until the last: nothing short in between
    assert all(sum(len(p[c]) for c in COLLECTIONS) + (p["profile"] is not None) == 10 for p in pages[:-1])
    assert pages[0]["profile"]["userId"] == EVENT_SUB and all(p["profile"] is None for p in pages[1:])
    for collection in COLLECTIONS:
        got = [i for p in pages for i in p[collection]]
        assert len(got) == len(ids(collection, got))  # nothing twice
        assert ids(collection, got) == mine[collection]
        assert not ids(collection, got) & theirs[collection]
    assert "theirs" not in str(pages)


def test_a_page_costs_the_same_whatever_the_history(invoke, tables, ddb_calls):
    give_history(EVENT_SUB, readings_n=400, appointments_n=2, medications_n=1, tag="big")
    ddb_calls.reset()
    first = call(invoke, EXPORT, query={"limit": 5}).body
    assert dict(ddb_calls.operations) == {"GetItem": 2, "Query": 1, "PutItem": 1}  # the account check, the profile
    assert ddb_calls.items_read <= 2 + 5  # the Users item twice, and limit - 1 + 1 readings (the look-ahead)
    assert len(first["biomarkers"]) == 4 and first["complete"] is False


def test_an_empty_account_exports_one_complete_page(invoke, tables):
    body = call(invoke, EXPORT).body
    assert body["complete"] is True and body["nextCursor"] is None and body["profile"] is None
    assert all(body[c] == [] for c in COLLECTIONS)


def test_each_page_is_audited_without_values(invoke, tables):
    give_history(EVENT_SUB, readings_n=3, appointments_n=1, medications_n=1, tag="audited")
    pages = export_all(invoke, EVENT_SUB, limit=3)
    records = audit_table.page(patient_id=EVENT_SUB, actor_id=None, limit=100, after=None).items
    assert len(pages) == 4 and len(records) == len(pages) and {r["action"] for r in records} == {"export"}
    assert {r["actorId"] for r in records} == {EVENT_SUB}
    assert "audited" not in str(records) and "Glucose" not in str(records)


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 101}, {"cursor": "forged"}])
def test_bad_input_is_a_400_and_writes_nothing(invoke, tables, ddb_calls, query):
    reply = call(invoke, EXPORT, query=query)
    assert reply.status == 400 and reply.body["error"]["code"] == "validation_error"
    assert not {"PutItem", "BatchWriteItem", "TransactWriteItems"} & set(ddb_calls.operations)


def test_another_patients_cursor_is_refused(invoke, tables):
    give_history(EVENT_SUB, readings_n=5, appointments_n=0, medications_n=0, tag="c")
    cursor = call(invoke, EXPORT, query={"limit": 2}).body["nextCursor"]
    reply = call(invoke, EXPORT, sub=OTHER_SUB, query={"limit": 2, "cursor": cursor})
    assert reply.status == 400
