"""A mutation refused for its input or for a condition leaves every table exactly as it was:
no item written, moved, half-moved, or audited."""

import pytest

from clinic import aws
from clinic.repositories import appointments_table, medications_table, users_table
from tests.support.api import ADMIN_SUB, call
from tests.support.data import DAY_MS, NOW_MS, appointment, store_appointments
from tests.support.events import EVENT_SUB

TOMORROW = NOW_MS + DAY_MS
P = {"userId": EVENT_SUB}


def snapshot(tables):
    """Every item of every table (a test-only Scan)."""
    client = aws.dynamodb()
    out = {}
    for name in tables.values():
        items = client.scan(TableName=name, ConsistentRead=True)["Items"]
        out[name] = sorted(items, key=repr)
    return out


@pytest.fixture
def world(invoke, tables):
    users_table.put({"userId": EVENT_SUB, "email": "patient@example.com", "role": "patient", "createdAt": NOW_MS})
    store_appointments(EVENT_SUB, [appointment(1, status="scheduled", start=TOMORROW),
                                   appointment(2, status="completed", start=NOW_MS - DAY_MS)])
    medications_table.put_many(EVENT_SUB, [
        {"medicationId": "med-active", "name": "Drug", "dose": "1 mg", "refills": 0, "active": True,
         "startedAt": NOW_MS, "version": 1}])
    return {"upcoming": appointment(1)["appointmentId"], "past": appointment(2)["appointmentId"]}


def stale(monkeypatch, module, **changes):
    """Make the next read return what the item looked like before someone else changed it."""
    real = module.find

    def find(user_id, item_id):
        item = real(user_id, item_id)
        return item and {**item, **changes}

    monkeypatch.setattr(module, "find", find)


CASES = {
    "profile: role in the body": ("UpdateProfileFunction", False, None, {"role": "admin"}, 400, None),
    "request: in the past": (
        "RequestAppointmentFunction",
        False,
        None,
        {"type": "lab", "startTime": NOW_MS - 1},
        400,
        None,
    ),
    "request: strict types": ("RequestAppointmentFunction", False, None, {"type": "lab", "startTime": "1"}, 400, None),
    "cancel: already happened": (
        "UpdateAppointmentFunction",
        False,
        {"appointmentId": "past"},
        {"action": "cancel"},
        409,
        None,
    ),
    "reschedule: lost race (a move)": (
        "UpdateAppointmentFunction",
        False,
        {"appointmentId": "upcoming"},
        {"action": "reschedule", "startTime": TOMORROW + DAY_MS},
        409,
        (appointments_table, {"version": 0}),
    ),
    "refill: none left": ("RequestRefillFunction", False, {"medicationId": "med-active"}, None, 409, None),
    "staff booking: unknown field": (
        "CreatePatientAppointmentFunction",
        True,
        P,
        {"type": "lab", "startTime": TOMORROW, "version": 1},
        400,
        None,
    ),
    "staff confirm at a new time: lost race (move + audit)": (
        "UpdatePatientAppointmentFunction",
        True,
        {**P, "appointmentId": "upcoming"},
        {"action": "confirm", "startTime": TOMORROW + 2 * DAY_MS},
        409,
        (appointments_table, {"version": 0}),
    ),
    "staff no-show of a future one": (
        "UpdatePatientAppointmentFunction",
        True,
        {**P, "appointmentId": "upcoming"},
        {"action": "no-show"},
        409,
        None,
    ),
    "staff prescription change: lost race": (
        "UpdatePatientMedicationFunction",
        True,
        {**P, "medicationId": "med-active"},
        {"refills": 3},
        409,
        (medications_table, {"version": 0}),
    ),
    "staff prescription: refills out of range": (
        "CreatePatientMedicationFunction",
        True,
        P,
        {"name": "Drug", "dose": "1 mg", "refills": 99},
        400,
        None,
    ),
    "lab entry: one result refused": (
        "RecordPatientBiomarkersFunction",
        True,
        P,
        {
            "readings": [
                {"name": "Glucose", "value": 85, "unit": "mg/dL", "recordedAt": NOW_MS, "sourceReadingId": "a"},
                {"name": "Glucose", "value": 5, "unit": "mmol/L", "recordedAt": NOW_MS, "sourceReadingId": "b"},
            ]
        },
        400,
        None,
    ),
    "role: not a role": ("SetUserRoleFunction", True, P, {"role": "root"}, 400, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_mutation_changes_nothing(invoke, world, tables, monkeypatch, case):
    function, admin, path, body, status, race = CASES[case]
    path = {k: world.get(v, v) for k, v in (path or {}).items()} or None
    before = snapshot(tables)
    if race:
        stale(monkeypatch, race[0], **race[1])
    reply = call(invoke, function, admin=admin, sub=ADMIN_SUB if admin else EVENT_SUB, path=path, body=body)
    assert reply.status == status, reply.body
    monkeypatch.undo()
    assert snapshot(tables) == before
