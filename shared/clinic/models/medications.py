from __future__ import annotations

from pydantic import Field

from clinic.models.base import Shape


class Medication(Shape):
    medication_id: str
    name: str
    dose: str
    refills: int = Field(ge=0)
    active: bool
    started_at: int = Field(description="Epoch milliseconds")
    version: int = 1
