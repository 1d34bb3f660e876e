"""The one write path for biomarker readings: seed data, clinicians' lab entries and the sensor
and lab ingest all record readings here, and BiomarkerSummary stays exact whatever arrives.

Per call, for any number of users: one packed batched read of every user's summary (and, for
ingest, the Users items); a second one only for readings not newer than their biomarker's stored
latest (the only ones that can be stored already); then, per user, ONE transaction per group of
readings that puts each reading only if absent and merges the group into the summary (the stats
item conditioned on the version read). Reading ids are derived from (source, sourceReadingId), so
a retry or duplicate targets the same key.

A reading is stored exactly when it is merged, and the call whose transaction stored it is the
only one told ``accepted``: a concurrent or repeated call finds it stored (its put's condition
fails, or the existence read sees it) and is told ``duplicate``. Readings newer than the stored
latest need no existence read: the condition catches the ones another call stored meanwhile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
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
    CORRECTED = "corrected"  # a lab's correction replaced a stored reading's value
    WITHDRAWN = "withdrawn"  # a lab's entered-in-error withdrew a stored reading
    REJECTED = "rejected"
    FAILED = "failed"  # not written this time; safe to retry


@dataclass(frozen=True, slots=True)
class Result:
    index: int
    outcome: Outcome
    reason: str | None = None
    reading_id: str | None = None


class SummaryContention(RuntimeError):
    """The summary kept changing under us for every attempt; nothing of the group is stored."""


def resolve(reading: NewReading) -> dict[str, Any] | str:
    """The stored shape of a reading (canonical name, unit checked, status decided), or why not."""
    reference = catalog.lookup(reading.name)
    lab_range = reading.reference_range
    if lab_range is not None and lab_range.unit != reading.unit:
        return "reference range unit does not match the reading's unit"
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
        status = reading.status.value if reading.status else reference.judged(
            reading.value, low=lab_range.low if lab_range else None, high=lab_range.high if lab_range else None,
            interpretation=reading.interpretation)
    stored: dict[str, Any] = {
        "readingId": keys.reading_id(reading.source, reading.source_reading_id),
        "name": name,
        "value": reading.value,
        "unit": reading.unit,
        "status": status,
        "category": category,
        "recordedAt": reading.recorded_at,
        "source": reading.source,
    }
    if lab_range is not None:
        stored["referenceRange"] = lab_range.model_dump(by_alias=True, exclude_none=True)
    if reading.interpretation:
        stored["interpretation"] = reading.interpretation
    if reading.preliminary:
        stored["preliminary"] = True
    return stored


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

    by_user: dict[str, list[_Pending]] = defaultdict(list)
    for entry in to_write:
        by_user[entry.user_id].append(entry)
    for user_id, entries in by_user.items():
        user_state = state.summaries[user_id]
        chunks = list(_chunks(entries))
        for number, chunk in enumerate(chunks):
            try:
                user_state = _commit(user_id, chunk, user_state, names_by_user[user_id], done)
            except (SummaryContention, dynamo.UnprocessedError) as error:
                reason = SUMMARY_BUSY if isinstance(error, SummaryContention) else STORAGE_BUSY
            except Exception as error:
                if not dynamo.is_transient(error):
                    raise
                # Throttled, or timed out with the commit's fate unknown: the readings are either
                # stored and merged or not written at all; a retry converges either way.
                reason = STORAGE_BUSY
            else:
                continue
            for rest in chunks[number:]:
                for entry in rest:
                    if results[entry.index] is None:
                        done(entry, Outcome.FAILED, reason)
            break


def _chunks(entries: list[_Pending]) -> Iterator[list[_Pending]]:
    """One user's new readings in groups that fit one transaction with the summary items they
    change: the stats item, a latest item per biomarker in the group, the activity marker.
    Grouped by biomarker so that a long series shares one latest item."""
    room = dynamo.TRANSACT_MAX - 1 - activity.TRANSACT_ITEMS
    chunk: list[_Pending] = []
    names: set[str] = set()
    for entry in sorted(entries, key=lambda e: (e.reading["name"], e.sk)):
        name = entry.reading["name"]
        if chunk and len(chunk) + 1 + len(names | {name}) > room:
            yield chunk
            chunk, names = [], set()
        chunk.append(entry)
        names.add(name)
    if chunk:
        yield chunk


def _commit(user_id: str, chunk: list[_Pending], state: biomarker_summary_table.SummaryState, names: set[str],
            done: Callable[[_Pending, Outcome], None]) -> biomarker_summary_table.SummaryState:
    """Store ``chunk`` and merge it into the user's summary in ONE transaction: each reading is
    put only if absent, the stats item only if its version is the one read. So a reading is
    stored exactly when it is merged, and exactly one call, the one whose transaction stored it,
    reports it accepted; a call that finds it stored reports a duplicate. A lost race re-reads
    the summary (``names``: every biomarker of the user's call) and tries again with what is
    still new. Returns the summary state after it."""
    delays = dynamo.backoff_delays()
    attempts = 0
    while chunk:
        if attempts == COMMIT_ATTEMPTS:
            raise SummaryContention("biomarker summary stayed contended")
        part = [entry.reading for entry in chunk]
        stats, changed = summary.merge(user_id, state.stats, state.latest, part)
        # Recomputed on every attempt: the stats item read says which days are already marked.
        marks = activity.marking(user_id, part, state.stats)
        # The stats item's version is bumped even when no latest value changes (late readings):
        # a correction that picks a biomarker's next latest reading is then serialized with them.
        stats = marks.stamp(stats)
        stats["updatedAt"] = clock.now_ms()
        expected = state.stats["version"] if state.stats else None
        puts = [biomarkers_table.put_new_action(entry.user_id, entry.reading) for entry in chunk]
        try:
            biomarker_summary_table.commit(user_id, stats, expected, changed, marks.actions() + puts)
        except biomarker_summary_table.StaleSummary as lost:
            # Readings whose condition failed are stored, so merged, by another call: duplicates.
            codes = lost.reasons[-len(puts):] if lost.reasons else []
            stored = [entry for entry, code in zip(chunk, codes, strict=False) if code == "ConditionalCheckFailed"]
            for entry in stored:
                done(entry, Outcome.DUPLICATE)
            chunk = [entry for entry in chunk if entry not in stored]
            if not stored:  # the summary changed under us, or a conflict: back off
                attempts += 1
                dynamo.sleep(next(delays, dynamo.MAX_DELAY_S))
            state = biomarker_summary_table.load_summary_state(user_id, names)
            continue
        for entry in chunk:
            done(entry, Outcome.ACCEPTED)
        return biomarker_summary_table.SummaryState(stats, {**state.latest, **{item["name"]: item for item in changed}})
    return state
