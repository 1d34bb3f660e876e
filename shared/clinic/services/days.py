"""The clinic's local calendar: which local day an instant belongs to, and where a local day
starts and ends. Days are the clinic's (``CLINIC_TIMEZONE``), not UTC's and not the patient's, so
a day can last 23 or 25 hours when daylight saving time starts or ends.

Pure functions of (instant, zone); the clinic's zone is ``clinic.clock.clinic_zone()``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)
# A zone's offset never changes by more than this in one transition (the largest on record is a
# day, when Samoa crossed the date line); the search below only needs an upper bound.
_MAX_SHIFT_MS = 26 * 3_600_000


def local_day(epoch_ms: int, zone: ZoneInfo) -> date:
    """The local calendar day of an instant. Whole seconds decide it (days start on a second)."""
    return datetime.fromtimestamp(epoch_ms // 1000, zone).date()


def day_start(day: date, zone: ZoneInfo) -> int:
    """Epoch ms of the first instant of ``day`` in ``zone``.

    Local midnight is the start except where a transition happens at midnight: when clocks jump
    from 00:00 to 01:00, the day starts at the jump; zoneinfo maps the missing 00:00 there. The
    check below makes that explicit rather than trusting every zone's quirks: the result is the
    smallest whole second whose local day is ``day``.
    """
    guess = int(datetime.combine(day, time(), zone).timestamp()) * 1000
    if local_day(guess, zone) >= day:
        low, high = guess - _MAX_SHIFT_MS, guess  # local_day(high) >= day
    else:
        low, high = guess, guess + _MAX_SHIFT_MS
    # Binary search over whole seconds for the first instant whose local day is >= day.
    lo_s, hi_s = low // 1000, high // 1000
    while lo_s < hi_s:
        mid = (lo_s + hi_s) // 2
        if local_day(mid * 1000, zone) >= day:
            hi_s = mid
        else:
            lo_s = mid + 1
    return lo_s * 1000


def day_bounds(day: date, zone: ZoneInfo) -> tuple[int, int]:
    """[start, end) of a local day in epoch ms: 24 hours long, or 23 / 25 across a DST change."""
    return day_start(day, zone), day_start(day + ONE_DAY, zone)


def parse_day(text: str) -> date:
    """A YYYY-MM-DD day (ValueError otherwise)."""
    if len(text) != 10:
        raise ValueError("a day is YYYY-MM-DD")
    return date.fromisoformat(text)


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included (empty when first > last)."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
