from __future__ import annotations

from pydantic import Field

from clinic.models.base import Shape


class StatusCounts(Shape):
    optimal: int = Field(ge=0)
    in_range: int = Field(ge=0)
    out_of_range: int = Field(ge=0)


class BiomarkerStats(Shape):
    """The dashboard widget: statuses of the latest reading of each distinct biomarker.

    ``optimal``, ``inRange`` and ``outOfRange`` are integer percentages summing to exactly 100
    when ``total`` > 0 (largest remainder), all 0 when it is 0; ``counts`` holds the raw numbers.
    """

    total: int = Field(ge=0, description="Distinct biomarkers with at least one reading")
    optimal: int = Field(ge=0, le=100)
    in_range: int = Field(ge=0, le=100)
    out_of_range: int = Field(ge=0, le=100)
    counts: StatusCounts
    as_of: int | None = Field(description="recordedAt (epoch ms) of the newest latest reading")
