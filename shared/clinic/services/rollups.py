"""Daily rollups: per user, biomarker and clinic-local day, the min, max, average, count and last
value of that day's readings. ``daily`` is pure (the nightly worker feeds it one day's readings).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from clinic.repositories import rollups
from clinic.services.summary import order

Item = dict[str, Any]


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
            "sk": rollups.sort_key(name, day),
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
