"""A lab's FHIR R4 Bundle, parsed and validated by the FHIR model library (``fhir.resources``,
its R4B models, which read R4 Observations and DiagnosticReports). This is the only module that
imports it: the library costs cold-start time the plain ingest path must not pay.

A Bundle the library refuses, or of another type than transaction, batch or collection, is
refused whole (``InvalidBundle``: nothing is stored). Otherwise every Observation becomes a
``LabResult``: the Bundle's own Observation entries, and the Observations a DiagnosticReport
contains or references (once each), which take the report's subject and effective time when
they have none of their own. A subject is known by its identifiers: those of the Reference
itself, or of the Patient in the Bundle it points at.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from pydantic import ValidationError

from clinic.fhir.codes import CATALOG_DERIVED, LOINC, UCUM
from clinic.fhir.results import LabResult, Pair, Quantity

BUNDLE_TYPES = frozenset({"transaction", "batch", "collection"})
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
MAX_ENTRIES = 1000


class InvalidBundle(ValueError):
    """The Bundle is not one we take; ``details`` say where, never with a value."""

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


def parse(raw: Any) -> list[LabResult]:
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        raise InvalidBundle("not a FHIR Bundle")
    if len(raw.get("entry") or []) > MAX_ENTRIES:
        raise InvalidBundle(f"at most {MAX_ENTRIES} entries per Bundle; split it")
    try:
        bundle = Bundle.model_validate(raw)
    except ValidationError as error:
        raise InvalidBundle("the Bundle is not valid FHIR", [
            {"field": ".".join(str(p) for p in err["loc"]), "issue": err["type"]}
            for err in error.errors(include_input=False, include_url=False, include_context=False)[:20]
        ]) from None
    if bundle.type not in BUNDLE_TYPES:
        raise InvalidBundle("the Bundle's type must be transaction, batch or collection")
    return list(_results(bundle))


def _results(bundle: Bundle) -> Iterator[LabResult]:
    entries = list(bundle.entry or [])
    patients: dict[str, tuple[Pair, ...]] = {}
    observations: dict[str, int] = {}  # reference -> entry index
    for index, entry in enumerate(entries):
        resource = entry.resource
        names = _names(entry.fullUrl, resource)
        if isinstance(resource, Patient):
            for name in names:
                patients[name] = _pairs(resource.identifier)
        elif isinstance(resource, Observation):
            for name in names:
                observations[name] = index

    context: dict[int, DiagnosticReport] = {}  # an Observation entry's report, for its fallbacks
    for index, entry in enumerate(entries):
        report = entry.resource
        if not isinstance(report, DiagnosticReport):
            continue
        contained = {f"#{r.id}": r for r in report.contained or [] if isinstance(r, Observation)}
        for ref in report.result or []:
            if ref.reference in contained:
                observation = contained[ref.reference]
                key = _key_of(observation, None) or _key_of(report, entry.fullUrl or '') + str(ref.reference)
                yield _result(index, key, observation, report, patients)
            elif ref.reference in observations:
                context[observations[ref.reference]] = report
    for index, entry in enumerate(entries):
        if isinstance(entry.resource, Observation):
            key = _key_of(entry.resource, entry.fullUrl or "")
            yield _result(index, key, entry.resource, context.get(index), patients)


def _names(full_url: str | None, resource: Any) -> list[str]:
    names = [full_url] if full_url else []
    if resource is not None and resource.id:
        names.append(f"{resource.get_resource_type()}/{resource.id}")
    return names


def _pairs(identifiers: Iterable[Any] | None) -> tuple[Pair, ...]:
    return tuple((i.system, i.value) for i in identifiers or [] if i.system and i.value)


def _key_of(resource: Observation | DiagnosticReport, full_url: str | None) -> str:
    """The lab's id for a result: its first identifier, else its full URL, else its type/id
    ("" for a contained resource without an identifier: its report's key qualifies it)."""
    for system, value in _pairs(resource.identifier):
        return f"{system}|{value}"
    if full_url:
        return full_url
    return f"{resource.get_resource_type()}/{resource.id}" if resource.id and full_url is not None else ""


def _subjects(observation: Observation, report: DiagnosticReport | None,
              patients: dict[str, tuple[Pair, ...]]) -> tuple[Pair, ...]:
    subject = observation.subject or (report.subject if report else None)
    if subject is None:
        return ()
    if subject.identifier is not None:
        return _pairs([subject.identifier])
    return patients.get(subject.reference or "", ())


def _result(index: int, key: str, observation: Observation, report: DiagnosticReport | None,
            patients: dict[str, tuple[Pair, ...]]) -> LabResult:
    # A range or flag our own export derived from the catalog is not the lab's: not kept.
    ranges = [r for r in observation.referenceRange or [] if r.text != CATALOG_DERIVED]
    normal = ranges[0] if ranges else None
    return LabResult(
        index=index,
        key=key,
        status=str(observation.status),
        loinc=tuple(c.code for c in (observation.code.coding or []) if c.system == LOINC and c.code),
        value=_quantity(observation.valueQuantity),
        effective_ms=_effective(observation) if _effective(observation) is not None else (
            _effective(report) if report else None),
        subjects=_subjects(observation, report, patients),
        low=_quantity(normal.low) if normal else None,
        high=_quantity(normal.high) if normal else None,
        interpretation=tuple(c.code for concept in observation.interpretation or [] if concept.text != CATALOG_DERIVED
                             for c in concept.coding or [] if c.system == INTERPRETATION and c.code),
    )


def _quantity(quantity: Any) -> Quantity | None:
    if quantity is None or quantity.value is None or quantity.comparator is not None:
        return None
    unit = quantity.code if quantity.system == UCUM and quantity.code else quantity.unit
    return Quantity(float(quantity.value), unit)


def _effective(resource: Any) -> int | None:
    moment = getattr(resource, "effectiveDateTime", None) or getattr(resource, "effectiveInstant", None)
    period = getattr(resource, "effectivePeriod", None)
    if moment is None and period is not None:
        moment = period.start
    return _epoch_ms(moment) if moment is not None else None


def _epoch_ms(moment: Any) -> int | None:
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return int(aware.timestamp() * 1000)
    if isinstance(moment, date):  # a date without a time: its start, UTC
        return int(datetime.combine(moment, time(), UTC).timestamp() * 1000)
    return None
