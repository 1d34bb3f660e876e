from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field, Strict, model_validator

from clinic.models.base import Input, Shape
from clinic.models.common import EpochMs, ShortText, integral


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


# --- inputs ----------------------------------------------------------------------------------

DurationMinutes = Annotated[int, Field(ge=5, le=480), BeforeValidator(integral)]


class AppointmentRequest(Input):
    """A patient asks for an appointment; the clinic confirms it (status ``requested``)."""

    type: Annotated[AppointmentType, Strict(False)]
    start_time: EpochMs = Field(description="Epoch milliseconds; in the future and at most two years ahead")
    duration_minutes: DurationMinutes = 30
    title: ShortText | None = Field(default=None, description="Defaults to a title for the type")


class PatientAction(StrEnum):
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"


class AppointmentChange(Input):
    """A patient cancels, or asks to move, an upcoming appointment of theirs."""

    # The rule below, said in JSON Schema (docs/openapi.json), so clients and fuzzers know it.
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"action": {"const": PatientAction.RESCHEDULE.value}}},
        "then": {"required": ["startTime"], "properties": {"startTime": {"type": "integer"}}},
        "else": {"properties": {"startTime": {"type": "null"}}},
    })

    action: Annotated[PatientAction, Strict(False)]
    start_time: EpochMs | None = Field(default=None, description="The new start (reschedule only); in the future")

    @model_validator(mode="after")
    def _start_time_with_reschedule_only(self) -> AppointmentChange:
        if (self.action is PatientAction.RESCHEDULE) != (self.start_time is not None):
            raise ValueError("startTime is required to reschedule and allowed only then")
        return self


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    SCHEDULED = "scheduled"


class StaffAppointmentCreate(Input):
    """Clinic staff book an appointment for a patient."""

    type: Annotated[AppointmentType, Strict(False)]
    start_time: EpochMs = Field(description="Epoch milliseconds; in the future and at most two years ahead")
    duration_minutes: DurationMinutes = 30
    title: ShortText | None = None
    status: Annotated[BookingStatus, Strict(False)] = BookingStatus.SCHEDULED


class StaffAction(StrEnum):
    CONFIRM = "confirm"
    COMPLETE = "complete"
    CANCEL = "cancel"
    NO_SHOW = "no-show"


class StaffAppointmentChange(Input):
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"action": {"const": StaffAction.CONFIRM.value}}},
        "then": True,
        "else": {"properties": {"startTime": {"type": "null"}}},
    })

    action: Annotated[StaffAction, Strict(False)]
    start_time: EpochMs | None = Field(default=None, description="confirm only: confirm at another (future) time")

    @model_validator(mode="after")
    def _start_time_with_confirm_only(self) -> StaffAppointmentChange:
        if self.start_time is not None and self.action is not StaffAction.CONFIRM:
            raise ValueError("startTime is allowed only to confirm")
        return self
