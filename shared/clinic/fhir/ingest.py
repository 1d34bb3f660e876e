"""A lab's FHIR Bundle through the one readings write path: parse (``clinic.fhir.bundle``), map
each Observation onto the catalog (``clinic.fhir.mapping``), resolve every subject's identifiers
with one packed read (``clinic.services.identifiers``), then ``readings.record_many``.

One result per Observation, with the index of its Bundle entry: accepted, duplicate, or rejected
with a reason that starts with a stable code (``unknown_patient: ...``). A subject whose
identifiers name no patient is never guessed: the Observation is rejected, nothing is stored for
it, and the ``FhirUnknownPatients`` metric counts it (an alarm watches that metric).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from clinic.fhir import bundle, mapping
from clinic.fhir.results import LabResult
from clinic.models.biomarkers import NewReading
from clinic.observability import metrics
from clinic.services import identifiers, readings
from clinic.services.readings import Outcome, Result

UNKNOWN_PATIENT = "unknown_patient: no patient has the subject's identifier"
AMBIGUOUS_PATIENT = "unknown_patient: the subject's identifiers name different patients"
NO_SUBJECT = "unknown_patient: the subject has no identifier (system and value)"
UNKNOWN_PATIENT_METRIC = "FhirUnknownPatients"

InvalidBundle = bundle.InvalidBundle


def ingest(raw: Any) -> list[Result]:
    """Record the Bundle's Observations; raises ``InvalidBundle`` (nothing stored) for a Bundle
    the FHIR models refuse."""
    results = bundle.parse(raw)
    owners = identifiers.resolve(pair for result in results for pair in result.subjects)
    outcomes: list[Result | None] = [None] * len(results)
    to_record: list[tuple[int, str, NewReading]] = []
    unknown = 0
    for n, result in enumerate(results):
        patient = _patient(result, owners)
        reading = mapping.to_reading(result)
        if isinstance(reading, tuple):
            outcomes[n] = Result(result.index, Outcome.REJECTED, f"{reading[0]}: {reading[1]}")
        elif patient in (UNKNOWN_PATIENT, AMBIGUOUS_PATIENT, NO_SUBJECT):
            unknown += 1
            outcomes[n] = Result(result.index, Outcome.REJECTED, patient)
        else:
            to_record.append((n, patient, reading))
    if unknown:
        metrics.add_metric(name=UNKNOWN_PATIENT_METRIC, unit=MetricUnit.Count, value=unknown)
    recorded = readings.record_many([(user_id, reading) for _, user_id, reading in to_record], check_users=True)
    for (n, _, _), outcome in zip(to_record, recorded, strict=True):
        outcomes[n] = replace(outcome, index=results[n].index)
    return [o for o in outcomes if o is not None]


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
