"""Biomarker readings for the API: the filtered list, the latest reading of each biomarker and
one biomarker's raw history, all one Query per page with signed cursors; and clinicians' lab
entry, which goes through the one write path for readings (``clinic.services.readings``)."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from clinic import catalog
from clinic.errors import InvalidInput
from clinic.identity import Caller
from clinic.models.biomarkers import (
    ENTERED_IN_ERROR,
    BiomarkerName,
    LabEntry,
    LabEntryResult,
    Reading,
    ReadingCorrection,
    ReadingOutcome,
    ReadingPage,
)
from clinic.models.common import BiomarkerStatus
from clinic.repositories import biomarker_summary_table, biomarkers_table
from clinic.repositories.paging import Page
from clinic.services import audit, corrections, cursors, patients, readings

_items = TypeAdapter(list[Reading])


def canonical_name(name: str) -> str:
    reference = catalog.lookup(name)
    return reference.name if reference else name


def _window(from_: int | None, to: int | None) -> tuple[int | None, int | None]:
    """[from, to] inclusive, as the half-open range the repositories take."""
    if from_ is not None and to is not None and from_ > to:
        raise InvalidInput("from must not be after to", [{"in": "query", "field": "from", "issue": "after_to"}])
    return from_, (to + 1 if to is not None else None)


def _page(user_id: str, scope: str, cursor: str | None, fetch: object) -> ReadingPage:
    position = cursors.decode(cursor, user_id, scope) if cursor else {}
    page: Page = fetch(position.get("key"))  # type: ignore[operator]
    next_cursor = cursors.encode(user_id, scope, {"key": page.position}) if page.position else None
    return ReadingPage(items=_items.validate_python(page.items), next_cursor=next_cursor)


def list_for_user(user_id: str, *, name: str | None, category: str | None, status: BiomarkerStatus | None,
                  from_: int | None, to: int | None, limit: int, cursor: str | None) -> ReadingPage:
    """Newest first. One filter: exact pages from its index. Several: the most selective index
    plus a filter over a bounded read, so a page may be short while ``nextCursor`` continues."""
    lower, upper = _window(from_, to)
    given = {"name": canonical_name(name) if name else None, "category": category,
             "status": status.value if status else None}
    filters = {k: v for k, v in given.items() if v}
    scope = "biomarkers.list|" + "|".join(f"{k}={v}" for k, v in sorted(filters.items())) + f"|{from_}|{to}"
    return _page(user_id, scope, cursor, lambda after: biomarkers_table.page(
        user_id, filters=filters, lower=lower, upper=upper, descending=True, limit=limit, after=after))


def latest(user_id: str, *, category: str | None, status: BiomarkerStatus | None, limit: int,
           cursor: str | None) -> ReadingPage:
    """The latest reading of each biomarker, by name; with a category or status, only those whose
    latest reading has it (the stats' counters count exactly these)."""
    given = {"category": category, "status": status.value if status else None}
    filters = {k: v for k, v in given.items() if v}
    scope = "biomarkers.latest" + "".join(f"|{k}={v}" for k, v in sorted(filters.items()))
    return _page(user_id, scope, cursor, lambda after: biomarker_summary_table.latest_page(
        user_id, filters=filters, limit=limit, after=after))


def history(user_id: str, name: str, *, from_: int | None, to: int | None, limit: int,
            cursor: str | None) -> ReadingPage:
    """One biomarker's raw readings in [from, to], oldest first (a chart's order)."""
    lower, upper = _window(from_, to)
    canonical = canonical_name(name)
    scope = f"biomarkers.history|{canonical}|{from_}|{to}"
    return _page(user_id, scope, cursor, lambda after: biomarkers_table.page(
        user_id, filters={"name": canonical}, lower=lower, upper=upper, descending=False, limit=limit, after=after))


def correct(actor: Caller, patient_id: str, reading_id: str, body: ReadingCorrection) -> Reading:
    """Staff amend a reading's value or withdraw it as entered in error (``clinic.services.
    corrections``); the audit record, with the reason, is written in the correction's transaction."""
    change: corrections.Change = corrections.Withdraw() if body.status == ENTERED_IN_ERROR else corrections.Amend(
        value=body.value if body.value is not None else 0.0)
    _, item = patients.change(actor, patient_id, corrections.audit_action(change), f"biomarker:{reading_id}",
                              lambda also: corrections.apply(patient_id, reading_id, change, also=also),
                              reason=body.reason)
    return Reading.model_validate(item)


def enter_lab_results(actor: Caller, patient_id: str, entry: LabEntry) -> LabEntryResult:
    """A clinician's results for one patient, through the readings write path. All or nothing on
    validation: if any result is refused (unknown unit, catalog mismatch), nothing is written and
    the 400 says which; the audit record is written before the readings (see decisions)."""
    batch = [result.as_new_reading() for result in entry.readings]
    refused = [(i, why) for i, reading in enumerate(batch) if isinstance(why := readings.resolve(reading), str)]
    if refused:
        raise InvalidInput("some results were refused; nothing was recorded",
                           [{"in": "body", "field": f"readings.{i}", "issue": "refused", "message": why}
                            for i, why in refused])
    audit.record_change(actor, patient_id, audit.CREATE, f"biomarkers:{len(batch)}")
    results = readings.record(patient_id, batch)
    return LabEntryResult(results=[ReadingOutcome(index=r.index, outcome=r.outcome.value, reading_id=r.reading_id)
                                   for r in results])


_NAME = TypeAdapter(BiomarkerName)


def parse_name(decoded: str) -> str:
    """A biomarker name from a (decoded) path segment, or a 400 naming the parameter."""
    try:
        return _NAME.validate_python(decoded)
    except ValidationError:
        raise InvalidInput("the request is invalid",
                           [{"in": "path", "field": "name", "issue": "string_pattern_mismatch"}]) from None
