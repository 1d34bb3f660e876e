from __future__ import annotations

from pydantic import Field

from clinic.models.base import Shape


class AuditEvent(Shape):
    event_id: str
    actor_id: str = Field(description="Who (Cognito sub of the staff member)")
    patient_id: str = Field(description="Whose records")
    action: str = Field(description="read | create | update | role-change | access-change | sign-in | export")
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


# --- the patient's own view: GET /me/access-log ------------------------------------------------


class AccessActor(Shape):
    name: str = Field(description='The staff member\'s display name when they acted; "Clinic staff" for records '
                      'from before names were kept; "You" for the patient\'s own sign-ins and exports')
    role: str = Field(description="admin (clinic staff) or patient")


class AccessLogEntry(Shape):
    at: int = Field(description="Epoch milliseconds")
    actor: AccessActor
    action: str = Field(description="read | create | update | role-change | export | sign-in")
    record_kind: str = Field(description="biomarkers | appointments | medications | profile | identifiers | role | "
                             "export | session | other")
    reason: str | None = Field(default=None, description="Why, when the staff member gave a reason")


class AccessLogPage(Shape):
    items: list[AccessLogEntry] = Field(description="Newest first")
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")
