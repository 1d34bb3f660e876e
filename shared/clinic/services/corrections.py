"""Corrections of stored readings: the one path for staff (``PATCH
/admin/patients/{userId}/biomarkers/{readingId}``) and for a lab's corrected, amended,
entered-in-error or final-after-preliminary FHIR results.

A correction rewrites the reading's item (nothing is deleted: a withdrawn reading stays stored,
marked ``withdrawnAt``, and leaves every list) and, in the SAME transaction, the user's summary
(stats item conditioned on the version read; the biomarker's latest item when the reading is the
latest: corrected, or replaced by the newest surviving other reading when withdrawn), the rollups'
activity marker of the reading's day, and the audit record of who changed what and why. The
reading's own put is conditioned on its version, so two corrections of one reading serialize; the
stats version serializes a correction with every other write of the user's readings. A lost race
re-reads everything and tries again. The marker has that night's job recompute the reading's day
(its rollups, leaving out withdrawn readings) and reconcile the summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from clinic import catalog, clock
from clinic.errors import Conflict, NotFound
from clinic.repositories import biomarker_summary_table, biomarkers_table, dynamo, keys
from clinic.services import activity, reconcile, summary

Item = dict[str, Any]

ATTEMPTS = 8
# The audit record's action for each kind of correction (its resource: ``biomarker:<readingId>``).
CORRECT, WITHDRAW = "correct", "withdraw"
# How many of a biomarker's newest readings a withdrawal of its latest reads to find the next
# latest (one Query; withdrawn readings are not in the index, so the first other one is it).
SUCCESSOR_WINDOW = 5
# A reading's content a correction may change (the rest: name, time, ids, source, never).
CORRECTABLE = ("value", "status", "referenceRange", "interpretation", "preliminary", biomarkers_table.WITHDRAWN_AT)


class Outcome(StrEnum):
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"
    UNCHANGED = "unchanged"  # the reading already says this: nothing written


class AlreadyWithdrawn(Conflict):
    def __init__(self) -> None:
        super().__init__("the reading was withdrawn as entered in error; it cannot be changed")


@dataclass(frozen=True, slots=True)
class Amend:
    """Staff give a new value: the status is decided again (the lab's stored range, else the
    catalog), and the lab's interpretation flag, which described the old value, is dropped."""

    value: float


@dataclass(frozen=True, slots=True)
class Replace:
    """The lab sends the result again (final after preliminary, amended, corrected): its value,
    status, range, flag and preliminary mark replace the stored ones (``reading``: its resolved
    form, ``clinic.services.readings.resolve``)."""

    reading: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Withdraw:
    pass


Change = Amend | Replace | Withdraw


def audit_action(change: Change) -> str:
    return WITHDRAW if isinstance(change, Withdraw) else CORRECT


def corrected(stored: Mapping[str, Any], change: Change, now_ms: int) -> Item:
    """The reading's new item content (pure)."""
    if biomarkers_table.is_withdrawn(stored):
        raise AlreadyWithdrawn
    base = {k: v for k, v in stored.items() if k not in biomarkers_table.INDEX_KEYS}
    if isinstance(change, Withdraw):
        return {**base, biomarkers_table.WITHDRAWN_AT: now_ms}
    if isinstance(change, Replace):
        kept = {k: v for k, v in base.items() if k not in CORRECTABLE}
        return kept | {k: change.reading[k] for k in CORRECTABLE if k in change.reading}
    new = {k: v for k, v in base.items() if k != "interpretation"} | {"value": change.value}
    reference = catalog.lookup(stored["name"])
    if reference is not None:
        lab_range = stored.get("referenceRange") or {}
        new["status"] = reference.judged(change.value, low=lab_range.get("low"), high=lab_range.get("high"))
    return new


def _same(stored: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    return all(stored.get(k) == new.get(k) for k in CORRECTABLE)


def apply(user_id: str, reading_id: str, change: Change, *, also: Sequence[Mapping[str, Any]] = ()) -> tuple[
        Outcome, Item]:
    """Correct ``reading_id`` of ``user_id``; ``also``: actions for the same transaction (the
    audit record). Raises ``NotFound`` (no such reading of this user), ``AlreadyWithdrawn``, or
    ``ConditionFailed`` (409) when the reading or summary kept changing under every attempt."""
    delays = dynamo.backoff_delays()
    sk: str | None = None
    for _ in range(ATTEMPTS):
        stored = biomarkers_table.get(user_id, sk) if sk else biomarkers_table.find(user_id, reading_id)
        if stored is None:
            raise NotFound("no such reading")
        sk = stored["sk"]
        now = clock.now_ms()
        new = corrected(stored, change, now)
        if _same(stored, new):
            return Outcome.UNCHANGED, stored
        version = int(stored.get("version", 1))
        new["version"] = version + 1
        try:
            _commit(user_id, stored, new, version, also, now)
        except biomarker_summary_table.StaleSummary:
            dynamo.sleep(next(delays, dynamo.MAX_DELAY_S))
            continue
        return (Outcome.WITHDRAWN if isinstance(change, Withdraw) else Outcome.CORRECTED), new
    raise dynamo.ConditionFailed("the reading kept changing; reload it and try again")


def _commit(user_id: str, stored: Mapping[str, Any], new: Item, version: int, also: Sequence[Mapping[str, Any]],
            now: int) -> None:
    """One transaction: the reading, the summary, the activity marker and ``also``."""
    name = stored["name"]
    stats: Item | None = None
    latest: dict[str, Item] = {}
    for item in biomarker_summary_table.summary_partition(user_id):  # bounded by the user's biomarkers
        if item["sk"] == keys.STATS_SK:
            stats = item
        elif item["sk"].startswith(keys.LATEST_PREFIX):
            latest[item["name"]] = item
    puts: list[Item] = []
    deletes: list[dict[str, Any]] = []
    current = latest.get(name)
    if current is not None and current["readingId"] == stored["readingId"]:
        successor = new if not biomarkers_table.is_withdrawn(new) else _successor(user_id, stored)
        if successor is None:
            del latest[name]
            deletes.append(biomarker_summary_table.delete_latest_action(user_id, name))
        else:
            latest[name] = summary.latest_item(user_id, successor)
            puts.append(latest[name])
    new_stats = {**(stats or summary.empty_stats()), **reconcile.counters(latest.values())}
    new_stats["version"] = (stats or {}).get("version", 0) + 1
    new_stats["updatedAt"] = now
    # The reading's day is marked: tonight's job recomputes its rollups and reconciles the summary.
    marks = activity.marking(user_id, [stored], stats)
    new_stats = marks.stamp(new_stats)
    expected = stats["version"] if stats else None
    extra = [*deletes, *marks.actions(), biomarkers_table.replace_action(user_id, new, version), *also]
    biomarker_summary_table.commit(user_id, new_stats, expected, puts, extra)


def _successor(user_id: str, withdrawn: Mapping[str, Any]) -> Item | None:
    """The newest surviving reading of the biomarker other than ``withdrawn``: one Query of its
    newest readings (ByName, newest first)."""
    page = biomarkers_table.page(user_id, filters={"name": withdrawn["name"]}, lower=None, upper=None,
                                 descending=True, limit=SUCCESSOR_WINDOW, after=None)
    others = [r for r in page.items
              if r["readingId"] != withdrawn["readingId"] and not biomarkers_table.is_withdrawn(r)]
    return max(others, key=summary.order, default=None)
