from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, Strict, StringConstraints, model_validator

from clinic import clock
from clinic.models.base import Input, Shape
from clinic.models.common import DAY_MS, MIN_EPOCH_MS, TEXT_PATTERN, BiomarkerStatus, integral

# A biomarker name is part of sort keys ("latest#<name>", "<name>#<ts>"), so '#' is excluded.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ()\-/.,+%']{0,63}$"
BiomarkerName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=64)]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9/%^.\-µ ]+$")]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,31}$")]
Source = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._:-]{0,63}$")]
SourceReadingId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:/-]{1,128}$")]


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    if value != 0 and abs(value) < 1e-130:  # below DynamoDB's smallest number: a unit mix-up, not a value
        raise ValueError("must be 0 or at least 1e-130 in magnitude")
    return value


def _plausible_time(epoch_ms: int) -> int:
    """1900 or later and at most a day ahead (clock skew, time zones): anything else is a broken
    clock or a unit mix-up (seconds for milliseconds), never a reading."""
    if epoch_ms < MIN_EPOCH_MS:
        raise ValueError("must not be before 1900-01-01")
    if epoch_ms > clock.now_ms() + DAY_MS:
        raise ValueError("must not be more than a day in the future")
    return epoch_ms


# The bounds before the validator, so that they are JSON Schema's minimum and maximum.
FiniteFloat = Annotated[float, Field(ge=-1e9, le=1e9), AfterValidator(_finite)]
# The document states the lower bound; the validator refuses it with its reason ("before 1900").
ReadingTime = Annotated[int, Field(json_schema_extra={"minimum": MIN_EPOCH_MS}), BeforeValidator(integral),
                        AfterValidator(_plausible_time)]


# A v3 ObservationInterpretation code as the lab sends it (N, H, L, A, HH, LL, <, >...).
Interpretation = Annotated[str, StringConstraints(pattern=r"^[A-Za-z<>]{1,4}$")]


class LabRange(Input):
    """The lab's reference range for a result, in the reading's unit; at least one bound."""

    low: FiniteFloat | None = None
    high: FiniteFloat | None = None
    unit: Unit

    @model_validator(mode="after")
    def _a_bound(self) -> LabRange:
        if self.low is None and self.high is None:
            raise ValueError("give low, high or both")
        return self


class NewReading(Input):
    """A reading as a pipeline or a clinician delivers it; the owner is given separately.

    ``source`` + ``sourceReadingId`` is the idempotency key: the same pair is the same reading.
    Without ``status`` the reference-range catalog decides it.
    """

    name: BiomarkerName
    value: FiniteFloat
    unit: Unit
    category: Category | None = None
    recorded_at: ReadingTime = Field(description="Epoch milliseconds, from 1900 to a day ahead of now")
    status: Annotated[BiomarkerStatus, Strict(False)] | None = None  # enums arrive as strings
    source: Source
    source_reading_id: SourceReadingId
    reference_range: LabRange | None = None
    interpretation: Interpretation | None = None
    preliminary: bool | None = Field(default=None, description="The lab may still send the final result")


class ReferenceRange(Shape):
    low: float | None = None
    high: float | None = None
    unit: str


class Reading(Shape):
    """A stored reading (Biomarkers table) and the wire shape of one."""

    reading_id: str
    name: str
    value: float
    unit: str
    status: BiomarkerStatus
    category: str
    recorded_at: int = Field(description="Epoch milliseconds")
    source: str
    reference_range: ReferenceRange | None = Field(default=None, description="The lab's own range, when it sent one")
    interpretation: str | None = Field(default=None, description="The lab's flag (N, H, L, A, HH, LL...)")
    preliminary: bool | None = Field(default=None, description="True until the lab sends the final result")
    withdrawn_at: int | None = Field(default=None, description="Entered in error: when it was withdrawn "
                                     "(epoch ms); a withdrawn reading is kept but left out of every list")


class ReadingPage(Shape):
    items: list[Reading]
    next_cursor: str | None


# --- the API's clinician lab entry -----------------------------------------------------------

LAB_ENTRY_SOURCE = "clinic.lab-entry"


class LabResult(Input):
    """One result a clinician enters. ``sourceReadingId`` (e.g. the lab report's line id) makes a
    resubmission of the same result a duplicate instead of a second reading."""

    name: BiomarkerName
    value: FiniteFloat
    unit: Unit
    category: Category | None = None
    recorded_at: ReadingTime
    status: Annotated[BiomarkerStatus, Strict(False)] | None = None
    source_reading_id: SourceReadingId

    def as_new_reading(self) -> NewReading:
        return NewReading.model_validate({**self.model_dump(by_alias=True), "source": LAB_ENTRY_SOURCE})


class LabEntry(Input):
    readings: Annotated[list[LabResult], Field(min_length=1, max_length=100)]


class ReadingOutcome(Shape):
    index: int
    outcome: str = Field(description="accepted | duplicate | failed (stored state unknown: retry)")
    reading_id: str | None = None


class LabEntryResult(Shape):
    results: list[ReadingOutcome]


ENTERED_IN_ERROR = "entered-in-error"
CorrectionReason = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=TEXT_PATTERN)]


class ReadingCorrection(Input):
    """Staff correct a stored reading: a new ``value`` (amend), or ``status: entered-in-error``
    (withdraw); exactly one of the two, and always the ``reason``."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": ["value"], "properties": {"value": {"type": "number"}}, "not": {"required": ["status"]}},
        {"required": ["status"], "properties": {"status": {"type": "string"}}, "not": {"required": ["value"]}},
    ]})

    value: FiniteFloat | None = None
    status: Literal["entered-in-error"] | None = None
    reason: CorrectionReason

    @model_validator(mode="after")
    def _one_change(self) -> ReadingCorrection:
        given = {"value", "status"} & self.model_fields_set
        if len(given) != 1 or getattr(self, given.pop()) is None:
            raise ValueError("give either value or status (entered-in-error), not both")
        return self
