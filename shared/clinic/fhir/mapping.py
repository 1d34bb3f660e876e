"""A lab result onto the catalog: the biomarker its LOINC code names, its value in the catalog's
unit (converted only when exactly defined), and the lab's own reference range (converted exactly
like the value) and interpretation flag, kept with the reading; those decide its status when
present (``catalog.Reference.judged``: the catalog's optimal range still decides ``optimal``),
else the catalog does, as for every other reading.

Refusals are ``(code, sentence)`` pairs: the code is stable for callers, the sentence names at
most a unit or a code, never a value or a patient.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from typing import Any

from clinic import catalog
from clinic.fhir import codes, units
from clinic.fhir.results import LabResult, Quantity
from clinic.models.biomarkers import NewReading
from clinic.models.common import MAX_EPOCH_MS, MIN_EPOCH_MS
from clinic.repositories import keys

SOURCE = "fhir"
# Statuses that carry a result to record; amended and corrected replace a stored one, and
# entered-in-error withdraws it (``clinic.fhir.ingest``).
RESULT_STATUSES = frozenset({"final", "amended", "corrected", "preliminary"})
REPLACING = frozenset({"amended", "corrected"})
PRELIMINARY = "preliminary"
ENTERED_IN_ERROR = "entered-in-error"

Refusal = tuple[str, str]


def source_reading_id(key: str) -> str:
    """The lab's id for a result, as the reading's idempotency key (any length, any characters)."""
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def reading_id(key: str) -> str:
    """The stored reading's id for the lab's result id (what a correction names)."""
    return keys.reading_id(SOURCE, source_reading_id(key))


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
    lab_range = _range(result.value, result.low, result.high, reference.unit, code)
    flag = _flag(result.interpretation)
    return NewReading.model_validate({
        "name": reference.name, "value": value, "unit": reference.unit,
        "recordedAt": result.effective_ms, "source": SOURCE,
        "sourceReadingId": source_reading_id(result.key),
        **({"referenceRange": lab_range} if lab_range else {}),
        **({"interpretation": flag} if flag else {}),
        **({"preliminary": True} if result.status == PRELIMINARY else {}),
    })


def _factor(unit: str | None, catalog_unit: str, code: codes.Code) -> Fraction | None:
    source = units.unit(unit) if unit else None
    target = units.unit(codes.CATALOG_UCUM.get(catalog_unit, ""))
    if source is None or target is None:
        return None
    return units.factor(source, target, code.molar_mass)


def _flag(interpretation: tuple[str, ...]) -> str | None:
    """The one flag kept: the first that says out of range, else N, else none (unknown codes)."""
    abnormal = [f for f in interpretation if f in catalog.ABNORMAL_FLAGS]
    if abnormal:
        return abnormal[0]
    return next((f for f in interpretation if f in catalog.NORMAL_FLAGS), None)


def _range(value: Quantity, low: Quantity | None, high: Quantity | None, catalog_unit: str,
           code: codes.Code) -> dict[str, Any] | None:
    """The lab's range in the catalog's unit, converted exactly like the value (a bound without
    a unit is in the value's). None when there is none, or a bound does not convert."""
    if low is None and high is None:
        return None
    out: dict[str, Any] = {"unit": catalog_unit}
    for name, bound in (("low", low), ("high", high)):
        if bound is None:
            continue
        factor = _factor(bound.unit or value.unit, catalog_unit, code)
        if factor is None:
            return None
        out[name] = units.convert(bound.value, factor)
    return out
