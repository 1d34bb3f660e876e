"""Medications: the list with its `active` filter, one by id, prescriptions (refill requests:
test_refill_requests.py)."""

import pytest

from clinic.repositories import medications_table
from tests.support.api import OTHER_SUB, call
from tests.support.data import DAY_MS, NOW_MS
from tests.support.events import EVENT_SUB

LIST, GET = "ListMedicationsFunction", "GetMedicationFunction"
STAFF_CREATE, STAFF_UPDATE = "CreatePatientMedicationFunction", "UpdatePatientMedicationFunction"


def medication(i, *, active=True, refills=2, user_id=EVENT_SUB):
    item = {"medicationId": f"med{i:04d}", "name": f"Drug {i}", "dose": "10 mg", "refills": refills, "active": active,
            "startedAt": NOW_MS - i * DAY_MS, "version": 1}
    medications_table.put_many(user_id, [item])
    return item["medicationId"]


def test_list_is_most_recently_started_first_with_an_exact_active_filter(invoke, tables, ddb_calls):
    for i in range(12):
        medication(i, active=i % 4 == 0)  # 0, 4, 8 active
    ddb_calls.reset()
    body = call(invoke, LIST, query={"active": "true", "limit": 3}).body
    assert [m["medicationId"] for m in body["items"]] == ["med0000", "med0004", "med0008"]
    assert body["nextCursor"] is None and dict(ddb_calls.operations) == {"Query": 1}
    inactive = call(invoke, LIST, query={"active": "false", "limit": 5}).body
    assert len(inactive["items"]) == 5 and not any(m["active"] for m in inactive["items"])
    rest = call(invoke, LIST, query={"active": "false", "limit": 5, "cursor": inactive["nextCursor"]}).body
    assert len(rest["items"]) == 4 and rest["nextCursor"] is None


def test_another_patients_medication_is_a_404(invoke, tables):
    medication_id = medication(1)
    assert call(invoke, GET, path={"medicationId": medication_id}).status == 200
    assert call(invoke, GET, sub=OTHER_SUB, path={"medicationId": medication_id}).status == 404
    assert call(invoke, GET, path={"medicationId": medication_id}).body["refills"] == 2


@pytest.fixture
def patient(invoke, tables):
    call(invoke, "GetProfileFunction")
    return EVENT_SUB


def test_staff_prescribe_and_change(invoke, patient):
    created = call(invoke, STAFF_CREATE, admin=True, path={"userId": patient},
                   body={"name": "Metformin", "dose": "500 mg twice daily", "refills": 3})
    assert created.status == 201 and (created.body["active"], created.body["refills"]) == (True, 3)
    path = {"userId": patient, "medicationId": created.body["medicationId"]}
    changed = call(invoke, STAFF_UPDATE, admin=True, path=path, body={"refills": 5, "active": False})
    assert changed.status == 200 and (changed.body["refills"], changed.body["active"], changed.body["version"]) == (
        5,
        False,
        2,
    )
    # The active filter follows the change (the index key is rewritten with the item)
    assert call(invoke, LIST, query={"active": "true"}).body["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"refills": -1},
        {"refills": 13},
        {"refills": "5"},
        {"refills": True},
        {"active": "false"},
        {"active": 1},
        {"version": 3},
        {"userId": OTHER_SUB},
        {},
        {"refills": None},
        {"name": ""},
        {"medicationId": "x"},
    ],
)
def test_bad_prescription_changes_are_a_400(invoke, patient, body):
    medication_id = medication(1)
    reply = call(invoke, STAFF_UPDATE, admin=True, path={"userId": patient, "medicationId": medication_id}, body=body)
    assert reply.status == 400 and reply.error_code == "validation_error"


def test_of_two_interleaved_prescription_changes_the_second_is_a_409(invoke, patient, monkeypatch):
    medication_id = medication(1)
    stale = medications_table.find(patient, medication_id)
    path = {"userId": patient, "medicationId": medication_id}
    assert call(invoke, STAFF_UPDATE, admin=True, path=path, body={"dose": "20 mg"}).status == 200
    monkeypatch.setattr(medications_table, "find", lambda user_id, item_id: dict(stale))
    reply = call(invoke, STAFF_UPDATE, admin=True, path=path, body={"refills": 0})
    assert reply.status == 409
    monkeypatch.undo()
    current = medications_table.find(patient, medication_id)
    assert (current["dose"], current["refills"], current["version"]) == ("20 mg", 2, 2)
