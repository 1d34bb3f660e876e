"""A lab's FHIR Bundle through the one readings write path: parse (``clinic.fhir.bundle``), map
each Observation onto the catalog (``clinic.fhir.mapping``), resolve every subject's identifiers
with one packed read (``clinic.services.identifiers``), then ``readings.record_many``.

One result per Observation, with the index of its Bundle entry: accepted, duplicate, corrected,
withdrawn, or rejected with a reason that starts with a stable code (``unknown_patient: ...``).
An Observation with the identifier of a stored result and status ``amended`` or ``corrected``
replaces its value (``corrected``), ``entered-in-error`` withdraws it (``withdrawn``), and a
``final`` one replaces a stored ``preliminary`` one, all through ``clinic.services.corrections``;
a replay changes nothing and says ``duplicate``. A subject whose
identifiers name no patient is never guessed: the Observation is rejected, nothing is stored for
it, and the ``FhirUnknownPatients`` metric counts it (an alarm watches that metric).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from clinic import clock
from clinic.errors import Conflict, NotFound
from clinic.fhir import bundle, mapping
from clinic.fhir.results import LabResult
from clinic.models.biomarkers import NewReading
from clinic.observability import metrics
from clinic.repositories import audit_table, biomarkers_table, keys
from clinic.services import corrections, identifiers, readings
from clinic.services.readings import Outcome, Result

UNKNOWN_PATIENT = "unknown_patient: no patient has the subject's identifier"
AMBIGUOUS_PATIENT = "unknown_patient: the subject's identifiers name different patients"
NO_SUBJECT = "unknown_patient: the subject has no identifier (system and value)"
NOT_STORED = "not_found: no stored result has the Observation's identifier"
WITHDRAWN = "withdrawn: the stored result was entered in error and cannot be corrected"
UNKNOWN_PATIENT_METRIC = "FhirUnknownPatients"
# Who the audit records as changing a reading when the lab corrects it.
AUDIT_ACTOR = "lab:fhir"
LAB_SHOWN_AS = "The laboratory"  # how a patient's access log names the lab's corrections

InvalidBundle = bundle.InvalidBundle


def ingest(raw: Any) -> list[Result]:
    """Record the Bundle's Observations; raises ``InvalidBundle`` (nothing stored) for a Bundle
    the FHIR models refuse."""
    results = bundle.parse(raw)
    owners = identifiers.resolve(pair for result in results for pair in result.subjects)
    outcomes: list[Result | None] = [None] * len(results)
    to_record: list[tuple[int, str, NewReading]] = []
    to_correct: list[tuple[int, str, NewReading | None]] = []  # None: withdraw
    unknown = 0
    for n, result in enumerate(results):
        patient = _patient(result, owners)
        reading: NewReading | mapping.Refusal | None = None
        if result.status != mapping.ENTERED_IN_ERROR:
            reading = mapping.to_reading(result)
        elif not result.key:
            reading = ("no_identifier", "the Observation has no identifier, full URL or id")
        if isinstance(reading, tuple):
            outcomes[n] = Result(result.index, Outcome.REJECTED, f"{reading[0]}: {reading[1]}")
        elif patient in (UNKNOWN_PATIENT, AMBIGUOUS_PATIENT, NO_SUBJECT):
            unknown += 1
            outcomes[n] = Result(result.index, Outcome.REJECTED, patient)
        elif reading is None or result.status in mapping.REPLACING:
            to_correct.append((n, patient, reading))
        else:
            to_record.append((n, patient, reading))
    if unknown:
        metrics.add_metric(name=UNKNOWN_PATIENT_METRIC, unit=MetricUnit.Count, value=unknown)
    for n, user_id, maybe in to_correct:
        outcome = _correct(user_id, mapping.reading_id(results[n].key), maybe, results[n].status)
        if outcome is None and maybe is not None:  # amended or corrected, never stored: a new result
            to_record.append((n, user_id, maybe))
        elif outcome is not None:
            outcomes[n] = replace(outcome, index=results[n].index)
    recorded = readings.record_many([(user_id, reading) for _, user_id, reading in to_record], check_users=True)
    finals: list[tuple[int, str, NewReading]] = []
    for (n, user_id, reading), outcome in zip(to_record, recorded, strict=True):
        outcomes[n] = replace(outcome, index=results[n].index)
        if outcome.outcome is Outcome.DUPLICATE and not reading.preliminary:
            finals.append((n, user_id, reading))
    _finalize(finals, results, outcomes)
    return [o for o in outcomes if o is not None]


def _finalize(finals: list[tuple[int, str, NewReading]], results: list[LabResult],
              outcomes: list[Result | None]) -> None:
    """A final result the write path found stored already replaces a stored preliminary one (one
    packed read of the stored readings; a replayed final finds a final and stays a duplicate)."""
    wanted: dict[int, tuple[str, str]] = {}
    for n, user_id, reading in finals:
        resolved = readings.resolve(reading)  # the write path took it: it resolves
        if isinstance(resolved, dict):
            wanted[n] = (user_id, keys.timed(resolved["recordedAt"], resolved["readingId"]))
    if not wanted:
        return
    stored = biomarkers_table.stored(wanted.values())
    for n, user_id, reading in finals:
        item = stored.get(wanted[n]) if n in wanted else None
        if item is not None and item.get("preliminary"):
            outcome = _correct(user_id, item["readingId"], reading, results[n].status)
            if outcome is not None:
                outcomes[n] = replace(outcome, index=results[n].index)


def _correct(user_id: str, reading_id: str, reading: NewReading | None, status: str) -> Result | None:
    """Withdraw (``reading`` None) or replace a stored result through the one correction path,
    audited in its transaction; None when no such result is stored."""
    if reading is None:
        change: corrections.Change = corrections.Withdraw()
    else:
        resolved = readings.resolve(reading)
        if isinstance(resolved, str):
            return Result(0, Outcome.REJECTED, resolved)
        change = corrections.Replace(resolved)
    withdraw = isinstance(change, corrections.Withdraw)
    record = audit_table.new_item(actor_id=AUDIT_ACTOR, patient_id=user_id,
                                  action=corrections.audit_action(change),
                                  resource=f"biomarker:{reading_id}", at=clock.now_ms(), request_id=None,
                                  reason=f"lab result {status}", actor_name=LAB_SHOWN_AS, actor_role="lab")
    try:
        outcome, _ = corrections.apply(user_id, reading_id, change, also=[audit_table.put_action(record)])
    except NotFound:
        return Result(0, Outcome.REJECTED, NOT_STORED) if withdraw else None
    except corrections.AlreadyWithdrawn:
        return Result(0, Outcome.DUPLICATE, reading_id=reading_id) if withdraw else Result(
            0, Outcome.REJECTED, WITHDRAWN, reading_id)
    except Conflict:
        return Result(0, Outcome.FAILED, readings.SUMMARY_BUSY, reading_id)
    if outcome is corrections.Outcome.UNCHANGED:
        return Result(0, Outcome.DUPLICATE, reading_id=reading_id)
    return Result(0, Outcome.WITHDRAWN if withdraw else Outcome.CORRECTED, reading_id=reading_id)


def _patient(result: LabResult, owners: Mapping[tuple[str, str], str]) -> str:
    """The patient's user id, or the reason (one of the three constants) there is none."""
    if not result.subjects:
        return NO_SUBJECT
    found = {owners[pair] for pair in result.subjects if pair in owners}
    if not found:
        return UNKNOWN_PATIENT
    if len(found) > 1:
        return AMBIGUOUS_PATIENT
    return found.pop()
