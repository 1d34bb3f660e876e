"""Helpers for the nightly rollup tests: clinic-local instants, controlling when readings
"arrive" (the activity marker's night), and reading back markers by Query."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from clinic.repositories import markers
from clinic.services import activity

NY = ZoneInfo("America/New_York")


def local_ms(day: str, hour: int = 12, minute: int = 0, *, fold: int = 0) -> int:
    """Epoch ms of a New York wall-clock time (fold=1: the second 01:30 of a fall-back night)."""
    d = date.fromisoformat(day)
    return int(datetime(d.year, d.month, d.day, hour, minute, tzinfo=NY, fold=fold).timestamp() * 1000)


def arriving(monkeypatch: Any, day: str, hour: int = 18) -> None:
    """Readings recorded from now on arrive at ``hour`` on ``day`` (the night that rolls them up)."""
    monkeypatch.setattr(activity, "clock", lambda: local_ms(day, hour))


def markers_of(due: str) -> dict[str, tuple[str, ...]]:
    """userId -> marked days, for one night."""
    return {m.user_id: m.days for m in markers.markers_due(due)}
