"""Daily rollups: per user, biomarker and clinic-local day, the min, max, average, count and last
value of that day's readings, and the daily resolution of a biomarker's history.

``daily`` is pure (the nightly worker feeds it one day's readings); ``daily_history`` serves
``GET /biomarkers/{name}/history?resolution=daily`` from ONE Query of the Rollups table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from clinic import catalog, clock
from clinic.errors import InvalidInput
from clinic.models.rollups import DailyHistory, DailyPoint, ReferenceRanges, ValueRange
from clinic.repositories import biomarkers_table, rollups_table
from clinic.services import days
from clinic.services.summary import order

Item = dict[str, Any]

# A year of daily points, leap years included, in one page.
MAX_DAILY_POINTS = 366
DEFAULT_DAYS = 365


def daily(user_id: str, day: str, readings: Iterable[Mapping[str, Any]]) -> list[Item]:
    """The rollup items of ``day`` (one per biomarker), from every reading of that day.

    Deterministic whatever the order the readings come in: the sum is exact (``math.fsum``), and
    ``last`` is the reading that the summary would call the latest (recordedAt, then readingId),
    so rerunning a day rewrites identical items.
    """
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for reading in readings:
        by_name.setdefault(reading["name"], []).append(reading)
    items = []
    for name, group in sorted(by_name.items()):
        values = [r["value"] for r in group]
        last = max(group, key=order)
        items.append({
            "userId": user_id,
            "sk": rollups_table.sort_key(name, day),
            "name": name,
            "day": day,
            "unit": last["unit"],
            "count": len(values),
            "min": min(values),
            "max": max(values),
            "avg": math.fsum(values) / len(values),
            "last": last["value"],
            "lastAt": last["recordedAt"],
        })
    return items


def day_changes(user_id: str, day: str, readings: Iterable[Mapping[str, Any]]) -> tuple[list[Item], list[Item]]:
    """The rollups of ``day`` from its surviving readings, and the keys of the rollups to delete:
    biomarkers of the day whose every reading was withdrawn (entered in error)."""
    readings = list(readings)
    items = daily(user_id, day, [r for r in readings if not biomarkers_table.is_withdrawn(r)])
    gone = sorted({r["name"] for r in readings} - {item["name"] for item in items})
    return items, [{"userId": user_id, "sk": rollups_table.sort_key(name, day)} for name in gone]


def canonical_name(name: str) -> str:
    reference = catalog.lookup(name)
    return reference.name if reference else name


def daily_history(user_id: str, name: str, *, from_: int | None, to: int | None,
                  now_ms: int | None = None) -> DailyHistory:
    """Daily points of one biomarker for the clinic-local days that contain [from, to] (epoch ms,
    inclusive; default: the last 365 days), oldest first. At most a year: one page, one Query."""
    zone = clock.clinic_zone()
    upper = to if to is not None else (now_ms if now_ms is not None else clock.now_ms())
    last = days.local_day(upper, zone)
    first = days.local_day(from_, zone) if from_ is not None else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last or (from_ is not None and from_ > upper):
        raise InvalidInput("the request is invalid", [{"in": "query", "field": "from", "issue": "after_to",
                                                      "message": "from must not be after to"}])
    if (last - first).days + 1 > MAX_DAILY_POINTS:
        raise InvalidInput("the request is invalid", [{"in": "query", "field": "from", "issue": "window_too_long",
                                                      "message": f"at most {MAX_DAILY_POINTS} days per request"}])
    canonical = canonical_name(name)
    items = rollups_table.daily_range(user_id, canonical, first.isoformat(), last.isoformat(), limit=MAX_DAILY_POINTS)
    return DailyHistory(name=canonical, reference=reference_ranges(canonical),
                        items=[DailyPoint.model_validate(i) for i in items], next_cursor=None)


def reference_ranges(name: str) -> ReferenceRanges | None:
    """The catalog's ranges for ``name``: a chart of its history shades them."""
    reference = catalog.lookup(name)
    if reference is None:
        return None
    return ReferenceRanges(unit=reference.unit, normal=ValueRange(low=reference.normal[0], high=reference.normal[1]),
                           optimal=ValueRange(low=reference.optimal[0], high=reference.optimal[1]))
