"""The one write path for biomarker readings: seed data, clinicians' lab entries and the sensor
and lab ingest all record readings here, and BiomarkerSummary stays exact whatever arrives.

Per call, for any number of users: one packed batched read of every user's summary (and, for
ingest, the Users items); a second one only for readings not newer than their biomarker's stored
latest (the only ones that can already be merged); batched idempotent puts across users; then ONE
conditional transaction per user whose summary changes. Reading ids are derived from (source,
sourceReadingId), so a retry or duplicate writes the same key, and the summary merge is a max over
readings, so replaying any part of a batch converges.

Why a reading newer than the stored latest needs no existence check: the latest is a max over
merged readings, so such a reading is not merged yet. It may be stored (an earlier call wrote it
and failed before its commit); putting it again rewrites the same key and the merge completes the
earlier call's work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from clinic import catalog, clock
from clinic.models.biomarkers import NewReading
from clinic.repositories import biomarker_summary_table, biomarkers_table, dynamo, keys
from clinic.services import activity, summary

COMMIT_ATTEMPTS = 8

# Reasons are fixed sentences: they reach callers and logs and never carry a reading's content.
UNKNOWN_USER = "unknown user"
STORAGE_BUSY = "storage busy; retry"
SUMMARY_BUSY = "summary busy; retry"


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    FAILED = "failed"  # not written this time; safe to retry


@dataclass(frozen=True, slots=True)
class Result:
    index: int
    outcome: Outcome
    reason: str | None = None
    reading_id: str | None = None


class SummaryContention(RuntimeError):
    """The summary kept changing under us for every attempt; the readings are stored."""




def resolve(reading: NewReading) -> dict[str, Any] | str:
    """The stored shape of a reading (canonical name, unit checked, status decided), or why not."""
    reference = catalog.lookup(reading.name)
    if reference is None:
        if reading.status is None or reading.category is None:
            return "biomarker not in the catalog: status and category are required"
        name, category, status = reading.name, reading.category, reading.status.value
    else:
        if reading.unit != reference.unit:
            return "unit does not match the catalog's unit for this biomarker"
        if reading.category is not None and reading.category != reference.category:
            return "category does not match the catalog"
        name, category = reference.name, reference.category
        status = reading.status.value if reading.status else reference.status_of(reading.value)
    return {
        "readingId": keys.reading_id(reading.source, reading.source_reading_id),
        "name": name,
        "value": reading.value,
        "unit": reading.unit,
        "status": status,
        "category": category,
        "recordedAt": reading.recorded_at,
        "source": reading.source,
    }


@dataclass(slots=True)
class _Pending:
    """A resolved reading on its way to storage, with its place in the caller's batch."""

    index: int
    user_id: str
    sk: str
    reading: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.user_id, self.sk)


def record(user_id: str, batch: Sequence[NewReading]) -> list[Result]:
    """Record one user's readings (seed data, a clinician's entry: the user is known)."""
    return record_many([(user_id, reading) for reading in batch], check_users=False)


def record_many(entries: Sequence[tuple[str, NewReading]], *, check_users: bool = True) -> list[Result]:
    """Record readings of any number of users; one result per entry, in input order.

    ``check_users``: readings of a user missing from the Users table are rejected (ingest, where
    user ids come from a pipeline, not from a verified token).
    """
    results: list[Result | None] = [None] * len(entries)
    pending: dict[tuple[str, str], _Pending] = {}
    for index, (user_id, reading) in enumerate(entries):
        resolved = resolve(reading)
        if isinstance(resolved, str):
            results[index] = Result(index, Outcome.REJECTED, resolved)
            continue
        entry = _Pending(index, user_id, keys.timed(resolved["recordedAt"], resolved["readingId"]), resolved)
        if entry.key in pending:
            results[index] = Result(index, Outcome.DUPLICATE, reading_id=resolved["readingId"])
        else:
            pending[entry.key] = entry
    if pending:
        _store(list(pending.values()), results, check_users)
    return [r if r is not None else Result(i, Outcome.FAILED, STORAGE_BUSY) for i, r in enumerate(results)]


def _store(pending: list[_Pending], results: list[Result | None], check_users: bool) -> None:
    def done(entry: _Pending, outcome: Outcome, reason: str | None = None) -> None:
        results[entry.index] = Result(entry.index, outcome, reason, entry.reading["readingId"])

    names_by_user: dict[str, set[str]] = defaultdict(set)
    for entry in pending:
        names_by_user[entry.user_id].add(entry.reading["name"])
    try:
        state = biomarker_summary_table.load_batch_state(names_by_user, check_users=check_users)
    except dynamo.UnprocessedError:
        for entry in pending:
            done(entry, Outcome.FAILED, STORAGE_BUSY)
        return

    to_write: list[_Pending] = []
    to_check: list[_Pending] = []
    for entry in pending:
        if state.known_users is not None and entry.user_id not in state.known_users:
            results[entry.index] = Result(entry.index, Outcome.REJECTED, UNKNOWN_USER)
            continue
        latest = state.summaries[entry.user_id].latest.get(entry.reading["name"])
        if latest is None or summary.order(entry.reading) > summary.order(latest):
            to_write.append(entry)  # not merged yet (see the module docstring): no read needed
        elif summary.order(entry.reading) == summary.order(latest):
            done(entry, Outcome.DUPLICATE)  # it IS the stored latest
        else:
            to_check.append(entry)  # older than the latest: stored before, or arriving late

    if to_check:
        try:
            stored = biomarkers_table.existing(entry.key for entry in to_check)
        except dynamo.UnprocessedError:
            for entry in to_check:
                done(entry, Outcome.FAILED, STORAGE_BUSY)
        else:
            for entry in to_check:
                if entry.key in stored:
                    done(entry, Outcome.DUPLICATE)
                else:
                    to_write.append(entry)

    failed = _write(to_write)
    written: dict[str, list[_Pending]] = defaultdict(list)
    for entry in to_write:
        if entry.key in failed:
            done(entry, Outcome.FAILED, STORAGE_BUSY)
        else:
            done(entry, Outcome.ACCEPTED)
            written[entry.user_id].append(entry)

    for user_id, entries in written.items():
        try:
            _commit_summary(user_id, [entry.reading for entry in entries], state.summaries[user_id])
        except (SummaryContention, dynamo.UnprocessedError) as error:
            # The readings are stored but not merged: reported failed, their retry finds them newer
            # than the latest (so not merged) and completes the merge.
            reason = SUMMARY_BUSY if isinstance(error, SummaryContention) else STORAGE_BUSY
            for entry in entries:
                done(entry, Outcome.FAILED, reason)
        except Exception as error:
            if not dynamo.is_transient(error):
                raise
            # Throttled, or timed out with the commit's fate unknown: a retry converges either way.
            for entry in entries:
                done(entry, Outcome.FAILED, STORAGE_BUSY)


def _write(entries: list[_Pending]) -> set[tuple[str, str]]:
    """Put the readings, 25 per request across users; the keys DynamoDB would not take."""
    if not entries:
        return set()
    try:
        biomarkers_table.put_many(biomarkers_table.to_item(entry.user_id, entry.reading) for entry in entries)
    except dynamo.UnprocessedError as error:
        return {(item["userId"]["S"], item["sk"]["S"]) for item in error.remaining}
    return set()


def _commit_summary(user_id: str, stored: list[dict[str, Any]], state: biomarker_summary_table.SummaryState) -> None:
    """Merge the readings this call stored into the user's summary: one conditional transaction
    per group of biomarkers that fits in one (one group in practice), with the activity marker the
    nightly rollups read (``clinic.services.activity``), retrying a lost race with a fresh read."""
    room = dynamo.TRANSACT_MAX - 1 - activity.TRANSACT_ITEMS  # one slot is the stats item
    names = sorted({r["name"] for r in stored})
    for number, group in enumerate(dynamo.chunked(names, room)):
        wanted = set(group)
        if number:
            state = biomarker_summary_table.load_summary_state(user_id, wanted)
        _commit_group(user_id, [r for r in stored if r["name"] in wanted], state, wanted)


def _commit_group(
    user_id: str, part: list[dict[str, Any]], state: biomarker_summary_table.SummaryState, names: set[str]
) -> None:
    delays = dynamo.backoff_delays()
    for _ in range(COMMIT_ATTEMPTS):
        stats, changed = summary.merge(user_id, state.stats, state.latest, part)
        # Recomputed on every attempt: the stats item read says which days are already marked.
        marks = activity.marking(user_id, part, state.stats)
        if not changed and not marks:
            return
        stats = marks.stamp(stats)
        stats["updatedAt"] = clock.now_ms()
        expected = state.stats["version"] if state.stats else None
        try:
            biomarker_summary_table.commit(user_id, stats, expected, changed, marks.actions())
            return
        except biomarker_summary_table.StaleSummary:
            dynamo.sleep(next(delays, dynamo.MAX_DELAY_S))
            state = biomarker_summary_table.load_summary_state(user_id, names)
    raise SummaryContention("biomarker summary stayed contended")
