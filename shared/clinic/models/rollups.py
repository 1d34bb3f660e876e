from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from clinic.models.base import Input, Shape

# Cognito subjects (and the test and demo ids): no PHI, just an opaque id.
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,128}$")]


def _calendar_day(text: str) -> str:
    date.fromisoformat(text)  # ValueError for 2026-02-30 and the like
    return text


Day = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_calendar_day)]

# How much one work message carries: it is one unit of retry (ReportBatchItemFailures).
MAX_USERS_PER_MESSAGE = 25
MAX_USER_DAYS_PER_MESSAGE = 50


class Resolution(StrEnum):
    RAW = "raw"
    DAILY = "daily"


class DailyPoint(Shape):
    """One clinic-local day of one biomarker (the Rollups table, and its wire shape)."""

    day: str = Field(description="Clinic-local date, YYYY-MM-DD")
    unit: str
    count: int = Field(ge=1)
    min: float
    max: float
    avg: float
    last: float = Field(description="Value of the day's latest reading")
    last_at: int = Field(description="recordedAt (epoch ms) of the day's latest reading")


class ValueRange(Shape):
    low: float
    high: float


class ReferenceRanges(Shape):
    """The clinic's ranges for one biomarker (inclusive), in ``unit``: what a chart shades."""

    unit: str
    normal: ValueRange = Field(description="The reference range: outside it a value is out of range")
    optimal: ValueRange = Field(description="Within the reference range: the optimal part")


class DailyHistory(Shape):
    name: str
    resolution: Literal["daily"] = "daily"
    reference: ReferenceRanges | None = Field(
        default=None, description="The biomarker's reference and optimal ranges; null outside the catalog")
    items: list[DailyPoint]
    next_cursor: None = Field(default=None, description="Always null: a year of days fits in one page")


class PlanRequest(Input):
    """The planner's event: the schedule's ``{"scheduledTime": ...}``, or a backfill ``{"day": ...}``."""

    scheduled_time: str | None = Field(default=None, max_length=40)
    day: Day | None = None


class UserDays(Input):
    user_id: UserId
    days: list[Day] = Field(min_length=1, max_length=MAX_USER_DAYS_PER_MESSAGE)


class WorkMessage(Input):
    """One SQS message for the worker: users and the local days to roll up for each."""

    due: Day
    users: list[UserDays] = Field(min_length=1, max_length=MAX_USERS_PER_MESSAGE)
