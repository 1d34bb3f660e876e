"""One appointment: read, request, cancel, reschedule (patients), confirm, complete, cancel,
no-show (staff); only allowed transitions, nothing in the past, 409 for the loser of a race."""

import pytest

from clinic import clock
from clinic.models.appointments import PatientAction
from clinic.repositories import appointments_table
from clinic.services import appointments
from tests.support.api import OTHER_SUB, call
from tests.support.data import DAY_MS, NOW_MS, appointment, store_appointments
from tests.support.events import EVENT_SUB

GET, REQUEST, UPDATE = "GetAppointmentFunction", "RequestAppointmentFunction", "UpdateAppointmentFunction"
STAFF_CREATE, STAFF_UPDATE = "CreatePatientAppointmentFunction", "UpdatePatientAppointmentFunction"
TOMORROW = NOW_MS + DAY_MS


def stored(i, **kwargs):
    item = appointment(i, **kwargs)
    store_appointments(EVENT_SUB, [item])
    return item["appointmentId"]


def test_a_patient_reads_their_appointment(invoke, tables):
    appointment_id = stored(1, start=TOMORROW)
    reply = call(invoke, GET, path={"appointmentId": appointment_id})
    assert reply.status == 200 and reply.body["appointmentId"] == appointment_id


def test_another_patients_appointment_is_a_404(invoke, tables):
    appointment_id = stored(1, start=TOMORROW)
    reply = call(invoke, GET, sub=OTHER_SUB, path={"appointmentId": appointment_id})
    assert reply.status == 404 and reply.error_code == "not_found"
    reply = call(invoke, UPDATE, sub=OTHER_SUB, path={"appointmentId": appointment_id}, body={"action": "cancel"})
    assert reply.status == 404
    assert call(invoke, GET, path={"appointmentId": appointment_id}).body["status"] == "scheduled"


def test_a_request_is_stored_as_requested(invoke, tables):
    reply = call(invoke, REQUEST, body={"type": "lab", "startTime": TOMORROW})
    assert reply.status == 201
    assert (reply.body["status"], reply.body["type"], reply.body["title"], reply.body["version"]) == (
        "requested", "lab", "Lab visit", 1)
    assert call(invoke, GET, path={"appointmentId": reply.body["appointmentId"]}).body == reply.body


@pytest.mark.parametrize("body", [
    {"type": "lab", "startTime": NOW_MS - DAY_MS},  # in the past
    {"type": "lab", "startTime": NOW_MS + 3 * 366 * DAY_MS},  # beyond the booking horizon
    {"type": "lab", "startTime": str(TOMORROW)},  # "5" is not an int
    {"type": "lab", "startTime": True},  # true is not a number
    {"type": "lab", "startTime": TOMORROW + 0.5},  # a fraction (1.0 is a JSON Schema integer: test_whole_numbers)
    {"type": "surgery", "startTime": TOMORROW},
    {"type": "lab", "startTime": TOMORROW, "status": "scheduled"},  # patients cannot set the status
    {"type": "lab", "startTime": TOMORROW, "userId": OTHER_SUB},
    {"type": "lab", "startTime": TOMORROW, "appointmentId": "mine"},
    {"type": "lab", "startTime": TOMORROW, "version": 9},
    {"type": "lab", "startTime": TOMORROW, "durationMinutes": 0},
    {"type": "lab", "startTime": TOMORROW, "durationMinutes": 10_000},
    {"type": "lab", "startTime": TOMORROW, "title": "x" * 121},
    {"startTime": TOMORROW}, {}, None,
])
def test_bad_requests_are_a_400_and_store_nothing(invoke, tables, ddb_calls, body):
    ddb_calls.reset()
    reply = call(invoke, REQUEST, body=body, raw_body="null" if body is None else None)
    assert reply.status == 400 and reply.error_code == "validation_error"
    assert not {"PutItem", "TransactWriteItems"} & set(ddb_calls.operations)


def test_patient_cancels_an_upcoming_appointment(invoke, tables):
    appointment_id = stored(1, start=TOMORROW)
    reply = call(invoke, UPDATE, path={"appointmentId": appointment_id}, body={"action": "cancel"})
    assert reply.status == 200 and (reply.body["status"], reply.body["version"]) == ("cancelled", 2)


def test_patient_asks_to_reschedule_which_moves_it_and_makes_it_a_request(invoke, tables):
    appointment_id = stored(1, start=TOMORROW)
    later = NOW_MS + 5 * DAY_MS
    reply = call(
        invoke, UPDATE, path={"appointmentId": appointment_id}, body={"action": "reschedule", "startTime": later}
    )
    assert reply.status == 200 and (reply.body["status"], reply.body["startTime"]) == ("requested", later)
    # The item moved (its sort key starts with the time): exactly one copy, at the new time
    listed = call(invoke, "ListAppointmentsFunction", query={"limit": 100}).body["items"]
    assert [(a["appointmentId"], a["startTime"]) for a in listed] == [(appointment_id, later)]


@pytest.mark.parametrize(
    ("status", "start", "body"),
    [
        ("scheduled", NOW_MS - DAY_MS, {"action": "cancel"}),  # already past
        ("completed", NOW_MS - DAY_MS, {"action": "cancel"}),
        ("cancelled", TOMORROW, {"action": "cancel"}),
        ("no-show", NOW_MS - DAY_MS, {"action": "reschedule", "startTime": TOMORROW}),
        ("scheduled", NOW_MS - DAY_MS, {"action": "reschedule", "startTime": TOMORROW}),
    ],
)
def test_transitions_the_clinic_does_not_allow_are_a_409(invoke, tables, status, start, body):
    appointment_id = stored(1, status=status, start=start)
    reply = call(invoke, UPDATE, path={"appointmentId": appointment_id}, body=body)
    assert reply.status == 409 and reply.error_code == "conflict"
    assert call(invoke, GET, path={"appointmentId": appointment_id}).body["status"] == status


@pytest.mark.parametrize(
    "body",
    [
        {"action": "reschedule"},
        {"action": "cancel", "startTime": TOMORROW},
        {"action": "confirm"},
        {"action": "reschedule", "startTime": NOW_MS - 1},
        {"action": "cancel", "status": "cancelled"},
    ],
)
def test_bad_changes_are_a_400(invoke, tables, body):
    appointment_id = stored(1, start=TOMORROW)
    reply = call(invoke, UPDATE, path={"appointmentId": appointment_id}, body=body)
    assert reply.status == 400 and reply.error_code == "validation_error"


def test_of_two_interleaved_changes_the_second_is_a_409(tables, monkeypatch):
    # Given two requests that both read version 1 before either writes
    appointment_id = stored(1, start=TOMORROW)
    snapshot = appointments_table.find(EVENT_SUB, appointment_id)
    first = appointments.change(EVENT_SUB, appointment_id, appointments.PATIENT_TRANSITIONS[PatientAction.CANCEL], None)
    monkeypatch.setattr(appointments_table, "find", lambda user_id, item_id: dict(snapshot))
    # When the second writes on what it read
    with pytest.raises(appointments.Conflict):
        appointments.change(
            EVENT_SUB, appointment_id, appointments.PATIENT_TRANSITIONS[PatientAction.RESCHEDULE], NOW_MS + 3 * DAY_MS
        )
    # Then the first change stands, whole
    monkeypatch.undo()
    assert appointments_table.find(EVENT_SUB, appointment_id)["status"] == first.status.value == "cancelled"
    assert appointments_table.find(EVENT_SUB, appointment_id)["startTime"] == TOMORROW


def test_a_stale_version_through_the_handler_is_a_409_in_the_error_shape(invoke, tables, monkeypatch):
    appointment_id = stored(1, start=TOMORROW)
    stale = appointments_table.find(EVENT_SUB, appointment_id)
    call(invoke, UPDATE, path={"appointmentId": appointment_id}, body={"action": "cancel"})
    monkeypatch.setattr(appointments_table, "find", lambda user_id, item_id: dict(stale))
    reply = call(
        invoke,
        UPDATE,
        path={"appointmentId": appointment_id},
        body={"action": "reschedule", "startTime": NOW_MS + 2 * DAY_MS},
    )
    assert reply.status == 409 and reply.error_code == "conflict"


# --- staff ---------------------------------------------------------------------------------


@pytest.fixture
def patient(invoke, tables):
    call(invoke, "GetProfileFunction")  # the patient has signed in once: their row exists
    return EVENT_SUB


def test_staff_book_confirm_and_complete(invoke, patient, monkeypatch):
    booked = call(
        invoke,
        STAFF_CREATE,
        admin=True,
        path={"userId": patient},
        body={"type": "checkup", "startTime": TOMORROW, "status": "requested"},
    )
    assert booked.status == 201 and booked.body["status"] == "requested"
    path = {"userId": patient, "appointmentId": booked.body["appointmentId"]}
    confirmed = call(invoke, STAFF_UPDATE, admin=True, path=path, body={"action": "confirm"})
    assert confirmed.status == 200 and confirmed.body["status"] == "scheduled"
    # Completing is for appointments that have started
    early = call(invoke, STAFF_UPDATE, admin=True, path=path, body={"action": "complete"})
    assert early.status == 409
    monkeypatch.setattr(clock, "now_ms", lambda: TOMORROW + 3_600_000)
    done = call(invoke, STAFF_UPDATE, admin=True, path=path, body={"action": "complete"})
    assert done.status == 200 and done.body["status"] == "completed"


def test_staff_confirm_at_another_time(invoke, patient):
    appointment_id = stored(1, status="requested", start=TOMORROW)
    reply = call(
        invoke,
        STAFF_UPDATE,
        admin=True,
        path={"userId": patient, "appointmentId": appointment_id},
        body={"action": "confirm", "startTime": TOMORROW + DAY_MS},
    )
    assert reply.status == 200 and (reply.body["status"], reply.body["startTime"]) == ("scheduled", TOMORROW + DAY_MS)


def test_staff_mark_a_past_appointment_no_show(invoke, patient):
    appointment_id = stored(1, status="scheduled", start=NOW_MS - DAY_MS)
    reply = call(
        invoke,
        STAFF_UPDATE,
        admin=True,
        path={"userId": patient, "appointmentId": appointment_id},
        body={"action": "no-show"},
    )
    assert reply.status == 200 and reply.body["status"] == "no-show"


def test_staff_cannot_book_for_someone_who_is_not_a_user(invoke, tables):
    reply = call(
        invoke, STAFF_CREATE, admin=True, path={"userId": OTHER_SUB}, body={"type": "lab", "startTime": TOMORROW}
    )
    assert reply.status == 404
