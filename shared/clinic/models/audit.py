from __future__ import annotations

from pydantic import Field

from clinic.models.base import Shape


class AuditEvent(Shape):
    event_id: str
    actor_id: str = Field(description="Who (Cognito sub of the staff member)")
    patient_id: str = Field(description="Whose records")
    action: str = Field(description="read | create | update | role-change")
    resource: str = Field(description="What, e.g. `appointments` or `appointment:<id>`; never a value")
    at: int = Field(description="Epoch milliseconds")
    reason: str | None = Field(default=None, description="Why, as the person who made a correction gave it")


class AuditPage(Shape):
    items: list[AuditEvent]
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")


class AuditExportPage(Shape):
    items: list[AuditEvent] = Field(description="Oldest first; ties in time in eventId order")
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")
    complete: bool = Field(description="True on the last page of the time range")
