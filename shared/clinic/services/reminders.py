"""Appointment reminders: an email the day before each confirmed appointment, saying only that
there is one, where and when, with a link to the page (no title, type or clinician).

An appointment's reminder is due at ``REMINDER_SEND_HOUR`` (clinic time) on the clinic-local day
of ``start - REMINDER_LEAD_HOURS``: with the default 24 hours, the evening before. A periodic
schedule runs ``sweep``, which reads only the reminders due in the last ``LOOKBACK_MS`` (the sparse
index ByReminderShard: confirmed appointments not reminded yet) and, for each, claims it with a
conditional write (taking it out of the index) before sending, so reruns and overlapping runs
send it once; a failed send gives the claim back and a later run sends it. Cancelling takes an
appointment out of the index; moving it puts it back under its new start (one reminder per start
time). A patient who turned reminders off (``appointmentReminders: false``) is skipped: claimed
without a message. docs/decisions.md explains the choice and its cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clinic import clock, mail
from clinic.observability import logger, metrics
from clinic.repositories import appointments_table, users_table
from clinic.settings import Reminders, get_settings

HOUR_MS = 3_600_000
# A run looks back this far for reminders still unsent (a missed run, a failed send): a whole
# day, so every reminder gets a run at each schedule tick of the day it is due.
LOOKBACK_MS = 24 * HOUR_MS
# At most this many reminders per run (about 2 minutes of work: inside the 300 s timeout);
# the rest stay in the index for the next run.
MAX_PER_RUN = 4000
PAGE = 100


@dataclass
class SweepResult:
    sent: int = 0
    skipped: int = 0  # reminders off, or no such account any more
    failed: int = 0  # given back for a later run


def _send_day(at_ms: int, zone: ZoneInfo, send_hour: int) -> date:
    """The clinic-local day of the latest send hour at or before ``at_ms``."""
    local = datetime.fromtimestamp(at_ms / 1000, zone)
    return local.date() if local.hour >= send_hour else local.date() - timedelta(days=1)


def _midnight_ms(day: date, zone: ZoneInfo) -> int:
    return int(datetime.combine(day, time(0), tzinfo=zone).timestamp() * 1000)


def start_window(at_ms: int, *, lead_hours: int, send_hour: int, zone: ZoneInfo,
                 lookback_ms: int = LOOKBACK_MS) -> tuple[int, int]:
    """[lower, upper): the start times of the appointments whose reminder is due in
    (at - lookback, at] and that have not started yet. A reminder is due at ``send_hour`` on the
    local day of ``start - lead``, which grows with the start, so the due ones are a range."""
    lead_ms = lead_hours * HOUR_MS
    upper = _midnight_ms(_send_day(at_ms, zone, send_hour) + timedelta(days=1), zone) + lead_ms
    lower = _midnight_ms(_send_day(at_ms - lookback_ms, zone, send_hour) + timedelta(days=1), zone) + lead_ms
    return max(lower, at_ms + 1), upper


def _utc_days(lower: int, upper: int) -> list[str]:
    first = datetime.fromtimestamp(lower / 1000, UTC).date()
    last = datetime.fromtimestamp((upper - 1) / 1000, UTC).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _start_of(key: Mapping[str, Any]) -> int:
    return int(str(key["sk"]).split("#", 1)[0])


def local_when(start_ms: int, zone: ZoneInfo) -> str:
    """"Tuesday, December 8, 2026 at 9:30 AM EST": the appointment's time as the clinic says it."""
    local = datetime.fromtimestamp(start_ms / 1000, zone)
    hour = local.hour % 12 or 12
    return f"{local:%A}, {local:%B} {local.day}, {local.year} at {hour}:{local:%M} {local:%p} {local:%Z}"


def message(to: str, start_ms: int) -> mail.Email:
    """The minimum necessary: that there is an appointment, where and when; nothing else."""
    settings = get_settings(Reminders)
    when = local_when(start_ms, clock.clinic_zone())
    return mail.Email(
        to=to,
        subject=f"Appointment reminder from {settings.clinic_name}",
        text=(f"You have an appointment at {settings.clinic_name} on {when}.\n\n"
              f"Your dashboard: {settings.dashboard_url}\n"),
    )


def _remind(key: Mapping[str, Any], result: SweepResult) -> None:
    start = _start_of(key)
    user = users_table.get(str(key["userId"]))
    wanted = user is not None and user.get("appointmentReminders") is not False and bool(user.get("email"))
    if not appointments_table.claim_reminder(key, start_time=start):
        return  # another run took it, or it was cancelled or moved meanwhile
    if not wanted or user is None:
        result.skipped += 1
        return
    try:
        mail.sender().send(message(str(user["email"]), start))
    except Exception as error:  # noqa: BLE001 - any failed send is given back; the run goes on
        appointments_table.release_reminder(key, start_time=start)
        result.failed += 1
        logger.warning("reminder not sent; a later run retries it", extra={"error": type(error).__name__})
        return
    result.sent += 1


def sweep(at_ms: int) -> SweepResult:
    """Send the reminders due at ``at_ms`` (and those of the last day still unsent)."""
    settings = get_settings(Reminders)
    lower, upper = start_window(at_ms, lead_hours=settings.reminder_lead_hours,
                                send_hour=settings.reminder_send_hour, zone=clock.clinic_zone())
    result = SweepResult()
    handled = 0
    if lower < upper:
        for day in _utc_days(lower, upper):
            for shard in range(appointments_table.REMINDER_SHARDS):
                after: Mapping[str, Any] | None = None
                while handled < MAX_PER_RUN:
                    page = appointments_table.due_reminders(f"{day}#{shard:02d}", lower=lower, upper=upper,
                                                            limit=min(PAGE, MAX_PER_RUN - handled), after=after)
                    for key in page.items:
                        _remind(key, result)
                    handled += len(page.items)
                    if page.position is None:
                        break
                    after = page.position
    metrics.add_metric(name="RemindersSent", unit="Count", value=result.sent)
    metrics.add_metric(name="RemindersFailed", unit="Count", value=result.failed)
    logger.info("reminders swept", extra={"sent": result.sent, "skipped": result.skipped, "failed": result.failed})
    return result
