from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, Strict, StringConstraints, model_validator

from clinic.models.base import Input, Shape, one_given
from clinic.models.common import ShortText


class Role(StrEnum):
    PATIENT = "patient"
    ADMIN = "admin"


class User(Shape):
    user_id: str = Field(description="The Cognito subject (sub)")
    email: str
    name: str | None = None
    image: str | None = None
    role: Role = Role.PATIENT
    created_at: int
    appointment_reminders: bool = Field(default=True, description="Email a reminder the day before each "
                                        "confirmed appointment")


class PatientProfile(User):
    """A patient's profile as staff see it: with whether the account may sign in and use the API."""

    enabled: bool = Field(description="False once staff disabled the account (PUT /admin/users/{userId}/access)")


class UserPage(Shape):
    items: list[User]
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")


ImageUrl = Annotated[str, StringConstraints(max_length=2048, pattern=r"^https://[^\s\x00-\x1f\x7f]{1,2040}$")]


class ProfileChange(Input):
    """What a user may change about themselves: the display name, the picture and whether they
    get appointment reminders. Everything else (email, role, ids) comes from the identity
    provider or clinic staff."""

    # "Give name, image or appointmentReminders" (the validator below), said in JSON Schema.
    model_config = ConfigDict(json_schema_extra=one_given(name="string", image="string",
                                                          appointmentReminders="boolean"))

    name: ShortText | None = None
    image: ImageUrl | None = None
    appointment_reminders: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> ProfileChange:
        if self.name is None and self.image is None and self.appointment_reminders is None:
            raise ValueError("give name, image or appointmentReminders")
        return self


class RoleChange(Input):
    role: Annotated[Role, Strict(False)]


class AccessChange(Input):
    enabled: bool = Field(description="false: the account cannot sign in, and its tokens already issued are "
                          "refused at once on writes, the export, staff routes and live updates; true: restored")


class AccountAccess(Shape):
    user_id: str = Field(description="The Cognito subject (sub)")
    enabled: bool


class BackfillPosition(Input):
    """Where the walk of the users (ByRole, one role after the other) goes on."""

    role: Annotated[Role, Strict(False)]
    key: dict[str, str] | None = Field(default=None, description="The ByRole position (userId, listSk)")


class NameBackfillRequest(Input):
    """An invocation of the name look-ups' backfill: from the start, or from where the last one
    stopped; ``again``: walk every user even if a walk finished before."""

    after: BackfillPosition | None = None
    again: bool = False


class NameBackfillProgress(Shape):
    checked: int = Field(description="Users read by this invocation")
    updated: int = Field(description="Users whose look-up items this invocation wrote")
    after: BackfillPosition | None = Field(description="Where the next invocation starts; none when done")
    done: bool
    already_done: bool = Field(default=False, description="A walk had finished before: nothing read")
