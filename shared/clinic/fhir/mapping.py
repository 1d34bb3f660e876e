"""A lab result onto the catalog: the biomarker its LOINC code names, its value in the catalog's
unit (converted only when exactly defined), and its status from the lab's own interpretation or
reference range when it gives one (the catalog's optimal range still decides ``optimal``), else
from the catalog, as for every other reading.

Refusals are ``(code, sentence)`` pairs: the code is stable for callers, the sentence names at
most a unit or a code, never a value or a patient.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction

from clinic import catalog
from clinic.fhir import codes, units
from clinic.fhir.results import LabResult, Quantity
from clinic.models.biomarkers import NewReading
from clinic.models.common import MAX_EPOCH_MS, MIN_EPOCH_MS

SOURCE = "fhir"
# Results that stand; entered-in-error and the rest are not readings (corrections are separate).
RESULT_STATUSES = frozenset({"final", "amended", "corrected", "preliminary"})
NORMAL = frozenset({"N"})
ABNORMAL = frozenset({"A", "AA", "H", "HH", "HU", "L", "LL", "LU", ">", "<"})

Refusal = tuple[str, str]


def source_reading_id(key: str) -> str:
    """The lab's id for a result, as the reading's idempotency key (any length, any characters)."""
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def to_reading(result: LabResult) -> NewReading | Refusal:
    if result.status not in RESULT_STATUSES:
        return ("unsupported_status", f"an Observation with status {result.status} is not a result to record")
    code = next((c for c in (codes.code(loinc) for loinc in result.loinc) if c is not None), None)
    if code is None:
        return ("unknown_code", "no catalog biomarker for the Observation's LOINC code")
    reference = catalog.lookup(code.biomarker)
    if reference is None:  # the catalog lost a biomarker the code table names (a unit test forbids it)
        return ("unknown_code", "no catalog biomarker for the Observation's LOINC code")
    if result.value is None:
        return ("no_value", "the Observation has no valueQuantity with a plain value")
    if result.effective_ms is None or not MIN_EPOCH_MS <= result.effective_ms <= MAX_EPOCH_MS:
        return ("no_effective_time", "the Observation (or its report) has no usable effective time")
    if not result.key:
        return ("no_identifier", "the Observation has no identifier, full URL or id")
    factor = _factor(result.value.unit, reference.unit, code)
    if factor is None:
        return ("unit_not_convertible",
                f"unit {result.value.unit or '(none)'} does not convert exactly to {reference.unit}")
    value = units.convert(result.value.value, factor)
    return NewReading.model_validate({
        "name": reference.name, "value": value, "unit": reference.unit,
        "recordedAt": result.effective_ms, "source": SOURCE,
        "sourceReadingId": source_reading_id(result.key),
        **({"status": status} if (status := _status(result, reference, value, code)) else {}),
    })


def _factor(unit: str | None, catalog_unit: str, code: codes.Code) -> Fraction | None:
    source = units.unit(unit) if unit else None
    target = units.unit(codes.CATALOG_UCUM.get(catalog_unit, ""))
    if source is None or target is None:
        return None
    return units.factor(source, target, code.molar_mass)


def _status(result: LabResult, reference: catalog.Reference, value: float, code: codes.Code) -> str | None:
    """The lab's verdict when it gives one: interpretation first, else its reference range."""
    flags = set(result.interpretation)
    if flags & ABNORMAL:
        return catalog.OUT_OF_RANGE
    if flags & NORMAL:
        normal = True
    else:
        within = _within(result.value, result.low, result.high, reference.unit, code)
        if within is None:
            return None  # nothing from the lab: the catalog decides
        normal = within
    if not normal:
        return catalog.OUT_OF_RANGE
    low, high = reference.optimal
    return catalog.OPTIMAL if low <= value <= high else catalog.IN_RANGE


def _within(value: Quantity | None, low: Quantity | None, high: Quantity | None, catalog_unit: str,
            code: codes.Code) -> bool | None:
    """Whether the value lies in the lab's range (bounds in any convertible unit; a bound
    without a unit is in the value's). None when there is no usable range."""
    if value is None or (low is None and high is None):
        return None
    bounds: list[float | None] = []
    for bound in (low, high):
        if bound is None:
            bounds.append(None)
            continue
        factor = _factor(bound.unit or value.unit, catalog_unit, code)
        if factor is None:
            return None
        bounds.append(units.convert(bound.value, factor))
    converted = _factor(value.unit, catalog_unit, code)
    if converted is None:
        return None
    v = units.convert(value.value, converted)
    return (bounds[0] is None or v >= bounds[0]) and (bounds[1] is None or v <= bounds[1])
