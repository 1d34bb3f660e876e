"""Appointment reminders: the periodic schedule's ``{"scheduledTime": ...}`` sends the reminders
due at that instant (and any of the last day still unsent), each at most once."""

from typing import Any

from clinic import clock
from clinic.jobs import job_entry
from clinic.models.reminders import SweepReport, SweepRequest
from clinic.services import reminders
from clinic.settings import Mail, Reminders, check

check(Mail, Reminders)


def send(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    result = reminders.sweep(SweepRequest.model_validate(event).at_ms(clock.now_ms()))
    return SweepReport(sent=result.sent, skipped=result.skipped, failed=result.failed).model_dump(by_alias=True)


handler = job_entry(send)
