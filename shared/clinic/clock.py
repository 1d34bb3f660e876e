"""Time, in one place: every reading of the wall clock in the functions goes through ``now_ms``
(a test moves time by replacing it; a test fails on a ``time.time()`` anywhere else), and the
clinic's time zone, for local days and for display."""

from __future__ import annotations

import time
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from clinic.settings import ClinicTime, get_settings


def now_ms() -> int:
    """Epoch milliseconds now."""
    return int(time.time() * 1000)


def now_s() -> int:
    """Epoch seconds now (expiry times: DynamoDB TTLs, cursors, sign-in links)."""
    return now_ms() // 1000


@cache
def clinic_zone() -> ZoneInfo:
    return ZoneInfo(get_settings(ClinicTime).clinic_timezone)


def clinic_local_iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, clinic_zone()).isoformat(timespec="minutes")
