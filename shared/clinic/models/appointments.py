from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from clinic.models.base import Shape


class AppointmentType(StrEnum):
    CHECKUP = "checkup"
    LAB = "lab"
    CONSULTATION = "consultation"
    FOLLOW_UP = "follow-up"
    TELEHEALTH = "telehealth"
    IMAGING = "imaging"
    VACCINATION = "vaccination"


class AppointmentStatus(StrEnum):
    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no-show"


class When(StrEnum):
    UPCOMING = "upcoming"
    PAST = "past"


class Appointment(Shape):
    appointment_id: str
    title: str
    date: str = Field(description="ISO 8601 local date-time at the clinic, for display")
    type: AppointmentType
    status: AppointmentStatus
    start_time: int = Field(description="Epoch milliseconds")
    duration_minutes: int = 30
    version: int = 1


class AppointmentPage(Shape):
    items: list[Appointment]
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")
