"""Sensor and lab ingest: a reading as a pipeline delivers it, and what happened to each one."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from clinic.models.base import Shape
from clinic.models.biomarkers import NewReading

MAX_READINGS_PER_CALL = 1000

# A Cognito sub in production; any id-shaped string locally and in tests. Part of every key.
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]


class IngestReading(NewReading):
    """One reading from a sensor or lab pipeline. ``userId`` is trusted (the caller is an
    internal pipeline authorized by IAM) but must name a user in the Users table."""

    user_id: UserId


class ItemResult(Shape):
    index: int = Field(description="Position in the call's readings (or in the SQS batch)")
    outcome: str = Field(description="accepted | duplicate | corrected | withdrawn | rejected | failed "
                                     "(failed: safe to retry)")
    reason: str | None = Field(default=None, description="Why, for rejected and failed; never the reading's content")
    reading_id: str | None = None


class IngestResult(Shape):
    accepted: int
    duplicate: int
    rejected: int
    failed: int
    corrected: int = 0
    withdrawn: int = 0
    results: list[ItemResult]
