"""The nightly rollup job: the planner (which nights, which users) and the worker (one batch of
users: rollups of their marked days, reconciliation of their summaries).

Cost follows the night's activity. The planner reads only the markers of the nights it plans
(one Query per marker shard per night when nobody had data); the worker reads, per user, the
readings of the marked days and the user's summary partition, and writes one rollup per
biomarker and day. Users without readings that night cost nothing, however many there are.

Idempotent: a night planned twice queues the same work; a batch processed twice writes the same
rollups (whole-item puts computed from the same readings) and finds nothing left to repair.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from clinic import clock
from clinic.models.rollups import MAX_USER_DAYS_PER_MESSAGE, MAX_USERS_PER_MESSAGE, PlanRequest, WorkMessage
from clinic.observability import logger, metrics
from clinic.repositories import (
    biomarker_summary_table,
    biomarkers_table,
    dynamo,
    rollup_markers_table,
    rollups_table,
    work_queue,
)
from clinic.services import days, reconcile, rollups

# If nights were missed (the schedule's spring-forward hour does not exist; a failed night), the
# next run plans them too, up to this many; older ones are backfilled by hand.
CATCH_UP_NIGHTS = 7
REPAIR_ATTEMPTS = 5


# --- planner ---------------------------------------------------------------------------------


def nights_to_plan(request: PlanRequest, *, last_planned: str | None, now_ms: int) -> list[str]:
    """Which nights (due days) a run plans. A backfill names its night. A scheduled run plans the
    clinic-local day before its scheduled time, plus the nights missed since the checkpoint."""
    if request.day:
        return [request.day]
    zone = clock.clinic_zone()
    if request.scheduled_time:
        when = datetime.fromisoformat(request.scheduled_time.replace("Z", "+00:00"))
        if when.tzinfo is None:
            raise ValueError("scheduledTime must carry its offset")
        at_ms = int(when.timestamp() * 1000)
    else:
        at_ms = now_ms
    yesterday = days.local_day(at_ms, zone) - timedelta(days=1)
    first = yesterday
    if last_planned is not None:
        first = max(date.fromisoformat(last_planned) + timedelta(days=1),
                    yesterday - timedelta(days=CATCH_UP_NIGHTS - 1))
    return [d.isoformat() for d in days.days_between(first, yesterday)]


def messages(due: str, found: Iterable[rollup_markers_table.Marker]) -> Iterator[dict[str, Any]]:
    """Work message bodies for one night: at most MAX_USERS_PER_MESSAGE users and
    MAX_USER_DAYS_PER_MESSAGE (user, day) pairs each; a user with more days is split."""
    users: list[dict[str, Any]] = []
    pairs = 0
    for marker in found:
        for part in dynamo.chunked(list(marker.days), MAX_USER_DAYS_PER_MESSAGE):
            if users and (len(users) == MAX_USERS_PER_MESSAGE or pairs + len(part) > MAX_USER_DAYS_PER_MESSAGE):
                yield {"due": due, "users": users}
                users, pairs = [], 0
            users.append({"userId": marker.user_id, "days": list(part)})
            pairs += len(part)
    if users:
        yield {"due": due, "users": users}


@dataclass
class PlanResult:
    nights: list[str]
    users: int = 0
    messages: int = 0


def plan(request: PlanRequest, *, now_ms: int | None = None) -> PlanResult:
    """Queue the work of every night the request covers. The checkpoint moves only after a
    night's messages are all sent (a failure mid-night re-plans it: duplicates are harmless),
    and only for scheduled runs: a backfill re-runs a night without moving it."""
    now_ms = now_ms if now_ms is not None else clock.now_ms()
    saved = rollup_markers_table.checkpoint()
    result = PlanResult(nights_to_plan(request, last_planned=None if request.day else saved.day, now_ms=now_ms))
    shards = rollup_markers_table.shards_to_read(saved) if result.nights else 0
    for due in result.nights:
        found = list(rollup_markers_table.markers_due(due, shards))
        bodies = list(messages(due, found))
        work_queue.send_all(bodies)
        result.users += len(found)
        result.messages += len(bodies)
        if not request.day:
            rollup_markers_table.advance_checkpoint(due)
    metrics.add_metric(name="RollupNightsPlanned", unit="Count", value=len(result.nights))
    metrics.add_metric(name="RollupUsersQueued", unit="Count", value=result.users)
    logger.info("rollups planned", extra={"nights": result.nights, "users": result.users,
                                          "messages": result.messages})
    return result


# --- worker ----------------------------------------------------------------------------------


@dataclass
class WorkResult:
    users: int = 0
    rollups: int = 0
    repaired_items: int = 0
    repaired_users: int = 0
    items: list[dict[str, Any]] = field(default_factory=list, repr=False)


def roll_up_user(user_id: str, marked_days: Sequence[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                                  list[dict[str, Any]]]:
    """The rollups of each marked day, the keys of rollups whose every reading was withdrawn, and
    every surviving reading of those days (for reconciliation)."""
    zone = clock.clinic_zone()
    items: list[dict[str, Any]] = []
    gone: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []
    for day in sorted(set(marked_days)):
        start, end = days.day_bounds(date.fromisoformat(day), zone)
        readings = biomarkers_table.readings_between(user_id, start, end)
        day_items, day_gone = rollups.day_changes(user_id, day, readings)
        items += day_items
        gone += day_gone
        seen += [r for r in readings if not biomarkers_table.is_withdrawn(r)]
    return items, gone, seen


def repair_summary(user_id: str, readings: Sequence[dict[str, Any]]) -> int:
    """Make the user's summary agree with ``readings``; how many summary items it changed.
    A lost race with a concurrent writer re-reads and re-checks (the write may have fixed it)."""
    delays = dynamo.backoff_delays()
    for _ in range(REPAIR_ATTEMPTS):
        repair = reconcile.reconcile(user_id, biomarker_summary_table.summary_partition(user_id), readings)
        if repair is None:
            return 0
        repair.stats["updatedAt"] = clock.now_ms()
        try:
            biomarker_summary_table.commit(user_id, repair.stats, repair.expected_version, repair.latest)
            return repair.items_repaired
        except biomarker_summary_table.StaleSummary:
            dynamo.sleep(next(delays, dynamo.MAX_DELAY_S))
    raise biomarker_summary_table.StaleSummary


def work(message: WorkMessage) -> WorkResult:
    """One batch: every user's rollups (written together, 25 per request) and repairs."""
    result = WorkResult()
    gone: list[dict[str, Any]] = []
    for entry in message.users:
        items, user_gone, readings = roll_up_user(entry.user_id, entry.days)
        result.items += items
        gone += user_gone
        repaired = repair_summary(entry.user_id, readings)
        result.users += 1
        result.repaired_items += repaired
        result.repaired_users += 1 if repaired else 0
    rollups_table.put_many(result.items)
    rollups_table.delete_many(gone)
    result.rollups = len(result.items)
    metrics.add_metric(name="RollupUsersProcessed", unit="Count", value=result.users)
    metrics.add_metric(name="RollupsWritten", unit="Count", value=result.rollups)
    # Expected to stay 0 (an alarm watches it): anything else is drift the write path let through.
    metrics.add_metric(name="SummaryItemsRepaired", unit="Count", value=result.repaired_items)
    metrics.add_metric(name="SummaryUsersRepaired", unit="Count", value=result.repaired_users)
    if result.repaired_items:
        logger.warning("summary drift repaired", extra={"items": result.repaired_items,
                                                        "users": result.repaired_users})
    return result
