"""Activity markers: which users have new readings for which clinic-local days, so the nightly
rollup job reads only the users that changed instead of every user.

The write path adds ONE marker item per (user, day the readings arrived) inside the same
summary transaction that merges the readings, so a marker exists exactly when the summary
commit did. The marker lists the local days the readings were FOR (a set, added to, never
replaced): a late reading for last week marks last week's day again, under tonight's key, and
tonight's run recomputes that day. Keying by arrival day rather than by reading day is what lets
the planner read one day's markers and still see late data.

Marking must be cheap: the ``stats`` item remembers what it marked today (``markedOn``,
``markedDays``), so a user's second batch of the day for the same day writes no marker at all.
``plan`` is the pure part (tested directly); ``marking`` adds the clock and the clinic's zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from clinic import clock
from clinic.repositories import rollup_markers_table
from clinic.services import days

# How many marked days the stats item remembers for the current arrival day. Bounded so the stats
# item stays well under one 4 KB read unit; a day beyond it is simply marked again (the marker's
# set ignores repeats), which costs a write, never correctness.
REMEMBERED_DAYS = 31
# Items a marking adds to a summary transaction (the write path leaves room for them).
TRANSACT_ITEMS = 1

MARKED_ON = "markedOn"
MARKED_DAYS = "markedDays"


@dataclass(frozen=True, slots=True)
class Marking:
    """What one summary transaction adds for the rollups: the marker update (``days`` new to the
    marker of ``(user_id, due)``) and the stats fields that remember it. Falsy when nothing is new."""

    user_id: str
    due: str  # the clinic-local day the readings arrived: the night that rolls them up
    days: tuple[str, ...]  # local days with readings, not yet in that night's marker
    remembered: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.days)

    @property
    def stats_fields(self) -> dict[str, Any]:
        return {MARKED_ON: self.due, MARKED_DAYS: list(self.remembered)}

    def stamp(self, stats: dict[str, Any]) -> dict[str, Any]:
        """``stats`` with the remembered marks, when this marking writes a marker."""
        return {**stats, **self.stats_fields} if self else stats

    def actions(self) -> list[dict[str, Any]]:
        """The TransactWriteItems actions that write the marker (none when nothing is new)."""
        return [rollup_markers_table.add_days_action(self.user_id, self.due, self.days)] if self else []


def plan(user_id: str, readings: Iterable[Mapping[str, Any]], stats: Mapping[str, Any] | None, *,
         now_ms: int, zone: ZoneInfo) -> Marking:
    """The marking for ``readings`` (the stored readings a summary commit takes part in), given
    the user's current ``stats`` item. Pure: same inputs, same marking."""
    due = days.local_day(now_ms, zone).isoformat()
    wanted = {days.local_day(int(r["recordedAt"]), zone).isoformat() for r in readings}
    known: set[str] = set()
    if stats and stats.get(MARKED_ON) == due:
        known = set(stats.get(MARKED_DAYS) or ())
    new = tuple(sorted(wanted - known))
    remembered = tuple(sorted(known | wanted, reverse=True)[:REMEMBERED_DAYS])
    return Marking(user_id, due, new, remembered)


def marking(user_id: str, readings: Iterable[Mapping[str, Any]], stats: Mapping[str, Any] | None) -> Marking:
    """``plan`` at the current time in the clinic's zone (what the write path calls)."""
    return plan(user_id, readings, stats, now_ms=clock.now_ms(), zone=clock.clinic_zone())
