from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from clinic.models.base import Input, Shape, one_given
from clinic.models.common import EpochMs, ShortText, integral


class Medication(Shape):
    medication_id: str
    name: str
    dose: str
    refills: int = Field(ge=0)
    active: bool
    started_at: int = Field(description="Epoch milliseconds")
    version: int = 1


class MedicationPage(Shape):
    items: list[Medication]
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")


Refills = Annotated[int, Field(ge=0, le=12), BeforeValidator(integral)]


class MedicationCreate(Input):
    """Clinic staff prescribe a medication."""

    name: ShortText
    dose: ShortText
    refills: Refills = 0
    active: bool = True
    started_at: EpochMs | None = Field(default=None, description="Defaults to now")


class MedicationChange(Input):
    """Clinic staff change a prescription; at least one field."""

    model_config = ConfigDict(json_schema_extra=one_given(name="string", dose="string", refills="integer",
                                                          active="boolean"))

    name: ShortText | None = None
    dose: ShortText | None = None
    refills: Refills | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> MedicationChange:
        if all(v is None for v in (self.name, self.dose, self.refills, self.active)):
            raise ValueError("give at least one field to change")
        return self
