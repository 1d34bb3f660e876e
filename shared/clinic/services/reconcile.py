"""Reconciling a user's BiomarkerSummary against the Biomarkers table, with bounded work: the
readings of the days the nightly job rolls up, and the user's summary partition (one stats item
and one latest item per biomarker). Never the user's whole history.

What it can find, and repairs:
- a reading of those days newer than the summary's latest of its biomarker (a summary merge that
  never happened: the write path crashed between storing readings and committing the summary);
- a latest item that names one of those readings but disagrees with it (value, status, ...);
- status counters, total or asOf that disagree with the latest items they summarize.

Pure: same inputs, same repair. The nightly service commits it with the write path's own
conditional transaction (``biomarker_summary_table.commit``: version check, retried on a lost race).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from clinic.repositories import keys
from clinic.services.summary import COUNTER, LATEST_FIELDS, empty_stats, latest_item, order

Item = dict[str, Any]
COUNTED = ("total", "optimal", "inRange", "outOfRange", "asOf")


@dataclass(frozen=True)
class Repair:
    stats: Item  # the stats item to write (version bumped)
    expected_version: int | None  # the version read (None: there was no stats item)
    latest: list[Item]  # latest items to rewrite
    items_repaired: int  # summary items whose content changes (latest items, plus stats if wrong)


def _same(stored: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(stored.get(f) == wanted[f] for f in LATEST_FIELDS)


def counters(latest: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The stats counters that ``latest`` items imply (what the stats item must say)."""
    out: dict[str, Any] = {"total": 0, "optimal": 0, "inRange": 0, "outOfRange": 0, "asOf": None}
    for item in latest:
        out["total"] += 1
        out[COUNTER[item["status"]]] += 1
        if out["asOf"] is None or item["recordedAt"] > out["asOf"]:
            out["asOf"] = item["recordedAt"]
    return out


def reconcile(user_id: str, summary_items: Iterable[Mapping[str, Any]],
              readings: Iterable[Mapping[str, Any]]) -> Repair | None:
    """The repair that makes the summary agree with ``readings``, or None when it already does."""
    stats: Mapping[str, Any] | None = None
    latest: dict[str, Mapping[str, Any]] = {}
    for item in summary_items:
        if item["sk"] == keys.STATS_SK:
            stats = item
        elif item["sk"].startswith(keys.LATEST_PREFIX):
            latest[item["name"]] = item

    newest: dict[str, Mapping[str, Any]] = {}
    for reading in readings:
        name = reading["name"]
        if name not in newest or order(reading) > order(newest[name]):
            newest[name] = reading

    fixed: dict[str, Mapping[str, Any]] = dict(latest)
    changed: list[Item] = []
    for name, reading in sorted(newest.items()):
        current = latest.get(name)
        if current is not None and order(reading) < order(current):
            continue  # the summary already holds something newer: nothing to check from these days
        wanted = latest_item(user_id, reading)
        if current is None or order(reading) > order(current) or not _same(current, wanted):
            changed.append(wanted)
            fixed[name] = wanted

    implied = counters(fixed.values())
    stats_wrong = (stats is None and bool(fixed)) or (
        stats is not None and any(stats.get(k) != implied[k] for k in COUNTED))
    if not changed and not stats_wrong:
        return None
    new_stats = dict(stats) if stats else empty_stats()
    new_stats.update(implied)
    new_stats["version"] = (stats or {}).get("version", 0) + 1
    expected = stats["version"] if stats else None
    return Repair(new_stats, expected, changed, len(changed) + (1 if stats_wrong else 0))
