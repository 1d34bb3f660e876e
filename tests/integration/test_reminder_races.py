"""Overlapping reminder sweeps (a late run and the next, a retry): eight threads sweep the same
instant against moto's server, whose requests are atomic as DynamoDB's are per item, three times
over; each due appointment is emailed exactly once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

from clinic import mail
from clinic.models.appointments import StaffAppointmentCreate
from clinic.repositories import users_table
from clinic.services import appointments, reminders

ZONE = ZoneInfo("America/New_York")
PATIENT = "race-patient-0001"
DUE = 6


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def test_concurrent_sweeps_send_each_reminder_once(moto_server, monkeypatch):
    sent: list[mail.Email] = []
    lock = threading.Lock()

    class Collecting:
        def send(self, email: mail.Email) -> None:
            with lock:
                sent.append(email)

    monkeypatch.setattr(mail, "sender", lambda: Collecting())
    users_table.put({"userId": PATIENT, "email": "race@example.com", "role": "patient", "createdAt": 1})
    starts = [ms(datetime(2026, 12, 9, 9 + i, 0, tzinfo=ZONE)) for i in range(DUE)]
    for start in starts:
        request = StaffAppointmentCreate.model_validate({"type": "lab", "startTime": start, "status": "scheduled"})
        appointments.create(PATIENT, request, now_ms=ms(datetime(2026, 12, 1, tzinfo=ZONE)))
    at = ms(datetime(2026, 12, 8, 17, 0, tzinfo=ZONE))
    for _ in range(3):
        barrier = threading.Barrier(8)

        def sweep(_: int, barrier: threading.Barrier = barrier) -> reminders.SweepResult:
            barrier.wait()  # all eight start together
            return reminders.sweep(at)

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(sweep, range(8)))
        assert sum(r.failed for r in results) == 0
    assert sorted(e.text for e in sent) == sorted(reminders.message("race@example.com", s).text for s in starts)
