"""Appointment reminders: the periodic schedule's ``{"scheduledTime": ...}`` sends the reminders
due at that instant (and any of the last day still unsent), each at most once."""

from typing import Any

from clinic import clock
from clinic.entry.schedule import schedule_entry
from clinic.models.reminders import SweepReport, SweepRequest
from clinic.services import reminders
from clinic.settings import Mail, Reminders, check

check(Mail, Reminders)


def send(request: SweepRequest) -> dict[str, Any]:
    result = reminders.sweep(request.at_ms(clock.now_ms()))
    return SweepReport(sent=result.sent, skipped=result.skipped, failed=result.failed).model_dump(by_alias=True)


handler = schedule_entry(SweepRequest, send)
