"""The one write path for biomarker readings: seed data, clinicians' lab entries and the sensor
and lab ingest all record readings here, and BiomarkerSummary stays exact whatever arrives.

Per user and call: one batched read (which readings exist, the current summary), batched
idempotent puts of the new readings, then ONE conditional transaction for the summary. Reading
ids are derived from (source, sourceReadingId), so a retry or duplicate writes the same key, and
the summary merge is a max over readings, so replaying any part of a batch converges.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from clinic import catalog
from clinic.models.biomarkers import NewReading
from clinic.repositories import dynamo, keys, readings, summary
from clinic.services import activity
from clinic.services import summary as merging

COMMIT_ATTEMPTS = 8


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


def record(user_id: str, batch: Sequence[NewReading]) -> list[Result]:
    """Record one user's readings; returns one result per input, in input order."""
    results: list[Result | None] = [None] * len(batch)
    stored: dict[str, tuple[int, dict[str, Any]]] = {}  # sk -> (first index, reading)
    for index, reading in enumerate(batch):
        resolved = resolve(reading)
        if isinstance(resolved, str):
            results[index] = Result(index, Outcome.REJECTED, resolved)
            continue
        sk = keys.timed(resolved["recordedAt"], resolved["readingId"])
        if sk in stored:
            results[index] = Result(index, Outcome.DUPLICATE, reading_id=resolved["readingId"])
        else:
            stored[sk] = (index, resolved)

    if stored:
        names = {r["name"] for _, r in stored.values()}
        state = readings.load_record_state(user_id, list(stored), names)
        new = {sk: entry for sk, entry in stored.items() if sk not in state.existing}
        failed = _write(user_id, new)
        for sk, (index, reading) in stored.items():
            if sk in failed:
                results[index] = Result(index, Outcome.FAILED, "storage busy; retry", reading["readingId"])
            elif sk in state.existing:
                results[index] = Result(index, Outcome.DUPLICATE, reading_id=reading["readingId"])
            else:
                results[index] = Result(index, Outcome.ACCEPTED, reading_id=reading["readingId"])
        durable = [reading for sk, (_, reading) in stored.items() if sk not in failed]
        try:
            _commit_summary(user_id, durable, state)
        except SummaryContention:
            # The readings are stored but the summary is not yet merged: report them as failed so
            # the caller retries; the retry finds them as duplicates and completes the merge.
            for sk, (index, reading) in stored.items():
                if sk not in failed:
                    results[index] = Result(index, Outcome.FAILED, "summary busy; retry", reading["readingId"])
    return [r for r in results if r is not None]


def _write(user_id: str, new: dict[str, tuple[int, dict[str, Any]]]) -> set[str]:
    """Put the new readings; the sort keys of those DynamoDB would not take after all retries."""
    try:
        readings.put_many(readings.to_item(user_id, reading) for _, reading in new.values())
    except dynamo.UnprocessedError as error:
        return {item["sk"]["S"] for item in error.remaining}
    return set()


def _commit_summary(user_id: str, durable: list[dict[str, Any]], state: readings.RecordState) -> None:
    """Merge stored readings into the summary, one conditional transaction per group of up to 99
    biomarkers (one group in practice), retrying a lost race with a fresh read. Readings stored
    before (duplicates included) take part, so the retry of a batch whose summary commit failed
    repairs it."""
    names = sorted({r["name"] for r in durable})
    room = dynamo.TRANSACT_MAX - 1 - activity.TRANSACT_ITEMS  # stats item, activity marker
    for number, group in enumerate(dynamo.chunked(names, room)):
        wanted = set(group)
        if number:
            state = readings.load_summary_state(user_id, wanted)
        _commit_group(user_id, [r for r in durable if r["name"] in wanted], state, wanted)


def _commit_group(user_id: str, part: list[dict[str, Any]], state: readings.RecordState, names: set[str]) -> None:
    delays = dynamo.backoff_delays()
    for _ in range(COMMIT_ATTEMPTS):
        stats, changed = merging.merge(user_id, state.stats, state.latest, part)
        # Rollups: mark the days these readings are for, in the same transaction (late readings
        # included: they change no latest value but their day must be rolled up again).
        marks = activity.marking(user_id, part, state.stats)
        if not changed and not marks:
            return
        stats["updatedAt"] = int(time.time() * 1000)
        expected = state.stats["version"] if state.stats else None
        try:
            summary.commit(user_id, marks.stamp(stats), expected, changed, extra=marks.actions())
            return
        except summary.StaleSummary:
            dynamo.sleep(next(delays, dynamo.MAX_DELAY_S))
            state = readings.load_summary_state(user_id, names)
    raise SummaryContention("biomarker summary stayed contended")
