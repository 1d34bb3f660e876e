"""The pure part of keeping BiomarkerSummary right: merging readings into the latest-per-
biomarker entries and status counters. No I/O here, so it is property-tested directly."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from clinic.models.common import BiomarkerStatus
from clinic.repositories import keys

Item = dict[str, Any]

COUNTER = {
    BiomarkerStatus.OPTIMAL.value: "optimal",
    BiomarkerStatus.IN_RANGE.value: "inRange",
    BiomarkerStatus.OUT_OF_RANGE.value: "outOfRange",
}
LATEST_FIELDS = ("name", "value", "unit", "status", "category", "recordedAt", "readingId", "source")
# What a reading may also carry from its lab; copied to the latest item when present.
LAB_FIELDS = ("referenceRange", "interpretation", "preliminary")


def order(reading: Mapping[str, Any]) -> tuple[int, str]:
    """Which of two readings of a biomarker is the latest: recordedAt, then readingId."""
    return (reading["recordedAt"], reading["readingId"])


def latest_item(user_id: str, reading: Mapping[str, Any]) -> Item:
    """The summary's ``latest#<name>`` item for ``reading``."""
    lab = {f: reading[f] for f in LAB_FIELDS if f in reading}
    return {f: reading[f] for f in LATEST_FIELDS} | lab | {"userId": user_id, "sk": keys.latest_sk(reading["name"])}


def empty_stats() -> Item:
    return {"total": 0, "optimal": 0, "inRange": 0, "outOfRange": 0, "asOf": None, "version": 0}


def merge(
    user_id: str,
    stats: Mapping[str, Any] | None,
    latest: Mapping[str, Mapping[str, Any]],
    readings: Iterable[Mapping[str, Any]],
) -> tuple[Item, list[Item]]:
    """New stats item and the latest items that change, given the stored ones and new readings.

    Idempotent and order-free: merging the same readings again, or in any order or split, gives
    the same result, which is what makes retries of a half-done batch converge.
    """
    newest: dict[str, Mapping[str, Any]] = {}
    for reading in readings:
        name = reading["name"]
        if name not in newest or order(reading) > order(newest[name]):
            newest[name] = reading

    # A stored item has no asOf attribute while it is None (None values are not stored).
    new_stats = {"asOf": None, **stats} if stats else empty_stats()
    changed: list[Item] = []
    for name, candidate in sorted(newest.items()):
        current = latest.get(name)
        if current is not None and order(candidate) <= order(current):
            continue
        if current is None:
            new_stats["total"] += 1
        else:
            new_stats[COUNTER[current["status"]]] -= 1
        new_stats[COUNTER[candidate["status"]]] += 1
        changed.append(latest_item(user_id, candidate))
        if new_stats.get("asOf") is None or candidate["recordedAt"] > new_stats["asOf"]:
            new_stats["asOf"] = candidate["recordedAt"]
    new_stats["version"] = (stats or {}).get("version", 0) + 1
    return new_stats, changed


def recompute(user_id: str, readings: Iterable[Mapping[str, Any]]) -> tuple[Item, list[Item]]:
    """The summary from scratch, from every reading of a user (the reconciliation reference)."""
    return merge(user_id, None, {}, readings)
