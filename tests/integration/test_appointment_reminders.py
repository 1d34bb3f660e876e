"""Appointment reminders (clinic.services.reminders) against moto with a fake clock: one email
per confirmed appointment and start time, whatever the reruns; none for cancelled appointments
or for patients who turned reminders off; a moved appointment reminded at its new time; a failed
send given back and sent by a later run; and nothing in the message but where and when."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from clinic import mail
from clinic.entry.failure import InvocationFailed
from clinic.models.appointments import AppointmentType, StaffAction, StaffAppointmentCreate
from clinic.repositories import appointments_table, users_table
from clinic.services import appointments, reminders
from clinic.services.appointments import STAFF_TRANSITIONS

ZONE = ZoneInfo("America/New_York")  # the template's ClinicTimeZone default
BOOKED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=ZONE)
ON, OFF = "patient-reminders-on", "patient-reminders-off"
TITLE = "Oncology follow-up with Dr. Kim"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ZONE)


class Outbox:
    """Collects what would be sent; ``fail_next`` sends fail like an SES error."""

    def __init__(self) -> None:
        self.sent: list[mail.Email] = []
        self.fail_next = 0

    def send(self, email: mail.Email) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("SES did not answer")
        self.sent.append(email)


@pytest.fixture
def outbox(tables, monkeypatch) -> Outbox:
    box = Outbox()
    monkeypatch.setattr(mail, "sender", lambda: box)
    users_table.put({"userId": ON, "email": "ava@example.com", "name": "Ava", "role": "patient", "createdAt": 1})
    users_table.put({"userId": OFF, "email": "ben@example.com", "name": "Ben", "role": "patient", "createdAt": 1,
                     "appointmentReminders": False})
    return box


def book(user_id: str, start: datetime, *, status: str = "scheduled") -> str:
    request = StaffAppointmentCreate.model_validate({"type": "consultation", "startTime": ms(start), "title": TITLE,
                                                     "status": status})
    return appointments.create(user_id, request, now_ms=ms(BOOKED_AT)).appointment_id


def staff(user_id: str, appointment_id: str, action: StaffAction, new_start: datetime | None = None) -> None:
    appointments.change(user_id, appointment_id, STAFF_TRANSITIONS[action], ms(new_start) if new_start else None,
                        now_ms=ms(BOOKED_AT))


def test_each_confirmed_appointment_is_reminded_once_the_day_before_whatever_the_reruns(outbox):
    # Given confirmed appointments on December 9, one cancelled, one requested only, one of a
    # patient who turned reminders off
    book(ON, local(9, 10))
    staff(ON, book(ON, local(9, 11)), StaffAction.CANCEL)
    book(ON, local(9, 12), status="requested")
    book(OFF, local(9, 10))
    # When the sweep runs before the send hour of the day before, then at it, then again and later
    before = reminders.sweep(ms(local(8, 16, 45)))
    first = reminders.sweep(ms(local(8, 17)))
    reruns = [reminders.sweep(ms(local(8, 17))), reminders.sweep(ms(local(8, 17, 15))),
              reminders.sweep(ms(local(9, 8)))]
    # Then exactly one email went out: the confirmed appointment of the patient who wants them
    assert before.sent == 0 and outbox.sent == [reminders.message("ava@example.com", ms(local(9, 10)))]
    assert (first.sent, first.skipped) == (1, 1)  # the patient with reminders off: claimed, not sent
    assert all((r.sent, r.skipped, r.failed) == (0, 0, 0) for r in reruns)


def test_a_moved_appointment_is_reminded_at_its_new_time_only(outbox):
    # Given an appointment on December 9 that the clinic moves to December 11
    moved = book(ON, local(9, 12))
    staff(ON, moved, StaffAction.CONFIRM, new_start=local(11, 9, 30))
    # When the sweeps of December 8, 9 and 10 run
    for day in (8, 9, 10):
        reminders.sweep(ms(local(day, 17)))
        reminders.sweep(ms(local(day, 18)))
    # Then one reminder, the day before the new time, for the new time
    assert [e.text for e in outbox.sent] == [reminders.message("ava@example.com", ms(local(11, 9, 30))).text]
    assert "Friday, December 11, 2026 at 9:30 AM EST" in outbox.sent[0].text


def test_a_reminder_sent_stays_sent_when_the_appointment_is_confirmed_again_at_the_same_time(outbox):
    appointment = book(ON, local(9, 10))
    reminders.sweep(ms(local(8, 17)))
    staff(ON, appointment, StaffAction.CONFIRM)
    reminders.sweep(ms(local(8, 17, 15)))
    assert len(outbox.sent) == 1


def test_a_failed_send_is_given_back_and_sent_once_by_a_later_run(outbox):
    # Given an appointment due for its reminder, and SES failing the first attempt
    book(ON, local(9, 10))
    outbox.fail_next = 1
    # When the sweep runs, then runs again 15 minutes later, and again
    failed = reminders.sweep(ms(local(8, 17)))
    retried = reminders.sweep(ms(local(8, 17, 15)))
    after = reminders.sweep(ms(local(8, 17, 30)))
    # Then the first run sent nothing and gave the reminder back; the next sent it, once
    assert (failed.sent, failed.failed) == (0, 1)
    assert (retried.sent, after.sent) == (1, 0)
    assert len(outbox.sent) == 1


def test_a_reminder_turned_off_after_booking_is_not_sent(outbox):
    book(ON, local(9, 10))
    users_table.update_profile(ON, {"appointmentReminders": False})
    reminders.sweep(ms(local(8, 17)))
    assert outbox.sent == []


def test_an_appointment_booked_after_its_send_hour_is_reminded_by_the_next_run(outbox):
    book(ON, local(9, 10))
    reminders.sweep(ms(local(8, 20)))  # the first run after booking, three hours past the send hour
    assert len(outbox.sent) == 1


def test_the_message_says_where_and_when_and_nothing_else(outbox):
    book(ON, local(9, 10))
    reminders.sweep(ms(local(8, 17)))
    (email,) = outbox.sent
    assert email.to == "ava@example.com"
    assert email.subject == "Appointment reminder from the clinic"
    assert email.text == ("You have an appointment at the clinic on Wednesday, December 9, 2026 at 10:00 AM EST.\n\n"
                          "Your dashboard: https://dashboard.example.com/app/\n")
    everything = email.subject + email.text
    for private in (TITLE, "Oncology", "Dr. Kim", "consultation", "Ava", AppointmentType.CONSULTATION.value):
        assert private not in everything


def test_a_sweep_reads_only_the_reminders_due(outbox, ddb_calls):
    # Given many confirmed appointments on other days and two due
    for day in (15, 16, 17, 18):
        for hour in range(8, 16):
            book(ON, local(day, hour))
    book(ON, local(9, 10))
    book(ON, local(9, 11))
    ddb_calls.reset()
    # When the sweep of December 8 runs
    result = reminders.sweep(ms(local(8, 17)))
    # Then it queried each shard of the due days once and touched only the two due appointments
    assert result.sent == 2
    operations = dict(ddb_calls.operations)
    assert operations.get("Scan") is None
    assert operations["GetItem"] == 2 and operations["UpdateItem"] == 2
    assert operations["Query"] <= 2 * appointments_table.REMINDER_SHARDS


def test_the_scheduled_function_sweeps_at_its_scheduled_time(outbox, invoke):
    book(ON, local(9, 10))
    report = invoke("SendAppointmentRemindersFunction", {"scheduledTime": "2026-12-08T22:00:00Z"})  # 17:00 EST
    assert report == {"sent": 1, "skipped": 0, "failed": 0}
    assert len(outbox.sent) == 1


def test_the_scheduled_function_refuses_a_time_without_offset_and_sends_nothing(outbox, invoke):
    book(ON, local(9, 10))
    with pytest.raises(InvocationFailed):
        invoke("SendAppointmentRemindersFunction", {"scheduledTime": "2026-12-08T22:00:00"})
    assert outbox.sent == []
