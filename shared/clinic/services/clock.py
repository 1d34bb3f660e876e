"""Time, in one place: epoch milliseconds, the clinic's local time for display, and the window
in which new appointments may be booked."""

from __future__ import annotations

import time
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from clinic.settings import get_settings

DAY_MS = 86_400_000
BOOKING_HORIZON_MS = 2 * 366 * DAY_MS  # nothing is booked more than two years ahead


def now_ms() -> int:
    return int(time.time() * 1000)


@cache
def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().clinic_timezone)


def clinic_local_iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, _zone()).isoformat(timespec="minutes")
