"""A lab result as read from a FHIR Observation, free of the model library: what
``clinic.fhir.bundle`` extracts and ``clinic.fhir.mapping`` turns into a catalog reading."""

from __future__ import annotations

from dataclasses import dataclass

Pair = tuple[str, str]  # (system, value) of an identifier


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    unit: str | None  # the UCUM code (or the printed unit when no code is given)


@dataclass(frozen=True, slots=True)
class LabResult:
    index: int  # the Bundle entry it came from (a DiagnosticReport's, for its contained results)
    key: str  # the lab's id for this result: its identifier, else its full URL or id
    status: str
    loinc: tuple[str, ...]
    value: Quantity | None
    effective_ms: int | None
    subjects: tuple[Pair, ...]  # the patient's identifiers, as the Bundle gives them
    low: Quantity | None = None
    high: Quantity | None = None
    interpretation: tuple[str, ...] = ()  # v3 ObservationInterpretation codes (H, L, N, A...)
